/*
 * hash: the algorithms of the FTP HASH extension (draft-bryan-ftpext-hash)
 * and the digest of a byte range of an open file, shared by the server's
 * HASH command and the client's check of what it sent or received.
 *
 * Names are the IANA "Hash Function Textual Names" the draft requires:
 * SHA-256 (the default), SHA-512, SHA-1 and MD5, matched without regard
 * to case. Digests are written as lowercase hex.
 */
#ifndef BURROW_HASH_H
#define BURROW_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_alg {
	const char	*name;		/* "SHA-256": as FEAT and 213 show it */
	const char	*evp;		/* OpenSSL's name for it: "SHA256" */
	size_t		 size;		/* digest length in bytes */
};

/* Room for the longest hex digest (SHA-512) and its NUL. */
#define HASH_HEX_MAX	(64 * 2 + 1)

/* The algorithm a session starts with: SHA-256. */
const struct hash_alg *hash_default(void);

/* The algorithm called name (any case), or NULL; NULL name gives NULL. */
const struct hash_alg *hash_find(const char *name);

/* The i-th supported algorithm in FEAT order, or NULL past the last. */
const struct hash_alg *hash_at(size_t i);

/*
 * Writes the value of the FEAT line ("SHA-256*;SHA-512;SHA-1;MD5"): every
 * algorithm, the selected one (the default when sel is NULL) starred.
 * Returns the length, or -1 if it does not fit in len bytes (out then holds
 * a truncated, NUL-terminated string when len > 0).
 */
int hash_feat(const struct hash_alg *sel, char *out, size_t len);

/*
 * Digests the bytes [start, end) of fd with alg, reading with pread() in
 * 256 KiB chunks (the file offset is not used or moved), and writes the
 * digest as lowercase hex into hex (hexlen >= 2 * alg->size + 1). end is
 * exclusive; UINT64_MAX means "to end of file", and then whatever lies
 * between start and EOF is hashed (nothing, when start is past it).
 * With any other end the range must exist in full: a file that ends before
 * end fails with ERANGE, so a caller never reports a range it did not hash.
 * cancel, when not NULL, is read (atomically) between chunks: once nonzero
 * the work stops with ECANCELED.
 *
 * Returns 0, or -1 with errno: EINVAL (NULL alg or hex, start > end),
 * ENOBUFS (hexlen too small), ERANGE, ECANCELED, ENOSYS (OpenSSL lacks the
 * algorithm, e.g. MD5 under a FIPS-only provider), ENOMEM, or pread()'s.
 * hex is "" on failure.
 */
int hash_fd_range(int fd, const struct hash_alg *alg, uint64_t start,
    uint64_t end, char *hex, size_t hexlen, volatile const int *cancel);

/*
 * A digest computed piece by piece, for bytes that pass by once (a
 * transfer): hash_begin() starts one with alg (NULL with errno EINVAL or
 * ENOSYS, or ENOMEM); hash_update() adds n bytes (-1 with errno ENOMEM);
 * hash_end() writes the lowercase hex digest into hex (hexlen >= 2 *
 * alg->size + 1) and frees the context, returning 0, or -1 with errno
 * ENOBUFS or ENOSYS and hex ""; hash_abandon() frees it without a result
 * (NULL is fine).
 */
struct hash_ctx;

struct hash_ctx	*hash_begin(const struct hash_alg *alg);
int		 hash_update(struct hash_ctx *h, const void *buf, size_t n);
int		 hash_end(struct hash_ctx *h, char *hex, size_t hexlen);
void		 hash_abandon(struct hash_ctx *h);

/*
 * Adds the bytes [start, end) of fd to h, as hash_fd_range() reads them
 * (end UINT64_MAX: to end of file), through buf (buflen bytes). Returns
 * 0, or -1 with errno as hash_fd_range(); h is then still to be ended or
 * abandoned by the caller.
 */
int	hash_update_fd(struct hash_ctx *h, int fd, uint64_t start,
	    uint64_t end, void *buf, size_t buflen, volatile const int *cancel);

/*
 * The two texts of the extension that arrive from the other side, parsed
 * here (pure, no I/O) so that both sides and the fuzz targets share them.
 *
 * hash_parse_range() reads RANG's argument "start end": two decimal byte
 * offsets in [0, INT64_MAX] separated by one space, nothing else. Returns
 * 0 and sets *start and *end (not checked against each other), or -1.
 *
 * hash_parse_reply() reads a 213 reply to HASH, "213 SHA-256 0-49 <hex>
 * <path>" (the reply's code and separator first; later lines after '\n'
 * are ignored): the third field, which must be 8 or more hex digits and
 * fit in hexlen bytes with its NUL, is copied into hex in lowercase.
 * Returns 0, or -1 (hex is then untouched).
 */
int	hash_parse_range(const char *arg, uint64_t *start, uint64_t *end);
int	hash_parse_reply(const char *reply, char *hex, size_t hexlen);

#endif
