/*
 * auth: the only place a password meets its stored form. A stored password
 * is "$pbkdf2-sha256$ITERATIONS$SALT$HASH": PBKDF2-HMAC-SHA256 over a random
 * 16-byte salt, 32 bytes of output, both in unpadded standard base64 (not
 * passlib's "./" variant), so any PBKDF2 implementation can make or check
 * one. Parsing is strict: each hash has exactly one accepted spelling, and
 * anything else is refused rather than guessed at. Derived keys never
 * outlive the call that made them.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "proto/util.h"
#include "srv/auth.h"

#define AUTH_PREFIX	"$pbkdf2-sha256$"
#define SALT_LEN	16
#define HASH_LEN	32
#define B64_LEN(n)	(((n) * 4 + 2) / 3)	/* unpadded */
#define ITER_DIGITS	8			/* AUTH_MAX_ITERATIONS */

_Static_assert(AUTH_MAX_ITERATIONS < 100000000, "ITER_DIGITS too small");

#define STR_(x)	#x
#define STR(x)	STR_(x)

/*
 * What auth_verify_dummy checks against: a well-formed hash at the default
 * strength whose expected output is all zeros, which no password derives in
 * practice. Going through the same parser and derivation as a real hash keeps
 * the two paths the same length.
 */
static const char dummy_hash[] = AUTH_PREFIX STR(AUTH_DEFAULT_ITERATIONS)
    "$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A parsed hash. */
struct pbkdf2 {
	unsigned	iterations;
	unsigned char	salt[SALT_LEN];
	unsigned char	hash[HASH_LEN];
};

/* Encodes n bytes as unpadded base64; out must hold B64_LEN(n) + 1 bytes. */
static void
b64_encode(const unsigned char *in, size_t n, char *out)
{
	unsigned long v;
	size_t i, j = 0;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[j++] = b64_alphabet[v >> 18 & 63];
		out[j++] = b64_alphabet[v >> 12 & 63];
		out[j++] = b64_alphabet[v >> 6 & 63];
		out[j++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[j++] = b64_alphabet[v >> 18 & 63];
		out[j++] = b64_alphabet[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[j++] = b64_alphabet[v >> 18 & 63];
		out[j++] = b64_alphabet[v >> 12 & 63];
		out[j++] = b64_alphabet[v >> 6 & 63];
	}
	out[j] = '\0';
}

static int
b64_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64_alphabet, c)) == NULL)
		return -1;
	return (int)(p - b64_alphabet);
}

/*
 * Decodes exactly len characters of s into n bytes. Fails unless len is the
 * unpadded length of n bytes, every character is in the alphabet, and the
 * bits past the end of the data are zero (so that no second spelling of the
 * same bytes is accepted).
 */
static int
b64_decode(const char *s, size_t len, unsigned char *out, size_t n)
{
	unsigned long acc = 0;
	unsigned bits = 0;
	size_t i, j = 0;
	int d;

	if (len != B64_LEN(n))
		return -1;
	for (i = 0; i < len; i++) {
		if ((d = b64_value(s[i])) == -1)
			return -1;
		acc = (acc << 6 | (unsigned long)d) & 0xffffUL;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[j++] = (unsigned char)(acc >> bits);
		}
	}
	if (j != n || (acc & ((1UL << bits) - 1)) != 0)
		return -1;
	return 0;
}

/* Splits and checks an encoded hash. Returns 0, or -1 if it is malformed. */
static int
parse(const char *encoded, struct pbkdf2 *p)
{
	char digits[ITER_DIGITS + 1];
	const char *s, *salt, *hash;
	long long iter;
	size_t n;

	if (strncmp(encoded, AUTH_PREFIX, strlen(AUTH_PREFIX)) != 0)
		return -1;
	s = encoded + strlen(AUTH_PREFIX);
	n = strcspn(s, "$");
	/* parse_num takes "0100"; insist on the one canonical spelling. */
	if (s[n] != '$' || n == 0 || n > ITER_DIGITS || s[0] == '0')
		return -1;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (parse_num(digits, AUTH_MIN_ITERATIONS, AUTH_MAX_ITERATIONS, &iter,
	    NULL) == -1)
		return -1;
	p->iterations = (unsigned)iter;

	salt = s + n + 1;
	n = strcspn(salt, "$");
	if (salt[n] != '$' || b64_decode(salt, n, p->salt, SALT_LEN) == -1)
		return -1;
	hash = salt + n + 1;
	/* A further '$' is not in the alphabet, so the decoder refuses it. */
	if (b64_decode(hash, strlen(hash), p->hash, HASH_LEN) == -1)
		return -1;
	return 0;
}

static int
derive(const char *password, const unsigned char *salt, unsigned iterations,
    unsigned char *out)
{
	size_t len = strlen(password);

	if (len > INT_MAX || iterations > INT_MAX)
		return -1;
	if (PKCS5_PBKDF2_HMAC(password, (int)len, salt, SALT_LEN,
	    (int)iterations, EVP_sha256(), HASH_LEN, out) != 1)
		return -1;
	return 0;
}

int
auth_hash(const char *password, unsigned iterations, char *out,
    size_t outlen)
{
	unsigned char salt[SALT_LEN], hash[HASH_LEN];
	char salt64[B64_LEN(SALT_LEN) + 1], hash64[B64_LEN(HASH_LEN) + 1];
	int n, rc = -1;

	if (iterations < AUTH_MIN_ITERATIONS ||
	    iterations > AUTH_MAX_ITERATIONS)
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	if (derive(password, salt, iterations, hash) == -1)
		goto out;
	b64_encode(salt, sizeof(salt), salt64);
	b64_encode(hash, sizeof(hash), hash64);
	n = snprintf(out, outlen, AUTH_PREFIX "%u$%s$%s", iterations, salt64,
	    hash64);
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen > 0)
			wipe(out, outlen);
		goto out;
	}
	rc = 0;
out:
	wipe(hash, sizeof(hash));
	wipe(hash64, sizeof(hash64));
	return rc;
}

/* An OpenSSL failure also gives -1: it is neither a match nor a mismatch. */
int
auth_verify(const char *password, const char *encoded)
{
	struct pbkdf2 p;
	unsigned char got[HASH_LEN];
	int rc;

	if (parse(encoded, &p) == -1)
		return -1;
	if (derive(password, p.salt, p.iterations, got) == -1)
		rc = -1;
	else
		rc = CRYPTO_memcmp(got, p.hash, HASH_LEN) == 0;
	wipe(got, sizeof(got));
	wipe(&p, sizeof(p));
	return rc;
}

int
auth_verify_dummy(const char *password)
{
	(void)auth_verify(password, dummy_hash);
	return 0;
}

int
auth_hash_valid(const char *encoded)
{
	struct pbkdf2 p;

	return parse(encoded, &p) == 0;
}
