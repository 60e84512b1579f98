/*
 * check_progress: unit tests for tui/progress.c, the figures a transfer
 * shows while it runs: the windowed rate meter, the time left, the bar,
 * the percentage and the short texts, one test case per behaviour. Pure
 * arithmetic: the tests pass the time in, nothing reads a clock.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/progress.h"

#define TOL	1e-6

/* ----------------------------------------------------------------- meter */

START_TEST(test_meter_first_samples)
{
	struct progress_meter m;

	progress_meter_init(&m);
	ck_assert_uint_eq(m.n, 0);
	/* one sample: no rate */
	ck_assert_double_eq(progress_meter_add(&m, 10.0, 0), 0);
	/* two, but closer than 0.05 s: still none */
	ck_assert_double_eq(progress_meter_add(&m, 10.04, 400), 0);
	/* 0.1 s after the first: 1000 bytes over it */
	ck_assert_double_eq_tol(progress_meter_add(&m, 10.1, 1000), 10000.0,
	    TOL);
	ck_assert_uint_eq(m.n, 3);
}
END_TEST

START_TEST(test_meter_steady)
{
	struct progress_meter m;
	double r = 0;
	int i;

	progress_meter_init(&m);
	/* 1000 bytes/s sampled every half second for 10 s */
	for (i = 0; i <= 20; i++)
		r = progress_meter_add(&m, 0.5 * i, (uint64_t)500 * i);
	ck_assert_double_eq_tol(r, 1000.0, TOL);
	/* a burst raises the rate only by what it adds over the window:
	 * the oldest sample inside it is t = 5.5, 5500 bytes */
	r = progress_meter_add(&m, 10.5, 15500);
	ck_assert_double_eq_tol(r, (15500.0 - 5500.0) / 5.0, TOL);
}
END_TEST

START_TEST(test_meter_wraps)
{
	struct progress_meter m;
	double r = 0;
	int i;

	progress_meter_init(&m);
	/* 40 samples 0.1 s apart: more than the meter holds, all inside
	 * the window, so the rate spans the 16 kept (1.5 s) */
	for (i = 0; i < 40; i++)
		r = progress_meter_add(&m, 0.1 * i, (uint64_t)100 * i * i);
	ck_assert_uint_eq(m.n, PROGRESS_SAMPLES);
	/* newest i = 39, oldest kept i = 24 */
	ck_assert_double_eq_tol(r, (100.0 * 39 * 39 - 100.0 * 24 * 24) / 1.5,
	    1e-3);
}
END_TEST

START_TEST(test_meter_stall)
{
	struct progress_meter m;
	double r;
	int i;

	progress_meter_init(&m);
	for (i = 0; i <= 10; i++)
		(void)progress_meter_add(&m, i, (uint64_t)1000 * i);
	/* nothing more arrives: the rate falls as the window slides */
	r = progress_meter_add(&m, 11, 10000);
	ck_assert_double_eq_tol(r, 4000.0 / 5.0, TOL);
	r = progress_meter_add(&m, 13, 10000);
	ck_assert_double_eq_tol(r, 2000.0 / 5.0, TOL);
	r = progress_meter_add(&m, 15, 10000);
	ck_assert_double_eq_tol(r, 0.0, TOL);
}
END_TEST

START_TEST(test_meter_window)
{
	struct progress_meter m;

	/* a sample exactly PROGRESS_WINDOW old still counts */
	progress_meter_init(&m);
	(void)progress_meter_add(&m, 0.0, 0);
	ck_assert_double_eq_tol(progress_meter_add(&m, PROGRESS_WINDOW, 5000),
	    5000.0 / PROGRESS_WINDOW, TOL);
	/* one older is forgotten: only the newest is left, no rate */
	progress_meter_init(&m);
	(void)progress_meter_add(&m, 0.0, 0);
	ck_assert_double_eq(progress_meter_add(&m, PROGRESS_WINDOW + 0.01,
	    5000), 0);
	/* after a long stall the old samples no longer hold the rate up */
	progress_meter_init(&m);
	(void)progress_meter_add(&m, 0.0, 0);
	(void)progress_meter_add(&m, 1.0, 1000000);
	ck_assert_double_eq(progress_meter_add(&m, 60.0, 1000000), 0);
	ck_assert_double_eq_tol(progress_meter_add(&m, 61.0, 1000100), 100.0,
	    TOL);
}
END_TEST

