/*
 * hcache: a digest kept in an extended attribute of the file it describes,
 * stamped with the inode's identity and times (see hcache.h for why a
 * limit rather than the resulting ctime).
 *
 * The value is one line of text: "burrow1 INO SIZE MS.MNS CS.CNS LS.LNS
 * HEX", the times as seconds and nanoseconds.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include "proto/hcache.h"

#define NSEC	1000000000LL

int
hcache_encode(const struct hcache_stamp *st, const char *hex, char *out,
    size_t len)
{
	size_t i, n = strlen(hex);
	int w;

	if (n == 0 || n + 1 > HASH_HEX_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)hex[i]) &&
		    (hex[i] < 'a' || hex[i] > 'f'))
			return -1;
	w = snprintf(out, len, "burrow1 %" PRIu64 " %" PRIu64 " %" PRId64
	    ".%09" PRId64 " %" PRId64 ".%09" PRId64 " %" PRId64 ".%09" PRId64
	    " %s", st->ino, st->size, st->mtime_s, st->mtime_ns, st->ctime_s,
	    st->ctime_ns, st->limit_s, st->limit_ns, hex);
	if (w < 0 || (size_t)w >= len)
		return -1;
	return w;
}

/* Reads an unsigned decimal number ending at a delimiter in stop. */
static const char *
num(const char *p, const char *end, const char *stop, uint64_t max,
    uint64_t *out)
{
	uint64_t v = 0;
	const char *s = p;

	while (p < end && isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (max - d) / 10)
			return NULL;
		v = v * 10 + d;
		p++;
	}
	if (p == s || p - s > 20 || p == end || strchr(stop, *p) == NULL)
		return NULL;
	*out = v;
	return p + 1;
}

/* Reads "S.NNNNNNNNN " (nine digits of nanoseconds). */
static const char *
stamp(const char *p, const char *end, int64_t *s, int64_t *ns)
{
	uint64_t a, b;
	const char *q;

	if ((q = num(p, end, ".", INT64_MAX, &a)) == NULL || end - q < 10)
		return NULL;
	p = q;
	if ((q = num(p, end, " ", NSEC - 1, &b)) == NULL || q - p != 10)
		return NULL;
	*s = (int64_t)a;
	*ns = (int64_t)b;
	return q;
}

int
hcache_decode(const char *val, size_t n, struct hcache_stamp *st, char *hex,
    size_t hexlen)
{
	const char *p = val, *end = val + n;
	size_t h;

	if (n < 8 || memcmp(p, "burrow1 ", 8) != 0)
		return -1;
	p += 8;
	if ((p = num(p, end, " ", UINT64_MAX, &st->ino)) == NULL ||
	    (p = num(p, end, " ", INT64_MAX, &st->size)) == NULL ||
	    (p = stamp(p, end, &st->mtime_s, &st->mtime_ns)) == NULL ||
	    (p = stamp(p, end, &st->ctime_s, &st->ctime_ns)) == NULL ||
	    (p = stamp(p, end, &st->limit_s, &st->limit_ns)) == NULL)
		return -1;
	h = (size_t)(end - p);
	if (h == 0 || h % 2 != 0 || h + 1 > hexlen || h + 1 > HASH_HEX_MAX)
		return -1;
	for (size_t i = 0; i < h; i++)
		if (!isdigit((unsigned char)p[i]) && (p[i] < 'a' || p[i] > 'f'))
			return -1;
	memcpy(hex, p, h);
	hex[h] = '\0';
	return 0;
}

/* a <=> b for two (seconds, nanoseconds) times. */
static int
cmp_time(int64_t as, int64_t ans, int64_t bs, int64_t bns)
{
	if (as != bs)
		return as < bs ? -1 : 1;
	return ans < bns ? -1 : ans > bns;
}

int
hcache_fresh(const struct hcache_stamp *st, const struct stat *now)
{
	if (!S_ISREG(now->st_mode) || st->ino != (uint64_t)now->st_ino ||
	    st->size != (uint64_t)now->st_size ||
	    st->mtime_s != (int64_t)now->st_mtim.tv_sec ||
	    st->mtime_ns != (int64_t)now->st_mtim.tv_nsec)
		return 0;
	return cmp_time(now->st_ctim.tv_sec, now->st_ctim.tv_nsec, st->ctime_s,
	    st->ctime_ns) >= 0 && cmp_time(now->st_ctim.tv_sec,
	    now->st_ctim.tv_nsec, st->limit_s, st->limit_ns) <= 0;
}

