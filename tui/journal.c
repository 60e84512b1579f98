/*
 * journal: see journal.h. The digest is OpenSSL's SHA-256 (cut to 8
 * bytes: enough to tell a torn or damaged record, which is all it is for).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "proto/util.h"
#include "tui/journal.h"

#define HEAD		12	/* length and digest */
#define SUM		8

struct journal {
	int	 fd;
	int	 dirty;		/* appended since the last sync */
};

static int
sum(const unsigned char *p, size_t n, unsigned char out[SUM])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < SUM)
		return -1;
	memcpy(out, md, SUM);
	return 0;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

int
journal_record(unsigned char *buf, size_t len, unsigned id, int upload,
    uint64_t size, const char *src, const char *dst)
{
	char *p = (char *)buf + HEAD;
	size_t room, n = 0;
	int w;

	if (len <= HEAD || (src == NULL) != (dst == NULL))
		return -1;
	room = len - HEAD < JOURNAL_PAYLOAD_MAX ? len - HEAD :
	    JOURNAL_PAYLOAD_MAX;
	if (src != NULL)
		w = snprintf(p, room, "A%c%u%c%c%c%llu%c%s%c%s", 0, id, 0,
		    upload ? 'u' : 'd', 0, (unsigned long long)size, 0, src, 0,
		    dst);
	else
		w = snprintf(p, room, "E%c%u", 0, id);
	if (w < 0 || (size_t)w + 1 >= room)
		return -1;
	n = (size_t)w + 1;		/* the last field's NUL too */
	buf[0] = (unsigned char)(n & 0xff);
	buf[1] = (unsigned char)(n >> 8 & 0xff);
	buf[2] = (unsigned char)(n >> 16 & 0xff);
	buf[3] = (unsigned char)(n >> 24 & 0xff);
	if (sum(buf + HEAD, n, buf + 4) < 0)
		return -1;
	return (int)(HEAD + n);
}

/* A decimal number filling s, at most max. 0 or -1. */
static int
number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (max - (uint64_t)(*s - '0')) /
		    10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Splits the payload p (n bytes, ending in NUL) into at most max fields.
 * Their count, or -1 when it does not end in NUL. */
static int
fields(const char *p, size_t n, const char **f, int max)
{
	size_t i, at = 0;
	int k = 0;

	if (n == 0 || p[n - 1] != '\0')
		return -1;
	for (i = 0; i < n; i++)
		if (p[i] == '\0') {
			if (k == max)
				return -1;
			f[k++] = p + at;
			at = i + 1;
		}
	return k;
}

static ssize_t
find(const struct journal_item *v, size_t n, unsigned id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return (ssize_t)i;
	return -1;
}

/* Applies one good record's payload. 1 applied, 0 not sense (stop), -1
 * out of memory. */
static int
apply(const char *p, size_t len, struct journal_item **v, size_t *n,
    size_t *cap)
{
	const char *f[6];
	struct journal_item it, *nv;
	uint64_t id, size;
	ssize_t at;
	int k = fields(p, len, f, 6);

	if (k == 2 && strcmp(f[0], "E") == 0) {
		if (number(f[1], UINT32_MAX, &id) < 0)
			return 0;
		if ((at = find(*v, *n, (unsigned)id)) >= 0) {
			free((*v)[at].src);
			free((*v)[at].dst);
			memmove(*v + at, *v + at + 1, (*n - (size_t)at - 1) *
			    sizeof(**v));
			(*n)--;
		}
		return 1;
	}
	if (k != 6 || strcmp(f[0], "A") != 0 ||
	    number(f[1], UINT32_MAX, &id) < 0 || id == 0 ||
	    (strcmp(f[2], "u") != 0 && strcmp(f[2], "d") != 0) ||
	    number(f[3], UINT64_MAX, &size) < 0 || f[4][0] != '/' ||
	    f[5][0] != '/' || find(*v, *n, (unsigned)id) >= 0)
		return 0;
	memset(&it, 0, sizeof(it));
	it.id = (unsigned)id;
	it.upload = f[2][0] == 'u';
	it.size = size;
	if ((it.src = strdup(f[4])) == NULL || (it.dst = strdup(f[5])) ==
	    NULL) {
		free(it.src);
		return -1;
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		if ((nv = realloc(*v, c * sizeof(*nv))) == NULL) {
			free(it.src);
			free(it.dst);
			return -1;
		}
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = it;
	return 1;
}

int
journal_parse(const unsigned char *buf, size_t len,
    struct journal_item **out, size_t *n, size_t *good)
{
	struct journal_item *v = NULL;
	size_t nv = 0, cap = 0, at = 0, plen;
	unsigned char s[SUM];
	int r;

	while (len - at >= HEAD) {
		plen = get32(buf + at);
		if (plen == 0 || plen > JOURNAL_PAYLOAD_MAX ||
		    plen > len - at - HEAD)
			break;
		if (sum(buf + at + HEAD, plen, s) < 0 ||
		    memcmp(s, buf + at + 4, SUM) != 0)
			break;
		r = apply((const char *)buf + at + HEAD, plen, &v, &nv, &cap);
		if (r < 0) {
			journal_items_free(v, nv);
			return -1;
		}
		if (r == 0)
			break;
		at += HEAD + plen;
	}
	*out = v;
	*n = nv;
	*good = at;
	return 0;
}

void
journal_items_free(struct journal_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].src);
		free(v[i].dst);
	}
	free(v);
}

