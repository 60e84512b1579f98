/*
 * check_dialog: the full-screen client's dialog model (tui/dialog.c) and
 * its key map (tui/keys.c): typing and editing a line, questions, the
 * conflict choice with "for all", F8's wording, and keys to actions.
 */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/xfer.h"

static struct dialog d;

static int
type(const char *s)
{
	int r = DLG_PENDING;

	while (*s != '\0')
		r = dialog_key(&d, (unsigned char)*s++);
	return r;
}

/* F8's question says what is deleted: a file, a folder and its
 * contents, a link itself; several are counted. */
START_TEST(test_delete_question)
{
	struct listing_entry v[3];
	char q[256];

	memset(v, 0, sizeof(v));
	strcpy(v[0].name, "a.txt");
	v[0].type = LISTING_FILE;
	strcpy(v[1].name, "docs");
	v[1].type = LISTING_DIR;
	strcpy(v[2].name, "ln");
	v[2].type = LISTING_LINK;
	dialog_delete_question(v, 1, q, sizeof(q));
	ck_assert_str_eq(q, "Delete \"a.txt\" (a file)?");
	dialog_delete_question(v + 1, 1, q, sizeof(q));
	ck_assert_str_eq(q, "Delete \"docs\" (a folder, with everything in "
	    "it)?");
	dialog_delete_question(v + 2, 1, q, sizeof(q));
	ck_assert_str_eq(q, "Delete \"ln\" (the link only, not what it "
	    "points to)?");
	v[1].type = LISTING_FILE;
	dialog_delete_question(v, 2, q, sizeof(q));
	ck_assert_str_eq(q, "Delete 2 files?");
	dialog_delete_question(v, 3, q, sizeof(q));
	ck_assert_str_eq(q, "Delete 3 entries (none of them a folder)?");
	v[1].type = LISTING_DIR;
	dialog_delete_question(v, 3, q, sizeof(q));
	ck_assert_str_eq(q, "Delete 3 entries, 1 of them a folder, with "
	    "everything in it?");
	v[2].type = LISTING_DIR;
	dialog_delete_question(v, 3, q, sizeof(q));
	ck_assert_str_eq(q, "Delete 3 entries, 2 of them folders, with "
	    "everything in them?");
	v[0].type = LISTING_DIR;
	dialog_delete_question(v, 3, q, sizeof(q));
	ck_assert_str_eq(q, "Delete 3 folders, with everything in them?");
}
END_TEST

/* Ctrl-X c starts from the listing's mode, in octal, and says it as ls
 * does; without one it starts empty and says so. */
START_TEST(test_chmod_question)
{
	struct listing_entry v[2];
	char q[256], t[8];

	memset(v, 0, sizeof(v));
	strcpy(v[0].name, "a.txt");
	v[0].type = LISTING_FILE;
	v[0].mode = 0644;
	v[0].have_mode = 1;
	strcpy(v[1].name, "docs");
	v[1].type = LISTING_DIR;
	v[1].mode = 0755;
	v[1].have_mode = 1;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_str_eq(q, "Mode of \"a.txt\", in octal (it is now: 0644, "
	    "rw-r--r--):");
	ck_assert_str_eq(t, "644");
	dialog_chmod_question(v, 2, q, sizeof(q), t, sizeof(t));
	ck_assert_str_eq(q, "Mode of 2 entries, in octal (the first is now: "
	    "0644, rw-r--r--):");
	ck_assert_str_eq(t, "644");
	/* Special bits: four digits, and ls's letters. */
	v[0].mode = 04755;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_msg(strstr(q, "now: 4755, rwsr-xr-x") != NULL, "%s", q);
	ck_assert_str_eq(t, "4755");
	v[0].mode = 03640;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_msg(strstr(q, "now: 3640, rw-r-S--T") != NULL, "%s", q);
	ck_assert_str_eq(t, "3640");
	v[0].mode = 0;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_msg(strstr(q, "0000, ---------") != NULL, "%s", q);
	ck_assert_str_eq(t, "000");
	/* Bits above 07777 (a type) are not a mode's. */
	v[0].mode = 0100600;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_str_eq(t, "600");
	/* Not told. */
	v[0].have_mode = 0;
	dialog_chmod_question(v, 1, q, sizeof(q), t, sizeof(t));
	ck_assert_str_eq(q, "Mode of \"a.txt\", in octal (such as 644; the "
	    "listing does not tell the mode now):");
	ck_assert_str_eq(t, "");
}
END_TEST

