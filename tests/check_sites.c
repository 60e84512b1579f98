/*
 * check_sites: the saved sites (tui/sites.c): every setting read, a
 * missing file an empty list, errors named by file and line (syntax,
 * unknown keys, wrong types, values out of range, a URL with a password,
 * a site without a name or URL, two sites of one name), a list written
 * back 0600 and read the same, the address a site logs in to, and the
 * XDG path.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/sites.h"
#include "tui/url.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static char err[1024];
static char want[PATH_MAX + 256];
static struct sites s;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_sites.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/sites.conf", dir);
	memset(&s, 0, sizeof(s));
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	sites_free(&s);
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
	return sites_load(&s, file, err, sizeof(err));
}

/* err is "file:line: " and then starts with what. */
static void
error_is(unsigned line, const char *what)
{
	snprintf(want, sizeof(want), "%s:%u: %s", file, line, what);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got \"%s\", "
	    "want \"%s...\"", err, want);
	ck_assert_uint_eq(s.n, 0);
}

START_TEST(test_read)
{
	ck_assert_int_eq(load("# mine\nsites = (\n"
	    "  { name = \"work\"; url = \"ftps://ftp.example.org\";\n"
	    "    user = \"harry\"; remote_dir = \"/pub\";\n"
	    "    local_dir = \"~/dl\"; parallel = 2; },\n"
	    "  { name = \"mirror two\"; url = \"ftp://m.example.net:2121/x\";\n"
	    "    tls = true; cafile = \"/etc/ca.pem\"; }\n);\n"), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.v[0].name, "work");
	ck_assert_str_eq(s.v[0].url, "ftps://ftp.example.org");
	ck_assert_str_eq(s.v[0].user, "harry");
	ck_assert_str_eq(s.v[0].remote_dir, "/pub");
	ck_assert_str_eq(s.v[0].local_dir, "~/dl");
	ck_assert_uint_eq(s.v[0].parallel, 2);
	ck_assert_int_eq(s.v[0].tls, 0);
	ck_assert_uint_eq(s.v[0].line, 3);
	ck_assert_str_eq(s.v[1].name, "mirror two");
	ck_assert_int_eq(s.v[1].tls, 1);
	ck_assert_str_eq(s.v[1].cafile, "/etc/ca.pem");
	ck_assert_uint_eq(s.v[1].parallel, 0);
	ck_assert_uint_eq(s.v[1].line, 6);
	ck_assert_ptr_eq(sites_find(&s, "mirror two"), &s.v[1]);
	ck_assert_ptr_null(sites_find(&s, "Work"));
	sites_names(&s, err, sizeof(err));
	ck_assert_str_eq(err, "work, mirror two");
	/* Empty lists, and none. */
	ck_assert_int_eq(load("sites = ();\n"), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(load("sites = [];\n"), 0);
	ck_assert_int_eq(load("# nothing yet\n"), 0);
	sites_names(&s, err, sizeof(err));
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_missing_file)
{
	ck_assert_int_eq(sites_load(&s, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 0);
	/* A folder is no file. */
	ck_assert_int_eq(sites_load(&s, dir, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_syntax_error)
{
	ck_assert_int_eq(load("sites = (\n  { name = = \"a\"; url = \"ftp://h\"; "
	    "}\n);\n"), -1);
	error_is(2, "syntax error");
}
END_TEST

START_TEST(test_unknown_keys)
{
	ck_assert_int_eq(load("sites = (\n  { name = \"a\";\n    url = "
	    "\"ftp://h\";\n    pasword = \"x\"; }\n);\n"), -1);
	error_is(4, "unknown setting \"pasword\" in a site");
	ck_assert_int_eq(load("sites = ();\nparallel = 3;\n"), -1);
	error_is(2, "unknown setting \"parallel\"");
	/* passive/active is no setting: burrow has passive mode only. */
	ck_assert_int_eq(load("sites = ( { name = \"a\"; url = \"ftp://h\";\n"
	    "  passive = false; } );\n"), -1);
	error_is(2, "unknown setting \"passive\"");
}
END_TEST

START_TEST(test_bad_values)
{
	ck_assert_int_eq(load("sites = ( { name = \"a\";\n url = 5; } );\n"),
	    -1);
	error_is(2, "url must be a string");
	ck_assert_int_eq(load("sites = ( { name = \"a\"; url = \"ftp://h\";\n"
	    " tls = \"yes\"; } );\n"), -1);
	error_is(2, "tls must be true or false");
	ck_assert_int_eq(load("sites = ( { name = \"a\"; url = \"ftp://h\";\n"
	    "\n parallel = 17; } );\n"), -1);
	error_is(3, "parallel: 1 to 16");
	ck_assert_int_eq(load("sites = ( { name = \"a\";\n url = "
	    "\"http://h\"; } );\n"), -1);
	error_is(2, "url: ");
	ck_assert_int_eq(load("sites = ( { name = \"a\";\n url = "
	    "\"ftp://u:secret@h\"; } );\n"), -1);
	error_is(2, "url: passwords are not kept in sites.conf");
	ck_assert_int_eq(load("sites = ( { name = \"ftp://x\"; url = "
	    "\"ftp://h\"; } );\n"), -1);
	error_is(1, "\"ftp://x\" is not a usable site name");
	ck_assert_int_eq(load("sites = ( 5 );\n"), -1);
	error_is(1, "site 1 must be a group");
	ck_assert_int_eq(load("sites = { name = \"a\"; };\n"), -1);
	error_is(1, "sites must be a list");
}
END_TEST

START_TEST(test_missing_fields)
{
	ck_assert_int_eq(load("sites = (\n { url = \"ftp://h\"; } );\n"), -1);
	error_is(2, "a site needs a name");
	ck_assert_int_eq(load("sites = (\n { name = \"a\"; },\n"
	    " { name = \"b\"; url = \"ftp://h\"; } );\n"), -1);
	error_is(2, "site \"a\" has no url");
}
END_TEST

START_TEST(test_duplicate_names)
{
	ck_assert_int_eq(load("sites = (\n { name = \"a\"; url = \"ftp://h\"; "
	    "},\n { name = \"b\"; url = \"ftp://h\"; },\n\n { name = \"a\"; "
	    "url = \"ftp://g\"; } );\n"), -1);
	error_is(5, "a second site named \"a\" (the first is on line 2)");
}
END_TEST

START_TEST(test_save_load)
{
	struct site a, b;
	struct stat st;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "q\"uote\\d");
	snprintf(a.url, sizeof(a.url), "ftp://h:2121");
	snprintf(a.user, sizeof(a.user), "harry");
	snprintf(a.remote_dir, sizeof(a.remote_dir), "/pub/a b");
	a.tls = 1;
	a.parallel = 3;
	ck_assert_int_eq(sites_put(&s, &a, SITES_NEW, err, sizeof(err)), 0);
	b = a;
	ck_assert_int_eq(sites_put(&s, &b, SITES_NEW, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "there is a site named \"q\"uote\\d\" already");
	snprintf(b.name, sizeof(b.name), "plain");
	b.tls = 0;
	b.parallel = 0;
	b.remote_dir[0] = '\0';
	snprintf(b.local_dir, sizeof(b.local_dir), "~/x");
	ck_assert_int_eq(sites_put(&s, &b, SITES_NEW, err, sizeof(err)), 0);
	/* Replacing one in place may keep its own name. */
	ck_assert_int_eq(sites_put(&s, &b, 1, err, sizeof(err)), 0);
	snprintf(b.url, sizeof(b.url), "ftp://u:pw@h");
	ck_assert_int_eq(sites_put(&s, &b, 1, err, sizeof(err)), -1);
	snprintf(file, sizeof(file), "%s/c/burrow/sites.conf", dir);
	ck_assert_int_eq(sites_save(&s, file, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	sites_free(&s);
	ck_assert_int_eq(sites_load(&s, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.v[0].name, "q\"uote\\d");
	ck_assert_str_eq(s.v[0].remote_dir, "/pub/a b");
	ck_assert_int_eq(s.v[0].tls, 1);
	ck_assert_uint_eq(s.v[0].parallel, 3);
	ck_assert_str_eq(s.v[1].local_dir, "~/x");
	sites_remove(&s, 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.v[0].name, "plain");
	ck_assert_int_eq(sites_save(&s, file, err, sizeof(err)), 0);
	ck_assert_int_eq(sites_load(&s, file, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 1);
}
END_TEST

START_TEST(test_url)
{
	struct url u;
	char p[PATH_MAX];

	ck_assert_int_eq(load("sites = (\n { name = \"a\"; url = "
	    "\"ftp://ann@h:2121/x\"; },\n { name = \"b\"; url = \"ftp://h/x\"; "
	    "user = \"bob\"; remote_dir = \"/abs\"; local_dir = \"~/l\"; } );\n"),
	    0);
	ck_assert_int_eq(sites_url(&s.v[0], &u, err, sizeof(err)), 0);
	ck_assert_str_eq(u.user, "ann");
	ck_assert_int_eq(u.port, 2121);
	ck_assert_str_eq(u.path, "x");
	ck_assert_int_eq(sites_url(&s.v[1], &u, err, sizeof(err)), 0);
	ck_assert_int_eq(u.have_user, 1);
	ck_assert_str_eq(u.user, "bob");
	ck_assert_str_eq(u.path, "/abs");
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(sites_local_dir(&s.v[1], p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/u/l");
	ck_assert_int_eq(sites_local_dir(&s.v[0], p, sizeof(p)), 0);
	ck_assert_str_eq(p, "");
}
END_TEST

START_TEST(test_default_file)
{
	char p[PATH_MAX];

	setenv("XDG_CONFIG_HOME", "/x", 1);
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(sites_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/burrow/sites.conf");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	ck_assert_int_eq(sites_default_file(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/u/.config/burrow/sites.conf");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(sites_default_file(p, sizeof(p)), -1);
}
END_TEST

static Suite *
sites_suite(void)
{
	Suite *su = suite_create("sites");
	TCase *tc = tcase_create("sites");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_missing_fields);
	tcase_add_test(tc, test_duplicate_names);
	tcase_add_test(tc, test_save_load);
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_default_file);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	SRunner *sr = srunner_create(sites_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
