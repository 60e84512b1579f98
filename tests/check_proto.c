/*
 * check_proto: unit tests for the pure modules of the protocol layer, one
 * suite per module and one test case per behaviour:
 *
 *   util     parse_num, parse_size, parse_mode, format_size, wipe
 *   reply    reply_format (single, multi-line, CRLF, no forged lines,
 *            overflow), reply_parse_code and reply_telnet_decode
 *   cmd      cmd_telnet_strip, cmd_telnet_quote and cmd_split
 *   addr     PORT/PASV and EPRT/EPSV syntax, host comparison, ports, ntop
 *   listing  `ls -l` lines, MLSx facts, OPTS MLST fact lists, FEAT facts
 *   netio    conn_readline/conn_read/conn_write over a socketpair
 *
 * Nothing here touches the file system; netio uses a socketpair, an eventfd
 * and, for writes bigger than the socket buffer, a reader thread.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "proto/addr.h"
#include "proto/cmd.h"
#include "proto/listing.h"
#include "proto/netio.h"
#include "proto/reply.h"
#include "proto/util.h"

/* ------------------------------------------------------------------ util */

START_TEST(test_num_bounds)
{
	long long v = 0;
	const char *why = "unset";

	ck_assert_int_eq(parse_num("0", 0, 10, &v, &why), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(parse_num("10", 0, 10, &v, &why), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(parse_num("5", 5, 5, &v, NULL), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(parse_num("65535", 1, 65535, &v, NULL), 0);
	ck_assert_int_eq(v, 65535);

	v = 42;
	ck_assert_int_eq(parse_num("11", 0, 10, &v, &why), -1);
	ck_assert_str_eq(why, "too large");
	ck_assert_int_eq(v, 42);	/* untouched on failure */
	ck_assert_int_eq(parse_num("4", 5, 10, &v, &why), -1);
	ck_assert_str_eq(why, "too small");
	ck_assert_int_eq(parse_num("0", 1, 65535, &v, &why), -1);
	ck_assert_str_eq(why, "too small");
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_num_garbage)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "+1", "1x", "x1", "0x10", "1.5", "1,2", "--1",
		"\t1", "1\n", "-", "abc",
	};
	long long v = 42;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(parse_num(bad[i], -100, 100, &v, &why) == -1,
		    "\"%s\" accepted", bad[i]);
		ck_assert_str_eq(why, "invalid");
	}
	ck_assert_int_eq(parse_num(NULL, 0, 1, &v, &why), -1);
	ck_assert_str_eq(why, "invalid");
	ck_assert_int_eq(v, 42);
	/* errstr may be NULL. */
	ck_assert_int_eq(parse_num("x", 0, 1, &v, NULL), -1);
}
END_TEST

START_TEST(test_num_overflow)
{
	long long v = 42;
	const char *why;

	ck_assert_int_eq(parse_num("9223372036854775807", 0, LLONG_MAX, &v,
	    &why), 0);
	ck_assert(v == LLONG_MAX);
	ck_assert_int_eq(parse_num("9223372036854775808", 0, LLONG_MAX, &v,
	    &why), -1);
	ck_assert_str_eq(why, "too large");
	ck_assert_int_eq(parse_num("99999999999999999999999", LLONG_MIN,
	    LLONG_MAX, &v, &why), -1);
	ck_assert_str_eq(why, "too large");
	ck_assert_int_eq(parse_num("-9223372036854775808", LLONG_MIN, 0, &v,
	    &why), 0);
	ck_assert(v == LLONG_MIN);
	ck_assert_int_eq(parse_num("-9223372036854775809", LLONG_MIN, 0, &v,
	    &why), -1);
	ck_assert_str_eq(why, "too small");
	/* Within long long but far beyond max. */
	ck_assert_int_eq(parse_num("4294967296", 0, 65535, &v, &why), -1);
	ck_assert_str_eq(why, "too large");
}
END_TEST

START_TEST(test_num_negative)
{
	long long v = 42;
	const char *why;

	/* A '-' is allowed only when min < 0. */
	ck_assert_int_eq(parse_num("-5", -10, 10, &v, &why), 0);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(parse_num("-10", -10, 10, &v, &why), 0);
	ck_assert_int_eq(v, -10);
	ck_assert_int_eq(parse_num("-11", -10, 10, &v, &why), -1);
	ck_assert_str_eq(why, "too small");
	ck_assert_int_eq(parse_num("-0", -1, 1, &v, &why), 0);
	ck_assert_int_eq(v, 0);
	v = 42;
	ck_assert_int_eq(parse_num("-1", 0, 10, &v, &why), -1);
	ck_assert_str_eq(why, "invalid");
	ck_assert_int_eq(parse_num("-0", 0, 10, &v, &why), -1);
	ck_assert_str_eq(why, "invalid");
	ck_assert_int_eq(parse_num("- 1", -10, 10, &v, &why), -1);
	ck_assert_str_eq(why, "invalid");
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_size_valid)
{
	static const struct {
		const char	*s;
		uint64_t	 v;
	} ok[] = {
		{ "0", 0 },
		{ "0K", 0 },
		{ "123", 123 },
		{ "10B", 10 },
		{ "1k", 1024 },
		{ "1K", 1024 },
		{ "1KB", 1024 },
		{ "1kib", 1024 },
		{ "10M", 10ULL << 20 },
		{ "3MB", 3ULL << 20 },
		{ "5MiB", 5ULL << 20 },
		{ "2G", 2ULL << 30 },
		{ "2gib", 2ULL << 30 },
		{ "7T", 7ULL << 40 },
		{ "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 12345;
		ck_assert_msg(parse_size(ok[i].s, &v) == 0, "\"%s\" refused",
		    ok[i].s);
		ck_assert_msg(v == ok[i].v, "\"%s\" gave %llu", ok[i].s,
		    (unsigned long long)v);
	}
}
END_TEST

START_TEST(test_size_invalid)
{
	static const char *const bad[] = {
		"", "-1", " 1", "1 ", "10X", "K", "M1", "1.5M", "1MM", "1KBB",
		"1iB", "1Bi", "1MiBx", "0x10", "+1", "1 M",
		/* overflow */
		"99999999999T", "16777216T", "18446744073709551616",
		"99999999999999999999999", "17179869184G",
	};
	uint64_t v = 12345;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_size(bad[i], &v) == -1, "\"%s\" accepted",
		    bad[i]);
	ck_assert_int_eq(parse_size(NULL, &v), -1);
	ck_assert(v == 12345);
}
END_TEST

START_TEST(test_mode_valid)
{
	static const struct { const char *s; unsigned v; } good[] = {
		{ "0", 0 }, { "7", 07 }, { "644", 0644 }, { "0755", 0755 },
		{ "777", 0777 }, { "4755", 04755 }, { "7777", 07777 },
		{ "0000", 0 }, { "00", 0 }, { "1000", 01000 },
	};
	unsigned v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0xdead;
		ck_assert_msg(parse_mode(good[i].s, &v) == 0, "\"%s\" refused",
		    good[i].s);
		ck_assert_msg(v == good[i].v, "\"%s\" -> 0%o", good[i].s, v);
	}
}
END_TEST

START_TEST(test_mode_invalid)
{
	static const char *const bad[] = {
		"", "9", "8", "12345", "00755", "-1", "+644", " 644", "644 ",
		"0x1ff", "64a", "rwx", "u+x", "6.4", "77777", "1e3",
	};
	unsigned v = 0xdead;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_mode(bad[i], &v) == -1, "\"%s\" accepted",
		    bad[i]);
	ck_assert_int_eq(parse_mode(NULL, &v), -1);
	ck_assert(v == 0xdead);
}
END_TEST