/* The conflict dialog offers resume only when it would resume, and says
 * what overwrite does otherwise. */
START_TEST(test_conflict_verdict)
{
	struct listing_entry src, dst;
	char v[256];

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.have_size = dst.have_size = 1;
	src.size = 1000;
	dst.size = 300;
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_RESUME, XFER_PREFIX_SAME, v, sizeof(v)), 1);
	ck_assert_str_eq(v, "It is shorter and is the source's beginning "
	    "(same checksum):\nresume copies the rest.");
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_RESUME, XFER_PREFIX_UNCHECKED, v, sizeof(v)), 1);
	ck_assert_ptr_nonnull(strstr(v, "no HASH"));
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_OVERWRITE, XFER_PREFIX_DIFFERS, v, sizeof(v)), 0);
	ck_assert_ptr_nonnull(strstr(v, "not the source's beginning"));
	ck_assert_ptr_nonnull(strstr(v, "overwrite sends the whole file"));
	dst.size = 1000;
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_OVERWRITE, XFER_PREFIX_UNCHECKED, v, sizeof(v)), 0);
	ck_assert_ptr_nonnull(strstr(v, "same size but another checksum"));
	dst.size = 2000;
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_OVERWRITE, XFER_PREFIX_UNCHECKED, v, sizeof(v)), 0);
	ck_assert_str_eq(v, "It is larger than the source, so it cannot be "
	    "resumed:\noverwrite replaces it.");
	dst.size = 0;
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_OVERWRITE, XFER_PREFIX_UNCHECKED, v, sizeof(v)), 0);
	ck_assert_str_eq(v, "It is empty: overwrite sends the whole file.");
	dst.have_size = 0;
	ck_assert_int_eq(dialog_conflict_verdict(&src, &dst,
	    XFER_DECIDE_OVERWRITE, XFER_PREFIX_UNCHECKED, v, sizeof(v)), 0);
	ck_assert_ptr_nonnull(strstr(v, "size is not known"));

	/* Every line fits the dialog at 80 columns. */
	{
		const struct { enum xfer_decision d; int p; uint64_t sz; int hs; }
		    c[] = {
			{ XFER_DECIDE_RESUME, XFER_PREFIX_SAME, 300, 1 },
			{ XFER_DECIDE_RESUME, XFER_PREFIX_UNCHECKED, 300, 1 },
			{ XFER_DECIDE_OVERWRITE, XFER_PREFIX_DIFFERS, 300, 1 },
			{ XFER_DECIDE_OVERWRITE, XFER_PREFIX_UNCHECKED, 300, 1 },
			{ XFER_DECIDE_OVERWRITE, 0, 1000, 1 },
			{ XFER_DECIDE_OVERWRITE, 0, 2000, 1 },
			{ XFER_DECIDE_OVERWRITE, 0, 0, 1 },
			{ XFER_DECIDE_OVERWRITE, 0, 0, 0 },
		};
		size_t i;
		char *line, *save = NULL;

		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			dst.size = c[i].sz;
			dst.have_size = c[i].hs;
			dialog_conflict_verdict(&src, &dst, c[i].d, c[i].p, v,
			    sizeof(v));
			for (line = strtok_r(v, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				ck_assert_msg(strlen(line) <= 72, "too long: %s",
				    line);
		}
	}

	/* Without resume, r and R do nothing; the others still work. */
	dialog_open(&d, DLG_CONFLICT, DLG_FOR_CONFLICT, "Exists", NULL, NULL);
	d.no_resume = 1;
	ck_assert_int_eq(dialog_key(&d, 'r'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'R'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'o'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_OVERWRITE);
	dialog_close(&d);
	ck_assert_int_eq(d.no_resume, 0);
}
END_TEST

/* A text taller than the screen scrolls; one that fits closes on any key. */
START_TEST(test_text_scrolls)
{
	dialog_open(&d, DLG_TEXT, DLG_FOR_NOTHING, "t", "1\n2\n3\n4\n5\n6",
	    NULL);
	ck_assert_uint_eq(dialog_lines(&d), 6);
	d.rows = 0;			/* not told: all of it fits */
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_OK);
	d.rows = 6;
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_OK);
	d.rows = 4;			/* lines 1-4 of 6: top goes 0..2 */
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_UP)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 0);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'j'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 2);
	ck_assert_int_eq(dialog_key(&d, 'k'), DLG_PENDING);
	ck_assert_uint_eq(d.top, 1);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_HOME)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 0);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_NPAGE)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 2);		/* a page of 3, cut at the end */
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_PPAGE)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 0);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_END)), DLG_PENDING);
	ck_assert_uint_eq(d.top, 2);
	ck_assert_int_eq(dialog_key(&d, 'q'), DLG_OK);
	dialog_close(&d);
	ck_assert_uint_eq(d.top, 0);
	ck_assert_uint_eq(dialog_lines(&d), 0);
}
END_TEST

