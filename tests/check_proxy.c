/*
 * check_proxy: the PROXY protocol parser (proto/proxy.c): complete v1 and
 * v2 headers, every shorter prefix of them asking for more, LOCAL and
 * UNKNOWN, the header's length leaving the bytes after it, and malformed
 * input refused.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "proto/addr.h"
#include "proto/proxy.h"

static void
check_addr(const struct sockaddr_storage *sa, const char *text, int port)
{
	char got[INET6_ADDRSTRLEN];

	addr_ntop(sa, got, sizeof(got));
	ck_assert_str_eq(got, text);
	ck_assert_int_eq(addr_port(sa), port);
}

/* Every proper prefix of buf needs more. */
static void
check_prefixes(const void *buf, size_t len)
{
	struct proxy_header h;
	size_t i;

	for (i = 0; i < len; i++)
		ck_assert_int_eq(proxy_parse(buf, i, &h), PROXY_NEED_MORE);
}

/* A v2 header: cmd, family byte, then alen address bytes. */
static size_t
v2(unsigned char *out, int cmd, int fam, const void *addr, size_t alen)
{
	static const unsigned char sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00,
	    0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

	memcpy(out, sig, 12);
	out[12] = (unsigned char)(0x20 | cmd);
	out[13] = (unsigned char)fam;
	out[14] = (unsigned char)(alen >> 8);
	out[15] = (unsigned char)alen;
	if (alen > 0)
		memcpy(out + 16, addr, alen);
	return 16 + alen;
}

START_TEST(test_v1_tcp4)
{
	const char *in = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 21\r\nUSER x";
	size_t hl = strlen(in) - strlen("USER x");
	struct proxy_header h;

	ck_assert_int_eq(proxy_parse(in, strlen(in), &h), PROXY_DONE);
	ck_assert_int_eq(h.version, 1);
	ck_assert_uint_eq(h.len, hl);
	check_addr(&h.src, "192.0.2.7", 56324);
	check_addr(&h.dst, "198.51.100.1", 21);
	check_prefixes(in, hl);
}
END_TEST

START_TEST(test_v1_tcp6)
{
	const char *in = "PROXY TCP6 2001:db8::1 ::1 65535 2121\r\n";
	struct proxy_header h;

	ck_assert_int_eq(proxy_parse(in, strlen(in), &h), PROXY_DONE);
	ck_assert_uint_eq(h.len, strlen(in));
	check_addr(&h.src, "2001:db8::1", 65535);
	check_addr(&h.dst, "::1", 2121);
	check_prefixes(in, strlen(in));
}
END_TEST

START_TEST(test_v1_unknown)
{
	const char *a = "PROXY UNKNOWN\r\n";
	const char *b = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
	struct proxy_header h;

	ck_assert_int_eq(proxy_parse(a, strlen(a), &h), PROXY_LOCAL);
	ck_assert_uint_eq(h.len, strlen(a));
	ck_assert_int_eq(proxy_parse(b, strlen(b), &h), PROXY_LOCAL);
	ck_assert_uint_eq(h.len, strlen(b));
}
END_TEST

START_TEST(test_v1_malformed)
{
	static const char *const bad[] = {
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",		/* LF alone */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",		/* CR alone */
		"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",		/* two spaces */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",		/* one port */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",		/* three */
		"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n",	/* port range */
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 ::1 5.6.7.8 1 2\r\n",		/* wrong family */
		"PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
		"PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n",
		"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY \r\n",
		"PROXY UNKNOWNX\r\n",
		"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
		"USER anonymous\r\n",
		"\x16\x03\x01\x02\x00",				/* a TLS hello */
	};
	struct proxy_header h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(proxy_parse(bad[i], strlen(bad[i]), &h) ==
		    PROXY_INVALID, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_v1_too_long)
{
	char in[200];
	struct proxy_header h;

	memset(in, '1', sizeof(in));
	memcpy(in, "PROXY TCP4 ", 11);
	/* No CRLF within 107 bytes: refused, never waits for more. */
	ck_assert_int_eq(proxy_parse(in, PROXY_V1_MAX - 1, &h),
	    PROXY_NEED_MORE);
	ck_assert_int_eq(proxy_parse(in, PROXY_V1_MAX, &h), PROXY_INVALID);
	ck_assert_int_eq(proxy_parse(in, sizeof(in), &h), PROXY_INVALID);
}
END_TEST

START_TEST(test_v2_inet)
{
	unsigned char buf[64], a[12] = { 192, 0, 2, 7, 127, 0, 0, 1,
	    0xdc, 0x04, 0x08, 0x4a };
	struct proxy_header h;
	size_t n = v2(buf, 1, 0x11, a, sizeof(a));

	memcpy(buf + n, "\x16\x03", 2);		/* TLS follows */
	ck_assert_int_eq(proxy_parse(buf, n + 2, &h), PROXY_DONE);
	ck_assert_int_eq(h.version, 2);
	ck_assert_uint_eq(h.len, 28);
	check_addr(&h.src, "192.0.2.7", 56324);
	check_addr(&h.dst, "127.0.0.1", 2122);
	check_prefixes(buf, n);
}
END_TEST

START_TEST(test_v2_inet6_tlvs)
{
	unsigned char buf[128], a[36 + 7];
	struct in6_addr src, dst;
	struct proxy_header h;
	size_t n;

	inet_pton(AF_INET6, "2001:db8::5", &src);
	inet_pton(AF_INET6, "::1", &dst);
	memcpy(a, &src, 16);
	memcpy(a + 16, &dst, 16);
	a[32] = 0x01; a[33] = 0x00;	/* 256 */
	a[34] = 0x00; a[35] = 0x15;	/* 21 */
	/* A PP2_TYPE_ALPN TLV: skipped with the rest of the header. */
	memcpy(a + 36, "\x01\x00\x04" "ftp?", 7);
	n = v2(buf, 1, 0x21, a, sizeof(a));
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_DONE);
	ck_assert_uint_eq(h.len, 16 + sizeof(a));
	check_addr(&h.src, "2001:db8::5", 256);
	check_addr(&h.dst, "::1", 21);
	check_prefixes(buf, n);
}
END_TEST