void
hcache_name(const struct hash_alg *alg, char *out, size_t len)
{
	size_t i, o;
	int w = snprintf(out, len, "user.burrow.hash.");

	if (w < 0 || (size_t)w >= len)
		return;
	/* OpenSSL's name in lowercase: "SHA256" -> "sha256". */
	for (i = 0, o = (size_t)w; alg->evp[i] != '\0' && o + 1 < len; i++)
		out[o++] = (char)tolower((unsigned char)alg->evp[i]);
	out[o] = '\0';
}

int
hcache_get(int fd, const struct hash_alg *alg, char *hex, size_t hexlen)
{
	char name[64], val[HCACHE_VALUE_MAX];
	struct hcache_stamp st;
	struct stat now;
	ssize_t n;

	hcache_name(alg, name, sizeof(name));
	if ((n = fgetxattr(fd, name, val, sizeof(val))) <= 0 ||
	    hcache_decode(val, (size_t)n, &st, hex, hexlen) == -1 ||
	    strlen(hex) != 2 * alg->size || fstat(fd, &now) == -1 ||
	    !hcache_fresh(&st, &now)) {
		if (hexlen > 0)
			hex[0] = '\0';
		return -1;
	}
	return 0;
}

/* 1 if the file as fstat() shows it now is the one before showed. */
static int
unchanged(const struct stat *before, const struct stat *now)
{
	return before->st_ino == now->st_ino &&
	    before->st_size == now->st_size &&
	    before->st_mtim.tv_sec == now->st_mtim.tv_sec &&
	    before->st_mtim.tv_nsec == now->st_mtim.tv_nsec &&
	    before->st_ctim.tv_sec == now->st_ctim.tv_sec &&
	    before->st_ctim.tv_nsec == now->st_ctim.tv_nsec;
}

int
hcache_put(int fd, const struct hash_alg *alg, const struct stat *before,
    const char *hex)
{
	char name[64], val[HCACHE_VALUE_MAX];
	struct hcache_stamp st;
	struct timespec t;
	struct stat now;
	int n;

	if (!S_ISREG(before->st_mode) || strlen(hex) != 2 * alg->size) {
		errno = EINVAL;
		return -1;
	}
	if (fstat(fd, &now) == -1)
		return -1;
	if (!unchanged(before, &now)) {
		errno = ESTALE;
		return -1;
	}
	if (clock_gettime(CLOCK_REALTIME, &t) == -1)
		return -1;
	st.ino = (uint64_t)now.st_ino;
	st.size = (uint64_t)now.st_size;
	st.mtime_s = now.st_mtim.tv_sec;
	st.mtime_ns = now.st_mtim.tv_nsec;
	st.ctime_s = now.st_ctim.tv_sec;
	st.ctime_ns = now.st_ctim.tv_nsec;
	st.limit_ns = t.tv_nsec + HCACHE_WINDOW_NS;
	st.limit_s = t.tv_sec + st.limit_ns / NSEC;
	st.limit_ns %= NSEC;
	hcache_name(alg, name, sizeof(name));
	if ((n = hcache_encode(&st, hex, val, sizeof(val))) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (fsetxattr(fd, name, val, (size_t)n, 0) == -1)
		return -1;
	/* The attribute's own ctime must fall in the window, or the value
	 * would be stale from the start (a slow write) or, worse, a change
	 * made meanwhile could hide in it. */
	if (fstat(fd, &now) == -1 || !hcache_fresh(&st, &now)) {
		(void)fremovexattr(fd, name);
		errno = ETIME;
		return -1;
	}
	return 0;
}

int
hcache_expected(int err)
{
	switch (err) {
	case ENOTSUP:
	case EPERM:
	case EACCES:
	case EROFS:
	case ESTALE:
	case ETIME:
		return 1;
	}
	return 0;
}
