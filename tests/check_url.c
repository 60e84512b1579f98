/*
 * check_url: unit tests for tui/url.c, the client's ftp[s]:// address
 * parser, one test case per behaviour. Pure: nothing touches the network.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/url.h"

/* Parses s, which must succeed. */
static void
ok(const char *s, struct url *u)
{
	char err[256];
	int r = url_parse(s, u, err, sizeof(err));

	ck_assert_msg(r == 0, "url_parse(\"%s\") failed: %s", s, err);
	ck_assert_str_eq(err, "");
}

/* Parses s, which must fail with a reason containing why. */
static void
bad(const char *s, const char *why)
{
	struct url u;
	char err[256];

	ck_assert_msg(url_parse(s, &u, err, sizeof(err)) == -1,
	    "url_parse(\"%s\") succeeded", s);
	ck_assert_msg(strstr(err, why) != NULL,
	    "url_parse(\"%s\"): \"%s\" lacks \"%s\"", s, err, why);
	ck_assert_str_eq(u.pass, "");
}

START_TEST(test_minimal)
{
	struct url u;

	ok("ftp://example.org", &u);
	ck_assert_int_eq(u.scheme, URL_FTP);
	ck_assert_str_eq(u.host, "example.org");
	ck_assert_int_eq(u.host_ipv6, 0);
	ck_assert_int_eq(u.port, 21);
	ck_assert_int_eq(u.have_user, 0);
	ck_assert_int_eq(u.have_pass, 0);
	ck_assert_str_eq(u.user, "");
	ck_assert_str_eq(u.pass, "");
	ck_assert_str_eq(u.path, "");
}
END_TEST

START_TEST(test_ftps_explicit)
{
	struct url u;

	ok("ftps://example.org", &u);
	ck_assert_int_eq(u.scheme, URL_FTPS);
	/* explicit TLS: same control port as plain FTP, not 990 */
	ck_assert_int_eq(u.port, 21);
}
END_TEST

START_TEST(test_scheme_case)
{
	struct url u;

	ok("FTP://h", &u);
	ck_assert_int_eq(u.scheme, URL_FTP);
	ok("FtPs://h", &u);
	ck_assert_int_eq(u.scheme, URL_FTPS);
}
END_TEST

START_TEST(test_bad_scheme)
{
	bad("http://example.org/", "unsupported scheme");
	bad("sftp://example.org/", "unsupported scheme");
	bad("ftpx://example.org/", "unsupported scheme");
	bad("example.org", "not an ftp");
	bad("ftp:/example.org", "not an ftp");
	bad("ftp:example.org", "not an ftp");
	bad("", "empty");
}
END_TEST

START_TEST(test_full)
{
	struct url u;

	ok("ftps://harry:s3cret@files.example.org:2121/docs/a.txt", &u);
	ck_assert_int_eq(u.scheme, URL_FTPS);
	ck_assert_str_eq(u.user, "harry");
	ck_assert_str_eq(u.pass, "s3cret");
	ck_assert_int_eq(u.have_user, 1);
	ck_assert_int_eq(u.have_pass, 1);
	ck_assert_str_eq(u.host, "files.example.org");
	ck_assert_int_eq(u.port, 2121);
	ck_assert_str_eq(u.path, "docs/a.txt");
	url_wipe(&u);
	ck_assert_str_eq(u.pass, "");
}
END_TEST

START_TEST(test_user_only)
{
	struct url u;

	ok("ftp://harry@h", &u);
	ck_assert_int_eq(u.have_user, 1);
	ck_assert_int_eq(u.have_pass, 0);
	ck_assert_str_eq(u.user, "harry");
	ck_assert_str_eq(u.host, "h");
}
END_TEST

START_TEST(test_empty_password)
{
	struct url u;

	/* given but empty: no prompt wanted */
	ok("ftp://anonymous:@h", &u);
	ck_assert_int_eq(u.have_pass, 1);
	ck_assert_str_eq(u.pass, "");
}
END_TEST