START_TEST(test_size_format)
{
	char buf[32];

	format_size(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0 B");
	format_size(512, buf, sizeof(buf));
	ck_assert_str_eq(buf, "512 B");
	format_size(1023, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1023 B");
	format_size(1024, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.0 KiB");
	format_size(1536, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.5 KiB");
	format_size(10ULL << 20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0 MiB");
	format_size(3ULL << 30, buf, sizeof(buf));
	ck_assert_str_eq(buf, "3.0 GiB");
	format_size(1ULL << 40, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.0 TiB");
	format_size(2ULL << 50, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2.0 PiB");
	/* PiB is the largest unit. */
	format_size(1ULL << 60, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1024.0 PiB");
}
END_TEST

START_TEST(test_size_format_small_buffer)
{
	char buf[8];

	memset(buf, 'z', sizeof(buf));
	format_size(10ULL << 20, buf, 4);
	ck_assert_str_eq(buf, "10.");
	ck_assert_int_eq(buf[4], 'z');
	format_size(5, buf, 1);
	ck_assert_str_eq(buf, "");
	/* len 0 writes nothing. */
	memset(buf, 'z', sizeof(buf));
	format_size(5, buf, 0);
	ck_assert_int_eq(buf[0], 'z');
}
END_TEST

START_TEST(test_wipe)
{
	char secret[64];
	size_t i;

	memset(secret, 'S', sizeof(secret));
	wipe(secret + 8, 32);
	for (i = 0; i < sizeof(secret); i++)
		ck_assert_int_eq(secret[i], i >= 8 && i < 40 ? 0 : 'S');
	wipe(secret, 0);
	ck_assert_int_eq(secret[0], 'S');
	/* No secret at all (PASS without an argument): nothing to do. */
	wipe(NULL, 0);
	wipe(secret, sizeof(secret));
	for (i = 0; i < sizeof(secret); i++)
		ck_assert_int_eq(secret[i], 0);
}
END_TEST

/* ----------------------------------------------------------------- reply */

#define MAXLINES	16

/* buf with CR and LF spelled out, for messages (static storage). */
static const char *
visible(const char *buf)
{
	static char out[4 * REPLY_LINE_MAX];
	size_t o = 0;

	for (; *buf != '\0' && o + 3 < sizeof(out); buf++) {
		if (*buf == '\r' || *buf == '\n') {
			out[o++] = '\\';
			out[o++] = *buf == '\r' ? 'r' : 'n';
		} else
			out[o++] = *buf;
	}
	out[o] = '\0';
	return out;
}

/*
 * Splits a reply into its lines (LF-terminated, a CR before the LF
 * removed), after checking the framing that holds whatever the text was:
 * it ends in LF, has no CR but before an LF, and the length matches.
 */
static int
reply_lines(const char *buf, char lines[MAXLINES][REPLY_LINE_MAX])
{
	const char *p = buf, *nl;
	size_t n;
	int count = 0;

	ck_assert_msg(buf[0] != '\0', "empty reply");
	ck_assert_msg(buf[strlen(buf) - 1] == '\n', "reply does not end in LF");
	for (n = 0; buf[n] != '\0'; n++)
		ck_assert_msg(buf[n] != '\r' || buf[n + 1] == '\n',
		    "bare CR at offset %zu", n);
	while (*p != '\0') {
		ck_assert_int_lt(count, MAXLINES);
		nl = strchr(p, '\n');
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		ck_assert_uint_lt(n, REPLY_LINE_MAX);
		memcpy(lines[count], p, n);
		lines[count][n] = '\0';
		count++;
		p = nl + 1;
	}
	return count;
}

/*
 * The security property of a reply to code: the first line is "ccc-" or
 * "ccc ", the last is "ccc ", and no middle line starts with a digit, so
 * no text can make a client see a reply line of another code.
 */
static void
assert_reply_shape(const char *buf, int code)
{
	char lines[MAXLINES][REPLY_LINE_MAX], head[8];
	int n, i;

	n = reply_lines(buf, lines);
	snprintf(head, sizeof(head), "%03d%c", code, n == 1 ? ' ' : '-');
	ck_assert_msg(strncmp(lines[0], head, 4) == 0,
	    "first line \"%s\" does not start with \"%s\"", lines[0], head);
	snprintf(head, sizeof(head), "%03d ", code);
	ck_assert_msg(strncmp(lines[n - 1], head, 4) == 0,
	    "last line \"%s\" does not start with \"%s\"", lines[n - 1], head);
	for (i = 1; i < n - 1; i++)
		ck_assert_msg(lines[i][0] < '0' || lines[i][0] > '9',
		    "middle line \"%s\" starts with a digit", lines[i]);
}

START_TEST(test_reply_single)
{
	char buf[REPLY_LINE_MAX], lines[MAXLINES][REPLY_LINE_MAX];
	int n;

	n = reply_format(buf, sizeof(buf), 213, "12345");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 1);
	ck_assert_str_eq(lines[0], "213 12345");
	assert_reply_shape(buf, 213);

	n = reply_format(buf, sizeof(buf), 200, "");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 1);
	ck_assert_str_eq(lines[0], "200 ");

	/* A single trailing LF does not make a multi-line reply. */
	n = reply_format(buf, sizeof(buf), 226, "Transfer complete\n");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 1);
	ck_assert_str_eq(lines[0], "226 Transfer complete");

	/* Codes are always three digits. */
	n = reply_format(buf, sizeof(buf), 1, "x");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 1);
	ck_assert_str_eq(lines[0], "001 x");
}
END_TEST

START_TEST(test_reply_multi)
{
	char buf[REPLY_LINE_MAX], lines[MAXLINES][REPLY_LINE_MAX];
	int n;

	n = reply_format(buf, sizeof(buf), 213,
	    "Status of x:\nfirst middle\n42 starts with a digit\n\n"
	    "0\nEnd of status");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 6);
	ck_assert_str_eq(lines[0], "213-Status of x:");
	ck_assert_str_eq(lines[1], "first middle");
	ck_assert_str_eq(lines[2], " 42 starts with a digit");
	ck_assert_str_eq(lines[3], "");
	ck_assert_str_eq(lines[4], " 0");
	ck_assert_str_eq(lines[5], "213 End of status");
	assert_reply_shape(buf, 213);

	/* Two lines: first and last, no middle; a trailing LF is no line. */
	n = reply_format(buf, sizeof(buf), 211, "Features:\nEnd\n");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 2);
	ck_assert_str_eq(lines[0], "211-Features:");
	ck_assert_str_eq(lines[1], "211 End");

	/* Telnet IAC (0xFF) in a name is doubled (RFC 959 4.2, RFC 2640). */
	n = reply_format(buf, sizeof(buf), 257, "\"a\xff" "b\" created.");
	ck_assert_str_eq(buf, "257 \"a\xff\xff" "b\" created.\r\n");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* The last line keeps its code even when it starts with a digit. */
	n = reply_format(buf, sizeof(buf), 257, "a\n123");
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(reply_lines(buf, lines), 2);
	ck_assert_str_eq(lines[1], "257 123");
}
END_TEST

/* Every line a reply ends with CRLF, never a bare LF (RFC 959 4.2). */
START_TEST(test_reply_crlf)
{
	static const char *const texts[] = {
		"single", "", "first\nlast", "first\nmiddle\nlast",
		"a\r\nb", "ends in CR\r",
	};
	char buf[REPLY_LINE_MAX];
	size_t i, k;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ck_assert_int_ge(reply_format(buf, sizeof(buf), 211, texts[i]),
		    0);
		for (k = 0; buf[k] != '\0'; k++)
			if (buf[k] == '\n')
				ck_assert_msg(k > 0 && buf[k - 1] == '\r',
				    "text %zu: LF at %zu without CR before "
				    "it in \"%s\"", i, k, visible(buf));
		ck_assert_msg(k >= 2 && buf[k - 2] == '\r' && buf[k - 1] == '\n',
		    "text %zu: \"%s\" does not end in CRLF", i, visible(buf));
	}
}
END_TEST

START_TEST(test_reply_no_forgery)
{
	static const char *const texts[] = {
		"x\r\n230 fake",
		"x\r\n230 fake\r\n",
		"x\n230 fake\ny",
		"x\n230-fake\n230 fake\ny",
		"x\r230 fake",
		"\r\n230 fake",
		"\n230 fake",
		"550 x\r\n\r\n230 fake\r\n221 bye",
		/* Found by fuzz_reply: a middle line whose digit comes
		 * after a CR that is dropped must still be indented. */
		"x\n\r230 fake\ny",
		"x\n\r\r221 bye\ny",
	};
	char buf[REPLY_LINE_MAX], lines[MAXLINES][REPLY_LINE_MAX];
	int i, j, n;

	for (i = 0; i < (int)(sizeof(texts) / sizeof(texts[0])); i++) {
		ck_assert_int_ge(reply_format(buf, sizeof(buf), 550, texts[i]),
		    0);
		assert_reply_shape(buf, 550);
		n = reply_lines(buf, lines);
		for (j = 0; j < n; j++) {
			ck_assert_msg(strncmp(lines[j], "230", 3) != 0,
			    "text %d forged line \"%s\"", i, lines[j]);
			ck_assert_msg(strncmp(lines[j], "221", 3) != 0,
			    "text %d forged line \"%s\"", i, lines[j]);
		}
	}

	/* What the implementation does with the example: the CR goes. */
	reply_format(buf, sizeof(buf), 550, "x\r\n230 fake");
	n = reply_lines(buf, lines);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(lines[0], "550-x");
	ck_assert_str_eq(lines[1], "550 230 fake");
	/* A lone CR joins the text into one line. */
	reply_format(buf, sizeof(buf), 550, "x\r230 fake");
	n = reply_lines(buf, lines);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(lines[0], "550 x230 fake");
}
END_TEST

START_TEST(test_reply_overflow)
{
	char buf[32], text[200], big[REPLY_LINE_MAX];
	int n;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';

	/* One long line: cut, but a well-formed line ending in CRLF. */
	memset(buf, 'z', sizeof(buf));
	ck_assert_int_eq(reply_format(buf, sizeof(buf), 550, text), -1);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert_int_eq(strncmp(buf, "550 aaaa", 8), 0);
	ck_assert_str_eq(buf + strlen(buf) - 2, "\r\n");
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
	assert_reply_shape(buf, 550);

	/* A multi-line text that does not fit: its first line alone. */
	ck_assert_int_eq(reply_format(buf, sizeof(buf), 211,
	    "Features:\nMDTM\nSIZE\nMLST type*;size*;modify*;\nEnd"), -1);
	ck_assert_str_eq(buf, "211 Features:\r\n");

	/* Its first line cut too; a CR in it ends it. */
	ck_assert_int_eq(reply_format(buf, sizeof(buf), 211,
	    "0123456789012345678901234567890123456789\nEnd"), -1);
	ck_assert_str_eq(buf, "211 0123456789012345678901234\r\n");
	ck_assert_int_eq(reply_format(buf, sizeof(buf), 550,
	    "x\r230 fake\n0123456789012345678901234567890123456789\nEnd"), -1);
	assert_reply_shape(buf, 550);
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
	ck_assert_ptr_null(strstr(buf, "\r\n230"));

	/* Multi-line replies bigger than REPLY_LINE_MAX in total. */
	{
		char many[4096];
		size_t k;

		for (k = 0; k + 1 < sizeof(many); k++)
			many[k] = (k % 16 == 15) ? '\n' : 'm';
		many[k] = '\0';
		n = reply_format(big, sizeof(big), 213, many);
		ck_assert_int_eq(n, -1);
		ck_assert_str_eq(big, "213 mmmmmmmmmmmmmmm\r\n");
	}

	/* Too small for anything. */
	ck_assert_int_eq(reply_format(buf, 7, 200, "x"), -1);
}
END_TEST

/*
 * A reply that fits is not an overflow (the header: -1 "if it does not
 * fit"), and a multi-line reply that fits keeps all its lines.
 */
START_TEST(test_reply_exact_fit)
{
	char buf[64], text[64];
	size_t len;
	int n;

	/* "211-first\r\n211 second\r\n" is 23 bytes, 24 with the NUL. */
	n = reply_format(buf, 24, 211, "first\nsecond");
	ck_assert_msg(n == 23 && strcmp(buf, "211-first\r\n211 second\r\n") == 0,
	    "a 23-byte reply in a 24-byte buffer returned %d, \"%s\"", n,
	    visible(buf));

	memset(text, 'f', 40);
	text[40] = '\0';
	/* "213 " + 40 + CRLF + NUL */
	len = 4 + 40 + 2 + 1;
	n = reply_format(buf, len, 213, text);
	ck_assert_int_eq(strncmp(buf, "213 ffff", 8), 0);
	ck_assert_msg(n == (int)strlen(buf),
	    "a reply of %zu bytes in a %zu-byte buffer returned %d",
	    strlen(buf), len, n);
}
END_TEST

/* Decodes a copy of in[0..len) and checks the result against want. */
static void
assert_decode(const char *in, size_t len, const char *want, size_t wantlen)
{
	char buf[64];
	size_t n;

	ck_assert_uint_lt(len, sizeof(buf));
	memcpy(buf, in, len);
	buf[len] = 'Z';
	n = reply_telnet_decode(buf, len);
	ck_assert_uint_eq(n, wantlen);
	ck_assert_mem_eq(buf, want, wantlen);
	ck_assert_int_eq(buf[n], '\0');
}

START_TEST(test_reply_telnet_decode)
{
	assert_decode("257 \"/a\"", 8, "257 \"/a\"", 8);
	/* Doubled IAC is one 0xFF byte. */
	assert_decode("257 \"/bad\xff\xffutf\"", 15, "257 \"/bad\xffutf\"",
	    14);
	assert_decode("\xff\xff\xff\xff", 4, "\xff\xff", 2);
	/* Telnet commands and options are dropped. */
	assert_decode("200 \xff\xf1ok", 8, "200 ok", 6);
	assert_decode("200 \xff\xfb\x01ok", 9, "200 ok", 6);
	assert_decode("200 ok\xff\xfd", 8, "200 ok", 6);
	/* A lone 0xFF (a server that does not double it) is kept. */
	assert_decode("257 \"/bad\xffutf\"", 14, "257 \"/bad\xffutf\"", 14);
	assert_decode("200 a\xff", 6, "200 a\xff", 6);
	assert_decode("", 0, "", 0);
}
END_TEST

START_TEST(test_reply_parse_code)
{
	int more = 7;

	ck_assert_int_eq(reply_parse_code("220 Burrow ready", &more), 220);
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(reply_parse_code("211-Features:", &more), 211);
	ck_assert_int_eq(more, 1);
	ck_assert_int_eq(reply_parse_code("550 ", &more), 550);
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(reply_parse_code("000 x", NULL), 0);
	ck_assert_int_eq(reply_parse_code("999-x", NULL), 999);

	ck_assert_int_eq(reply_parse_code("", &more), -1);
	ck_assert_int_eq(reply_parse_code("2", &more), -1);
	ck_assert_int_eq(reply_parse_code("22", &more), -1);
	ck_assert_int_eq(reply_parse_code("22x ok", &more), -1);
	ck_assert_int_eq(reply_parse_code("2200 x", &more), -1);
	ck_assert_int_eq(reply_parse_code("220x", &more), -1);
	ck_assert_int_eq(reply_parse_code(" 220 x", &more), -1);
	ck_assert_int_eq(reply_parse_code("abc def", &more), -1);
	ck_assert_int_eq(reply_parse_code("220\tx", &more), -1);
	ck_assert_int_eq(reply_parse_code("\xb2\xb2\xb0 x", &more), -1);
}
END_TEST

/* ------------------------------------------------------------------- cmd */

/* Strips a copy of in[0..len) and checks the result against want. */
static void
assert_strip(const char *in, size_t len, const char *want, size_t wantlen)
{
	char buf[64];
	size_t n;

	ck_assert_uint_lt(len, sizeof(buf));
	memcpy(buf, in, len);
	buf[len] = 'Z';
	n = cmd_telnet_strip(buf, len);
	ck_assert_uint_eq(n, wantlen);
	ck_assert_mem_eq(buf, want, wantlen);
	ck_assert_int_eq(buf[n], '\0');
}

START_TEST(test_telnet_plain)
{
	assert_strip("NOOP", 4, "NOOP", 4);
	assert_strip("", 0, "", 0);
	/* Bytes above 127 other than IAC pass. */
	assert_strip("RETR \xe9t\xe9", 8, "RETR \xe9t\xe9", 8);
	/* Only len bytes are looked at. */
	assert_strip("NOOPXX", 4, "NOOP", 4);
}
END_TEST

START_TEST(test_telnet_iac_iac)
{
	assert_strip("A\xff\xff" "B", 4, "A\xff" "B", 3);
	assert_strip("\xff\xff\xff\xff", 4, "\xff\xff", 2);
	assert_strip("STOR a\xff\xff", 8, "STOR a\xff", 7);
}
END_TEST

START_TEST(test_telnet_ip_dm)
{
	/* What clients send before ABOR: IAC IP IAC DM (IAC SYNCH). */
	assert_strip("\xff\xf4\xff\xf2" "ABOR", 8, "ABOR", 4);
	assert_strip("\xff\xf4" "ABOR", 6, "ABOR", 4);
	assert_strip("AB\xff\xf2OR", 6, "ABOR", 4);
	/* IAC NOP, IAC AYT, IAC GA: any other command byte is one pair. */
	assert_strip("\xff\xf1N\xff\xf6O\xff\xf9P", 9, "NOP", 3);
}
END_TEST

START_TEST(test_telnet_options)
{
	/* IAC WILL/WONT/DO/DONT take an option byte. */
	assert_strip("\xff\xfb\x01" "A", 4, "A", 1);
	assert_strip("\xff\xfc\x01" "B", 4, "B", 1);
	assert_strip("\xff\xfd\x03" "C", 4, "C", 1);
	assert_strip("\xff\xfe\x03" "D", 4, "D", 1);
	/* The option byte is dropped even if it is a letter or IAC. */
	assert_strip("\xff\xfbXYZ", 5, "YZ", 2);
	assert_strip("\xff\xfd\xffQ", 4, "Q", 1);
	/* Truncated at the end of the line. */
	assert_strip("AB\xff\xfb", 4, "AB", 2);
}
END_TEST

START_TEST(test_telnet_lone_iac)
{
	assert_strip("NOOP\xff", 5, "NOOP", 4);
	assert_strip("\xff", 1, "", 0);
	assert_strip("\xff\xff\xff", 3, "\xff", 1);
}
END_TEST

START_TEST(test_telnet_quote)
{
	char out[16];

	/* Every 0xFF doubled, nothing else touched. */
	ck_assert_int_eq(cmd_telnet_quote("STOR bad\xffutf", out,
	    sizeof(out)), 13);
	ck_assert_str_eq(out, "STOR bad\xff\xffutf");
	ck_assert_int_eq(cmd_telnet_quote("\xff\xff", out, sizeof(out)), 4);
	ck_assert_str_eq(out, "\xff\xff\xff\xff");
	ck_assert_int_eq(cmd_telnet_quote("NOOP \xe9", out, sizeof(out)), 6);
	ck_assert_str_eq(out, "NOOP \xe9");
	ck_assert_int_eq(cmd_telnet_quote("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	/* What the server's strip undoes gives the line back. */
	ck_assert_int_eq(cmd_telnet_quote("a\xff\xfb\xff", out, sizeof(out)),
	    6);
	ck_assert_uint_eq(cmd_telnet_strip(out, 6), 4);
	ck_assert_str_eq(out, "a\xff\xfb\xff");
	/* Too small, also when only the second byte of a pair is missing. */
	ck_assert_int_eq(cmd_telnet_quote("abcd", out, 4), -1);
	ck_assert_int_eq(cmd_telnet_quote("ab\xff", out, 4), -1);
	ck_assert_int_eq(cmd_telnet_quote("ab\xff", out, 5), 4);
	ck_assert_int_eq(cmd_telnet_quote("", out, 0), -1);
}
END_TEST

START_TEST(test_split_verb)
{
	char line[64], unset[] = "unset", *verb = NULL, *arg = unset;

	strcpy(line, "noop");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "NOOP");
	ck_assert_ptr_null(arg);

	strcpy(line, "rEtR file.txt");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "RETR");
	ck_assert_str_eq(arg, "file.txt");
	ck_assert_ptr_eq(verb, line);

	/* Eight letters is the longest verb. */
	strcpy(line, "abcdefgh x");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "ABCDEFGH");
	ck_assert_str_eq(arg, "x");

	strcpy(line, "A");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "A");
	ck_assert_ptr_null(arg);
}
END_TEST

