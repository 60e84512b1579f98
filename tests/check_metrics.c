/*
 * check_metrics: unit tests for srv/metrics.c: the exact exposition text
 * for known values, label escaping, a buffer too small, metrics_listen
 * parsing, and counters bumped from several threads at once (run under
 * ThreadSanitizer by test.sh) adding up exactly.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "srv/metrics.h"

static const char expected[] =
    "# HELP burrow_build_info The version of burrowd, as a label; always 1.\n"
    "# TYPE burrow_build_info gauge\n"
    "burrow_build_info{version=\"1.2.3\"} 1\n"
    "# HELP burrow_start_time_seconds When burrowd started, in seconds since "
    "the Unix epoch.\n"
    "# TYPE burrow_start_time_seconds gauge\n"
    "burrow_start_time_seconds 1700000000\n"
    "# HELP burrow_sessions_served Sessions logged in and served now (at most "
    "max_clients).\n"
    "# TYPE burrow_sessions_served gauge\n"
    "burrow_sessions_served 101\n"
    "# HELP burrow_sessions_queued Connections and logins waiting for a place "
    "now.\n"
    "# TYPE burrow_sessions_queued gauge\n"
    "burrow_sessions_queued 102\n"
    "# HELP burrow_sessions_total Control connections accepted as sessions.\n"
    "# TYPE burrow_sessions_total counter\n"
    "burrow_sessions_total 1\n"
    "# HELP burrow_logins_total Successful logins.\n"
    "# TYPE burrow_logins_total counter\n"
    "burrow_logins_total 2\n"
    "# HELP burrow_login_failures_total Failed logins by reason.\n"
    "# TYPE burrow_login_failures_total counter\n"
    "burrow_login_failures_total{reason=\"password\"} 3\n"
    "burrow_login_failures_total{reason=\"unknown_user\"} 4\n"
    "burrow_login_failures_total{reason=\"session_limit\"} 5\n"
    "burrow_login_failures_total{reason=\"unavailable\"} 6\n"
    "# HELP burrow_bans_active Addresses banned now after failed logins.\n"
    "# TYPE burrow_bans_active gauge\n"
    "burrow_bans_active 103\n"
    "# HELP burrow_bans_total Addresses banned after failed logins.\n"
    "# TYPE burrow_bans_total counter\n"
    "burrow_bans_total 7\n"
    "# HELP burrow_data_bytes_total Bytes of data connections (transfers and "
    "listings) by direction.\n"
    "# TYPE burrow_data_bytes_total counter\n"
    "burrow_data_bytes_total{direction=\"in\"} 8\n"
    "burrow_data_bytes_total{direction=\"out\"} 18446744073709551615\n"
    "# HELP burrow_transfers_total Downloads and uploads (RETR, STOR, APPE) "
    "by result.\n"
    "# TYPE burrow_transfers_total counter\n"
    "burrow_transfers_total{result=\"ok\"} 10\n"
    "burrow_transfers_total{result=\"aborted\"} 11\n"
    "burrow_transfers_total{result=\"failed\"} 12\n"
    "burrow_transfers_total{result=\"quota\"} 13\n"
    "# HELP burrow_quota_refusals_total Uploads stopped and ALLOs refused by "
    "a user's quota.\n"
    "# TYPE burrow_quota_refusals_total counter\n"
    "burrow_quota_refusals_total 14\n"
    "# HELP burrow_tls_handshakes_total TLS handshakes by connection and "
    "result.\n"
    "# TYPE burrow_tls_handshakes_total counter\n"
    "burrow_tls_handshakes_total{channel=\"control\",result=\"ok\"} 15\n"
    "burrow_tls_handshakes_total{channel=\"control\",result=\"failed\"} 16\n"
    "burrow_tls_handshakes_total{channel=\"data\",result=\"ok\"} 17\n"
    "burrow_tls_handshakes_total{channel=\"data\",result=\"failed\"} 18\n";

/* Counter i holds i + 1 (bytes out the largest value), gauges 101.. */
static void
known(struct metrics_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	for (int i = 0; i < MC_COUNT; i++)
		snap->counter[i] = (uint64_t)i + 1;
	snap->counter[MC_BYTES_OUT] = UINT64_MAX;
	for (int i = 0; i < MG_COUNT; i++)
		snap->gauge[i] = 101 + (uint64_t)i;
	snap->version = "1.2.3";
	snap->start_time = 1700000000;
}

START_TEST(test_format_exact)
{
	struct metrics_snapshot snap;
	char buf[METRICS_TEXT_MAX];
	int n;

	known(&snap);
	n = metrics_format(&snap, buf, sizeof(buf));
	ck_assert_str_eq(buf, expected);
	ck_assert_int_eq(n, (int)strlen(expected));
}
END_TEST

/* Every counter and gauge is served, each exactly once. */
START_TEST(test_format_every_value)
{
	struct metrics_snapshot snap;
	char buf[METRICS_TEXT_MAX], want[64];
	int i;

	memset(&snap, 0, sizeof(snap));
	for (i = 0; i < MC_COUNT; i++)
		snap.counter[i] = 900000 + (uint64_t)i;
	for (i = 0; i < MG_COUNT; i++)
		snap.gauge[i] = 800000 + (uint64_t)i;
	ck_assert_int_gt(metrics_format(&snap, buf, sizeof(buf)), 0);
	for (i = 0; i < MC_COUNT + MG_COUNT; i++) {
		const char *p;

		snprintf(want, sizeof(want), " %d\n", i < MC_COUNT ?
		    900000 + i : 800000 + i - MC_COUNT);
		ck_assert_msg((p = strstr(buf, want)) != NULL, "%s", want);
		ck_assert_msg(strstr(p + 1, want) == NULL, "twice: %s", want);
	}
	/* A missing version is an empty label, not a crash. */
	ck_assert_ptr_nonnull(strstr(buf, "burrow_build_info{version=\"\"} 1\n"));
}
END_TEST

