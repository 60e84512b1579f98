/*
 * check_text: what names become on the screen (tui/text.c): sanitizing,
 * cutting by columns with wide characters, and editing a typed line.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <check.h>

#include "tui/text.h"

static wchar_t out[64];

static void
utf8(void)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

START_TEST(test_fit_plain)
{
	utf8();
	ck_assert_int_eq(text_fit("abc", 10, out, 64), 3);
	ck_assert(wcscmp(out, L"abc") == 0);
	ck_assert_int_eq(text_fit("", 10, out, 64), 0);
	ck_assert(wcscmp(out, L"") == 0);
}
END_TEST

START_TEST(test_fit_cut)
{
	utf8();
	ck_assert_int_eq(text_fit("abcdefgh", 5, out, 64), 5);
	ck_assert(wcscmp(out, L"abcd~") == 0);
	/* Exactly fitting: not cut. */
	ck_assert_int_eq(text_fit("abcde", 5, out, 64), 5);
	ck_assert(wcscmp(out, L"abcde") == 0);
	/* Width 1: no room for the mark. */
	ck_assert_int_eq(text_fit("abc", 1, out, 64), 1);
	ck_assert(wcscmp(out, L"a") == 0);
	ck_assert_int_eq(text_fit("abc", 0, out, 64), 0);
	/* The output buffer bounds it too. */
	ck_assert_int_eq(text_fit("abcdef", 10, out, 3), 2);
	ck_assert(wcscmp(out, L"ab") == 0);
}
END_TEST

/* A long name is cut in its middle: its end (the extension) stays. */
START_TEST(test_fit_middle)
{
	utf8();
	ck_assert_int_eq(text_fit_middle("short.txt", 20, out, 64), 9);
	ck_assert(wcscmp(out, L"short.txt") == 0);
	ck_assert_int_eq(text_fit_middle("a-very-long-report-v2.txt", 15, out,
	    64), 15);
	ck_assert(wcscmp(out, L"a-very-~-v2.txt") == 0);
	ck_assert_int_eq(text_fit_middle("abcdefghij", 9, out, 64), 9);
	ck_assert(wcscmp(out, L"abcd~ghij") == 0);
	/* A wide character is never split; the columns are counted. */
	ck_assert_int_eq(text_fit_middle("\xe6\x97\xa5\xe6\x9c\xac\xe8"
	    "\xaa\x9e\xe6\x96\x87\xe5\xad\x97.txt", 10, out, 64), 9);
	ck_assert(wcscmp(out, L"\x65e5\x672c~.txt") == 0);
	/* Control bytes still show as '?'; narrow widths cut at the end. */
	ck_assert_int_eq(text_fit_middle("a\x01" "bcdefghi.txt", 9, out, 64), 9);
	ck_assert(wcscmp(out, L"a?bc~.txt") == 0);
	ck_assert_int_eq(text_fit_middle("abcdef", 3, out, 64), 3);
	ck_assert(wcscmp(out, L"ab~") == 0);
	/* The output buffer bounds it. */
	ck_assert_int_lt(text_fit_middle("abcdefghijkl", 9, out, 4), 4);
}
END_TEST

START_TEST(test_fit_controls_and_bad_bytes)
{
	utf8();
	ck_assert_int_eq(text_fit("bad\x01name", 20, out, 64), 8);
	ck_assert(wcscmp(out, L"bad?name") == 0);
	ck_assert_int_eq(text_fit("a\x1b[2Jb", 20, out, 64), 6);
	ck_assert(wcscmp(out, L"a?[2Jb") == 0);
	/* A lone continuation byte and a cut sequence. */
	ck_assert_int_eq(text_fit("x\x80y\xc3", 20, out, 64), 4);
	ck_assert(wcscmp(out, L"x?y?") == 0);
	/* C1 controls (U+009B is a CSI on some terminals). */
	ck_assert_int_eq(text_fit("a\xc2\x9b" "b", 20, out, 64), 3);
	ck_assert(wcscmp(out, L"a?b") == 0);
}
END_TEST