START_TEST(test_split_arg_verbatim)
{
	char line[64], *verb, *arg;

	/* Only the verb is upper-cased; the rest is kept byte for byte. */
	strcpy(line, "stor  My File.TXT ");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "STOR");
	ck_assert_str_eq(arg, " My File.TXT ");

	strcpy(line, "SITE CHMOD 644 a b\tc");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "SITE");
	ck_assert_str_eq(arg, "CHMOD 644 a b\tc");

	/* "USER " has an empty argument, not none. */
	strcpy(line, "USER ");
	ck_assert_int_eq(cmd_split(line, &verb, &arg), 0);
	ck_assert_str_eq(verb, "USER");
	ck_assert_ptr_nonnull(arg);
	ck_assert_str_eq(arg, "");
}
END_TEST

START_TEST(test_split_malformed)
{
	static const char *const bad[] = {
		"", " USER x", "abcdefghi", "abcdefghi x", "US3R x", "USER1",
		"STOR\tx", "US-ER", "NO_OP", "\xe9TAT", "US\xc9R x", "1234",
		"USER\r", ".", " ",
	};
	char line[64], *verb, *arg;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(line, bad[i]);
		ck_assert_msg(cmd_split(line, &verb, &arg) == -1,
		    "\"%s\" accepted", bad[i]);
	}
}
END_TEST

