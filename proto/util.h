/*
 * util: small pieces both programs share. Bounded number parsing (untrusted
 * input never reaches atoi), sizes with K/M/G suffixes, octal file modes,
 * and wiping secrets.
 */
#ifndef BURROW_UTIL_H
#define BURROW_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/*
 * Parses the whole of s as a decimal integer in [min, max]. Leading blanks,
 * signs other than a leading '-' when min < 0, and trailing bytes are refused.
 * Returns 0 and sets *out, or -1 and points *errstr at "invalid",
 * "too small" or "too large" (errstr may be NULL).
 */
int parse_num(const char *s, long long min, long long max, long long *out,
    const char **errstr);

/*
 * Parses a byte count: digits with an optional K, M, G or T suffix (powers of
 * 1024, case-insensitive, an optional trailing 'B' or "iB"). "0" is zero.
 * Returns 0 and sets *out, or -1 on syntax error or overflow.
 */
int parse_size(const char *s, uint64_t *out);

/*
 * Parses a file mode as chmod(1) writes it in octal: one to four octal
 * digits ("644", "0755", "4755"), nothing else (no sign, blank or
 * suffix), so at most 07777. Returns 0 and sets *out, or -1.
 */
int parse_mode(const char *s, unsigned *out);

/*
 * Writes n as a short human-readable size ("512 B", "1.5 KiB", "10.0 MiB")
 * into buf. Always NUL-terminates when len > 0.
 */
void format_size(uint64_t n, char *buf, size_t len);

/*
 * Writes a printf-style message into err, the one-line reason buffer most
 * functions here fill on failure (errlen bytes; always NUL-terminated when
 * errlen > 0, cut when too long; nothing at all when err is NULL or
 * errlen is 0).
 */
void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Overwrites n bytes at p in a way the compiler cannot elide; p may be
 * NULL when n is 0 (PASS without a password).
 */
void wipe(void *p, size_t n);

/* Monotonic clock in seconds. */
double now_mono(void);

/* Makes every folder above file that is missing, mode 0700 (a user's
 * settings and state). 0, or -1 with the reason in err. */
int make_file_parents(const char *file, char *err, size_t errlen);

/*
 * Writing a user's file whole or not at all: replace_begin() makes the
 * folders above file (0700) and a new file beside it (0600), its name
 * into tmp (tmplen bytes), open for writing; replace_end() flushes and
 * syncs it, closes it and renames it over file. On any failure the new
 * file is removed and -1 (NULL) returned with the reason in err.
 */
FILE *replace_begin(const char *file, char *tmp, size_t tmplen, char *err,
    size_t errlen);
int replace_end(FILE *f, const char *tmp, const char *file, char *err,
    size_t errlen);

#endif
