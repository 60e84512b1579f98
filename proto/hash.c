/*
 * hash: the HASH extension's algorithm table and the digest of a byte
 * range of a file through OpenSSL's EVP interface.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "proto/hash.h"
#include "proto/util.h"

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

/* The context is OpenSSL's; the struct only gives it a type of ours. */
struct hash_ctx {
	EVP_MD_CTX		*md;
	const struct hash_alg	*alg;
};

struct hash_ctx *
hash_begin(const struct hash_alg *alg)
{
	const EVP_MD *type;
	struct hash_ctx *h;

	if (alg == NULL || (type = EVP_get_digestbyname(alg->evp)) == NULL) {
		errno = alg == NULL ? EINVAL : ENOSYS;
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->md = EVP_MD_CTX_new()) == NULL) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	h->alg = alg;
	if (EVP_DigestInit_ex(h->md, type, NULL) != 1) {
		hash_abandon(h);
		errno = ENOSYS;
		return NULL;
	}
	return h;
}

int
hash_update(struct hash_ctx *h, const void *buf, size_t n)
{
	if (EVP_DigestUpdate(h->md, buf, n) != 1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
hash_end(struct hash_ctx *h, char *hex, size_t hexlen)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int rc = -1;

	if (hexlen > 0)
		hex[0] = '\0';
	if (hexlen < h->alg->size * 2 + 1)
		errno = ENOBUFS;
	else if (EVP_DigestFinal_ex(h->md, md, &mdlen) != 1 ||
	    mdlen != h->alg->size)
		errno = ENOSYS;
	else {
		for (i = 0; i < mdlen; i++) {
			hex[i * 2] = digits[md[i] >> 4];
			hex[i * 2 + 1] = digits[md[i] & 0x0f];
		}
		hex[mdlen * 2] = '\0';
		rc = 0;
	}
	hash_abandon(h);
	return rc;
}

void
hash_abandon(struct hash_ctx *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int
hash_update_fd(struct hash_ctx *ctx, int fd, uint64_t start, uint64_t end,
    void *buf, size_t buflen, volatile const int *cancel)
{
	uint64_t off = start;
	size_t want;
	ssize_t got;

	while (off < end) {
		if (cancelled(cancel)) {
			errno = ECANCELED;
			return -1;
		}
		want = end - off < buflen ? (size_t)(end - off) : buflen;
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
			return -1;
		}
		if (got == 0) {
			if (end != UINT64_MAX) {
				errno = ERANGE;	/* the file is shorter */
				return -1;
			}
			break;
		}
		if (hash_update(ctx, buf, (size_t)got) < 0)
			return -1;
		off += (uint64_t)got;
	}
	return 0;
}

int
hash_fd_range(int fd, const struct hash_alg *alg, uint64_t start,
    uint64_t end, char *hex, size_t hexlen, volatile const int *cancel)
{
	struct hash_ctx *ctx = NULL;
	unsigned char *buf = NULL;
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
	if ((ctx = hash_begin(alg)) == NULL)
		return -1;
	if ((buf = malloc(HASH_CHUNK)) == NULL)
		err = ENOMEM;
	else if (hash_update_fd(ctx, fd, start, end, buf, HASH_CHUNK,
	    cancel) == -1)
		err = errno;
	free(buf);
	if (err != 0) {
		hash_abandon(ctx);
		hex[0] = '\0';
		errno = err;
		return -1;
	}
	return hash_end(ctx, hex, hexlen);
}

int
hash_parse_range(const char *arg, uint64_t *start, uint64_t *end)
{
	char first[32];
	const char *sp;
	long long a, b;
	size_t n;

	if (arg == NULL || (sp = strchr(arg, ' ')) == NULL ||
	    (n = (size_t)(sp - arg)) >= sizeof(first))
		return -1;
	memcpy(first, arg, n);
	first[n] = '\0';
	if (parse_num(first, 0, LLONG_MAX, &a, NULL) == -1 ||
	    parse_num(sp + 1, 0, LLONG_MAX, &b, NULL) == -1)
		return -1;
	*start = (uint64_t)a;
	*end = (uint64_t)b;
	return 0;
}

int
hash_parse_reply(const char *reply, char *hex, size_t hexlen)
{
	size_t n = strlen(reply);
	const char *p = n > 4 ? reply + 4 : reply + n;	/* past "213 " */
	int field;

	for (field = 0; field < 2; field++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	n = strcspn(p, " \n");
	if (n < 8 || n >= hexlen || strspn(p, "0123456789abcdefABCDEF") < n)
		return -1;
	memcpy(hex, p, n);
	hex[n] = '\0';
	for (n = 0; hex[n] != '\0'; n++)
		if (hex[n] >= 'A' && hex[n] <= 'F')
			hex[n] += 'a' - 'A';
	return 0;
}