/* ------------------------------------------------------------------ addr */

static void
make_v4(struct sockaddr_storage *ss, const char *ip, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
	sin->sin_port = htons((uint16_t)port);
}

static void
make_v6(struct sockaddr_storage *ss, const char *ip, int port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
	sin6->sin6_port = htons((uint16_t)port);
}

/* Checks that ss is family af with address ip and port. */
static void
assert_addr(const struct sockaddr_storage *ss, int af, const char *ip,
    int port)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a = af == AF_INET ?
	    (const void *)&((const struct sockaddr_in *)ss)->sin_addr :
	    (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	ck_assert_int_eq(ss->ss_family, af);
	ck_assert_ptr_nonnull(inet_ntop(af, a, buf, sizeof(buf)));
	ck_assert_str_eq(buf, ip);
	ck_assert_int_eq(addr_port(ss), port);
}

START_TEST(test_port_valid)
{
	struct sockaddr_storage ss;

	memset(&ss, 0xa5, sizeof(ss));
	ck_assert_int_eq(addr_parse_port("127,0,0,1,195,80", &ss), 0);
	assert_addr(&ss, AF_INET, "127.0.0.1", 50000);
	ck_assert_int_eq(addr_parse_port("0,0,0,0,0,0", &ss), 0);
	assert_addr(&ss, AF_INET, "0.0.0.0", 0);
	ck_assert_int_eq(addr_parse_port("255,255,255,255,255,255", &ss), 0);
	assert_addr(&ss, AF_INET, "255.255.255.255", 65535);
	ck_assert_int_eq(addr_parse_port("10,1,2,3,0,21", &ss), 0);
	assert_addr(&ss, AF_INET, "10.1.2.3", 21);
	/* Up to three digits per field, leading zeros allowed. */
	ck_assert_int_eq(addr_parse_port("010,001,002,003,004,005", &ss), 0);
	assert_addr(&ss, AF_INET, "10.1.2.3", 1029);
}
END_TEST

START_TEST(test_port_out_of_range)
{
	static const char *const bad[] = {
		"256,0,0,1,1,1", "1,2,3,4,256,1", "1,2,3,4,5,256",
		"999,0,0,1,1,1", "0001,2,3,4,5,6", "1,2,3,4,5,1000",
		"-1,2,3,4,5,6", "1,2,3,4,5,-6",
	};
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_port(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(test_port_field_count)
{
	static const char *const bad[] = {
		"", "1", "1,2,3,4,5", "1,2,3,4,5,", "1,2,3,4,5,6,", "1,2,3,4,5,6,7",
		",1,2,3,4,5,6", "1,,3,4,5,6", "1.2.3.4,5,6",
	};
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_port(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
	ck_assert_int_eq(addr_parse_port(NULL, &ss), -1);
}
END_TEST

START_TEST(test_port_junk)
{
	static const char *const bad[] = {
		"1,2,3,4,5,6x", "1,2,3,4,5,6 ", " 1,2,3,4,5,6", "1, 2,3,4,5,6",
		"1,2,3,4,5,6\r", "(1,2,3,4,5,6)", "1,2,3,4,5,6;", "a,b,c,d,e,f",
		"+1,2,3,4,5,6", "0x1,2,3,4,5,6",
	};
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_port(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(test_eprt_v4)
{
	struct sockaddr_storage ss;

	ck_assert_int_eq(addr_parse_eprt("|1|132.235.1.2|6275|", &ss), 0);
	assert_addr(&ss, AF_INET, "132.235.1.2", 6275);
	ck_assert_int_eq(addr_parse_eprt("|1|127.0.0.1|65535|", &ss), 0);
	assert_addr(&ss, AF_INET, "127.0.0.1", 65535);
}
END_TEST

START_TEST(test_eprt_v6)
{
	struct sockaddr_storage ss;

	ck_assert_int_eq(addr_parse_eprt("|2|1080::8:800:200C:417A|5282|",
	    &ss), 0);
	assert_addr(&ss, AF_INET6, "1080::8:800:200c:417a", 5282);
	ck_assert_int_eq(addr_parse_eprt("|2|::1|1|", &ss), 0);
	assert_addr(&ss, AF_INET6, "::1", 1);
	ck_assert_int_eq(addr_parse_eprt("|2|::ffff:10.0.0.1|2121|", &ss), 0);
	assert_addr(&ss, AF_INET6, "::ffff:10.0.0.1", 2121);
}
END_TEST

START_TEST(test_eprt_delimiters)
{
	struct sockaddr_storage ss;

	ck_assert_int_eq(addr_parse_eprt("!1!10.0.0.1!21!", &ss), 0);
	assert_addr(&ss, AF_INET, "10.0.0.1", 21);
	ck_assert_int_eq(addr_parse_eprt("~2~::1~2121~", &ss), 0);
	assert_addr(&ss, AF_INET6, "::1", 2121);
	/* The delimiter may be any printable but space, even a letter. */
	ck_assert_int_eq(addr_parse_eprt("a1a10.0.0.1a21a", &ss), 0);
	assert_addr(&ss, AF_INET, "10.0.0.1", 21);

	/* Outside 33..126. */
	ck_assert_int_eq(addr_parse_eprt(" 1 10.0.0.1 21 ", &ss), -1);
	ck_assert_int_eq(addr_parse_eprt("\x7f" "1\x7f" "10.0.0.1\x7f" "21\x7f",
	    &ss), -1);
	ck_assert_int_eq(addr_parse_eprt("\t1\t10.0.0.1\t21\t", &ss), -1);
	/* Mixed delimiters. */
	ck_assert_int_eq(addr_parse_eprt("|1!10.0.0.1|21|", &ss), -1);
}
END_TEST

START_TEST(test_eprt_bad_proto)
{
	static const char *const bad[] = {
		"|0|1.2.3.4|21|", "|3|1.2.3.4|21|", "||1.2.3.4|21|",
		"|x|1.2.3.4|21|", "|01x|1.2.3.4|21|", "|-1|1.2.3.4|21|",
		"|1|::1|21|", "|2|1.2.3.4|21|", "|1|1.2.3|21|",
		"|1|host.example|21|", "|1||21|", "|2|::g|21|",
	};
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_eprt(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(test_eprt_bad_port)
{
	static const char *const bad[] = {
		"|1|1.2.3.4|0|", "|1|1.2.3.4|65536|", "|1|1.2.3.4|-1|",
		"|1|1.2.3.4||", "|1|1.2.3.4|x|", "|1|1.2.3.4| 21|",
		"|1|1.2.3.4|21 |", "|1|1.2.3.4|99999999999999999999|",
	};
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_eprt(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(test_eprt_junk)
{
	static const char *const bad[] = {
		"", "|", "||||", "|1|1.2.3.4|21", "1|1.2.3.4|21|",
		"|1|1.2.3.4|21|x", "|1|1.2.3.4|21||", "||1|1.2.3.4|21|",
		"|1|1.2.3.4|21|\r", "|1|1|1.2.3.4|21|",
	};
	char longarg[300];
	struct sockaddr_storage ss;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse_eprt(bad[i], &ss) == -1,
		    "\"%s\" accepted", bad[i]);
	ck_assert_int_eq(addr_parse_eprt(NULL, &ss), -1);
	/* Overlong arguments are refused, not overflowed. */
	memset(longarg, '|', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	ck_assert_int_eq(addr_parse_eprt(longarg, &ss), -1);
}
END_TEST

START_TEST(test_format_pasv)
{
	struct sockaddr_storage ss;
	char buf[32];

	make_v4(&ss, "192.168.1.2", 50000);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "192,168,1,2,195,80");
	make_v4(&ss, "0.0.0.0", 0);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0,0,0,0,0,0");
	make_v4(&ss, "255.255.255.255", 65535);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "255,255,255,255,255,255");
	/* Exactly the room needed, then one byte less. */
	ck_assert_int_eq(addr_format_pasv(&ss, buf, 24), 0);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, 23), -1);
	/* Not IPv4. */
	make_v6(&ss, "::1", 21);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, sizeof(buf)), -1);

	/* What PASV formats, a client parses back. */
	make_v4(&ss, "10.20.30.40", 1234);
	ck_assert_int_eq(addr_format_pasv(&ss, buf, sizeof(buf)), 0);
	{
		struct sockaddr_storage back;

		ck_assert_int_eq(addr_parse_port(buf, &back), 0);
		assert_addr(&back, AF_INET, "10.20.30.40", 1234);
	}
}
END_TEST

START_TEST(test_pasv_reply)
{
	struct sockaddr_storage ss;

	ck_assert_int_eq(addr_parse_pasv_reply(
	    "Entering Passive Mode (127,0,0,1,195,80).", &ss), 0);
	assert_addr(&ss, AF_INET, "127.0.0.1", 50000);
	ck_assert_int_eq(addr_parse_pasv_reply(
	    "Entering Passive Mode 10,0,0,2,4,1", &ss), 0);
	assert_addr(&ss, AF_INET, "10.0.0.2", 1025);
	ck_assert_int_eq(addr_parse_pasv_reply(
	    "227 Entering Passive Mode (192,168,0,1,0,21)", &ss), 0);
	assert_addr(&ss, AF_INET, "192.168.0.1", 21);
	ck_assert_int_eq(addr_parse_pasv_reply("=1,2,3,4,5,6", &ss), 0);
	assert_addr(&ss, AF_INET, "1.2.3.4", 1286);

	ck_assert_int_eq(addr_parse_pasv_reply("Entering Passive Mode", &ss),
	    -1);
	ck_assert_int_eq(addr_parse_pasv_reply("", &ss), -1);
	ck_assert_int_eq(addr_parse_pasv_reply("(1,2,3,4,5)", &ss), -1);
	ck_assert_int_eq(addr_parse_pasv_reply("(1,2,3,4,5,999)", &ss), -1);
}
END_TEST

/* The six numbers are whole numbers: no match starting inside a number. */
START_TEST(test_pasv_reply_whole_numbers)
{
	struct sockaddr_storage ss;

	ck_assert_msg(addr_parse_pasv_reply("(256,2,3,4,5,6)", &ss) == -1,
	    "\"(256,2,3,4,5,6)\" parsed as %s",
	    inet_ntoa(((struct sockaddr_in *)&ss)->sin_addr));
	ck_assert_msg(addr_parse_pasv_reply("(1127,0,0,1,4,1)", &ss) == -1,
	    "\"(1127,0,0,1,4,1)\" parsed as %s",
	    inet_ntoa(((struct sockaddr_in *)&ss)->sin_addr));
}
END_TEST

START_TEST(test_epsv_reply)
{
	ck_assert_int_eq(addr_parse_epsv_reply(
	    "Entering Extended Passive Mode (|||6446|)"), 6446);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||6446|)"), 6446);
	ck_assert_int_eq(addr_parse_epsv_reply("(!!!21!)"), 21);
	ck_assert_int_eq(addr_parse_epsv_reply("x (|||65535|) y"), 65535);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||1|)"), 1);

	ck_assert_int_eq(addr_parse_epsv_reply("|||6446|"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply(""), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(||6446|)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||6446)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||0|)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||65536|)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(|||99999999|)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(||||)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(|!|6446|)"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("(   6446 )"), -1);
	ck_assert_int_eq(addr_parse_epsv_reply("("), -1);
}
END_TEST