START_TEST(test_empty_user)
{
	bad("ftp://@h", "empty user");
	bad("ftp://:pw@h", "empty user");
}
END_TEST

START_TEST(test_percent_userinfo)
{
	struct url u;

	ok("ftp://me%40example.org:p%3Ass%40%2f%25@h", &u);
	ck_assert_str_eq(u.user, "me@example.org");
	ck_assert_str_eq(u.pass, "p:ss@/%");
}
END_TEST

START_TEST(test_raw_at_in_user)
{
	struct url u;

	/* userinfo ends at the last '@' */
	ok("ftp://me@example.org:pw@h:2121", &u);
	ck_assert_str_eq(u.user, "me@example.org");
	ck_assert_str_eq(u.pass, "pw");
	ck_assert_str_eq(u.host, "h");
	ck_assert_int_eq(u.port, 2121);
}
END_TEST

START_TEST(test_at_in_path)
{
	struct url u;

	/* an '@' after the first '/' is the path's */
	ok("ftp://h/mail@home/x", &u);
	ck_assert_int_eq(u.have_user, 0);
	ck_assert_str_eq(u.host, "h");
	ck_assert_str_eq(u.path, "mail@home/x");
}
END_TEST

START_TEST(test_colon_in_password)
{
	struct url u;

	/* the first ':' splits: the rest is the password */
	ok("ftp://u:a:b@h", &u);
	ck_assert_str_eq(u.user, "u");
	ck_assert_str_eq(u.pass, "a:b");
}
END_TEST

START_TEST(test_path_forms)
{
	struct url u;

	ok("ftp://h/", &u);
	ck_assert_str_eq(u.path, "");
	ok("ftp://h/pub", &u);
	ck_assert_str_eq(u.path, "pub");
	ok("ftp://h/pub/sub/", &u);
	ck_assert_str_eq(u.path, "pub/sub/");
	ok("ftp://h/%2Fetc", &u);
	ck_assert_str_eq(u.path, "/etc");
	ok("ftp://h//etc", &u);
	ck_assert_str_eq(u.path, "/etc");
	ok("ftp://h:2121/x", &u);
	ck_assert_int_eq(u.port, 2121);
	ck_assert_str_eq(u.path, "x");
}
END_TEST

START_TEST(test_path_decoding)
{
	struct url u;

	ok("ftp://h/a%20b/%41%62%3a%3F%23", &u);
	ck_assert_str_eq(u.path, "a b/Ab:?#");
	ok("ftp://h/caf%C3%A9", &u);
	ck_assert_str_eq(u.path, "caf\xc3\xa9");
}
END_TEST

START_TEST(test_utf8_raw)
{
	struct url u;

	ok("ftp://j\xc3\xbcrgen:p\xc3\xa4ss@h/\xe6\x97\xa5\xe6\x9c\xac", &u);
	ck_assert_str_eq(u.user, "j\xc3\xbcrgen");
	ck_assert_str_eq(u.pass, "p\xc3\xa4ss");
	ck_assert_str_eq(u.path, "\xe6\x97\xa5\xe6\x9c\xac");
}
END_TEST

START_TEST(test_bad_percent)
{
	bad("ftp://h/a%", "incomplete");
	bad("ftp://h/a%4", "incomplete");
	bad("ftp://h/a%zz", "bad % escape");
	bad("ftp://h/a%4g", "bad % escape");
	bad("ftp://u%:p@h", "incomplete");
	bad("ftp://u:p%x1@h", "bad % escape");
}
END_TEST

START_TEST(test_control_escapes)
{
	/* a decoded CR or LF would end an FTP command: CWD x\r\nDELE y */
	bad("ftp://h/x%0D%0ADELE%20y", "control byte");
	bad("ftp://h/x%00y", "control byte");
	bad("ftp://u%0A:p@h", "control byte");
	bad("ftp://u:p%0d@h", "control byte");
	bad("ftp://h/%7f", "control byte");
}
END_TEST