START_TEST(test_fit_wide)
{
	utf8();
	/* "été": three columns; a CJK name: two per character. */
	ck_assert_int_eq(text_width("\xc3\xa9t\xc3\xa9"), 3);
	ck_assert_int_eq(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	ck_assert_int_eq(text_fit("\xc3\xa9t\xc3\xa9", 3, out, 64), 3);
	ck_assert(wcscmp(out, L"\u00e9t\u00e9") == 0);
	/* Six columns in five: two characters and the mark. */
	ck_assert_int_eq(text_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5,
	    out, 64), 5);
	ck_assert(wcscmp(out, L"\u65e5\u672c~") == 0);
	/* In four: a wide character never straddles the mark. */
	ck_assert_int_eq(text_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4,
	    out, 64), 3);
	ck_assert(wcscmp(out, L"\u65e5~") == 0);
}
END_TEST

START_TEST(test_backspace)
{
	char b[32];

	utf8();
	strcpy(b, "a\xc3\xa9");
	ck_assert_int_eq(text_backspace(b), 1);
	ck_assert_str_eq(b, "a");
	ck_assert_int_eq(text_backspace(b), 1);
	ck_assert_str_eq(b, "");
	ck_assert_int_eq(text_backspace(b), 0);
	/* A stray byte goes alone. */
	strcpy(b, "ab\x80");
	ck_assert_int_eq(text_backspace(b), 1);
	ck_assert_str_eq(b, "ab");
	strcpy(b, "x\xe6\x97\xa5");
	text_backspace(b);
	ck_assert_str_eq(b, "x");
}
END_TEST

START_TEST(test_append)
{
	char b[5] = "";

	utf8();
	ck_assert_int_eq(text_append(b, sizeof(b), L'a'), 0);
	ck_assert_int_eq(text_append(b, sizeof(b), L'\u00e9'), 0);
	ck_assert_str_eq(b, "a\xc3\xa9");
	ck_assert_int_eq(text_append(b, sizeof(b), L'b'), 0);
	/* Full: 4 bytes and the NUL. */
	ck_assert_int_eq(text_append(b, sizeof(b), L'c'), -1);
	ck_assert_str_eq(b, "a\xc3\xa9" "b");
}
END_TEST

START_TEST(test_rows)
{
	/* "é" (2 bytes) and "日" (3 bytes, 2 columns) */
	const char *wide = "ab\xe6\x97\xa5" "cd";

	utf8();
	ck_assert_uint_eq(text_row("", 4), 0);
	ck_assert_int_eq(text_rows("", 4), 1);
	ck_assert_uint_eq(text_row("abcdef", 4), 4);
	ck_assert_uint_eq(text_row("abc", 4), 3);
	ck_assert_int_eq(text_rows("abcdefgh", 4), 2);
	ck_assert_int_eq(text_rows("abcdefghi", 4), 3);
	ck_assert_int_eq(text_rows("abcd", 4), 1);
	/* A wide character that does not fit goes to the next row whole. */
	ck_assert_uint_eq(text_row(wide, 3), 2);
	ck_assert_uint_eq(text_row(wide + 2, 3), 4);
	ck_assert_int_eq(text_rows(wide, 3), 3);	/* ab, 日c, d */
	/* One too wide for the row still makes progress. */
	ck_assert_uint_eq(text_row("\xe6\x97\xa5", 1), 3);
	/* A UTF-8 sequence is never split; a stray byte counts as one. */
	ck_assert_uint_eq(text_row("a\xc3\xa9" "b", 2), 3);
	ck_assert_uint_eq(text_row("\xff\xfe" "ab", 2), 2);
}
END_TEST

static Suite *
text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc;

	tc = tcase_create("fit_plain"); tcase_add_test(tc, test_fit_plain);
	suite_add_tcase(s, tc);
	tc = tcase_create("fit_cut"); tcase_add_test(tc, test_fit_cut);
	suite_add_tcase(s, tc);
	tc = tcase_create("fit_middle"); tcase_add_test(tc, test_fit_middle);
	suite_add_tcase(s, tc);
	tc = tcase_create("fit_controls");
	tcase_add_test(tc, test_fit_controls_and_bad_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("fit_wide"); tcase_add_test(tc, test_fit_wide);
	suite_add_tcase(s, tc);
	tc = tcase_create("backspace"); tcase_add_test(tc, test_backspace);
	suite_add_tcase(s, tc);
	tc = tcase_create("append"); tcase_add_test(tc, test_append);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows"); tcase_add_test(tc, test_rows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