START_TEST(test_meter_restart)
{
	struct progress_meter m;

	progress_meter_init(&m);
	(void)progress_meter_add(&m, 0.0, 0);
	ck_assert_double_eq_tol(progress_meter_add(&m, 1.0, 8000), 8000.0,
	    TOL);
	/* done went down: a new transfer; the meter starts empty */
	ck_assert_double_eq(progress_meter_add(&m, 2.0, 100), 0);
	ck_assert_uint_eq(m.n, 1);
	/* kept samples would give (1100 - 0) / 3; a fresh meter 1000 */
	ck_assert_double_eq_tol(progress_meter_add(&m, 3.0, 1100), 1000.0,
	    TOL);
	/* an equal done is no restart */
	ck_assert_double_eq_tol(progress_meter_add(&m, 4.0, 1100), 500.0,
	    TOL);
	ck_assert_uint_eq(m.n, 3);
}
END_TEST

/* ------------------------------------------------------------------- eta */

START_TEST(test_eta_unknown)
{
	ck_assert_double_eq(progress_eta(0, 0, 100.0), -1);
	ck_assert_double_eq(progress_eta(10, 0, 100.0), -1);
	ck_assert_double_eq(progress_eta(10, 100, 0.0), -1);
	ck_assert_double_eq(progress_eta(10, 100, -5.0), -1);
	ck_assert_double_eq(progress_eta(10, 100, NAN), -1);
	ck_assert_double_eq(progress_eta(10, 100, INFINITY), -1);
	ck_assert_double_eq(progress_eta(101, 100, 100.0), -1);
}
END_TEST

START_TEST(test_eta_value)
{
	ck_assert_double_eq_tol(progress_eta(250, 1000, 50.0), 15.0, TOL);
	ck_assert_double_eq_tol(progress_eta(0, 1000, 3.0), 1000.0 / 3.0,
	    TOL);
	ck_assert_double_eq(progress_eta(1000, 1000, 50.0), 0);
	ck_assert_double_eq_tol(progress_eta(0, UINT64_MAX, 1.0),
	    (double)UINT64_MAX, 1.0);
}
END_TEST

/* ------------------------------------------------------------------- bar */

START_TEST(test_bar_empty)
{
	char buf[11];

	memset(buf, 'x', sizeof(buf));
	progress_bar(buf, sizeof(buf), 0, 100);
	ck_assert_str_eq(buf, "----------");
}
END_TEST

START_TEST(test_bar_partial)
{
	char buf[11];

	progress_bar(buf, sizeof(buf), 50, 100);
	ck_assert_str_eq(buf, "#####-----");
	/* a cell shows only once it is done in full */
	progress_bar(buf, sizeof(buf), 99, 100);
	ck_assert_str_eq(buf, "#########-");
	progress_bar(buf, sizeof(buf), 9, 100);
	ck_assert_str_eq(buf, "----------");
	progress_bar(buf, sizeof(buf), 10, 100);
	ck_assert_str_eq(buf, "#---------");
	/* done * cells would overflow 64 bits */
	progress_bar(buf, sizeof(buf), (uint64_t)1 << 62, (uint64_t)1 << 63);
	ck_assert_str_eq(buf, "#####-----");
}
END_TEST

START_TEST(test_bar_full)
{
	char buf[11];

	progress_bar(buf, sizeof(buf), 100, 100);
	ck_assert_str_eq(buf, "##########");
	progress_bar(buf, sizeof(buf), 250, 100);
	ck_assert_str_eq(buf, "##########");
	progress_bar(buf, sizeof(buf), UINT64_MAX, UINT64_MAX);
	ck_assert_str_eq(buf, "##########");
}
END_TEST

START_TEST(test_bar_no_total)
{
	char buf[6];

	progress_bar(buf, sizeof(buf), 0, 0);
	ck_assert_str_eq(buf, "-----");
	progress_bar(buf, sizeof(buf), 12345, 0);
	ck_assert_str_eq(buf, "-----");
}
END_TEST

