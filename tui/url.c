/*
 * url: parsing ftp:// and ftps:// addresses into fixed fields. Nothing here
 * touches the network: the host is checked for syntax only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/util.h"
#include "tui/url.h"

#define HOST_NAME_LEN	253	/* longest DNS name */

static const struct {
	const char	*prefix;
	enum url_scheme	 scheme;
} schemes[] = {
	{ "ftp://", URL_FTP },
	{ "ftps://", URL_FTPS },
};
#define NSCHEMES (sizeof(schemes) / sizeof(schemes[0]))

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the n bytes at s into out (outlen bytes with the NUL). Returns 0,
 * or -1 with the reason in err.
 */
static int
decode(const char *s, size_t n, char *out, size_t outlen, const char *what,
    char *err, size_t errlen)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return fail(err, errlen,
				    "%s: incomplete %% escape", what);
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return fail(err, errlen,
				    "%s: bad %% escape \"%.3s\"", what, s + i);
			c = (unsigned char)(hi << 4 | lo);
			if (c < 0x20 || c == 0x7f)
				return fail(err, errlen,
				    "%s: escape %.3s is a control byte", what,
				    s + i);
			i += 2;
		}
		if (o + 1 >= outlen)
			return fail(err, errlen, "%s too long", what);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int
host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* Parses "host", "host:port", "[v6]" or "[v6]:port" (n bytes at s). */
static int
parse_hostport(const char *s, size_t n, struct url *u, char *err,
    size_t errlen)
{
	struct in6_addr a6;
	const char *port = NULL, *end = s + n;
	size_t hlen, i;
	long long v;
	char num[8];

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL)
			return fail(err, errlen, "missing ']' after IPv6 address");
		hlen = (size_t)(close - s - 1);
		if (hlen == 0 || hlen >= sizeof(u->host))
			return fail(err, errlen, "bad IPv6 address");
		memcpy(u->host, s + 1, hlen);
		u->host[hlen] = '\0';
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return fail(err, errlen, "bad IPv6 address \"%s\"",
			    u->host);
		u->host_ipv6 = 1;
		if (close + 1 < end) {
			if (close[1] != ':')
				return fail(err, errlen,
				    "junk after IPv6 address");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);

		hlen = colon != NULL ? (size_t)(colon - s) : n;
		if (hlen == 0)
			return fail(err, errlen, "missing host");
		if (hlen > HOST_NAME_LEN)
			return fail(err, errlen, "host name too long");
		for (i = 0; i < hlen; i++)
			if (!host_char((unsigned char)s[i]))
				return fail(err, errlen,
				    "bad character in host name");
		memcpy(u->host, s, hlen);
		u->host[hlen] = '\0';
		if (colon != NULL)
			port = colon + 1;
	}

	u->port = URL_DEFAULT_PORT;
	if (port == NULL || port == end)
		return 0;
	if ((size_t)(end - port) >= sizeof(num))
		return fail(err, errlen, "bad port");
	memcpy(num, port, (size_t)(end - port));
	num[end - port] = '\0';
	if (parse_num(num, 1, 65535, &v, NULL) == -1)
		return fail(err, errlen, "bad port \"%s\" (1-65535)", num);
	u->port = (int)v;
	return 0;
}

/* Parses "user", "user:pass" (n bytes at s). */
static int
parse_userinfo(const char *s, size_t n, struct url *u, char *err,
    size_t errlen)
{
	const char *colon = memchr(s, ':', n);
	size_t ulen = colon != NULL ? (size_t)(colon - s) : n;

	if (ulen == 0)
		return fail(err, errlen, "empty user name");
	if (decode(s, ulen, u->user, sizeof(u->user), "user name", err,
	    errlen) == -1)
		return -1;
	u->have_user = 1;
	if (colon == NULL)
		return 0;
	u->have_pass = 1;
	return decode(colon + 1, n - ulen - 1, u->pass, sizeof(u->pass),
	    "password", err, errlen);
}

