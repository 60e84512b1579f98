/*
 * fuzz_url: the client's command-line address (tui/url.c, url_parse()).
 * Checks what the header promises of an accepted URL (a host of allowed
 * bytes or an IPv6 literal, a port in range, no control byte in the
 * decoded fields), that a refusal gives a reason and leaves no password,
 * and the round trip: the fields written back as a URL, every byte but
 * letters and digits percent-encoded, parse to the same fields.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>

#include "tui/url.h"
#include "tests/fuzz/fuzz.h"

static void
no_controls(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20);
}

/* Appends s percent-encoded to out at *pos. */
static void
put_encoded(char *out, size_t len, size_t *pos, const char *s)
{
	for (; *s != '\0'; s++) {
		FUZZ_CHECK(*pos + 4 < len);
		if (isalnum((unsigned char)*s) && ((unsigned char)*s & 0x80) == 0)
			out[(*pos)++] = *s;
		else
			*pos += (size_t)snprintf(out + *pos, len - *pos,
			    "%%%02X", (unsigned char)*s);
	}
	out[*pos] = '\0';
}

static void
round_trip(const struct url *u)
{
	static const size_t len = 3 * (URL_USER_MAX + URL_PASS_MAX +
	    URL_PATH_MAX) + URL_HOST_MAX + 64;
	char *s = malloc(len), err[128];
	struct url *back = malloc(sizeof(*back));
	size_t pos;

	FUZZ_CHECK(s != NULL && back != NULL);
	pos = (size_t)snprintf(s, len, "%s://",
	    u->scheme == URL_FTPS ? "ftps" : "ftp");
	if (u->have_user) {
		put_encoded(s, len, &pos, u->user);
		if (u->have_pass) {
			s[pos++] = ':';
			put_encoded(s, len, &pos, u->pass);
		}
		s[pos++] = '@';
	}
	pos += (size_t)snprintf(s + pos, len - pos,
	    u->host_ipv6 ? "[%s]:%d" : "%s:%d", u->host, u->port);
	if (u->path[0] != '\0') {
		s[pos++] = '/';
		put_encoded(s, len, &pos, u->path);
	}
	s[pos] = '\0';
	if (url_parse(s, back, err, sizeof(err)) != 0) {
		fprintf(stderr, "\"%s\" refused: %s\n", s, err);
		FUZZ_CHECK(0);
	}
	FUZZ_CHECK(back->scheme == u->scheme && back->port == u->port &&
	    back->host_ipv6 == u->host_ipv6 &&
	    back->have_user == u->have_user &&
	    back->have_pass == u->have_pass);
	FUZZ_CHECK(strcmp(back->host, u->host) == 0);
	FUZZ_CHECK(strcmp(back->user, u->user) == 0);
	FUZZ_CHECK(strcmp(back->pass, u->pass) == 0);
	FUZZ_CHECK(strcmp(back->path, u->path) == 0);
	free(back);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url *u;
	char *s, err[128], addr[16];
	size_t i, n;

	if (size > 3 * URL_PATH_MAX)
		return 0;
	s = fuzz_string(data, size);
	u = malloc(sizeof(*u));
	FUZZ_CHECK(u != NULL);
	memset(err, 'x', sizeof(err));
	if (url_parse(s, u, err, sizeof(err)) != 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL &&
		    err[0] != '\0');
		FUZZ_CHECK(u->pass[0] == '\0');
		goto done;
	}
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	FUZZ_CHECK(u->scheme == URL_FTP || u->scheme == URL_FTPS);
	FUZZ_CHECK(u->port >= 1 && u->port <= 65535);
	n = strnlen(u->host, sizeof(u->host));
	FUZZ_CHECK(n > 0 && n <= 253);
	if (u->host_ipv6)
		FUZZ_CHECK(inet_pton(AF_INET6, u->host, addr) == 1);
	else
		for (i = 0; i < n; i++)
			FUZZ_CHECK(isalnum((unsigned char)u->host[i]) ||
			    strchr("-._", u->host[i]) != NULL);
	no_controls(u->user, sizeof(u->user));
	no_controls(u->pass, sizeof(u->pass));
	no_controls(u->path, sizeof(u->path));
	FUZZ_CHECK(u->have_user || (u->user[0] == '\0' && !u->have_pass));
	FUZZ_CHECK(!u->have_user || u->user[0] != '\0');
	FUZZ_CHECK(u->have_pass || u->pass[0] == '\0');
	round_trip(u);
	url_wipe(u);
	FUZZ_CHECK(u->pass[0] == '\0');
done:
	free(u);
	free(s);
	return 0;
}