START_TEST(test_input_typing)
{
	dialog_open(&d, DLG_INPUT, DLG_FOR_MKDIR, "Mkdir", "New folder:",
	    NULL);
	ck_assert_int_eq(d.kind, DLG_INPUT);
	ck_assert_str_eq(d.text, "");
	ck_assert_int_eq(type("new dir"), DLG_EDITED);
	ck_assert_str_eq(d.text, "new dir");
	ck_assert_int_eq(dialog_key(&d, 0x7f), DLG_EDITED);
	ck_assert_str_eq(d.text, "new di");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_BACKSPACE)), DLG_EDITED);
	ck_assert_str_eq(d.text, "new d");
	ck_assert_int_eq(dialog_key(&d, '\r'), DLG_OK);
	ck_assert_int_eq(d.purpose, DLG_FOR_MKDIR);
	dialog_close(&d);
	ck_assert_int_eq(d.kind, DLG_NONE);
	ck_assert_str_eq(d.text, "");
}
END_TEST

START_TEST(test_input_history)
{
	char *hist[] = { "ftp://now", "ftp://older", "ftp://oldest" };

	/* Opened with the newest shown: Up steps past it at once. */
	dialog_open(&d, DLG_INPUT, DLG_FOR_URL, "Connect", NULL, "ftp://now");
	dialog_set_history(&d, hist, 3);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_UP)), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://older");
	ck_assert_uint_eq(d.pos, strlen("ftp://older"));
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('p')), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://oldest");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_UP)), DLG_PENDING);
	ck_assert_str_eq(d.text, "ftp://oldest");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://older");
	/* Down past the newest that equals what was there: the start. */
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('n')), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://now");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_PENDING);
	dialog_close(&d);

	/* What was typed comes back below the newest. */
	dialog_open(&d, DLG_INPUT, DLG_FOR_URL, "Connect", NULL, NULL);
	dialog_set_history(&d, hist, 3);
	ck_assert_int_eq(type("ftp://ty"), DLG_EDITED);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_UP)), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://now");
	ck_assert_int_eq(type("x"), DLG_EDITED);	/* edited in place */
	ck_assert_str_eq(d.text, "ftp://nowx");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_EDITED);
	ck_assert_str_eq(d.text, "ftp://ty");
	dialog_close(&d);
	ck_assert_str_eq(d.typed, "");
	ck_assert_ptr_null(d.hist);

	/* Without a history Up and Down do nothing. */
	dialog_open(&d, DLG_INPUT, DLG_FOR_MKDIR, "Mkdir", NULL, "a");
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_UP)), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DOWN)), DLG_PENDING);
	ck_assert_str_eq(d.text, "a");
	dialog_close(&d);
}
END_TEST

START_TEST(test_input_editing)
{
	dialog_open(&d, DLG_INPUT, DLG_FOR_RENAME, "Rename", NULL,
	    "old name.txt");
	ck_assert_str_eq(d.text, "old name.txt");
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('w')), DLG_EDITED);
	ck_assert_str_eq(d.text, "old ");
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('w')), DLG_EDITED);
	ck_assert_str_eq(d.text, "");
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('w')), DLG_PENDING);
	type("a/b/c");
	dialog_key(&d, KEYS_CTRL('w'));
	ck_assert_str_eq(d.text, "a/b/");
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('u')), DLG_EDITED);
	ck_assert_str_eq(d.text, "");
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('u')), DLG_PENDING);
	/* Function keys and control characters are not text. */
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_F(5))), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('a')), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('g')), DLG_PENDING);
	ck_assert_str_eq(d.text, "");
	/* A wide character goes in as UTF-8. */
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	ck_assert_int_eq(dialog_key(&d, 0xe9), DLG_EDITED);
	ck_assert_str_eq(d.text, "\xc3\xa9");
	ck_assert_int_eq(dialog_key(&d, KEYS_ESC), DLG_CANCEL);
	dialog_close(&d);
}
END_TEST