START_TEST(test_same_host)
{
	struct sockaddr_storage a, b;

	make_v4(&a, "127.0.0.1", 1);
	make_v4(&b, "127.0.0.1", 2);
	ck_assert_int_eq(addr_same_host(&a, &b), 1);
	make_v4(&b, "127.0.0.2", 1);
	ck_assert_int_eq(addr_same_host(&a, &b), 0);

	/* v4 and v4-mapped v6 are the same host, both ways. */
	make_v6(&b, "::ffff:127.0.0.1", 3);
	ck_assert_int_eq(addr_same_host(&a, &b), 1);
	ck_assert_int_eq(addr_same_host(&b, &a), 1);
	make_v6(&b, "::ffff:127.0.0.2", 3);
	ck_assert_int_eq(addr_same_host(&a, &b), 0);
	ck_assert_int_eq(addr_same_host(&b, &a), 0);
	make_v6(&a, "::ffff:127.0.0.2", 4);
	ck_assert_int_eq(addr_same_host(&a, &b), 1);

	/* v4 against plain v6, even ::1 or the v4-compatible form. */
	make_v4(&a, "127.0.0.1", 1);
	make_v6(&b, "::1", 1);
	ck_assert_int_eq(addr_same_host(&a, &b), 0);
	ck_assert_int_eq(addr_same_host(&b, &a), 0);
	make_v6(&b, "::127.0.0.1", 1);
	ck_assert_int_eq(addr_same_host(&a, &b), 0);

	make_v6(&a, "2001:db8::1", 1);
	make_v6(&b, "2001:db8::1", 2);
	ck_assert_int_eq(addr_same_host(&a, &b), 1);
	make_v6(&b, "2001:db8::2", 1);
	ck_assert_int_eq(addr_same_host(&a, &b), 0);

	/* Neither v4 nor v6. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ss_family = b.ss_family = AF_UNIX;
	ck_assert_int_eq(addr_same_host(&a, &b), 0);
}
END_TEST

START_TEST(test_port_get_set)
{
	struct sockaddr_storage ss;

	make_v4(&ss, "1.2.3.4", 21);
	ck_assert_int_eq(addr_port(&ss), 21);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 21);
	addr_set_port(&ss, 65535);
	ck_assert_int_eq(addr_port(&ss), 65535);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 65535);
	assert_addr(&ss, AF_INET, "1.2.3.4", 65535);

	make_v6(&ss, "::1", 2121);
	ck_assert_int_eq(addr_port(&ss), 2121);
	addr_set_port(&ss, 0);
	ck_assert_int_eq(addr_port(&ss), 0);
	addr_set_port(&ss, 50000);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port),
	    50000);
	assert_addr(&ss, AF_INET6, "::1", 50000);

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	ck_assert_int_eq(addr_port(&ss), -1);
	addr_set_port(&ss, 21);		/* ignored */
	ck_assert_int_eq(addr_port(&ss), -1);
}
END_TEST

START_TEST(test_ntop)
{
	struct sockaddr_storage ss;
	char buf[INET6_ADDRSTRLEN];

	make_v4(&ss, "192.0.2.7", 21);
	addr_ntop(&ss, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.0.2.7");
	/* v4-mapped addresses print as v4. */
	make_v6(&ss, "::ffff:192.0.2.7", 21);
	addr_ntop(&ss, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.0.2.7");
	make_v6(&ss, "2001:db8::42", 21);
	addr_ntop(&ss, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::42");
	make_v6(&ss, "::1", 21);
	addr_ntop(&ss, buf, sizeof(buf));
	ck_assert_str_eq(buf, "::1");
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	addr_ntop(&ss, buf, sizeof(buf));
	ck_assert_str_eq(buf, "?");
}
END_TEST

/* --------------------------------------------------------------- listing */

/* 2023-11-22 05:41:07 UTC */
#define T_NOV22	((time_t)1700631667)
#define DAY	86400

static void
make_stat(struct stat *st, mode_t mode, off_t size, time_t mtime)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = mode;
	st->st_nlink = S_ISDIR(mode) ? 3 : 1;
	st->st_size = size;
	st->st_mtime = mtime;
	st->st_dev = 0x803;
	st->st_ino = 0x1a2b;
}

START_TEST(test_ls_file)
{
	struct stat st;
	char buf[256];
	int n;

	make_stat(&st, S_IFREG | 0644, 1234, T_NOV22);
	n = listing_ls_line("notes.txt", &st, T_NOV22 + DAY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-rw-r--r--   1 ftp      ftp              1234 "
	    "Nov 22 05:41 notes.txt");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* Names are printed verbatim, spaces included. */
	make_stat(&st, S_IFREG | 0600, 0, T_NOV22);
	n = listing_ls_line("a b", &st, T_NOV22, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-rw-------   1 ftp      ftp                 0 "
	    "Nov 22 05:41 a b");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* Big sizes and link counts. */
	make_stat(&st, S_IFREG | 0644, 123456789012LL, T_NOV22);
	st.st_nlink = 1234;
	n = listing_ls_line("big", &st, T_NOV22, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-rw-r--r-- 1234 ftp      ftp      123456789012 "
	    "Nov 22 05:41 big");
	ck_assert_int_eq(n, (int)strlen(buf));
}
END_TEST

START_TEST(test_ls_dir)
{
	struct stat st;
	char buf[256];
	int n;

	make_stat(&st, S_IFDIR | 0755, 4096, T_NOV22);
	n = listing_ls_line("sub", &st, T_NOV22 + 10 * DAY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "drwxr-xr-x   3 ftp      ftp              4096 "
	    "Nov 22 05:41 sub");
	ck_assert_int_eq(n, (int)strlen(buf));
}
END_TEST

START_TEST(test_ls_old_file)
{
	struct stat st;
	char buf[256];

	/* A year old: the year, not the time. */
	make_stat(&st, S_IFREG | 0644, 1, T_NOV22);
	listing_ls_line("old", &st, T_NOV22 + 365 * DAY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-rw-r--r--   1 ftp      ftp                 1 "
	    "Nov 22  2023 old");
	/* Single-digit days are padded. */
	make_stat(&st, S_IFREG | 0644, 1, (time_t)1578182400); /* 2020-01-05 */
	listing_ls_line("y2020", &st, T_NOV22, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-rw-r--r--   1 ftp      ftp                 1 "
	    "Jan  5  2020 y2020");
	/* Around six months: within shows the time, beyond the year. */
	make_stat(&st, S_IFREG | 0644, 1, T_NOV22);
	listing_ls_line("f", &st, T_NOV22 + 170 * DAY, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " Nov 22 05:41 f"));
	listing_ls_line("f", &st, T_NOV22 + 200 * DAY, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " Nov 22  2023 f"));
	/* Far in the future: the year as well. */
	listing_ls_line("f", &st, T_NOV22 - 30 * DAY, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, " Nov 22  2023 f"));
}
END_TEST

