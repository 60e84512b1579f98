/*
 * check_recent: the recent servers list (tui/recent.c): newest first,
 * no repeats, at most RECENT_MAX, lines that are no address or hold a
 * password left out, a file written whole with mode 0600 and its folders
 * made 0700, and the XDG path.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/recent.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static char err[512];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_recent.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/state/burrow/recent", dir);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
write_file(const char *text)
{
	char d[PATH_MAX + 32];
	FILE *f;

	snprintf(d, sizeof(d), "%s/state", dir);
	mkdir(d, 0700);
	snprintf(d, sizeof(d), "%s/state/burrow", dir);
	mkdir(d, 0700);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
}

START_TEST(test_add_order)
{
	struct recent r = { 0 };
	char u[64];
	int i;

	ck_assert_int_eq(recent_add(&r, "ftp://a"), 0);
	ck_assert_int_eq(recent_add(&r, "ftp://b"), 0);
	ck_assert_int_eq(recent_add(&r, "ftp://a"), 0);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_str_eq(r.v[0], "ftp://a");
	ck_assert_str_eq(r.v[1], "ftp://b");
	for (i = 0; i < RECENT_MAX + 5; i++) {
		snprintf(u, sizeof(u), "ftp://h%d", i);
		ck_assert_int_eq(recent_add(&r, u), 0);
	}
	ck_assert_uint_eq(r.n, RECENT_MAX);
	snprintf(u, sizeof(u), "ftp://h%d", RECENT_MAX + 4);
	ck_assert_str_eq(r.v[0], u);
	snprintf(u, sizeof(u), "ftp://h%d", 5);
	ck_assert_str_eq(r.v[RECENT_MAX - 1], u);
	/* An old one again: first, and nothing else lost. */
	snprintf(u, sizeof(u), "ftp://h%d", 9);
	ck_assert_int_eq(recent_add(&r, u), 0);
	ck_assert_uint_eq(r.n, RECENT_MAX);
	ck_assert_str_eq(r.v[0], u);
	snprintf(u, sizeof(u), "ftp://h%d", 5);
	ck_assert_str_eq(r.v[RECENT_MAX - 1], u);
	recent_free(&r);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(test_missing_file)
{
	struct recent r = { 0 };

	ck_assert_int_eq(recent_load(&r, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(test_save_load)
{
	struct recent r = { 0 }, back = { 0 };
	struct stat st;
	char d[PATH_MAX + 32];

	recent_add(&r, "ftp://me@old:2121/pub");
	recent_add(&r, "ftps://me@new");
	ck_assert_int_eq(recent_save(&r, file, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/state/burrow", dir);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(recent_load(&back, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_str_eq(back.v[0], "ftps://me@new");
	ck_assert_str_eq(back.v[1], "ftp://me@old:2121/pub");
	/* Saved again over it: replaced, not appended. */
	recent_free(&r);
	recent_add(&r, "ftp://only");
	ck_assert_int_eq(recent_save(&r, file, err, sizeof(err)), 0);
	ck_assert_int_eq(recent_load(&back, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.n, 1);
	ck_assert_str_eq(back.v[0], "ftp://only");
	recent_free(&r);
	recent_free(&back);
}
END_TEST

START_TEST(test_bad_lines)
{
	struct recent r = { 0 };
	char big[RECENT_LINE_MAX + 100];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "ftp://", 6);
	write_file("ftp://good\n"
	    "\n"
	    "not an address\n"
	    "ftp://u:secret@withpass\n"
	    "http://other\n"
	    "ftp://good\n");
	{
		FILE *f = fopen(file, "a");

		fprintf(f, "%s\nftps://after-long\nftp://no-newline", big);
		fclose(f);
	}
	ck_assert_int_eq(recent_load(&r, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.n, 3);
	ck_assert_str_eq(r.v[0], "ftp://good");
	ck_assert_str_eq(r.v[1], "ftps://after-long");
	ck_assert_str_eq(r.v[2], "ftp://no-newline");
	recent_free(&r);
}
END_TEST

START_TEST(test_unreadable)
{
	struct recent r = { 0 };

	/* A folder where the file should be cannot be read as a list. */
	snprintf(file, sizeof(file), "%s", dir);
	ck_assert_int_eq(recent_load(&r, file, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, dir));
	ck_assert_uint_eq(r.n, 0);
}
END_TEST

START_TEST(test_default_file)
{
	char p[256];

	setenv("XDG_STATE_HOME", "/x/state", 1);
	ck_assert_int_eq(recent_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/state/burrow/recent");
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(recent_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/u/.local/state/burrow/recent");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(recent_default_file(p, sizeof(p)), -1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(recent_default_file(p, 10), -1);
}
END_TEST

static Suite *
recent_suite(void)
{
	Suite *s = suite_create("recent");
	TCase *tc = tcase_create("recent");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_order);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_bad_lines);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_default_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(recent_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
