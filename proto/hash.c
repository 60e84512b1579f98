/*
 * hash: the HASH extension's algorithm table and the digest of a byte
 * range of a file through OpenSSL's EVP interface.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "proto/hash.h"

/* In FEAT order; the first is the default. */
static const struct hash_alg algs[] = {
	{ "SHA-256", "SHA256", 32 },
	{ "SHA-512", "SHA512", 64 },
	{ "SHA-1", "SHA1", 20 },
	{ "MD5", "MD5", 16 },
};

#define NALGS	(sizeof(algs) / sizeof(algs[0]))

/* Bytes read per pread(). */
#define HASH_CHUNK	(256 * 1024)

/* The largest offset pread() takes. */
#define OFFSET_MAX	((uint64_t)INT64_MAX)

const struct hash_alg *
hash_default(void)
{
	return &algs[0];
}

const struct hash_alg *
hash_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NALGS; i++)
		if (strcasecmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

const struct hash_alg *
hash_at(size_t i)
{
	return i < NALGS ? &algs[i] : NULL;
}

int
hash_feat(const struct hash_alg *sel, char *out, size_t len)
{
	size_t i, pos = 0;
	int n;

	if (sel == NULL)
		sel = hash_default();
	if (len > 0)
		out[0] = '\0';
	for (i = 0; i < NALGS; i++) {
		n = snprintf(out + pos, len - pos, "%s%s%s", i > 0 ? ";" : "",
		    algs[i].name, &algs[i] == sel ? "*" : "");
		if (n < 0 || (size_t)n >= len - pos)
			return -1;
		pos += (size_t)n;
	}
	return (int)pos;
}

static int
cancelled(volatile const int *cancel)
{
	/* Atomic, so a flag another thread sets is read without a race. */
	return cancel != NULL && __atomic_load_n(cancel, __ATOMIC_RELAXED) != 0;
}

int
hash_fd_range(int fd, const struct hash_alg *alg, uint64_t start,
    uint64_t end, char *hex, size_t hexlen, volatile const int *cancel)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const EVP_MD *type;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	uint64_t off = start;
	size_t want;
	ssize_t got;
	int err = 0;

	if (hex != NULL && hexlen > 0)
		hex[0] = '\0';
	if (alg == NULL || hex == NULL || start > end) {
		errno = EINVAL;
		return -1;
	}
	if (hexlen < alg->size * 2 + 1) {
		errno = ENOBUFS;
		return -1;
	}
	if ((type = EVP_get_digestbyname(alg->evp)) == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    (buf = malloc(HASH_CHUNK)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(ctx, type, NULL) != 1) {
		err = ENOSYS;
		goto out;
	}
	while (off < end) {
		if (cancelled(cancel)) {
			err = ECANCELED;
			goto out;
		}
		want = end - off < HASH_CHUNK ? (size_t)(end - off) : HASH_CHUNK;
		/* pread() refuses offsets past off_t's range: no file is there. */
		if (off >= OFFSET_MAX)
			want = 0;
		else if (want > OFFSET_MAX - off)
			want = (size_t)(OFFSET_MAX - off);
		if (want == 0)
			got = 0;
		else if ((got = pread(fd, buf, want, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto out;
		}
		if (got == 0) {
			if (end != UINT64_MAX)
				err = ERANGE;	/* the file is shorter */
			break;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1) {
			err = ENOMEM;
			goto out;
		}
		off += (uint64_t)got;
	}
	if (err != 0)
		goto out;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != alg->size) {
		err = ENOSYS;
		goto out;
	}
	for (i = 0; i < mdlen; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0x0f];
	}
	hex[mdlen * 2] = '\0';
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	if (err != 0) {
		hex[0] = '\0';
		errno = err;
		return -1;
	}
	return 0;
}