int
url_parse(const char *s, struct url *u, char *err, size_t errlen)
{
	const char *p, *auth, *slash, *at;
	size_t i, alen, plen;

	memset(u, 0, sizeof(*u));
	if (errlen > 0)
		err[0] = '\0';
	if (s == NULL || *s == '\0')
		return fail(err, errlen, "empty address");

	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f)
			return fail(err, errlen, "space or control character "
			    "in address (encode it as %%%02X)", c);
		if (c == '?' || c == '#')
			return fail(err, errlen, "'%c' in address (encode it "
			    "as %%%02X)", c, c);
	}

	auth = NULL;
	for (i = 0; i < NSCHEMES; i++) {
		size_t n = strlen(schemes[i].prefix);

		if (strncasecmp(s, schemes[i].prefix, n) == 0) {
			u->scheme = schemes[i].scheme;
			auth = s + n;
			break;
		}
	}
	if (auth == NULL) {
		if (strstr(s, "://") != NULL)
			return fail(err, errlen, "unsupported scheme (use "
			    "ftp:// or ftps://)");
		return fail(err, errlen, "not an ftp:// or ftps:// address");
	}

	slash = strchr(auth, '/');
	alen = slash != NULL ? (size_t)(slash - auth) : strlen(auth);

	/* userinfo ends at the last '@' of the authority. */
	at = NULL;
	for (i = alen; i > 0; i--)
		if (auth[i - 1] == '@') {
			at = auth + i - 1;
			break;
		}
	if (at != NULL) {
		if (parse_userinfo(auth, (size_t)(at - auth), u, err,
		    errlen) == -1)
			goto bad;
		alen -= (size_t)(at - auth) + 1;
		auth = at + 1;
	}
	if (parse_hostport(auth, alen, u, err, errlen) == -1)
		goto bad;

	if (slash != NULL) {
		plen = strlen(slash + 1);
		if (decode(slash + 1, plen, u->path, sizeof(u->path), "path",
		    err, errlen) == -1)
			goto bad;
	}
	return 0;
bad:
	url_wipe(u);
	return -1;
}

void
url_wipe(struct url *u)
{
	wipe(u->pass, sizeof(u->pass));
}

/* Appends s to buf at *pos, percent-encoding what url_parse() would not
 * take raw (and, in a user, what would end it). */
static int
put_encoded(char *buf, size_t len, size_t *pos, const char *s, int user)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c <= 0x20 || c == 0x7f || c == '%' || c == '?' ||
		    c == '#' || (user && (c == '@' || c == ':' || c == '/'))) {
			if (*pos + 3 >= len)
				return -1;
			buf[(*pos)++] = '%';
			buf[(*pos)++] = hex[c >> 4];
			buf[(*pos)++] = hex[c & 15];
		} else {
			if (*pos + 1 >= len)
				return -1;
			buf[(*pos)++] = (char)c;
		}
	}
	buf[*pos] = '\0';
	return 0;
}

int
url_format(const struct url *u, char *buf, size_t len)
{
	char port[16];
	size_t pos;
	int n;

	if (len == 0)
		return -1;
	n = snprintf(buf, len, "%s", u->scheme == URL_FTPS ? "ftps://" :
	    "ftp://");
	if (n < 0 || (size_t)n >= len)
		return -1;
	pos = (size_t)n;
	if (u->have_user && (put_encoded(buf, len, &pos, u->user, 1) < 0 ||
	    pos + 1 >= len))
		return -1;
	if (u->have_user)
		buf[pos++] = '@';
	port[0] = '\0';
	if (u->port != URL_DEFAULT_PORT)
		snprintf(port, sizeof(port), ":%d", u->port);
	n = snprintf(buf + pos, len - pos, "%s%s%s%s%s", u->host_ipv6 ? "[" :
	    "", u->host, u->host_ipv6 ? "]" : "", port, u->path[0] != '\0' ?
	    "/" : "");
	if (n < 0 || (size_t)n >= len - pos)
		return -1;
	pos += (size_t)n;
	if (u->path[0] == '/') {
		if (pos + 3 >= len)
			return -1;
		memcpy(buf + pos, "%2F", 4);
		pos += 3;
	}
	return put_encoded(buf, len, &pos, u->path[0] == '/' ? u->path + 1 :
	    u->path, 0);
}
