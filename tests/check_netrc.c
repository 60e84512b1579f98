/*
 * check_netrc: the ~/.netrc reader (tui/netrc.c): its tokens, machine and
 * default entries, logins to match, macros skipped, curl's quoting,
 * entries with fields missing, errors named by file and line, and the
 * file's mode checked before it is read.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/netrc.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static char err[512];
static struct netrc_entry e;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_netrc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/netrc", dir);
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Looks host (and login) up in text. */
static int
parse(const char *text, const char *host, const char *login)
{
	return netrc_parse(text, strlen(text), "n", host, login, &e, err,
	    sizeof(err));
}

START_TEST(test_tokens)
{
	const char *t = "machine a.example login ann password pa\n"
	    "machine b.example\n\tlogin bob\n\tpassword pb\taccount acc\n";

	ck_assert_int_eq(parse(t, "b.example", NULL), 1);
	ck_assert_int_eq(e.have_login, 1);
	ck_assert_str_eq(e.login, "bob");
	ck_assert_str_eq(e.password, "pb");
	ck_assert_int_eq(e.have_account, 1);
	ck_assert_str_eq(e.account, "acc");
	ck_assert_int_eq(e.line, 2);
	ck_assert_int_eq(e.is_default, 0);
	/* Host names match without regard to case. */
	ck_assert_int_eq(parse(t, "A.EXAMPLE", NULL), 1);
	ck_assert_str_eq(e.login, "ann");
	ck_assert_int_eq(e.have_account, 0);
	/* Tokens on one line or many, in any order. */
	ck_assert_int_eq(parse("machine h password p login l", "h", NULL), 1);
	ck_assert_str_eq(e.login, "l");
	ck_assert_str_eq(e.password, "p");
	ck_assert_int_eq(parse(t, "c.example", NULL), 0);
	ck_assert_int_eq(e.have_password, 0);
	ck_assert_int_eq(parse("", "h", NULL), 0);
}
END_TEST

START_TEST(test_login_match)
{
	const char *t = "machine h login ann password pa\n"
	    "machine h login bob password pb\n"
	    "machine h password pany\n";

	ck_assert_int_eq(parse(t, "h", NULL), 1);
	ck_assert_str_eq(e.login, "ann");
	ck_assert_int_eq(parse(t, "h", "bob"), 1);
	ck_assert_str_eq(e.password, "pb");
	/* An entry without a login serves any login. */
	ck_assert_int_eq(parse(t, "h", "carl"), 1);
	ck_assert_int_eq(e.have_login, 0);
	ck_assert_str_eq(e.password, "pany");
	ck_assert_int_eq(parse("machine h login ann password pa", "h", "bob"),
	    0);
}
END_TEST

START_TEST(test_default)
{
	const char *t = "default login anonymous password me@here\n"
	    "machine h login ann password pa\n";

	/* A machine wins wherever the default is. */
	ck_assert_int_eq(parse(t, "h", NULL), 1);
	ck_assert_str_eq(e.login, "ann");
	ck_assert_int_eq(parse(t, "other", NULL), 1);
	ck_assert_int_eq(e.is_default, 1);
	ck_assert_int_eq(e.line, 1);
	ck_assert_str_eq(e.login, "anonymous");
	ck_assert_str_eq(e.password, "me@here");
	/* The default's login must fit too. */
	ck_assert_int_eq(parse(t, "other", "bob"), 0);
}
END_TEST

START_TEST(test_macdef)
{
	const char *t = "machine h login ann password pa\n"
	    "macdef init\n"
	    "machine evil login x password y\n"
	    "cd /pub\n"
	    "\n"
	    "machine evil2 login m password q\n";

	ck_assert_int_eq(parse(t, "h", NULL), 1);
	ck_assert_str_eq(e.password, "pa");
	/* What the macro says is not an entry. */
	ck_assert_int_eq(parse(t, "evil", NULL), 0);
	ck_assert_int_eq(parse(t, "evil2", NULL), 1);
	ck_assert_int_eq(e.line, 6);
	/* A macro running to the end of the file. */
	ck_assert_int_eq(parse("macdef m\nnot a word we know\n", "h", NULL),
	    0);
	/* An empty line made of blanks ends it too. */
	ck_assert_int_eq(parse("macdef m\nbye\n \t\nmachine h password p\n",
	    "h", NULL), 1);
}
END_TEST