/* Editing anywhere in the line, not only at its end. */
START_TEST(test_input_cursor)
{
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	dialog_open(&d, DLG_INPUT, DLG_FOR_RENAME, "Rename", NULL,
	    "report.txt");
	ck_assert_uint_eq(d.pos, 10);
	/* Left four times, then type: before the extension. */
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_LEFT)), DLG_PENDING);
	ck_assert_int_eq(type("-v2"), DLG_EDITED);
	ck_assert_str_eq(d.text, "report-v2.txt");
	/* Home and Ctrl-A, End and Ctrl-E. */
	dialog_key(&d, KEYS_FN(KEY_HOME));
	type("my ");
	ck_assert_str_eq(d.text, "my report-v2.txt");
	dialog_key(&d, KEYS_FN(KEY_END));
	type("!");
	ck_assert_str_eq(d.text, "my report-v2.txt!");
	dialog_key(&d, KEYS_CTRL('a'));
	/* Delete and Ctrl-D remove the character under the cursor. */
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DC)), DLG_EDITED);
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('d')), DLG_EDITED);
	ck_assert_str_eq(d.text, " report-v2.txt!");
	dialog_key(&d, KEYS_CTRL('e'));
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DC)), DLG_PENDING);
	/* Backspace in the middle; Right past the end stays there. */
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	ck_assert_int_eq(dialog_key(&d, 0x7f), DLG_EDITED);
	ck_assert_str_eq(d.text, " report-v2.tx!");
	dialog_key(&d, KEYS_FN(KEY_RIGHT));
	dialog_key(&d, KEYS_FN(KEY_RIGHT));
	ck_assert_uint_eq(d.pos, strlen(d.text));
	/* A two-byte character is stepped over whole. */
	dialog_key(&d, KEYS_CTRL('u'));
	type("ab");
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	ck_assert_int_eq(dialog_key(&d, 0xe9), DLG_EDITED);
	ck_assert_str_eq(d.text, "a\xc3\xa9" "b");
	ck_assert_uint_eq(d.pos, 3);
	dialog_key(&d, KEYS_FN(KEY_LEFT));
	ck_assert_uint_eq(d.pos, 1);
	ck_assert_int_eq(dialog_key(&d, KEYS_FN(KEY_DC)), DLG_EDITED);
	ck_assert_str_eq(d.text, "ab");
	/* Ctrl-W: the word before the cursor. */
	dialog_key(&d, KEYS_CTRL('u'));
	type("one two three");
	dialog_key(&d, KEYS_CTRL('b'));
	dialog_key(&d, KEYS_CTRL('b'));
	dialog_key(&d, KEYS_CTRL('b'));
	dialog_key(&d, KEYS_CTRL('b'));
	dialog_key(&d, KEYS_CTRL('b'));
	ck_assert_int_eq(dialog_key(&d, KEYS_CTRL('w')), DLG_EDITED);
	ck_assert_str_eq(d.text, "one three");
	ck_assert_uint_eq(d.pos, 4);
	dialog_key(&d, KEYS_CTRL('f'));
	ck_assert_uint_eq(d.pos, 5);
	dialog_close(&d);
}
END_TEST

START_TEST(test_input_full)
{
	size_t i;
	int r = DLG_EDITED;

	dialog_open(&d, DLG_SECRET, DLG_FOR_PASSWORD, "Login", NULL, NULL);
	for (i = 0; i < sizeof(d.text) + 10; i++)
		r = dialog_key(&d, 'x');
	ck_assert_int_eq(r, DLG_PENDING);
	ck_assert_uint_eq(strlen(d.text), sizeof(d.text) - 1);
	dialog_close(&d);
	/* What was typed is wiped, not just cut. */
	ck_assert_int_eq(d.text[5], '\0');
}
END_TEST