START_TEST(test_junk_bytes)
{
	bad("ftp://h/a b", "space");
	bad(" ftp://h/", "space");
	bad("ftp://h/\tx", "control");
	bad("ftp://h/x\r\n", "control");
	bad("ftp://h/\x7f", "control");
	bad("ftp://h/x?type=i", "'?'");
	bad("ftp://h/x#frag", "'#'");
}
END_TEST

START_TEST(test_missing_host)
{
	bad("ftp://", "missing host");
	bad("ftp:///path", "missing host");
	bad("ftp://u:p@/path", "missing host");
	bad("ftp://:21/", "missing host");
}
END_TEST

START_TEST(test_bad_host)
{
	char big[400];

	bad("ftp://ex!ample.org/", "bad character");
	bad("ftp://ex%41mple.org/", "bad character");
	bad("ftp://a,b/", "bad character");
	memset(big, 'a', sizeof(big));
	memcpy(big, "ftp://", 6);
	big[6 + 254] = '\0';
	bad(big, "too long");
}
END_TEST

START_TEST(test_host_max)
{
	struct url u;
	char big[300];

	memset(big, 'a', sizeof(big));
	memcpy(big, "ftp://", 6);
	big[6 + 253] = '\0';
	ok(big, &u);
	ck_assert_uint_eq(strlen(u.host), 253);
}
END_TEST

START_TEST(test_ipv4)
{
	struct url u;

	ok("ftp://127.0.0.1:2121/", &u);
	ck_assert_str_eq(u.host, "127.0.0.1");
	ck_assert_int_eq(u.host_ipv6, 0);
	ck_assert_int_eq(u.port, 2121);
}
END_TEST

START_TEST(test_ipv6)
{
	struct url u;

	ok("ftp://[::1]:2121/x", &u);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(u.host_ipv6, 1);
	ck_assert_int_eq(u.port, 2121);
	ck_assert_str_eq(u.path, "x");
	ok("ftps://u:p@[2001:db8::1]", &u);
	ck_assert_str_eq(u.host, "2001:db8::1");
	ck_assert_int_eq(u.port, 21);
	ck_assert_str_eq(u.user, "u");
	ok("ftp://[::1]:/", &u);		/* empty port: default */
	ck_assert_int_eq(u.port, 21);
	ok("ftp://[::ffff:127.0.0.1]/", &u);
	ck_assert_str_eq(u.host, "::ffff:127.0.0.1");
}
END_TEST

START_TEST(test_bad_ipv6)
{
	bad("ftp://[::1/", "missing ']'");
	bad("ftp://[]/", "bad IPv6");
	bad("ftp://[nothex]/", "bad IPv6");
	bad("ftp://[127.0.0.1]/", "bad IPv6");
	bad("ftp://[::1]x/", "junk after");
	bad("ftp://::1/", "missing host");	/* unbracketed */
}
END_TEST

START_TEST(test_port_bounds)
{
	struct url u;

	ok("ftp://h:1", &u);
	ck_assert_int_eq(u.port, 1);
	ok("ftp://h:65535", &u);
	ck_assert_int_eq(u.port, 65535);
	ok("ftp://h:", &u);			/* RFC 3986: default */
	ck_assert_int_eq(u.port, 21);
	ok("ftp://h:/x", &u);
	ck_assert_int_eq(u.port, 21);
	bad("ftp://h:0", "bad port");
	bad("ftp://h:65536", "bad port");
	bad("ftp://h:99999999", "bad port");
	bad("ftp://h:-1", "bad port");
	bad("ftp://h:+21", "bad port");
	bad("ftp://h:21a", "bad port");
	bad("ftp://h:2:1", "bad port");
	bad("ftp://h:0x15", "bad port");
}
END_TEST

START_TEST(test_too_long)
{
	char *s;
	size_t n = 6000;

	s = malloc(n + 16);
	ck_assert_ptr_nonnull(s);
	strcpy(s, "ftp://h/");
	memset(s + 8, 'x', n);
	s[8 + n] = '\0';
	bad(s, "path too long");
	strcpy(s, "ftp://");
	memset(s + 6, 'u', 300);
	strcpy(s + 306, "@h/");
	bad(s, "user name too long");
	strcpy(s, "ftp://u:");
	memset(s + 8, 'p', 300);
	strcpy(s + 308, "@h/");
	bad(s, "password too long");
	free(s);
}
END_TEST

