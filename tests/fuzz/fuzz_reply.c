/*
 * fuzz_reply: FTP replies (proto/reply.c). The whole input is read as a
 * reply line by reply_parse_code() and reply_telnet_decode() as the
 * client reads a server's; then, as the server writes one, its first two
 * bytes choose a code (100..599) and a buffer size and the rest is the
 * text given to reply_format(). Checks that a formatted reply fits its
 * buffer, is made of CRLF-ended lines with no other CR or LF, starts with
 * the code ("DDD-" when more lines follow), ends with "DDD ", has no
 * middle line a client could take for its end, and that decoding each
 * line gives the text back (CR and NUL dropped) -- the round trip a
 * client makes of a server's reply.
 */
#include "config.h"

#include <ctype.h>

#include "proto/reply.h"
#include "tests/fuzz/fuzz.h"

/* Checks one formatted line (without CRLF) against the text's line. */
static void
check_line(const char *fl, size_t fn, const char *tl, size_t tn, int code,
    int first, int last)
{
	char *dec, *want;
	size_t skip = 0, dn, wn = 0, i;
	int more, c;

	if (first || last) {
		c = reply_parse_code(fl, &more);
		FUZZ_CHECK(fn >= 4 && c == code && more == !last);
		skip = 4;
	} else if (fn > 0 && isdigit((unsigned char)fl[0]))
		FUZZ_CHECK(0);			/* would look like an end */
	else if (strspn(tl, "\r") < tn &&
	    isdigit((unsigned char)tl[strspn(tl, "\r")])) {
		/* The first byte kept (CRs are dropped) is a digit. */
		FUZZ_CHECK(fl[0] == ' ');
		skip = 1;
	}
	dec = fuzz_string((const uint8_t *)fl + skip, fn - skip);
	dn = reply_telnet_decode(dec, fn - skip);
	want = malloc(tn + 1);
	FUZZ_CHECK(want != NULL);
	for (i = 0; i < tn; i++)
		if (tl[i] != '\r')
			want[wn++] = tl[i];
	FUZZ_CHECK(dn == wn && memcmp(dec, want, wn) == 0);
	free(want);
	free(dec);
}

static void
check_format(int code, size_t len, const char *text)
{
	char *buf = malloc(len);
	const char *fl, *tl, *crlf, *nl;
	int rc, first = 1, last;
	size_t n;

	FUZZ_CHECK(buf != NULL);
	rc = reply_format(buf, len, code, text);
	n = strlen(buf);
	FUZZ_CHECK(n < len);
	FUZZ_CHECK(n >= 6 && memcmp(buf + n - 2, "\r\n", 2) == 0);
	FUZZ_CHECK(reply_parse_code(buf, NULL) == code);
	if (rc == -1) {
		/* The fallback: one line, still well-formed. */
		FUZZ_CHECK(buf[3] == ' ');
		FUZZ_CHECK(strcspn(buf, "\r\n") == n - 2);
		free(buf);
		return;
	}
	FUZZ_CHECK((size_t)rc == n);
	fl = buf;
	tl = text;
	do {
		crlf = strstr(fl, "\r\n");
		FUZZ_CHECK(crlf != NULL);
		FUZZ_CHECK(strcspn(fl, "\r\n") == (size_t)(crlf - fl));
		last = crlf[2] == '\0';
		nl = strchr(tl, '\n');
		FUZZ_CHECK(last == (nl == NULL || nl[1] == '\0'));
		check_line(fl, (size_t)(crlf - fl), tl,
		    nl != NULL ? (size_t)(nl - tl) : strlen(tl), code, first,
		    last);
		first = 0;
		fl = crlf + 2;
		tl = nl != NULL ? nl + 1 : NULL;
	} while (!last);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line;
	size_t n;
	int more = -1, code;

	if (size > 4 * REPLY_LINE_MAX)
		return 0;
	line = fuzz_string(data, size);
	code = reply_parse_code(line, &more);
	FUZZ_CHECK(code == -1 || (code >= 0 && code <= 999 &&
	    (more == 0 || more == 1)));
	n = reply_telnet_decode(line, size);
	FUZZ_CHECK(n <= size && line[n] == '\0');
	free(line);

	if (size >= 2) {
		line = fuzz_string(data + 2, size - 2);
		check_format(100 + data[0] % 500,
		    data[1] == 0 ? REPLY_LINE_MAX : 8 + data[1] * 4u, line);
		free(line);
	}
	return 0;
}
