/*
 * check_xlog: the transfer log (tui/xlog.c): the line's wording, control
 * bytes, the bound on lines kept with failures kept longest, copies with
 * and without the failures-only filter, and adds from several threads.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "tui/xlog.h"

static struct xlog l;

static void
setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	xlog_init(&l, 4);
}

static void
teardown(void)
{
	xlog_free(&l);
}

START_TEST(test_line_wording)
{
	struct xlog_line *v;
	time_t t = 3600 + 2 * 60 + 3;	/* 01:02:03 UTC */

	ck_assert_int_eq(xlog_add(&l, t, XLOG_FAILED, 1, "/l/a.txt",
	    "/r/a.txt", "552 quota exceeded"), 0);
	ck_assert_int_eq(xlog_add(&l, t, XLOG_DONE, 0, "/r/b", "/l/b",
	    "verified by SHA-256"), 0);
	ck_assert_int_eq(xlog_add(&l, t, XLOG_SKIPPED, 0, "/r/c", "/l/c",
	    NULL), 0);
	ck_assert_int_eq(xlog_copy(&l, 0, &v), 3);
	ck_assert_str_eq(v[0].text, "01:02:03 up   FAIL /l/a.txt -> "
	    "/r/a.txt: 552 quota exceeded");
	ck_assert_int_eq(v[0].kind, XLOG_FAILED);
	ck_assert_str_eq(v[1].text, "01:02:03 down ok   /r/b -> /l/b: "
	    "verified by SHA-256");
	ck_assert_str_eq(v[2].text, "01:02:03 down skip /r/c -> /l/c");
	xlog_lines_free(v, 3);
}
END_TEST

START_TEST(test_control_bytes)
{
	struct xlog_line *v;

	ck_assert_int_eq(xlog_add(&l, 0, XLOG_FAILED, 0, "/r/a\033[2Jb",
	    "/l/a\nb", "bad\r\x7f"), 0);
	ck_assert_int_eq(xlog_copy(&l, 0, &v), 1);
	ck_assert_ptr_null(strpbrk(v[0].text, "\033\n\r\x7f"));
	ck_assert_ptr_nonnull(strstr(v[0].text, "/r/a?[2Jb -> /l/a?b: bad??"));
	xlog_lines_free(v, 1);
}
END_TEST

START_TEST(test_failures_kept_longest)
{
	struct xlog_line *v;
	unsigned long added, failed;
	char name[16];
	int i;

	/* cap 4: F1 ok1 F2 ok2, then ok3 drops ok1, ok4 drops ok2 ... */
	xlog_add(&l, 0, XLOG_FAILED, 0, "F1", "x", "why1");
	xlog_add(&l, 0, XLOG_DONE, 0, "ok1", "x", NULL);
	xlog_add(&l, 0, XLOG_FAILED, 0, "F2", "x", "why2");
	for (i = 2; i <= 9; i++) {
		snprintf(name, sizeof(name), "ok%d", i);
		xlog_add(&l, 0, XLOG_DONE, 0, name, "x", NULL);
	}
	ck_assert_int_eq(xlog_copy(&l, 0, &v), 4);
	ck_assert_ptr_nonnull(strstr(v[0].text, "F1 -> x: why1"));
	ck_assert_ptr_nonnull(strstr(v[1].text, "F2 -> x: why2"));
	ck_assert_ptr_nonnull(strstr(v[2].text, " ok8 "));
	ck_assert_ptr_nonnull(strstr(v[3].text, " ok9 "));
	xlog_lines_free(v, 4);
	ck_assert_int_eq(xlog_copy(&l, 1, &v), 2);
	ck_assert_ptr_nonnull(strstr(v[1].text, "F2"));
	xlog_lines_free(v, 2);
	xlog_counts(&l, &added, &failed);
	ck_assert_uint_eq(added, 11);
	ck_assert_uint_eq(failed, 2);
	ck_assert_uint_eq(l.dropped, 7);
	/* Only failures left to drop: the oldest goes. */
	for (i = 3; i <= 7; i++)
		xlog_add(&l, 0, XLOG_FAILED, 0, "Fn", "x", NULL);
	ck_assert_int_eq(xlog_copy(&l, 1, &v), 4);
	ck_assert_ptr_nonnull(strstr(v[0].text, " Fn "));
	xlog_lines_free(v, 4);
}
END_TEST

START_TEST(test_empty)
{
	struct xlog_line *v = (struct xlog_line *)&l;

	ck_assert_int_eq(xlog_copy(&l, 0, &v), 0);
	ck_assert_ptr_null(v);
	xlog_add(&l, 0, XLOG_DONE, 0, "a", "b", NULL);
	ck_assert_int_eq(xlog_copy(&l, 1, &v), 0);
	xlog_lines_free(v, 0);
}
END_TEST

static void *
adder(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 500; i++)
		xlog_add(&l, 0, i % 3 == 0 ? XLOG_FAILED : XLOG_DONE, 1, "s",
		    "d", "m");
	return NULL;
}

START_TEST(test_threads)
{
	struct xlog_line *v;
	pthread_t t[4];
	unsigned long added, failed;
	long n;
	int i;

	xlog_free(&l);
	xlog_init(&l, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, adder, NULL), 0);
	for (i = 0; i < 50; i++) {
		n = xlog_copy(&l, 0, &v);
		ck_assert_int_ge(n, 0);
		xlog_lines_free(v, (size_t)n);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	xlog_counts(&l, &added, &failed);
	ck_assert_uint_eq(added, 2000);
	ck_assert_uint_eq(failed, 4 * 167);
	ck_assert_int_eq(xlog_copy(&l, 0, &v), XLOG_MAX);
	xlog_lines_free(v, XLOG_MAX);
}
END_TEST

static Suite *
xlog_suite(void)
{
	Suite *s = suite_create("xlog");
	TCase *tc = tcase_create("xlog");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_line_wording);
	tcase_add_test(tc, test_control_bytes);
	tcase_add_test(tc, test_failures_kept_longest);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(xlog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