START_TEST(test_failure_wipes_password)
{
	struct url u;
	char err[64];

	/* the password parsed, then the port failed */
	ck_assert_int_eq(url_parse("ftp://u:secret@h:0/", &u, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(u.pass, "");
}
END_TEST

/* url_format(s's fields) gives want, which parses to the same fields. */
static void
format_is(const char *s, const char *want)
{
	struct url a, b;
	char buf[512], err[256];

	ck_assert_int_eq(url_parse(s, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(url_format(&a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
	ck_assert_msg(url_parse(buf, &b, err, sizeof(err)) == 0, "%s: %s", buf,
	    err);
	ck_assert_int_eq(a.scheme, b.scheme);
	ck_assert_str_eq(a.host, b.host);
	ck_assert_int_eq(a.port, b.port);
	ck_assert_int_eq(a.have_user, b.have_user);
	ck_assert_str_eq(a.user, b.user);
	ck_assert_str_eq(a.path, b.path);
	ck_assert_int_eq(b.have_pass, 0);
}

START_TEST(test_format)
{
	struct url u;
	char small[16], err[256];

	format_is("ftp://h", "ftp://h");
	format_is("FTPS://me:secret@h:2121/pub/x", "ftps://me@h:2121/pub/x");
	format_is("ftp://h:21/", "ftp://h");
	format_is("ftp://me%40corp:pw@h//etc/a%20b", "ftp://me%40corp@h/%2Fetc/a%20b");
	format_is("ftp://a%3Ab%2Fc@[::1]:99/%3F%23", "ftp://a%3Ab%2Fc@[::1]:99/%3F%23");
	format_is("ftp://u@h/caf\xc3\xa9/100%25", "ftp://u@h/caf\xc3\xa9/100%25");
	ck_assert_int_eq(url_parse("ftp://someone@example.org/x", &u, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(url_format(&u, small, sizeof(small)), -1);
}
END_TEST

START_TEST(test_small_err)
{
	struct url u;
	char err[8];

	ck_assert_int_eq(url_parse("http://x", &u, err, sizeof(err)), -1);
	ck_assert_uint_lt(strlen(err), sizeof(err));
	ck_assert_int_eq(url_parse("http://x", &u, NULL, 0), -1);
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s = suite_create("url");
	const struct {
		const char		*name;
		const TTest		*test;
	} cases[] = {
		{ "minimal", test_minimal },
		{ "ftps_explicit", test_ftps_explicit },
		{ "scheme_case", test_scheme_case },
		{ "bad_scheme", test_bad_scheme },
		{ "full", test_full },
		{ "user_only", test_user_only },
		{ "empty_password", test_empty_password },
		{ "empty_user", test_empty_user },
		{ "percent_userinfo", test_percent_userinfo },
		{ "raw_at_in_user", test_raw_at_in_user },
		{ "at_in_path", test_at_in_path },
		{ "colon_in_password", test_colon_in_password },
		{ "path_forms", test_path_forms },
		{ "path_decoding", test_path_decoding },
		{ "utf8_raw", test_utf8_raw },
		{ "bad_percent", test_bad_percent },
		{ "control_escapes", test_control_escapes },
		{ "junk_bytes", test_junk_bytes },
		{ "missing_host", test_missing_host },
		{ "bad_host", test_bad_host },
		{ "host_max", test_host_max },
		{ "ipv4", test_ipv4 },
		{ "ipv6", test_ipv6 },
		{ "bad_ipv6", test_bad_ipv6 },
		{ "port_bounds", test_port_bounds },
		{ "too_long", test_too_long },
		{ "failure_wipes_password", test_failure_wipes_password },
		{ "small_err", test_small_err },
		{ "format", test_format },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(url_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
