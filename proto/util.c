/*
 * util: bounded number parsing, sizes, octal modes, secret wiping, a
 * monotonic clock,
 * the folders above a file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/util.h"

int
parse_num(const char *s, long long min, long long max, long long *out,
    const char **errstr)
{
	const char *dummy;
	char *end;
	long long v;

	if (errstr == NULL)
		errstr = &dummy;
	*errstr = "invalid";
	if (s == NULL || *s == '\0')
		return -1;
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && min < 0 &&
	    isdigit((unsigned char)s[1])))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return -1;
	}
	*errstr = NULL;
	*out = v;
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	switch (toupper((unsigned char)*p)) {
	case '\0':
		break;
	case 'K': mult = 1ULL << 10; p++; break;
	case 'M': mult = 1ULL << 20; p++; break;
	case 'G': mult = 1ULL << 30; p++; break;
	case 'T': mult = 1ULL << 40; p++; break;
	case 'B': break;
	default:
		return -1;
	}
	if (mult > 1 && (p[0] == 'i' || p[0] == 'I') && toupper((unsigned char)p[1]) == 'B')
		p += 2;
	else if (toupper((unsigned char)p[0]) == 'B')
		p++;
	if (*p != '\0')
		return -1;
	if (v != 0 && mult > UINT64_MAX / v)
		return -1;
	*out = v * mult;
	return 0;
}

int
parse_mode(const char *s, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (s == NULL || *s == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == 4 || s[i] < '0' || s[i] > '7')
			return -1;
		v = v << 3 | (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

void
format_size(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	size_t u = 0;

	if (len == 0)
		return;
	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return;
	}
	v /= 1024.0;
	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
wipe(void *p, size_t n)
{
	/* explicit_bzero() is declared nonnull: an absent secret is no work. */
	if (n == 0)
		return;
#ifdef HAVE_EXPLICIT_BZERO
	explicit_bzero(p, n);
#else
	volatile unsigned char *q = p;
	while (n--)
		*q++ = 0;
#endif
}

double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
make_file_parents(const char *file, char *err, size_t errlen)
{
	char p[4096];
	size_t i;

	if (snprintf(p, sizeof(p), "%s", file) >= (int)sizeof(p)) {
		set_err(err, errlen, "%s: path too long", file);
		return -1;
	}
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			set_err(err, errlen, "mkdir %s: %s", p, strerror(errno));
			return -1;
		}
		p[i] = '/';
	}
	return 0;
}

FILE *
replace_begin(const char *file, char *tmp, size_t tmplen, char *err,
    size_t errlen)
{
	FILE *f;
	int fd;

	if (make_file_parents(file, err, errlen) < 0)
		return NULL;
	if (snprintf(tmp, tmplen, "%s.XXXXXX", file) >= (int)tmplen) {
		set_err(err, errlen, "%s: path too long", file);
		return NULL;
	}
	/* mkstemp() makes the file 0600. */
	if ((fd = mkstemp(tmp)) < 0) {
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return f;
}

int
replace_end(FILE *f, const char *tmp, const char *file, char *err,
    size_t errlen)
{
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0) {
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, file) < 0) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
