/*
 * auth: password hashing. Passwords are stored only as
 * "$pbkdf2-sha256$ITERATIONS$SALT$HASH" where SALT (16 random bytes) and
 * HASH (32 bytes of PBKDF2-HMAC-SHA256) are in unpadded standard base64.
 * Comparison is constant-time.
 */
#ifndef BURROW_AUTH_H
#define BURROW_AUTH_H

#include <stddef.h>

#define AUTH_DEFAULT_ITERATIONS	200000
#define AUTH_MIN_ITERATIONS	1000
#define AUTH_MAX_ITERATIONS	10000000
#define AUTH_ENCODED_MAX	128

/*
 * Hashes password with a fresh random salt and iterations rounds, writing the
 * encoded form into out. Returns 0, or -1 if out is too small, iterations is
 * out of range or OpenSSL fails.
 */
int auth_hash(const char *password, unsigned iterations, char *out,
    size_t outlen);

/*
 * Checks password against an encoded hash. Returns 1 on a match, 0 on a
 * mismatch, -1 if encoded is malformed.
 */
int auth_verify(const char *password, const char *encoded);

/*
 * Spends the same time as auth_verify against a default-strength hash and
 * returns 0: used for unknown users, so that they cannot be told apart from
 * wrong passwords by timing.
 */
int auth_verify_dummy(const char *password);

/* 1 if encoded is a well-formed hash this module can verify, else 0. */
int auth_hash_valid(const char *encoded);

#endif
