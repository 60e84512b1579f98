/*
 * check_batch: unit tests for the pure parts of the client's command
 * handling: batch mode's word splitting (tui/batch.c) and the quoted path
 * of a 257 reply (tui/ftp.c).
 */
#include "config.h"

#include <string.h>

#include <check.h>

#include "tui/batch.h"
#include "tui/ftp.h"

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