START_TEST(test_ls_mode)
{
	static const struct {
		mode_t		 mode;
		const char	*want;
	} modes[] = {
		{ S_IFREG | 0000, "----------" },
		{ S_IFREG | 0777, "-rwxrwxrwx" },
		{ S_IFREG | 0751, "-rwxr-x--x" },
		{ S_IFREG | 0421, "-r---w---x" },
		{ S_IFREG | 0124, "---x-w-r--" },
		{ S_IFDIR | 0700, "drwx------" },
		{ S_IFLNK | 0777, "lrwxrwxrwx" },
		{ S_IFIFO | 0644, "prw-r--r--" },
		{ S_IFSOCK | 0755, "srwxr-xr-x" },
		{ S_IFCHR | 0666, "crw-rw-rw-" },
		{ S_IFBLK | 0660, "brw-rw----" },
		/* setuid, setgid and sticky bits are not shown. */
		{ S_IFREG | 04755, "-rwxr-xr-x" },
		{ S_IFDIR | 01777, "drwxrwxrwx" },
	};
	struct stat st;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		make_stat(&st, modes[i].mode, 0, T_NOV22);
		ck_assert_int_gt(listing_ls_line("x", &st, T_NOV22, buf,
		    sizeof(buf)), 0);
		ck_assert_msg(strncmp(buf, modes[i].want, 10) == 0 &&
		    buf[10] == ' ', "mode %o gave \"%.10s\", want \"%s\"",
		    (unsigned)modes[i].mode, buf, modes[i].want);
	}
}
END_TEST

START_TEST(test_ls_overflow)
{
	struct stat st;
	char buf[256];
	int n;

	make_stat(&st, S_IFREG | 0644, 1, T_NOV22);
	n = listing_ls_line("name", &st, T_NOV22, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(listing_ls_line("name", &st, T_NOV22, buf,
	    (size_t)n + 1), n);
	ck_assert_int_eq(listing_ls_line("name", &st, T_NOV22, buf,
	    (size_t)n), -1);
	ck_assert_int_eq(listing_ls_line("name", &st, T_NOV22, buf, 10), -1);
}
END_TEST

START_TEST(test_facts_file)
{
	struct stat st;
	char buf[256];
	int n;

	make_stat(&st, S_IFREG | 0644, 1234, T_NOV22);
	n = listing_facts("notes.txt", &st, NULL, FACT_ALL, 1, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "type=file;size=1234;modify=20231122054107;"
	    "perm=rawdf;unique=803g1a2b;UNIX.mode=0644; notes.txt");
	ck_assert_int_eq(n, (int)strlen(buf));

	n = listing_facts("ro", &st, NULL, FACT_ALL, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type=file;size=1234;modify=20231122054107;"
	    "perm=r;unique=803g1a2b;UNIX.mode=0644; ro");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* Special bits show in UNIX.mode. */
	make_stat(&st, S_IFREG | 04755, 0, T_NOV22);
	listing_facts("x", &st, NULL, FACT_UNIX_MODE, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "UNIX.mode=04755; x");
}
END_TEST

START_TEST(test_facts_dir)
{
	struct stat st;
	char buf[256];
	int n;

	make_stat(&st, S_IFDIR | 0755, 4096, T_NOV22);
	n = listing_facts("sub", &st, NULL, FACT_ALL, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type=dir;modify=20231122054107;perm=elcmpdf;"
	    "unique=803g1a2b;UNIX.mode=0755; sub");
	ck_assert_int_eq(n, (int)strlen(buf));

	n = listing_facts(".", &st, "cdir", FACT_TYPE | FACT_PERM, 0, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "type=cdir;perm=el; .");
	ck_assert_int_eq(n, (int)strlen(buf));
	listing_facts("..", &st, "pdir", FACT_TYPE, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "type=pdir; ..");

	/* Neither file nor directory. */
	make_stat(&st, S_IFIFO | 0644, 0, T_NOV22);
	listing_facts("fifo", &st, NULL, FACT_TYPE | FACT_SIZE, 0, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "type=OS.unix=other; fifo");
}
END_TEST

START_TEST(test_facts_mask)
{
	struct stat st;
	char buf[256];

	make_stat(&st, S_IFREG | 0644, 1234, T_NOV22);
	listing_facts("f", &st, NULL, 0, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, " f");
	listing_facts("f", &st, NULL, FACT_TYPE | FACT_SIZE, 1, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "type=file;size=1234; f");
	listing_facts("f", &st, NULL, FACT_SIZE, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "size=1234; f");
	listing_facts("f", &st, NULL, FACT_MODIFY, 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "modify=20231122054107; f");
	listing_facts("f", &st, NULL, FACT_PERM | FACT_UNIQUE, 1, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "perm=rawdf;unique=803g1a2b; f");
	listing_facts("f", &st, "file", FACT_TYPE | FACT_UNIX_MODE, 1, buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "type=file;UNIX.mode=0644; f");
}
END_TEST

START_TEST(test_facts_overflow)
{
	struct stat st;
	char buf[256];
	size_t len;
	int n;

	make_stat(&st, S_IFREG | 0644, 1234, T_NOV22);
	n = listing_facts("notes.txt", &st, NULL, FACT_ALL, 1, buf,
	    sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(listing_facts("notes.txt", &st, NULL, FACT_ALL, 1,
	    buf, (size_t)n + 1), n);
	/* Every shorter buffer fails, whichever fact it runs out in. */
	for (len = 1; len <= (size_t)n; len++)
		ck_assert_msg(listing_facts("notes.txt", &st, NULL, FACT_ALL, 1,
		    buf, len) == -1, "len %zu accepted", len);
}
END_TEST

START_TEST(test_factlist_parse)
{
	char out[128];
	unsigned m;

	m = listing_parse_factlist("type;size;", out, sizeof(out));
	ck_assert_uint_eq(m, FACT_TYPE | FACT_SIZE);
	ck_assert_str_eq(out, "type;size;");

	m = listing_parse_factlist("type;size;modify;perm;unique;UNIX.mode;",
	    out, sizeof(out));
	ck_assert_uint_eq(m, FACT_ALL);
	ck_assert_str_eq(out, "type;size;modify;perm;unique;UNIX.mode;");

	m = listing_parse_factlist("", out, sizeof(out));
	ck_assert_uint_eq(m, 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_factlist_case)
{
	char out[128];
	unsigned m;

	m = listing_parse_factlist("TYPE;Size;unix.MODE;", out, sizeof(out));
	ck_assert_uint_eq(m, FACT_TYPE | FACT_SIZE | FACT_UNIX_MODE);
	ck_assert_str_eq(out, "type;size;UNIX.mode;");
}
END_TEST

START_TEST(test_factlist_unknown)
{
	char out[128];
	unsigned m;

	m = listing_parse_factlist("type;charset;media-type;perm;", out,
	    sizeof(out));
	ck_assert_uint_eq(m, FACT_TYPE | FACT_PERM);
	ck_assert_str_eq(out, "type;perm;");
	/* Prefixes and extensions of known names are not those names. */
	m = listing_parse_factlist("typ;sizes;UNIX.;UNIX.modes;", out,
	    sizeof(out));
	ck_assert_uint_eq(m, 0);
	ck_assert_str_eq(out, "");
	m = listing_parse_factlist("bogus", out, sizeof(out));
	ck_assert_uint_eq(m, 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_factlist_normalised)
{
	char out[128];
	unsigned m;

	/* Table order, no duplicates, a ';' after each, empty items skipped. */
	m = listing_parse_factlist("unique;modify;type", out, sizeof(out));
	ck_assert_uint_eq(m, FACT_TYPE | FACT_MODIFY | FACT_UNIQUE);
	ck_assert_str_eq(out, "type;modify;unique;");
	m = listing_parse_factlist(";;size;;SIZE;size", out, sizeof(out));
	ck_assert_uint_eq(m, FACT_SIZE);
	ck_assert_str_eq(out, "size;");
	/* A small out buffer is cut, still a string; the mask is whole. */
	m = listing_parse_factlist("type;size;modify;", out, 8);
	ck_assert_uint_eq(m, FACT_TYPE | FACT_SIZE | FACT_MODIFY);
	ck_assert_uint_lt(strlen(out), 8);
	ck_assert_int_eq(strncmp(out, "type;size;", strlen(out)), 0);
}
END_TEST

START_TEST(test_feat_facts)
{
	char out[128];

	listing_feat_facts(FACT_ALL, out, sizeof(out));
	ck_assert_str_eq(out, "type*;size*;modify*;perm*;unique*;UNIX.mode*;");
	listing_feat_facts(0, out, sizeof(out));
	ck_assert_str_eq(out, "type;size;modify;perm;unique;UNIX.mode;");
	listing_feat_facts(FACT_TYPE | FACT_MODIFY | FACT_UNIX_MODE, out,
	    sizeof(out));
	ck_assert_str_eq(out, "type*;size;modify*;perm;unique;UNIX.mode*;");
	/* Cut to a small buffer, still a string. */
	listing_feat_facts(FACT_ALL, out, 10);
	ck_assert_str_eq(out, "type*;siz");
}
END_TEST

/* ----------------------------------------------------------------- netio */

#define SHORT_MS	50	/* a wait that is expected to time out */
#define LONG_MS		5000	/* a wait that is expected to succeed */

/* The socketpair of the running test: conn reads sv[0], the test sv[1]. */
static int sv[2] = { -1, -1 };
static struct conn conn;

static void
net_setup(void)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	conn_init(&conn, sv[0]);
}

static void
net_teardown(void)
{
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	sv[0] = sv[1] = -1;
}

/* Writes all of s (len bytes) to the peer end. */
static void
peer_send(const void *s, size_t len)
{
	const char *p = s;
	ssize_t w;

	while (len > 0) {
		w = write(sv[1], p, len);
		ck_assert_int_gt(w, 0);
		p += w;
		len -= (size_t)w;
	}
}

static void
peer_puts(const char *s)
{
	peer_send(s, strlen(s));
}

static void
peer_close(void)
{
	close(sv[1]);
	sv[1] = -1;
}

static int
read_line(char *line, size_t max, int timeout_ms)
{
	return conn_readline(&conn, line, max, timeout_ms, -1);
}

START_TEST(test_readline_crlf)
{
	char line[CMD_LINE_MAX];

	peer_puts("USER anna\r\nPASS s3cret\r\n\r\nNOOP\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 9);
	ck_assert_str_eq(line, "USER anna");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 11);
	ck_assert_str_eq(line, "PASS s3cret");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 0);
	ck_assert_str_eq(line, "");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "NOOP");
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
}
END_TEST

START_TEST(test_readline_lf)
{
	char line[CMD_LINE_MAX];

	peer_puts("NOOP\nSYST\n\nPWD\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "NOOP");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "SYST");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 0);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 3);
	ck_assert_str_eq(line, "PWD");
	/* Only one CR before the LF is dropped; others and NULs stay. */
	peer_send("A\r\r\nB\0C\n", 8);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 2);
	ck_assert_mem_eq(line, "A\r", 3);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 3);
	ck_assert_mem_eq(line, "B\0C", 4);
}
END_TEST

