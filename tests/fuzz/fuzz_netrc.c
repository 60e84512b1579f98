/*
 * fuzz_netrc: the ~/.netrc reader (tui/netrc.c, netrc_parse()) on any
 * bytes, looked up for a host the input names in its first line. Checks
 * that the result is -1, 0 or 1; that a refusal says where ("n:LINE: ")
 * and leaves nothing in the entry; that a found entry's fields are
 * NUL-terminated within their arrays, its line within the input; and
 * that looking it up again with its own login finds the same password.
 */
#include "config.h"

#include "tui/netrc.h"
#include "tests/fuzz/fuzz.h"

static void
fits(const char *s)
{
	FUZZ_CHECK(memchr(s, '\0', NETRC_FIELD_MAX) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netrc_entry e, again;
	char host[64], err[512], *text;
	const char *nl;
	size_t n, lines = 1, i;
	int r;

	if (size > 16384)
		return 0;
	/* The host: the first word of the input, at most 63 bytes. */
	for (n = 0; n < size && n < sizeof(host) - 1 && data[n] > ' '; n++)
		host[n] = (char)data[n];
	host[n] = '\0';
	text = fuzz_string(data, size);
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(err, 'x', sizeof(err));
	err[0] = '\0';
	r = netrc_parse(text, size, "n", host, NULL, &e, err, sizeof(err));
	FUZZ_CHECK(r == -1 || r == 0 || r == 1);
	if (r < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(strncmp(err, "n:", 2) == 0 && (nl = strchr(err,
		    ' ')) != NULL && nl[-1] == ':');
		FUZZ_CHECK(!e.have_password && !e.have_login &&
		    !e.have_account && e.password[0] == '\0');
	} else if (r == 0)
		FUZZ_CHECK(!e.have_password && e.line == 0);
	else {
		fits(e.login);
		fits(e.password);
		fits(e.account);
		FUZZ_CHECK(e.line >= 1 && e.line <= lines);
		if (e.have_login) {
			r = netrc_parse(text, size, "n", host, e.login, &again,
			    err, sizeof(err));
			FUZZ_CHECK(r == 1);
			FUZZ_CHECK(again.have_password == e.have_password &&
			    strcmp(again.password, e.password) == 0);
			netrc_wipe(&again);
		}
	}
	netrc_wipe(&e);
	free(text);
	return 0;
}