START_TEST(test_quoted)
{
	ck_assert_int_eq(parse("machine h login \"a b\" password "
	    "\"x\\\"y\\\\z\\n\\tq\"\n", "h", NULL), 1);
	ck_assert_str_eq(e.login, "a b");
	ck_assert_str_eq(e.password, "x\"y\\z\n\tq");
	/* An escape of another byte is the byte. */
	ck_assert_int_eq(parse("machine h password \"\\a#\"", "h", NULL), 1);
	ck_assert_str_eq(e.password, "a#");
	ck_assert_int_eq(parse("machine h password \"\"", "h", NULL), 1);
	ck_assert_int_eq(e.have_password, 1);
	ck_assert_str_eq(e.password, "");
	/* '#' starts a comment only as a line's first word. */
	ck_assert_int_eq(parse("# a comment: machine h password no\n"
	    "  # another\nmachine h password #yes", "h", NULL), 1);
	ck_assert_str_eq(e.password, "#yes");
}
END_TEST

START_TEST(test_missing_fields)
{
	ck_assert_int_eq(parse("machine h\n", "h", NULL), 1);
	ck_assert_int_eq(e.have_login, 0);
	ck_assert_int_eq(e.have_password, 0);
	ck_assert_int_eq(parse("machine h login ann", "h", NULL), 1);
	ck_assert_str_eq(e.login, "ann");
	ck_assert_int_eq(e.have_password, 0);
}
END_TEST

START_TEST(test_errors)
{
	ck_assert_int_eq(parse("machine h\nlogin", "h", NULL), -1);
	ck_assert_str_eq(err, "n:2: \"login\" without a value after it");
	ck_assert_int_eq(e.have_login, 0);
	ck_assert_int_eq(parse("\n\nmachine", "h", NULL), -1);
	ck_assert_str_eq(err, "n:3: \"machine\" without a host name after "
	    "it");
	ck_assert_int_eq(parse("password p\n", "h", NULL), -1);
	ck_assert_str_eq(err, "n:1: \"password\" before any \"machine\" or "
	    "\"default\"");
	ck_assert_int_eq(parse("machine h login a\n port 21\n", "h", NULL),
	    -1);
	ck_assert_str_eq(err, "n:2: unknown word \"port\"");
	ck_assert_int_eq(parse("machine h\npassword \"open\n", "h", NULL),
	    -1);
	ck_assert_str_eq(err, "n:2: a quote (\") that is not closed on its "
	    "line");
	ck_assert_int_eq(parse("macdef\nx\n", "h", NULL), -1);
	ck_assert_str_eq(err, "n:1: \"macdef\" without a macro name on its "
	    "line");
	/* A mistake after the match is still one. */
	ck_assert_int_eq(parse("machine h password p\nmachine x log y\n", "h",
	    NULL), -1);
	ck_assert_str_eq(err, "n:2: unknown word \"log\"");
	ck_assert_int_eq(e.have_password, 0);
}
END_TEST

START_TEST(test_too_long)
{
	char t[NETRC_FIELD_MAX + 64];

	snprintf(t, sizeof(t), "machine h password %0*d", NETRC_FIELD_MAX, 0);
	ck_assert_int_eq(parse(t, "h", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "n:1: a word longer"));
}
END_TEST

static void
write_file(const char *text, mode_t mode)
{
	FILE *f;

	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(file, mode), 0);
}

START_TEST(test_lookup_file)
{
	write_file("machine h login ann password pa\n", 0600);
	ck_assert_int_eq(netrc_lookup(file, "h", NULL, &e, err, sizeof(err)),
	    1);
	ck_assert_str_eq(e.password, "pa");
	write_file("machine h\n login\n", 0400);
	ck_assert_int_eq(netrc_lookup(file, "h", NULL, &e, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "/netrc:2: \"login\""));
	unlink(file);
	ck_assert_int_eq(netrc_lookup(file, "h", NULL, &e, err, sizeof(err)),
	    0);
}
END_TEST

START_TEST(test_lookup_mode)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0620, 0602 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("machine h login ann password pa\n", bad[i]);
		ck_assert_int_eq(netrc_lookup(file, "h", NULL, &e, err,
		    sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "readable or writable by "
		    "others"));
		ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
		ck_assert_int_eq(e.have_password, 0);
	}
	ck_assert_int_eq(netrc_lookup(dir, "h", NULL, &e, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(test_default_file)
{
	char p[PATH_MAX];

	setenv("NETRC", "/x/n", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(netrc_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/n");
	unsetenv("NETRC");
	ck_assert_int_eq(netrc_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/u/.netrc");
	unsetenv("HOME");
	ck_assert_int_eq(netrc_default_file(p, sizeof(p)), -1);
}
END_TEST

static Suite *
netrc_suite(void)
{
	Suite *s = suite_create("netrc");
	TCase *tc = tcase_create("netrc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_login_match);
	tcase_add_test(tc, test_default);
	tcase_add_test(tc, test_macdef);
	tcase_add_test(tc, test_quoted);
	tcase_add_test(tc, test_missing_fields);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_lookup_file);
	tcase_add_test(tc, test_lookup_mode);
	tcase_add_test(tc, test_default_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(netrc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