START_TEST(test_bar_tiny)
{
	char buf[4] = "xyz";

	/* len 1: no cells, just the NUL */
	progress_bar(buf, 1, 50, 100);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'y');
	/* len 0: nothing written at all */
	memcpy(buf, "xyz", 4);
	progress_bar(buf, 0, 50, 100);
	ck_assert_str_eq(buf, "xyz");
	/* len 2: one cell */
	progress_bar(buf, 2, 100, 100);
	ck_assert_str_eq(buf, "#");
	ck_assert_int_eq(buf[2], 'z');
}
END_TEST

/* --------------------------------------------------------------- percent */

START_TEST(test_percent)
{
	ck_assert_int_eq(progress_percent(0, 0), 0);
	ck_assert_int_eq(progress_percent(5, 0), 0);
	ck_assert_int_eq(progress_percent(0, 100), 0);
	ck_assert_int_eq(progress_percent(50, 200), 25);
	ck_assert_int_eq(progress_percent(1, 3), 33);
	/* not done until done: 99.5 % shows as 99 */
	ck_assert_int_eq(progress_percent(199, 200), 99);
	ck_assert_int_eq(progress_percent(200, 200), 100);
	ck_assert_int_eq(progress_percent(300, 200), 100);
	/* done * 100 would overflow 64 bits */
	ck_assert_int_eq(progress_percent((uint64_t)1 << 62,
	    (uint64_t)1 << 63), 50);
	ck_assert_int_eq(progress_percent(UINT64_MAX, UINT64_MAX), 100);
}
END_TEST

/* ----------------------------------------------------------------- texts */