START_TEST(test_confirm)
{
	dialog_open(&d, DLG_CONFIRM, DLG_FOR_DELETE, "Delete", "Sure?", NULL);
	ck_assert_int_eq(dialog_key(&d, 'x'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'y'), DLG_OK);
	ck_assert_int_eq(dialog_key(&d, 'Y'), DLG_OK);
	ck_assert_int_eq(dialog_key(&d, '\r'), DLG_OK);
	ck_assert_int_eq(dialog_key(&d, 'n'), DLG_CANCEL);
	ck_assert_int_eq(dialog_key(&d, KEYS_ESC), DLG_CANCEL);
	/* a is no answer unless offered */
	ck_assert_int_eq(dialog_key(&d, 'a'), DLG_PENDING);
	ck_assert_int_eq(d.for_all, 0);
	dialog_close(&d);
	dialog_open(&d, DLG_CONFIRM, DLG_FOR_CANCEL, "Cancel", "Which?", NULL);
	d.offer_all = 1;
	ck_assert_int_eq(dialog_key(&d, 'y'), DLG_OK);
	ck_assert_int_eq(d.for_all, 0);
	ck_assert_int_eq(dialog_key(&d, 'A'), DLG_OK);
	ck_assert_int_eq(d.for_all, 1);
	dialog_close(&d);
	ck_assert_int_eq(d.offer_all, 0);
	ck_assert_int_eq(d.for_all, 0);
}
END_TEST

START_TEST(test_conflict)
{
	dialog_open(&d, DLG_CONFLICT, DLG_FOR_CONFLICT, "Exists", NULL, NULL);
	ck_assert_int_eq(dialog_key(&d, 'x'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 0x2f), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'o'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_OVERWRITE);
	ck_assert_int_eq(d.for_all, 0);
	ck_assert_int_eq(dialog_key(&d, 'R'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_RESUME);
	ck_assert_int_eq(d.for_all, 1);
	ck_assert_int_eq(dialog_key(&d, 's'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_SKIP);
	ck_assert_int_eq(dialog_key(&d, 'N'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_RENAME);
	ck_assert_int_eq(d.for_all, 1);
	ck_assert_int_eq(dialog_key(&d, KEYS_ESC), DLG_CANCEL);
	ck_assert_int_eq(d.answer, DLG_ANS_SKIP);
	dialog_close(&d);
}
END_TEST

/* F4's question about one file: a capital answers, but not for all. */
START_TEST(test_conflict_one_file)
{
	dialog_open(&d, DLG_CONFLICT, DLG_FOR_EDIT_CHANGED, "Changed", NULL,
	    NULL);
	d.one_file = 1;
	d.no_resume = 1;
	ck_assert_int_eq(dialog_key(&d, 'r'), DLG_PENDING);
	ck_assert_int_eq(dialog_key(&d, 'O'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_OVERWRITE);
	ck_assert_int_eq(d.for_all, 0);
	ck_assert_int_eq(dialog_key(&d, 'n'), DLG_OK);
	ck_assert_int_eq(d.answer, DLG_ANS_RENAME);
	dialog_close(&d);
	ck_assert_int_eq(d.one_file, 0);
}
END_TEST

START_TEST(test_text_closes)
{
	dialog_open(&d, DLG_TEXT, DLG_FOR_NOTHING, "Help", "a\nb", NULL);
	ck_assert_str_eq(d.body, "a\nb");
	ck_assert_int_eq(dialog_key(&d, 'z'), DLG_OK);
	dialog_close(&d);
	ck_assert_int_eq(dialog_key(&d, 'z'), DLG_CANCEL);
}
END_TEST

START_TEST(test_keys_fn_number)
{
	ck_assert_int_eq(keys_fn_number(KEYS_FN(KEY_F(1))), 1);
	ck_assert_int_eq(keys_fn_number(KEYS_FN(KEY_F(3))), 3);
	ck_assert_int_eq(keys_fn_number(KEYS_FN(KEY_F(12))), 12);
	ck_assert_int_eq(keys_fn_number(KEYS_FN(KEY_F(13))), 0);
	ck_assert_int_eq(keys_fn_number(KEYS_FN(KEY_UP)), 0);
	ck_assert_int_eq(keys_fn_number('3'), 0);
}
END_TEST

START_TEST(test_keys_map)
{
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_UP)), ACT_UP);
	ck_assert_int_eq(keys_action('k'), ACT_UP);
	ck_assert_int_eq(keys_action('j'), ACT_DOWN);
	ck_assert_int_eq(keys_action('\t'), ACT_SWITCH);
	ck_assert_int_eq(keys_action('\r'), ACT_OPEN);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_BACKSPACE)), ACT_PARENT);
	ck_assert_int_eq(keys_action(0x7f), ACT_PARENT);
	ck_assert_int_eq(keys_action(' '), ACT_MARK);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_IC)), ACT_MARK);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(3))), ACT_VIEW);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(4))), ACT_EDIT);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(5))), ACT_COPY);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(6))), ACT_MOVE);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(7))), ACT_MKDIR);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(8))), ACT_DELETE);
	ck_assert_int_eq(keys_action(KEYS_CTRL('r')), ACT_REFRESH);
	ck_assert_int_eq(keys_action('/'), ACT_FILTER);
	ck_assert_int_eq(keys_action('s'), ACT_SORT);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(1))), ACT_HELP);
	ck_assert_int_eq(keys_action(KEYS_FN(KEY_F(10))), ACT_QUIT);
	ck_assert_int_eq(keys_action('q'), ACT_QUIT);
	ck_assert_int_eq(keys_action(KEYS_ESC), ACT_CANCEL);
	ck_assert_int_eq(keys_action('Z'), ACT_NONE);
	/* mc's Ctrl-X c: the prefix, then the command. */
	ck_assert_int_eq(keys_action(KEYS_CTRL('x')), ACT_CTRL_X);
	ck_assert_int_eq(keys_ctrl_x_action('c'), ACT_CHMOD);
	ck_assert_int_eq(keys_ctrl_x_action('z'), ACT_NONE);
	ck_assert_int_eq(keys_ctrl_x_action(KEYS_ESC), ACT_NONE);
	/* A function key never reads as the character of the same code. */
	ck_assert_int_eq(keys_action(KEYS_FN('q')), ACT_NONE);
	ck_assert(keys_is_resize(KEYS_FN(KEY_RESIZE)));
	ck_assert(!keys_is_resize(KEY_RESIZE));
}
END_TEST

