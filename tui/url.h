/*
 * url: the client's command-line address,
 * ftp[s]://[user[:password]@]host[:port][/path].
 *
 * "ftp" is plain FTP; "ftps" is FTP with explicit TLS (RFC 4217: connect in
 * clear to port 21, then AUTH TLS), not the obsolete implicit TLS on port
 * 990 that some clients mean by the same name. Both default to port 21.
 * Scheme names are matched without regard to case.
 *
 * The path follows RFC 1738: the '/' after the authority only separates it,
 * and what comes after is relative to the login directory. So
 * "ftp://h" and "ftp://h/" give "" (stay in the login directory),
 * "ftp://h/pub/x" gives "pub/x", and an absolute path is written with an
 * encoded slash, "ftp://h/%2Fetc", or a double one, "ftp://h//etc": both
 * give "/etc".
 *
 * User, password and path are percent-decoded ("%40" is '@', "%3A" is ':',
 * "%2F" is '/'); the host is not. The fields are fixed-size arrays inside
 * struct url, so there is nothing to free; the password, though, should be
 * wiped with url_wipe() once it has been sent.
 */
#ifndef BURROW_URL_H
#define BURROW_URL_H

#include <stddef.h>

#define URL_HOST_MAX	256	/* a DNS name is at most 253 bytes */
#define URL_USER_MAX	256
#define URL_PASS_MAX	256
#define URL_PATH_MAX	4096

enum url_scheme {
	URL_FTP,		/* plain FTP */
	URL_FTPS,		/* explicit TLS: AUTH TLS on the control port */
};

#define URL_DEFAULT_PORT	21

struct url {
	enum url_scheme	 scheme;
	char		 host[URL_HOST_MAX];	/* without the brackets of an
						   IPv6 literal */
	int		 host_ipv6;		/* host was "[...]" */
	int		 port;			/* 1-65535; 21 when absent */
	int		 have_user;		/* a user was given */
	char		 user[URL_USER_MAX];	/* decoded; "" without one */
	int		 have_pass;		/* ":password" was given, even
						   an empty one */
	char		 pass[URL_PASS_MAX];	/* decoded; "" without one */
	char		 path[URL_PATH_MAX];	/* decoded, see above */
};

/*
 * Parses s into u. Refused, with -1 and a one-line reason in err (errlen
 * bytes, always NUL-terminated when errlen > 0):
 *   - a scheme other than ftp or ftps, or no "://";
 *   - any space, control byte or DEL anywhere in s, and a raw '?' or '#'
 *     (which would start a query or fragment: encode them as %3F, %23);
 *   - a '%' not followed by two hex digits, and an escape that decodes to a
 *     NUL or another control byte (a CR or LF would end an FTP command);
 *   - an empty host, a host with bytes other than letters, digits, '-', '.'
 *     and '_', a bracketed literal that is not an IPv6 address, or a host
 *     longer than 253 bytes;
 *   - a port that is not all digits or lies outside 1-65535 (an empty port,
 *     "host:", means the default, as RFC 3986 allows);
 *   - an empty user before '@' or ':';
 *   - a field too long for its array.
 * Bytes 0x80-0xff (UTF-8 names) pass through in user, password and path.
 * userinfo ends at the last '@' of the authority, so an unencoded '@' in a
 * user name ("me@example.org@host") still works.
 * On failure u holds no password (it is wiped).
 */
int url_parse(const char *s, struct url *u, char *err, size_t errlen);

/*
 * Writes u back as an address url_parse() reads into the same fields,
 * without the password (for a list of recent servers): the scheme, the
 * user when one was given, the host (bracketed when IPv6), the port when
 * it is not 21, and the path ("%2F" for a leading '/'). '%', '@', ':',
 * '/' (in the user), '?', '#', space, control bytes and DEL are
 * percent-encoded. Returns 0, or -1 when it does not fit in len bytes.
 */
int url_format(const struct url *u, char *buf, size_t len);

/* Overwrites the password in u (after login, or before u is freed). */
void url_wipe(struct url *u);

#endif