int
journal_path(const char *server, char *out, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_-";
	size_t at;
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(out, len, "%s/burrow/queue-", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, len, "%s/.local/state/burrow/queue-", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= len || server[0] == '\0')
		return -1;
	at = (size_t)n;
	for (; *server != '\0'; server++) {
		if (strchr(ok, *server) != NULL && *server != '\0') {
			if (at + 1 >= len)
				return -1;
			out[at++] = *server;
		} else {
			if (at + 3 >= len)
				return -1;
			snprintf(out + at, 4, "%%%02X",
			    (unsigned)(unsigned char)*server);
			at += 3;
		}
	}
	out[at] = '\0';
	return 0;
}

/* The whole file into *buf (malloc'd), its length in *n; a missing file
 * is empty. 0, or -1 with errno. */
static int
slurp(int fd, unsigned char **buf, size_t *n)
{
	unsigned char *b = NULL, *nb;
	size_t used = 0, cap = 0;
	ssize_t r;

	for (;;) {
		if (cap - used < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(b, cap)) == NULL) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			b = nb;
		}
		r = read(fd, b + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	*buf = b;
	*n = used;
	return 0;
}

int
journal_load(const char *path, struct journal_item **out, size_t *n,
    int *damaged, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, good;
	int fd, rc;

	*out = NULL;
	*n = 0;
	*damaged = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = slurp(fd, &buf, &len);
	close(fd);
	if (rc < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = journal_parse(buf, len, out, n, &good);
	free(buf);
	if (rc < 0) {
		set_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	*damaged = good < len;
	return 0;
}

struct journal *
journal_open(const char *path, char *err, size_t errlen)
{
	struct journal *j;
	struct journal_item *v;
	unsigned char *buf;
	size_t len, good, n;
	int fd;

	if (make_file_parents(path, err, errlen) < 0)
		return NULL;
	if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* One burrow at a time keeps a server's queue. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		set_err(err, errlen, "%s: %s", path, errno == EWOULDBLOCK ?
		    "in use by another burrow" : strerror(errno));
		close(fd);
		return NULL;
	}
	/* New records go after the good ones, never after a torn one. */
	if (slurp(fd, &buf, &len) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (journal_parse(buf, len, &v, &n, &good) < 0) {
		free(buf);
		close(fd);
		set_err(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	free(buf);
	journal_items_free(v, n);
	if ((good < len && ftruncate(fd, (off_t)good) < 0) ||
	    lseek(fd, 0, SEEK_END) < 0 || fchmod(fd, 0600) < 0 ||
	    (j = calloc(1, sizeof(*j))) == NULL) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	j->fd = fd;
	return j;
}

static int
append(struct journal *j, const unsigned char *rec, int n)
{
	ssize_t w;
	size_t at = 0;

	if (j == NULL || n < 0) {
		errno = EINVAL;
		return -1;
	}
	while (at < (size_t)n) {
		w = write(j->fd, rec + at, (size_t)n - at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		at += (size_t)w;
	}
	j->dirty = 1;
	return 0;
}

int
journal_added(struct journal *j, unsigned id, int upload, uint64_t size,
    const char *src, const char *dst)
{
	unsigned char rec[HEAD + JOURNAL_PAYLOAD_MAX];

	return append(j, rec, journal_record(rec, sizeof(rec), id, upload,
	    size, src, dst));
}

int
journal_ended(struct journal *j, unsigned id)
{
	unsigned char rec[HEAD + 32];

	return append(j, rec, journal_record(rec, sizeof(rec), id, 0, 0, NULL,
	    NULL));
}

int
journal_sync(struct journal *j)
{
	if (j == NULL || !j->dirty)
		return 0;
	j->dirty = 0;
	return fdatasync(j->fd);
}

int
journal_reset(struct journal *j)
{
	if (j == NULL)
		return 0;
	j->dirty = 0;
	return ftruncate(j->fd, 0) < 0 || lseek(j->fd, 0, SEEK_SET) < 0 ||
	    fdatasync(j->fd) < 0 ? -1 : 0;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	close(j->fd);
	free(j);
}