START_TEST(test_format_too_small)
{
	struct metrics_snapshot snap;
	char buf[METRICS_TEXT_MAX];
	size_t len = strlen(expected);

	known(&snap);
	ck_assert_int_eq(metrics_format(&snap, buf, len), -1);
	ck_assert_int_eq(metrics_format(&snap, buf, 10), -1);
	ck_assert_int_eq(metrics_format(&snap, buf, 0), -1);
	ck_assert_int_eq(metrics_format(&snap, buf, len + 1), (int)len);
}
END_TEST

START_TEST(test_escape)
{
	struct metrics_snapshot snap;
	char out[64], buf[METRICS_TEXT_MAX];

	ck_assert_int_eq(metrics_escape("plain 1.0", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "plain 1.0");
	ck_assert_int_eq(metrics_escape("a\"b\\c\nd", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a\\\"b\\\\c\\nd");
	ck_assert_int_eq(metrics_escape("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	/* Exactly full, then one byte short (an escape is never split). */
	ck_assert_int_eq(metrics_escape("abc", out, 4), 0);
	ck_assert_int_eq(metrics_escape("abcd", out, 4), -1);
	ck_assert_int_eq(metrics_escape("ab\"", out, 4), -1);
	ck_assert_int_eq(metrics_escape("a\"", out, 4), 0);
	ck_assert_str_eq(out, "a\\\"");

	known(&snap);
	snap.version = "1.0\"} 2\nevil{x=\"";
	ck_assert_int_gt(metrics_format(&snap, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "burrow_build_info{version="
	    "\"1.0\\\"} 2\\nevil{x=\\\"\"} 1\n"));
	ck_assert_ptr_null(strstr(buf, "\nevil"));
}
END_TEST

START_TEST(test_parse_listen)
{
	struct sockaddr_storage sa;
	struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&sa;
	socklen_t len;
	char why[256], text[64];
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:80x", ":9121",
		"localhost:9121", "::1:9121", "[::1]", "[::1]9121", "[]:9121",
		"[127.0.0.1]:9121", "[::1]:", "1.2.3.4.5:80", " 127.0.0.1:80",
		"[::1]:9121 ", "",
	};

	ck_assert_int_eq(metrics_parse_listen("127.0.0.1:9121", &sa, &len,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(sa.ss_family, AF_INET);
	ck_assert_int_eq(len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(ntohs(in4->sin_port), 9121);
	ck_assert_uint_eq(ntohl(in4->sin_addr.s_addr), 0x7f000001);

	ck_assert_int_eq(metrics_parse_listen("[::1]:65535", &sa, &len,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(sa.ss_family, AF_INET6);
	ck_assert_int_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(ntohs(in6->sin6_port), 65535);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	ck_assert_int_eq(metrics_parse_listen("0.0.0.0:1", NULL, NULL, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(metrics_parse_listen("[fe80::1:2]:80", NULL, NULL,
	    why, sizeof(why)), 0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ck_assert_msg(metrics_parse_listen(bad[i], &sa, &len, why,
		    sizeof(why)) == -1, "accepted \"%s\"", bad[i]);
		snprintf(text, sizeof(text), "\"%s\"", bad[i]);
		ck_assert_ptr_nonnull(strstr(why, "metrics_listen: "));
		ck_assert_ptr_nonnull(strstr(why, text));
	}
}
END_TEST

#define THREADS	4
#define ROUNDS	20000

static void *
bump(void *arg)
{
	struct metrics *m = arg;

	for (int i = 0; i < ROUNDS; i++) {
		metrics_count(m, MC_LOGINS);
		metrics_add(m, MC_BYTES_IN, 3);
	}
	return NULL;
}

/* Lock-free counters lose nothing, and a scrape may read meanwhile. */
START_TEST(test_counters_threads)
{
	static struct metrics m;
	struct metrics_snapshot snap;
	pthread_t t[THREADS];
	int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, bump, &m), 0);
	for (i = 0; i < 100; i++) {
		metrics_read(&m, &snap);
		ck_assert_uint_le(snap.counter[MC_LOGINS],
		    (uint64_t)THREADS * ROUNDS);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	metrics_read(&m, &snap);
	ck_assert_uint_eq(snap.counter[MC_LOGINS], (uint64_t)THREADS * ROUNDS);
	ck_assert_uint_eq(snap.counter[MC_BYTES_IN],
	    (uint64_t)THREADS * ROUNDS * 3);
	ck_assert_uint_eq(snap.counter[MC_SESSIONS], 0);
	metrics_count(NULL, MC_LOGINS);		/* no server: nothing */
}
END_TEST

static Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc;

	tc = tcase_create("format_exact");
	tcase_add_test(tc, test_format_exact);
	suite_add_tcase(s, tc);
	tc = tcase_create("format_every_value");
	tcase_add_test(tc, test_format_every_value);
	suite_add_tcase(s, tc);
	tc = tcase_create("format_too_small");
	tcase_add_test(tc, test_format_too_small);
	suite_add_tcase(s, tc);
	tc = tcase_create("escape"); tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse_listen"); tcase_add_test(tc, test_parse_listen);
	suite_add_tcase(s, tc);
	tc = tcase_create("counters_threads");
	tcase_add_test(tc, test_counters_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
