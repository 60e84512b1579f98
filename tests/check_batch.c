/*
 * check_batch: unit tests for the pure parts of the client's command
 * handling: batch mode's word splitting (tui/batch.c), its wildcards
 * (tui/wild.c) and the quoted path of a 257 reply (tui/ftp.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/batch.h"
#include "tui/ftp.h"
#include "tui/wild.h"

static char *argv[BATCH_ARGS_MAX];
static char buf[256];
static const char *why;

static int
split(const char *line)
{
	why = NULL;
	return batch_split(line, argv, BATCH_ARGS_MAX, buf, sizeof(buf), &why);
}

START_TEST(test_split_plain)
{
	ck_assert_int_eq(split("get  a.txt\tb.txt\n"), 3);
	ck_assert_str_eq(argv[0], "get");
	ck_assert_str_eq(argv[1], "a.txt");
	ck_assert_str_eq(argv[2], "b.txt");
	ck_assert_int_eq(split(""), 0);
	ck_assert_int_eq(split("   \t \r\n"), 0);
}
END_TEST

START_TEST(test_split_quotes)
{
	ck_assert_int_eq(split("put \"my file.txt\" 'it''s'"), 3);
	ck_assert_str_eq(argv[1], "my file.txt");
	ck_assert_str_eq(argv[2], "its");
	ck_assert_int_eq(split("cd a\" b\"c"), 2);
	ck_assert_str_eq(argv[1], "a bc");
	ck_assert_int_eq(split("rm \"\""), 2);
	ck_assert_str_eq(argv[1], "");
	/* Inside double quotes a backslash keeps '"'; single quotes keep
	 * everything. */
	ck_assert_int_eq(split("rm \"a\\\"b\" 'c\\d'"), 3);
	ck_assert_str_eq(argv[1], "a\"b");
	ck_assert_str_eq(argv[2], "c\\d");
}
END_TEST

START_TEST(test_split_backslash)
{
	ck_assert_int_eq(split("get a\\ b c\\\\d"), 3);
	ck_assert_str_eq(argv[1], "a b");
	ck_assert_str_eq(argv[2], "c\\d");
	ck_assert_int_eq(split("get a\\"), -1);
	ck_assert_str_eq(why, "backslash at the end");
}
END_TEST

START_TEST(test_split_errors)
{
	char small[4];

	ck_assert_int_eq(split("mkdir \"open"), -1);
	ck_assert_str_eq(why, "unclosed quote");
	ck_assert_int_eq(split("a b c d e f g h i"), -1);
	ck_assert_str_eq(why, "too many words");
	ck_assert_int_eq(split("a b c d e f g h"), 8);
	ck_assert_int_eq(batch_split("abcd", argv, 8, small, sizeof(small),
	    &why), -1);
	ck_assert_str_eq(why, "line too long");
	ck_assert_int_eq(batch_split("ab c", argv, 8, small, sizeof(small),
	    &why), -1);
	ck_assert_int_eq(batch_split("abc", argv, 8, small, sizeof(small),
	    &why), 1);
	ck_assert_str_eq(argv[0], "abc");
}
END_TEST

START_TEST(test_split_utf8)
{
	ck_assert_int_eq(split("get \"caf\xc3\xa9 \xe2\x82\xac.txt\""), 2);
	ck_assert_str_eq(argv[1], "caf\xc3\xa9 \xe2\x82\xac.txt");
}
END_TEST

START_TEST(test_wild_has)
{
	ck_assert(wild_has("*.txt"));
	ck_assert(wild_has("a?c"));
	ck_assert(wild_has("x[0-9]"));
	ck_assert(wild_has("logs/app*.log"));
	ck_assert(!wild_has("plain.txt"));
	ck_assert(!wild_has("a]b{c}!"));
	ck_assert(!wild_has(""));
}
END_TEST