START_TEST(test_v2_local)
{
	unsigned char buf[64], a[12] = { 0 };
	struct proxy_header h;
	size_t n;

	/* A health check: LOCAL, with or without addresses. */
	n = v2(buf, 0, 0x00, NULL, 0);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_LOCAL);
	ck_assert_uint_eq(h.len, 16);
	n = v2(buf, 0, 0x11, a, sizeof(a));
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_LOCAL);
	ck_assert_uint_eq(h.len, 28);
	/* PROXY with AF_UNSPEC or AF_UNIX: no address to use. */
	n = v2(buf, 1, 0x00, NULL, 0);
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_LOCAL);
}
END_TEST

START_TEST(test_v2_malformed)
{
	unsigned char buf[PROXY_V2_MAX + 64], a[36] = { 0 };
	struct proxy_header h;
	size_t n;

	n = v2(buf, 1, 0x11, a, 11);		/* too short for INET */
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	n = v2(buf, 1, 0x21, a, 35);		/* too short for INET6 */
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	n = v2(buf, 1, 0x12, a, 12);		/* DGRAM */
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	n = v2(buf, 1, 0x41, a, 12);		/* no such family */
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	n = v2(buf, 2, 0x11, a, 12);		/* no such command */
	ck_assert_int_eq(proxy_parse(buf, 13, &h), PROXY_INVALID);
	n = v2(buf, 1, 0x11, a, 12);
	buf[12] = 0x11;				/* version 1 */
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	/* Longer than accepted: refused without waiting for it all. */
	n = v2(buf, 1, 0x11, a, 12);
	buf[14] = (unsigned char)((PROXY_V2_MAX - 15) >> 8);
	buf[15] = (unsigned char)(PROXY_V2_MAX - 15);
	ck_assert_int_eq(proxy_parse(buf, 16, &h), PROXY_INVALID);
	/* A broken signature. */
	n = v2(buf, 1, 0x11, a, 12);
	buf[5] = 0x0E;
	ck_assert_int_eq(proxy_parse(buf, n, &h), PROXY_INVALID);
	ck_assert_int_eq(proxy_parse(buf, 5, &h), PROXY_NEED_MORE);
	ck_assert_int_eq(proxy_parse(NULL, 0, &h), PROXY_NEED_MORE);
}
END_TEST

/* Random bytes never crash it and never claim more than they hold. */
START_TEST(test_noise)
{
	unsigned char buf[300];
	struct proxy_header h;
	enum proxy_result r;
	unsigned seed = 14;
	size_t i, len;
	int k;

	for (k = 0; k < 20000; k++) {
		len = (size_t)(rand_r(&seed) % sizeof(buf));
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rand_r(&seed);
		if (k % 3 == 0 && len >= 12)
			v2(buf, k % 2, rand_r(&seed) & 0xff, NULL, 0);
		if (k % 3 == 1 && len >= 6)
			memcpy(buf, "PROXY ", 6);
		if (k % 3 == 0 && len >= 16) {
			buf[14] = 0;
			buf[15] = (unsigned char)(rand_r(&seed) % 64);
		}
		r = proxy_parse(buf, len, &h);
		if (r == PROXY_DONE || r == PROXY_LOCAL)
			ck_assert_uint_le(h.len, len);
	}
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc;

	tc = tcase_create("v1_tcp4"); tcase_add_test(tc, test_v1_tcp4);
	suite_add_tcase(s, tc);
	tc = tcase_create("v1_tcp6"); tcase_add_test(tc, test_v1_tcp6);
	suite_add_tcase(s, tc);
	tc = tcase_create("v1_unknown"); tcase_add_test(tc, test_v1_unknown);
	suite_add_tcase(s, tc);
	tc = tcase_create("v1_malformed"); tcase_add_test(tc, test_v1_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("v1_too_long"); tcase_add_test(tc, test_v1_too_long);
	suite_add_tcase(s, tc);
	tc = tcase_create("v2_inet"); tcase_add_test(tc, test_v2_inet);
	suite_add_tcase(s, tc);
	tc = tcase_create("v2_inet6_tlvs");
	tcase_add_test(tc, test_v2_inet6_tlvs);
	suite_add_tcase(s, tc);
	tc = tcase_create("v2_local"); tcase_add_test(tc, test_v2_local);
	suite_add_tcase(s, tc);
	tc = tcase_create("v2_malformed"); tcase_add_test(tc, test_v2_malformed);
	suite_add_tcase(s, tc);
	tc = tcase_create("noise"); tcase_add_test(tc, test_noise);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proxy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
