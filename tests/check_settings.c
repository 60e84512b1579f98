/*
 * check_settings: burrow.conf (tui/settings.c): the defaults, every
 * setting read, a missing file changing nothing, and errors named by
 * file and line (syntax, unknown keys, wrong types, values out of range,
 * a word not in the list).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "tui/settings.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static char err[1024];
static char want[PATH_MAX + 256];
static struct settings st;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_settings.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/burrow.conf", dir);
	settings_defaults(&st);
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
load(const char *text)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
	settings_defaults(&st);
	return settings_load(&st, file, err, sizeof(err));
}

static void
error_is(unsigned line, const char *what)
{
	snprintf(want, sizeof(want), "%s:%u: %s", file, line, what);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got \"%s\", "
	    "want \"%s...\"", err, want);
}

START_TEST(test_defaults)
{
	ck_assert_int_eq(st.parallel, 4);
	ck_assert_int_eq(st.keepalive, 60);
	ck_assert_int_eq(st.timeout, 30);
	ck_assert_int_eq(st.confirm_delete, 1);
	ck_assert_int_eq(st.sort, PANE_SORT_NAME);
	ck_assert_int_eq(st.theme, THEME_DEFAULT);
	/* A missing file changes nothing. */
	ck_assert_int_eq(settings_load(&st, file, err, sizeof(err)), 0);
	ck_assert_int_eq(st.parallel, 4);
	ck_assert_int_eq(settings_load(&st, dir, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_read)
{
	ck_assert_int_eq(load("# mine\nparallel = 2;\nkeepalive = 0;\n"
	    "timeout = 5;\nconfirm_delete = false;\nsort = \"time\";\n"
	    "theme = \"mono\";\n"), 0);
	ck_assert_int_eq(st.parallel, 2);
	ck_assert_int_eq(st.keepalive, 0);
	ck_assert_int_eq(st.timeout, 5);
	ck_assert_int_eq(st.confirm_delete, 0);
	ck_assert_int_eq(st.sort, PANE_SORT_TIME);
	ck_assert_int_eq(st.theme, THEME_MONO);
	/* What the file leaves out keeps its default. */
	ck_assert_int_eq(load("sort = \"size\";\ntheme = \"dark\";\n"), 0);
	ck_assert_int_eq(st.sort, PANE_SORT_SIZE);
	ck_assert_int_eq(st.theme, THEME_DARK);
	ck_assert_int_eq(st.parallel, 4);
	ck_assert_int_eq(st.keepalive, 60);
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_int_eq(load("parallel = 2;\n\nparalel = 3;\n"), -1);
	error_is(3, "unknown setting \"paralel\"");
	ck_assert_int_eq(load("parallel = 17;\n"), -1);
	error_is(1, "parallel: 1 to 16");
	ck_assert_int_eq(load("\nkeepalive = -1;\n"), -1);
	error_is(2, "keepalive: 0 to 86400");
	ck_assert_int_eq(load("keepalive = \"60\";\n"), -1);
	error_is(1, "keepalive must be a number");
	ck_assert_int_eq(load("confirm_delete = 1;\n"), -1);
	error_is(1, "confirm_delete must be true or false");
	ck_assert_int_eq(load("sort = \"owner\";\n"), -1);
	error_is(1, "sort: \"owner\" is not one of \"name\", \"size\", "
	    "\"time\"");
	ck_assert_int_eq(load("theme = dark;\n"), -1);
	error_is(1, "syntax error");
	ck_assert_int_eq(load("theme = 3;\n"), -1);
	error_is(1, "theme must be one of \"default\", \"dark\", \"mono\"");
	ck_assert_int_eq(load("tls = { x = 1; };\n"), -1);
	error_is(1, "unknown setting \"tls\"");
}
END_TEST

START_TEST(test_default_file)
{
	char p[PATH_MAX];

	setenv("XDG_CONFIG_HOME", "/x", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(settings_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/burrow/burrow.conf");
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_int_eq(settings_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/u/.config/burrow/burrow.conf");
	unsetenv("HOME");
	ck_assert_int_eq(settings_default_file(p, sizeof(p)), -1);
}
END_TEST

static Suite *
settings_suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("settings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_default_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(settings_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
