/*
 * trust: the known_hosts file of pinned certificate fingerprints; see
 * trust.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/util.h"
#include "tui/trust.h"

#define KEY_MAX	600

/* "host:port", "[v6]:port". -1 when it does not fit. */
static int
make_key(const char *host, int port, char *key, size_t len)
{
	int n;

	if (strchr(host, ':') != NULL && host[0] != '[')
		n = snprintf(key, len, "[%s]:%d", host, port);
	else
		n = snprintf(key, len, "%s:%d", host, port);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Looks key up in the open file f: TRUST_MATCH, TRUST_CHANGED (old
 * filled) or TRUST_UNKNOWN. *last_nl tells whether the file ends in a
 * newline (or is empty).
 */
static enum trust_result
lookup(FILE *f, const char *key, const char *fp, char *old, size_t oldlen,
    int *last_nl, int *at)
{
	char *line = NULL, *k, *v, *save;
	size_t cap = 0;
	ssize_t n;
	enum trust_result r = TRUST_UNKNOWN;
	int no = 0;

	*last_nl = 1;
	*at = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		*last_nl = line[n - 1] == '\n';
		no++;
		if (r != TRUST_UNKNOWN)
			continue;	/* read on for last_nl */
		if ((k = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    k[0] == '#' ||
		    (v = strtok_r(NULL, " \t\r\n", &save)) == NULL ||
		    strtok_r(NULL, " \t\r\n", &save) != NULL)
			continue;
		if (strcasecmp(k, key) != 0)
			continue;
		*at = no;
		if (strcasecmp(v, fp) == 0)
			r = TRUST_MATCH;
		else {
			r = TRUST_CHANGED;
			if (old != NULL && oldlen > 0)
				snprintf(old, oldlen, "%s", v);
		}
	}
	free(line);
	return r;
}

/*
 * Appends "key fp" as a line at the end of fd (after a newline if the file
 * does not end with one), whose lock the caller holds. A write cut short
 * (a full disk) is taken back: a half line would read, at the next
 * connection, as a pin of another certificate. Returns 0, or -1 with
 * errno.
 */
static int
append_pin(int fd, const char *key, const char *fp, int last_nl)
{
	struct stat st;
	size_t len, done = 0;
	ssize_t w;
	char *line;
	int n, err = 0;

	len = strlen(key) + strlen(fp) + 3;
	if ((line = malloc(len + 1)) == NULL)
		return -1;
	n = snprintf(line, len + 1, "%s%s %s\n", last_nl ? "" : "\n", key,
	    fp);
	if (n < 0 || fstat(fd, &st) < 0)
		err = errno != 0 ? errno : EINVAL;
	while (err == 0 && done < (size_t)n) {
		w = pwrite(fd, line + done, (size_t)n - done, st.st_size +
		    (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? errno : EIO;
			if (done > 0 && ftruncate(fd, st.st_size) < 0)
				err = errno;
			break;
		}
		done += (size_t)w;
	}
	free(line);
	errno = err;
	return err == 0 ? 0 : -1;
}

enum trust_result
trust_check(const char *file, const char *host, int port, const char *fp,
    int add, char *old, size_t oldlen, char *err, size_t errlen)
{
	char key[KEY_MAX];
	enum trust_result r;
	FILE *f;
	int fd, last_nl, at;

	if (make_key(host, port, key, sizeof(key)) < 0) {
		set_err(err, errlen, "host name too long");
		return TRUST_ERROR;
	}
	if (add && make_file_parents(file, err, errlen) < 0)
		return TRUST_ERROR;
	fd = open(file, (add ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC,
	    0600);
	if (fd < 0 && errno == ENOENT && !add)
		return TRUST_UNKNOWN;
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		return TRUST_ERROR;
	}
	/* Two clients pinning at once each see the other's line. */
	if (flock(fd, add ? LOCK_EX : LOCK_SH) < 0 ||
	    (f = fdopen(fd, add ? "r+" : "r")) == NULL) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		close(fd);
		return TRUST_ERROR;
	}
	r = lookup(f, key, fp, old, oldlen, &last_nl, &at);
	if (ferror(f)) {
		set_err(err, errlen, "%s: read error", file);
		r = TRUST_ERROR;
	} else if (r == TRUST_UNKNOWN && add) {
		if (append_pin(fileno(f), key, fp, last_nl) < 0) {
			set_err(err, errlen, "%s: %s", file, strerror(errno));
			r = TRUST_ERROR;
		} else
			r = TRUST_ADDED;
	}
	if (fclose(f) != 0 && r == TRUST_ADDED) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		r = TRUST_ERROR;
	}
	return r;
}

int
trust_line(const char *file, const char *host, int port)
{
	char key[KEY_MAX];
	FILE *f;
	int last_nl, at;

	if (make_key(host, port, key, sizeof(key)) < 0 ||
	    (f = fopen(file, "re")) == NULL)
		return -1;
	(void)lookup(f, key, "", NULL, 0, &last_nl, &at);
	if (ferror(f))
		at = -1;
	fclose(f);
	return at;
}

/* "AB:CD:...:EF" as two lines of 16 bytes, the second indented by pad. */
static void
split_fp(const char *fp, const char *pad, char *out, size_t len)
{
	size_t n = strlen(fp);

	if (n > 48 && fp[47] == ':')
		snprintf(out, len, "%.47s\n%s%s", fp, pad, fp + 48);
	else
		snprintf(out, len, "%s", fp);
}

void
trust_changed_message(const char *server, const char *file, int line,
    const char *old, const char *fp, char *buf, size_t len)
{
	const char *pad = "                  ";
	char o[256], n[256], where[64];

	split_fp(old, pad, o, sizeof(o));
	split_fp(fp, pad, n, sizeof(n));
	if (line > 0)
		snprintf(where, sizeof(where), "line %d", line);
	else
		snprintf(where, sizeof(where), "the line for %s", server);
	snprintf(buf, len, "%s: CERTIFICATE CHANGED; not connecting.\n"
	    "The server shows another certificate than the one pinned\n"
	    "for it: renewed, or someone in between.\n"
	    "  pinned: SHA-256 %s\n"
	    "  now:    SHA-256 %s\n"
	    "If the change is expected, remove %s of\n"
	    "  %s\n"
	    "and connect again to pin the new one.", server, o, n, where,
	    file);
}

int
trust_default_file(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/burrow/known_hosts", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.config/burrow/known_hosts", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