START_TEST(test_format_bytes)
{
	char buf[32];

	progress_format_bytes(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0 B");
	progress_format_bytes(512, buf, sizeof(buf));
	ck_assert_str_eq(buf, "512 B");
	progress_format_bytes(1536, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.5 KiB");
	progress_format_bytes((uint64_t)10 << 20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "10.0 MiB");
}
END_TEST

START_TEST(test_format_rate)
{
	char buf[32];

	progress_format_rate(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	progress_format_rate(-3.0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	progress_format_rate(NAN, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	progress_format_rate(INFINITY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	progress_format_rate(1e30, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-");
	progress_format_rate(512.0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "512 B/s");
	progress_format_rate(12.3 * 1024 * 1024, buf, sizeof(buf));
	ck_assert_str_eq(buf, "12.3 MiB/s");
}
END_TEST

START_TEST(test_format_rate_short)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	progress_format_rate(1536.0, buf, 5);
	ck_assert_str_eq(buf, "1.5 ");
	ck_assert_int_eq(buf[5], 'x');
	progress_format_rate(0, buf, 1);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	progress_format_rate(1536.0, buf, 0);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(test_format_eta)
{
	char buf[32];

	progress_format_eta(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "--:--");
	progress_format_eta(NAN, buf, sizeof(buf));
	ck_assert_str_eq(buf, "--:--");
	progress_format_eta(INFINITY, buf, sizeof(buf));
	ck_assert_str_eq(buf, "--:--");
	progress_format_eta(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0:00");
	progress_format_eta(65, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1:05");
	/* rounded to the nearest second */
	progress_format_eta(59.6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1:00");
	progress_format_eta(3599, buf, sizeof(buf));
	ck_assert_str_eq(buf, "59:59");
	progress_format_eta(3600, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1:00:00");
	progress_format_eta(3723, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1:02:03");
	progress_format_eta(99.0 * 3600 - 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "98:59:59");
	progress_format_eta(99.0 * 3600, buf, sizeof(buf));
	ck_assert_str_eq(buf, ">99h");
	progress_format_eta(1e12, buf, sizeof(buf));
	ck_assert_str_eq(buf, ">99h");
}
END_TEST

START_TEST(test_format_eta_short)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	progress_format_eta(3723, buf, 4);
	ck_assert_str_eq(buf, "1:0");
	ck_assert_int_eq(buf[4], 'x');
	progress_format_eta(-1, buf, 1);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	progress_format_eta(65, buf, 0);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST


/* ------------------------------------------------------------------ line */

START_TEST(test_line_known_total)
{
	char buf[256];

	/* 45 % of 20 MiB at 5 MiB/s: 11 MiB left, 2.2 s */
	progress_line(buf, sizeof(buf), "big.bin", 20, (uint64_t)9 << 20,
	    (uint64_t)20 << 20, 5.0 * 1024 * 1024);
	ck_assert_str_eq(buf, "big.bin               [#########-----------] "
	    "45%  9.0 MiB of 20.0 MiB  5.0 MiB/s  0:02");
	/* just under a whole percent stays under it */
	progress_line(buf, sizeof(buf), "big.bin", 20, ((uint64_t)9 << 20) - 1,
	    (uint64_t)20 << 20, 0);
	ck_assert_ptr_nonnull(strstr(buf, "] 44%  9.0 MiB of 20.0 MiB  -  "
	    "--:--"));
}
END_TEST

START_TEST(test_line_ends)
{
	char buf[256];

	progress_line(buf, sizeof(buf), "f", 4, 0, 1000, 0);
	ck_assert_str_eq(buf, "f                     [----] 0%  0 B of "
	    "1000 B  -  --:--");
	progress_line(buf, sizeof(buf), "f", 4, 1000, 1000, 10.0);
	ck_assert_str_eq(buf, "f                     [####] 100%  1000 B of "
	    "1000 B  10 B/s  0:00");
	/* a file that grew past what was announced */
	progress_line(buf, sizeof(buf), "f", 4, 2000, 1000, 10.0);
	ck_assert_str_eq(buf, "f                     [####] 100%  2.0 KiB of "
	    "1000 B  10 B/s  --:--");
}
END_TEST

START_TEST(test_line_unknown_total)
{
	char buf[256];

	progress_line(buf, sizeof(buf), "stream", 24, 1536, 0, 512.0);
	ck_assert_str_eq(buf, "stream                1.5 KiB  512 B/s");
	ck_assert_ptr_null(strchr(buf, '%'));
	ck_assert_ptr_null(strchr(buf, '['));
}
END_TEST

START_TEST(test_line_long_name)
{
	char buf[256], name[100];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	progress_line(buf, sizeof(buf), name, 2, 1, 2, 0);
	ck_assert_uint_eq(strspn(buf, "n"), PROGRESS_NAME_MAX);
	ck_assert_str_eq(buf + PROGRESS_NAME_MAX, "  [#-] 50%  1 B of 2 B  -  "
	    "--:--");
	/* a bar wider than the function keeps is cut to 127 cells */
	progress_line(buf, sizeof(buf), "x", 1000, 1, 1, 0);
	ck_assert_uint_eq(strspn(buf + PROGRESS_NAME_WIDTH + 3, "#"), 127);
}
END_TEST

START_TEST(test_line_short_buffer)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	progress_line(buf, 10, "name", 4, 1, 2, 0);
	ck_assert_str_eq(buf, "name     ");
	ck_assert_int_eq(buf[10], 'x');
	buf[0] = 'x';
	progress_line(buf, 0, "name", 4, 1, 2, 0);
	ck_assert_int_eq(buf[0], 'x');
	progress_line(buf, 1, "name", 4, 1, 2, 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

static Suite *
progress_suite(void)
{
	Suite *s = suite_create("progress");
	const struct {
		const char	*name;
		const TTest	*test;
	} cases[] = {
		{ "meter_first_samples", test_meter_first_samples },
		{ "meter_steady", test_meter_steady },
		{ "meter_wraps", test_meter_wraps },
		{ "meter_stall", test_meter_stall },
		{ "meter_window", test_meter_window },
		{ "meter_restart", test_meter_restart },
		{ "eta_unknown", test_eta_unknown },
		{ "eta_value", test_eta_value },
		{ "bar_empty", test_bar_empty },
		{ "bar_partial", test_bar_partial },
		{ "bar_full", test_bar_full },
		{ "bar_no_total", test_bar_no_total },
		{ "bar_tiny", test_bar_tiny },
		{ "percent", test_percent },
		{ "format_bytes", test_format_bytes },
		{ "format_rate", test_format_rate },
		{ "format_rate_short", test_format_rate_short },
		{ "format_eta", test_format_eta },
		{ "format_eta_short", test_format_eta_short },
		{ "line_known_total", test_line_known_total },
		{ "line_ends", test_line_ends },
		{ "line_unknown_total", test_line_unknown_total },
		{ "line_long_name", test_line_long_name },
		{ "line_short_buffer", test_line_short_buffer },
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
	SRunner *sr = srunner_create(progress_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