START_TEST(test_readline_split)
{
	char line[CMD_LINE_MAX];

	/* A partial line survives a timeout and comes back whole. */
	peer_puts("RETR some");
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_puts(" file.txt\r\nNO");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 18);
	ck_assert_str_eq(line, "RETR some file.txt");
	/* CR and LF in different writes. */
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_puts("OP\r");
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_puts("\nQUIT\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "NOOP");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "QUIT");
}
END_TEST

struct delayed {
	int		 fd;
	const char	*text;
};

static void *
delayed_send(void *arg)
{
	const struct delayed *d = arg;
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	if (write(d->fd, d->text, strlen(d->text)) != (ssize_t)strlen(d->text))
		return (void *)1;
	return NULL;
}

START_TEST(test_readline_split_waiting)
{
	struct delayed d = { sv[1], "ER anna\r\n" };
	char line[CMD_LINE_MAX];
	pthread_t t;
	void *rv;

	/* The rest of the line arrives while conn_readline waits. */
	peer_puts("US");
	ck_assert_int_eq(pthread_create(&t, NULL, delayed_send, &d), 0);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 9);
	ck_assert_int_eq(pthread_join(t, &rv), 0);
	ck_assert_ptr_null(rv);
	ck_assert_str_eq(line, "USER anna");
}
END_TEST

START_TEST(test_readline_toolong)
{
	char line[16];

	/* 16 bytes before the LF do not fit in 16 (NUL). */
	peer_puts("0123456789abcdef\nNOOP\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_TOOLONG);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "NOOP");
	/* 15 do. */
	peer_puts("0123456789abcde\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 15);
	ck_assert_str_eq(line, "0123456789abcde");
	/* Overlong, arriving in pieces across timeouts. */
	peer_puts("0123456789");
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_puts("0123456789");
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_puts("\r\nPWD\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_TOOLONG);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 3);
	ck_assert_str_eq(line, "PWD");
}
END_TEST

/*
 * A line of max-1 bytes before CRLF fits ("at most max-1 bytes"); the CR
 * that is dropped must not count.
 */
START_TEST(test_readline_crlf_at_limit)
{
	char line[16];

	peer_puts("0123456789abcde\r\nNOOP\r\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 15);
	ck_assert_str_eq(line, "0123456789abcde");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
}
END_TEST

START_TEST(test_readline_toolong_buffer)
{
	static char big[3 * CONN_BUF];
	char line[CMD_LINE_MAX];
	size_t sizes[] = { CONN_BUF - 1, CONN_BUF, CONN_BUF + 1, 2 * CONN_BUF + 5 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(big, 'A' + (int)i, sizes[i]);
		peer_puts("NOOP\r\n");		/* start > 0 when it arrives */
		peer_send(big, sizes[i]);
		peer_puts("\r\nSTAT\r\n");
		ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
		ck_assert_str_eq(line, "NOOP");
		ck_assert_msg(read_line(line, sizeof(line), LONG_MS) ==
		    CONN_TOOLONG, "line of %zu bytes", sizes[i]);
		ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
		ck_assert_str_eq(line, "STAT");
	}

	/* Longer than the buffer, in two writes with a timeout between. */
	memset(big, 'Z', CONN_BUF + 100);
	peer_send(big, CONN_BUF + 100);
	ck_assert_int_eq(read_line(line, sizeof(line), SHORT_MS), CONN_TIMEOUT);
	peer_send(big, 100);
	peer_puts("\nQUIT\n");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_TOOLONG);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "QUIT");
}
END_TEST

START_TEST(test_readline_eof)
{
	char line[CMD_LINE_MAX];

	peer_puts("NOOP\r\nQU");
	peer_close();
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 4);
	ck_assert_str_eq(line, "NOOP");
	/* A partial line at the end of the stream is not a line. */
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_EOF);
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_EOF);
}
END_TEST

START_TEST(test_readline_eof_empty)
{
	char line[CMD_LINE_MAX];

	peer_close();
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), CONN_EOF);
}
END_TEST