START_TEST(test_keys_help)
{
	const struct keys_help *h;
	size_t n, i;
	int f5 = 0;

	h = keys_help(&n);
	ck_assert_uint_gt(n, 10);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(h[i].keys);
		ck_assert_ptr_nonnull(h[i].what);
		/* It fits the help dialog at 80 columns. */
		ck_assert_uint_le(strlen(h[i].what), 52);
		if (strcmp(h[i].keys, "F5") == 0)
			f5 = 1;
	}
	ck_assert(f5);
}
END_TEST

static Suite *
dialog_suite(void)
{
	Suite *s = suite_create("dialog");
	TCase *tc;

	tc = tcase_create("input_typing");
	tcase_add_test(tc, test_text_scrolls);
	tcase_add_test(tc, test_input_typing);
	suite_add_tcase(s, tc);
	tc = tcase_create("input_editing");
	tcase_add_test(tc, test_input_editing);
	tcase_add_test(tc, test_input_history);
	suite_add_tcase(s, tc);
	tc = tcase_create("input_cursor");
	tcase_add_test(tc, test_input_cursor);
	suite_add_tcase(s, tc);
	tc = tcase_create("input_full");
	tcase_add_test(tc, test_input_full);
	suite_add_tcase(s, tc);
	tc = tcase_create("confirm");
	tcase_add_test(tc, test_confirm);
	suite_add_tcase(s, tc);
	tc = tcase_create("conflict");
	tcase_add_test(tc, test_conflict);
	suite_add_tcase(s, tc);
	tc = tcase_create("conflict_one_file");
	tcase_add_test(tc, test_conflict_one_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_text_closes);
	suite_add_tcase(s, tc);
	tc = tcase_create("conflict_verdict");
	tcase_add_test(tc, test_conflict_verdict);
	suite_add_tcase(s, tc);
	tc = tcase_create("delete_question");
	tcase_add_test(tc, test_delete_question);
	suite_add_tcase(s, tc);
	tc = tcase_create("chmod_question");
	tcase_add_test(tc, test_chmod_question);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc;

	tc = tcase_create("map");
	tcase_add_test(tc, test_keys_map);
	suite_add_tcase(s, tc);
	tc = tcase_create("fn_number");
	tcase_add_test(tc, test_keys_fn_number);
	suite_add_tcase(s, tc);
	tc = tcase_create("help");
	tcase_add_test(tc, test_keys_help);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dialog_suite());
	int failed;

	srunner_add_suite(sr, keys_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