START_TEST(test_wild_split)
{
	char d[16], b[16];

	ck_assert_int_eq(wild_split("*.txt", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "");
	ck_assert_str_eq(b, "*.txt");
	ck_assert_int_eq(wild_split("logs/a*", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "logs");
	ck_assert_str_eq(b, "a*");
	ck_assert_int_eq(wild_split("/x?", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "/");
	ck_assert_str_eq(b, "x?");
	ck_assert_int_eq(wild_split("a//b/c*//", d, sizeof(d), b, sizeof(b)),
	    0);
	ck_assert_str_eq(d, "a//b");
	ck_assert_str_eq(b, "c*");
	/* wildcards before the last part are the caller's to refuse */
	ck_assert_int_eq(wild_split("*/x", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "*");
	ck_assert(wild_has(d));
	ck_assert_int_eq(wild_split("", d, sizeof(d), b, sizeof(b)), -1);
	ck_assert_int_eq(wild_split("/", d, sizeof(d), b, sizeof(b)), -1);
	ck_assert_int_eq(wild_split("abcdefghijklmnop*", d, sizeof(d), b,
	    sizeof(b)), -1);
	ck_assert_int_eq(wild_split("abcdefghijklmnop/*", d, sizeof(d), b,
	    sizeof(b)), -1);
}
END_TEST

START_TEST(test_wild_match)
{
	ck_assert(wild_match("*.txt", "a.txt"));
	ck_assert(wild_match("*.txt", "my file.txt"));
	ck_assert(!wild_match("*.txt", "a.txt.bak"));
	ck_assert(wild_match("a?c", "abc"));
	ck_assert(!wild_match("a?c", "ac"));
	ck_assert(wild_match("f[0-9]", "f7"));
	ck_assert(!wild_match("f[!0-9]", "f7"));
	ck_assert(wild_match("f[!0-9]", "fx"));
	/* a leading dot only by a dot in the pattern, like the shell */
	ck_assert(!wild_match("*", ".hidden"));
	ck_assert(!wild_match("*.txt", ".secret.txt"));
	ck_assert(!wild_match("?hidden", ".hidden"));
	ck_assert(!wild_match("[.]hidden", ".hidden"));
	ck_assert(wild_match(".*", ".hidden"));
	ck_assert(wild_match("*", "a.b"));
	/* never the folder itself or its parent */
	ck_assert(!wild_match(".*", "."));
	ck_assert(!wild_match(".*", ".."));
	/* a backslash that reaches the pattern takes a '*' as it is */
	ck_assert(wild_match("a\\*", "a*"));
	ck_assert(!wild_match("a\\*", "ab"));
}
END_TEST

static void
entries(struct listing_entry *v, const char *const *names, size_t n)
{
	size_t i;

	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++)
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
}

START_TEST(test_wild_select)
{
	static const char *const names[] = { "b.txt", ".h.txt", "c.log",
	    "a b.txt", "a.txt", "B.txt" };
	struct listing_entry *v;
	size_t n = sizeof(names) / sizeof(names[0]);

	v = calloc(n, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	entries(v, names, n);
	v[4].type = LISTING_DIR;
	v[4].size = 42;
	ck_assert_uint_eq(wild_select("*.txt", v, n), 4);
	/* name order (bytes: upper case first), the dot-file left out,
	 * each entry moved whole */
	ck_assert_str_eq(v[0].name, "B.txt");
	ck_assert_str_eq(v[1].name, "a b.txt");
	ck_assert_str_eq(v[2].name, "a.txt");
	ck_assert_int_eq(v[2].type, LISTING_DIR);
	ck_assert_uint_eq(v[2].size, 42);
	ck_assert_str_eq(v[3].name, "b.txt");
	entries(v, names, n);
	ck_assert_uint_eq(wild_select("*.zip", v, n), 0);
	ck_assert_uint_eq(wild_select("c.*", v, n), 1);
	ck_assert_str_eq(v[0].name, "c.log");
	ck_assert_uint_eq(wild_select("*", v, 0), 0);
	free(v);
}
END_TEST

START_TEST(test_257)
{
	char p[64];

	ck_assert_int_eq(ftp_parse_257("257 \"/home/harry\" is current", p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/harry");
	ck_assert_int_eq(ftp_parse_257("257 \"/a \"\"quoted\"\" dir\" ok", p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/a \"quoted\" dir");
	ck_assert_int_eq(ftp_parse_257("257 \"/\"", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/");
	ck_assert_int_eq(ftp_parse_257("257 \"\"", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "");
	ck_assert_int_eq(ftp_parse_257("257 no quotes", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/unclosed", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/x\nmore\"", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/toolong\"", p, 4), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"abc\"", p, 4), 0);
	ck_assert_str_eq(p, "abc");
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, test_split_plain);
	tcase_add_test(tc, test_split_quotes);
	tcase_add_test(tc, test_split_backslash);
	tcase_add_test(tc, test_split_errors);
	tcase_add_test(tc, test_split_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("wild");
	tcase_add_test(tc, test_wild_has);
	tcase_add_test(tc, test_wild_split);
	tcase_add_test(tc, test_wild_match);
	tcase_add_test(tc, test_wild_select);
	suite_add_tcase(s, tc);
	tc = tcase_create("reply257");
	tcase_add_test(tc, test_257);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(batch_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