START_TEST(test_readline_wake)
{
	char line[CMD_LINE_MAX];
	uint64_t one = 1, got;
	int efd;

	efd = eventfd(0, EFD_NONBLOCK);
	ck_assert_int_ge(efd, 0);
	/* Not woken: a plain timeout. */
	ck_assert_int_eq(conn_readline(&conn, line, sizeof(line), SHORT_MS,
	    efd), CONN_TIMEOUT);
	/* Woken while a partial line waits; the line survives. */
	peer_puts("NO");
	ck_assert_int_eq(conn_readline(&conn, line, sizeof(line), SHORT_MS,
	    efd), CONN_TIMEOUT);
	ck_assert_int_eq(conn.end - conn.start, 2);	/* "NO" is buffered */
	ck_assert_int_eq(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	ck_assert_int_eq(conn_readline(&conn, line, sizeof(line), LONG_MS,
	    efd), CONN_WAKE);
	ck_assert_int_eq(read(efd, &got, sizeof(got)), (ssize_t)sizeof(got));
	ck_assert(got == 1);
	peer_puts("OP\r\n");
	ck_assert_int_eq(conn_readline(&conn, line, sizeof(line), LONG_MS,
	    efd), 4);
	ck_assert_str_eq(line, "NOOP");
	/* Woken with nothing from the peer, well before the timeout. */
	ck_assert_int_eq(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	{
		double t0 = now_mono();

		ck_assert_int_eq(conn_readline(&conn, line, sizeof(line),
		    60 * 1000, efd), CONN_WAKE);
		ck_assert(now_mono() - t0 < 5.0);
	}
	close(efd);
}
END_TEST

START_TEST(test_readline_timeout)
{
	char line[CMD_LINE_MAX];
	double t0 = now_mono(), dt;

	ck_assert_int_eq(read_line(line, sizeof(line), 200), CONN_TIMEOUT);
	dt = now_mono() - t0;
	ck_assert_msg(dt >= 0.15 && dt < 5.0, "took %.3f s", dt);
}
END_TEST

START_TEST(test_read_buffered_first)
{
	char line[CMD_LINE_MAX], buf[64];
	ssize_t n;

	/* One write: the line and what follows arrive together. */
	peer_puts("STOR x\r\nabcdef");
	ck_assert_int_eq(read_line(line, sizeof(line), LONG_MS), 6);
	ck_assert_str_eq(line, "STOR x");
	ck_assert_int_eq(conn_readable_now(&conn), 1);
	peer_puts("XYZ");
	n = conn_read(&conn, buf, 2, LONG_MS);
	ck_assert_int_eq(n, 2);
	ck_assert_mem_eq(buf, "ab", 2);
	/* The rest of the buffer alone, not topped up from the socket. */
	n = conn_read(&conn, buf, sizeof(buf), LONG_MS);
	ck_assert_int_eq(n, 4);
	ck_assert_mem_eq(buf, "cdef", 4);
	ck_assert_int_eq(conn_readable_now(&conn), 0);
	n = conn_read(&conn, buf, sizeof(buf), LONG_MS);
	ck_assert_int_eq(n, 3);
	ck_assert_mem_eq(buf, "XYZ", 3);
}
END_TEST

START_TEST(test_read_timeout_eof)
{
	char buf[16];

	errno = 0;
	ck_assert_int_eq(conn_read(&conn, buf, sizeof(buf), SHORT_MS), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	peer_puts("tail");
	peer_close();
	ck_assert_int_eq(conn_read(&conn, buf, sizeof(buf), LONG_MS), 4);
	ck_assert_int_eq(conn_read(&conn, buf, sizeof(buf), LONG_MS), 0);
}
END_TEST

START_TEST(test_write_small)
{
	char buf[64];
	ssize_t n;

	ck_assert_int_eq(conn_write(&conn, "220 ready\r\n", 11, LONG_MS), 0);
	ck_assert_int_eq(conn_write(&conn, "", 0, LONG_MS), 0);
	n = read(sv[1], buf, sizeof(buf));
	ck_assert_int_eq(n, 11);
	ck_assert_mem_eq(buf, "220 ready\r\n", 11);
}
END_TEST

struct drain {
	int		 fd;
	size_t		 want;
	size_t		 got;
	unsigned	 sum;
};

static void *
drain_peer(void *arg)
{
	struct drain *d = arg;
	unsigned char buf[4096];
	ssize_t n;
	size_t i;

	while (d->got < d->want) {
		n = read(d->fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (i = 0; i < (size_t)n; i++)
			d->sum = d->sum * 31 + buf[i];
		d->got += (size_t)n;
	}
	return NULL;
}

START_TEST(test_write_large)
{
	size_t len = 4u << 20, i;
	unsigned char *data = malloc(len);
	struct drain d = { sv[1], len, 0, 0 };
	unsigned sum = 0;
	pthread_t t;

	ck_assert_ptr_nonnull(data);
	for (i = 0; i < len; i++) {
		data[i] = (unsigned char)(i * 7 + i / 4096);
		sum = sum * 31 + data[i];
	}
	/* Far more than the socket buffer: conn_write must wait and resume. */
	ck_assert_int_eq(pthread_create(&t, NULL, drain_peer, &d), 0);
	ck_assert_int_eq(conn_write(&conn, data, len, LONG_MS), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	free(data);
	ck_assert_uint_eq(d.got, len);
	ck_assert_uint_eq(d.sum, sum);
}
END_TEST

START_TEST(test_write_errors)
{
	size_t len = 4u << 20;
	char *data = calloc(1, len);

	ck_assert_ptr_nonnull(data);
	/* Nobody reads: the write stalls and times out. */
	errno = 0;
	ck_assert_int_eq(conn_write(&conn, data, len, SHORT_MS), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	/* The peer is gone: EPIPE, and no SIGPIPE kills us. */
	peer_close();
	errno = 0;
	ck_assert_int_eq(conn_write(&conn, data, 16, SHORT_MS), -1);
	ck_assert_int_eq(errno, EPIPE);
	free(data);
}
END_TEST

/* ---------------------------------------------------------------- suites */

static void
add(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static void
add_net(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, net_setup, net_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");

	add(s, "num_bounds", test_num_bounds);
	add(s, "num_garbage", test_num_garbage);
	add(s, "num_overflow", test_num_overflow);
	add(s, "num_negative", test_num_negative);
	add(s, "size_valid", test_size_valid);
	add(s, "size_invalid", test_size_invalid);
	add(s, "mode_valid", test_mode_valid);
	add(s, "mode_invalid", test_mode_invalid);
	add(s, "size_format", test_size_format);
	add(s, "size_format_small_buffer", test_size_format_small_buffer);
	add(s, "wipe", test_wipe);
	return s;
}

static Suite *
reply_suite(void)
{
	Suite *s = suite_create("reply");

	add(s, "single", test_reply_single);
	add(s, "multi", test_reply_multi);
	add(s, "crlf", test_reply_crlf);
	add(s, "no_forgery", test_reply_no_forgery);
	add(s, "overflow", test_reply_overflow);
	add(s, "exact_fit", test_reply_exact_fit);
	add(s, "parse_code", test_reply_parse_code);
	add(s, "telnet_decode", test_reply_telnet_decode);
	return s;
}

static Suite *
cmd_suite(void)
{
	Suite *s = suite_create("cmd");

	add(s, "telnet_plain", test_telnet_plain);
	add(s, "telnet_iac_iac", test_telnet_iac_iac);
	add(s, "telnet_ip_dm", test_telnet_ip_dm);
	add(s, "telnet_options", test_telnet_options);
	add(s, "telnet_lone_iac", test_telnet_lone_iac);
	add(s, "telnet_quote", test_telnet_quote);
	add(s, "split_verb", test_split_verb);
	add(s, "split_arg_verbatim", test_split_arg_verbatim);
	add(s, "split_malformed", test_split_malformed);
	return s;
}

static Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");

	add(s, "port_valid", test_port_valid);
	add(s, "port_out_of_range", test_port_out_of_range);
	add(s, "port_field_count", test_port_field_count);
	add(s, "port_junk", test_port_junk);
	add(s, "eprt_v4", test_eprt_v4);
	add(s, "eprt_v6", test_eprt_v6);
	add(s, "eprt_delimiters", test_eprt_delimiters);
	add(s, "eprt_bad_proto", test_eprt_bad_proto);
	add(s, "eprt_bad_port", test_eprt_bad_port);
	add(s, "eprt_junk", test_eprt_junk);
	add(s, "format_pasv", test_format_pasv);
	add(s, "pasv_reply", test_pasv_reply);
	add(s, "pasv_reply_whole_numbers", test_pasv_reply_whole_numbers);
	add(s, "epsv_reply", test_epsv_reply);
	add(s, "same_host", test_same_host);
	add(s, "port_get_set", test_port_get_set);
	add(s, "ntop", test_ntop);
	return s;
}

static Suite *
listing_suite(void)
{
	Suite *s = suite_create("listing");

	add(s, "ls_file", test_ls_file);
	add(s, "ls_dir", test_ls_dir);
	add(s, "ls_old_file", test_ls_old_file);
	add(s, "ls_mode", test_ls_mode);
	add(s, "ls_overflow", test_ls_overflow);
	add(s, "facts_file", test_facts_file);
	add(s, "facts_dir", test_facts_dir);
	add(s, "facts_mask", test_facts_mask);
	add(s, "facts_overflow", test_facts_overflow);
	add(s, "factlist_parse", test_factlist_parse);
	add(s, "factlist_case", test_factlist_case);
	add(s, "factlist_unknown", test_factlist_unknown);
	add(s, "factlist_normalised", test_factlist_normalised);
	add(s, "feat_facts", test_feat_facts);
	return s;
}

static Suite *
netio_suite(void)
{
	Suite *s = suite_create("netio");

	add_net(s, "readline_crlf", test_readline_crlf);
	add_net(s, "readline_lf", test_readline_lf);
	add_net(s, "readline_split", test_readline_split);
	add_net(s, "readline_split_waiting", test_readline_split_waiting);
	add_net(s, "readline_toolong", test_readline_toolong);
	add_net(s, "readline_crlf_at_limit", test_readline_crlf_at_limit);
	add_net(s, "readline_toolong_buffer", test_readline_toolong_buffer);
	add_net(s, "readline_eof", test_readline_eof);
	add_net(s, "readline_eof_empty", test_readline_eof_empty);
	add_net(s, "readline_wake", test_readline_wake);
	add_net(s, "readline_timeout", test_readline_timeout);
	add_net(s, "read_buffered_first", test_read_buffered_first);
	add_net(s, "read_timeout_eof", test_read_timeout_eof);
	add_net(s, "write_small", test_write_small);
	add_net(s, "write_large", test_write_large);
	add_net(s, "write_errors", test_write_errors);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int number_failed;

	srunner_add_suite(sr, reply_suite());
	srunner_add_suite(sr, cmd_suite());
	srunner_add_suite(sr, addr_suite());
	srunner_add_suite(sr, listing_suite());
	srunner_add_suite(sr, netio_suite());
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
