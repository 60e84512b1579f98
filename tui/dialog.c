/*
 * dialog: the dialog model; see dialog.h. curses.h is included for its
 * KEY_* codes only: nothing here draws.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "proto/util.h"
#include "tui/dialog.h"
#include "tui/keys.h"
#include "tui/text.h"
#include "tui/xfer.h"

void
dialog_open(struct dialog *d, enum dialog_kind kind,
    enum dialog_purpose purpose, const char *title, const char *body,
    const char *text)
{
	dialog_close(d);
	d->kind = kind;
	d->purpose = purpose;
	snprintf(d->title, sizeof(d->title), "%s", title != NULL ? title : "");
	snprintf(d->body, sizeof(d->body), "%s", body != NULL ? body : "");
	snprintf(d->text, sizeof(d->text), "%s", text != NULL ? text : "");
	d->pos = strlen(d->text);
}

void
dialog_close(struct dialog *d)
{
	wipe(d->text, sizeof(d->text));
	d->kind = DLG_NONE;
	d->purpose = DLG_FOR_NOTHING;
	d->title[0] = d->body[0] = '\0';
	d->pos = 0;
	d->answer = DLG_ANS_SKIP;
	d->for_all = 0;
	d->no_resume = 0;
	d->one_file = 0;
	d->offer_all = 0;
	d->hist = NULL;
	d->nhist = d->hpos = 0;
	wipe(d->typed, sizeof(d->typed));
	d->top = 0;
}

size_t
dialog_lines(const struct dialog *d)
{
	size_t n = 1;
	const char *p;

	for (p = d->body; *p != '\0'; p++)
		n += *p == '\n';
	return d->body[0] == '\0' ? 0 : n;
}

/* A text's keys: Up, Down, PgUp, PgDn, Home, End scroll one that does not
 * fit; any other key closes. */
static int
text_key(struct dialog *d, int key)
{
	size_t n = dialog_lines(d), last, page;

	if (d->rows == 0 || n <= d->rows)
		return DLG_OK;
	last = n - d->rows;
	page = d->rows > 1 ? d->rows - 1 : 1;
	switch (key) {
	case KEYS_FN(KEY_UP):
	case 'k':
		d->top -= d->top > 0;
		return DLG_PENDING;
	case KEYS_FN(KEY_DOWN):
	case 'j':
		d->top += d->top < last;
		return DLG_PENDING;
	case KEYS_FN(KEY_PPAGE):
		d->top = d->top > page ? d->top - page : 0;
		return DLG_PENDING;
	case KEYS_FN(KEY_NPAGE):
	case ' ':
		d->top = d->top + page < last ? d->top + page : last;
		return DLG_PENDING;
	case KEYS_FN(KEY_HOME):
		d->top = 0;
		return DLG_PENDING;
	case KEYS_FN(KEY_END):
		d->top = last;
		return DLG_PENDING;
	default:
		return DLG_OK;
	}
}

void
dialog_set_history(struct dialog *d, char *const *hist, size_t n)
{
	d->hist = hist;
	d->nhist = n;
	d->hpos = 0;
}

/* Up (older, dir 1) or Down (newer, -1) through the earlier answers. */
static int
history_key(struct dialog *d, int dir)
{
	size_t k = d->hpos;
	const char *show;

	if (dir > 0) {
		while (k < d->nhist && strcmp(d->hist[k], d->text) == 0)
			k++;	/* the same as shown: no visible step */
		if (k == d->nhist)
			return DLG_PENDING;
		if (d->hpos == 0)
			snprintf(d->typed, sizeof(d->typed), "%s", d->text);
		show = d->hist[k++];
	} else {
		if (k == 0)
			return DLG_PENDING;
		do {
			k--;
			show = k == 0 ? d->typed : d->hist[k - 1];
		} while (k > 0 && strcmp(show, d->text) == 0);
		if (strcmp(show, d->text) == 0) {
			d->hpos = k;
			return DLG_PENDING;
		}
	}
	snprintf(d->text, sizeof(d->text), "%s", show);
	d->pos = strlen(d->text);
	d->hpos = k;
	return DLG_EDITED;
}

/* The start of the character before byte pos of s (0 at the start). */
static size_t
char_before(const char *s, size_t pos)
{
	char head[FS_PATH_MAX];

	if (pos == 0)
		return 0;
	/* text_backspace() knows where the last character starts. */
	memcpy(head, s, pos);
	head[pos] = '\0';
	(void)text_backspace(head);
	return strlen(head);
}

/* The end of the character at byte pos of s (pos itself at the end). */
static size_t
char_after(const char *s, size_t pos)
{
	size_t n = strlen(s), k;
	mbstate_t st;

	if (pos >= n)
		return n;
	memset(&st, 0, sizeof(st));
	k = mbrtowc(NULL, s + pos, n - pos, &st);
	return k == 0 || k > n - pos ? pos + 1 : pos + k;
}

/* Removes text[from..to) and puts the cursor at from. */
static int
cut(struct dialog *d, size_t from, size_t to)
{
	size_t n = strlen(d->text);

	if (from >= to)
		return DLG_PENDING;
	memmove(d->text + from, d->text + to, n - to + 1);
	memset(d->text + n - (to - from), 0, to - from);
	d->pos = from;
	return DLG_EDITED;
}

/* Inserts the character wc at the cursor. */
static int
insert(struct dialog *d, wchar_t wc)
{
	char mb[FS_PATH_MAX];
	size_t n = strlen(d->text), k;

	mb[0] = '\0';
	if (text_append(mb, sizeof(mb), wc) < 0)
		return DLG_PENDING;
	k = strlen(mb);
	if (n + k + 1 > sizeof(d->text))
		return DLG_PENDING;
	memmove(d->text + d->pos + k, d->text + d->pos, n - d->pos + 1);
	memcpy(d->text + d->pos, mb, k);
	d->pos += k;
	return DLG_EDITED;
}

static int
input_key(struct dialog *d, int key)
{
	size_t n, p;

	if (d->pos > strlen(d->text))
		d->pos = strlen(d->text);
	switch (key) {
	case '\r':
	case '\n':
	case KEYS_FN(KEY_ENTER):
		return DLG_OK;
	case KEYS_ESC:
		return DLG_CANCEL;
	case KEYS_FN(KEY_UP):
	case KEYS_CTRL('p'):
		return history_key(d, 1);
	case KEYS_FN(KEY_DOWN):
	case KEYS_CTRL('n'):
		return history_key(d, -1);
	case KEYS_FN(KEY_LEFT):
	case KEYS_CTRL('b'):
		d->pos = char_before(d->text, d->pos);
		return DLG_PENDING;
	case KEYS_FN(KEY_RIGHT):
	case KEYS_CTRL('f'):
		d->pos = char_after(d->text, d->pos);
		return DLG_PENDING;
	case KEYS_FN(KEY_HOME):
	case KEYS_CTRL('a'):
		d->pos = 0;
		return DLG_PENDING;
	case KEYS_FN(KEY_END):
	case KEYS_CTRL('e'):
		d->pos = strlen(d->text);
		return DLG_PENDING;
	case 0x7f:
	case KEYS_CTRL('h'):
	case KEYS_FN(KEY_BACKSPACE):
		return cut(d, char_before(d->text, d->pos), d->pos);
	case KEYS_FN(KEY_DC):
	case KEYS_CTRL('d'):
		return cut(d, d->pos, char_after(d->text, d->pos));
	case KEYS_CTRL('u'):
		if (d->text[0] == '\0')
			return DLG_PENDING;
		wipe(d->text, sizeof(d->text));
		d->pos = 0;
		return DLG_EDITED;
	case KEYS_CTRL('w'):
		p = n = d->pos;
		while (p > 0 && d->text[p - 1] == ' ')
			p--;
		while (p > 0 && d->text[p - 1] != ' ' && d->text[p - 1] != '/')
			p--;
		return cut(d, p, n);
	}
	if (KEYS_IS_FN(key) || key < 0x20 || key == 0x7f ||
	    !iswprint((wint_t)key))
		return DLG_PENDING;
	return insert(d, (wchar_t)key);
}

/* The conflict dialog's keys, in enum dialog_answer order. */
static const char answers[] = "orsn";

static int
conflict_key(struct dialog *d, int key)
{
	const char *p;

	if (key == KEYS_ESC) {
		d->answer = DLG_ANS_SKIP;
		return DLG_CANCEL;
	}
	if (key <= 0 || key > 0x7f)
		return DLG_PENDING;
	if ((p = strchr(answers, key | 0x20)) == NULL ||
	    (d->no_resume && *p == 'r'))
		return DLG_PENDING;
	d->answer = (enum dialog_answer)(p - answers);
	d->for_all = !d->one_file && key >= 'A' && key <= 'Z';
	return DLG_OK;
}

int
dialog_key(struct dialog *d, int key)
{
	switch (d->kind) {
	case DLG_INPUT:
	case DLG_SECRET:
		return input_key(d, key);
	case DLG_CONFIRM:
		if (key == 'y' || key == 'Y' || key == '\r' || key == '\n')
			return DLG_OK;
		if (d->offer_all && (key == 'a' || key == 'A')) {
			d->for_all = 1;
			return DLG_OK;
		}
		if (key == 'n' || key == 'N' || key == KEYS_ESC)
			return DLG_CANCEL;
		return DLG_PENDING;
	case DLG_CONFLICT:
		return conflict_key(d, key);
	case DLG_TEXT:
		return text_key(d, key);
	case DLG_NONE:
		break;
	}
	return DLG_CANCEL;
}

void
dialog_delete_question(const struct listing_entry *v, size_t n, char *buf,
    size_t len)
{
	size_t i, dirs = 0, files = 0;

	if (n == 1) {
		snprintf(buf, len, "Delete \"%s\"%s?", v[0].name,
		    v[0].type == LISTING_DIR ?
		    " (a folder, with everything in it)" :
		    v[0].type == LISTING_LINK ?
		    " (the link only, not what it points to)" :
		    v[0].type == LISTING_FILE ? " (a file)" : "");
		return;
	}
	for (i = 0; i < n; i++) {
		dirs += v[i].type == LISTING_DIR;
		files += v[i].type == LISTING_FILE;
	}
	if (files == n)
		snprintf(buf, len, "Delete %zu files?", n);
	else if (dirs == 0)
		snprintf(buf, len, "Delete %zu entries (none of them a "
		    "folder)?", n);
	else if (dirs == n)
		snprintf(buf, len, "Delete %zu folders, with everything in "
		    "them?", n);
	else
		snprintf(buf, len, "Delete %zu entries, %zu of them %s, with "
		    "everything in %s?", n, dirs, dirs == 1 ? "a folder" :
		    "folders", dirs == 1 ? "it" : "them");
}

/* mode's permission bits as ls -l shows them ("rwsr-x--T"), into out. */
static void
mode_letters(unsigned mode, char out[10])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	for (i = 0; i < 9; i++)
		out[i] = (mode & (0400u >> i)) ? rwx[i] : '-';
	if (mode & 04000)
		out[2] = (mode & 0100) ? 's' : 'S';
	if (mode & 02000)
		out[5] = (mode & 010) ? 's' : 'S';
	if (mode & 01000)
		out[8] = (mode & 01) ? 't' : 'T';
	out[9] = '\0';
}

void
dialog_chmod_question(const struct listing_entry *v, size_t n, char *body,
    size_t blen, char *text, size_t tlen)
{
	char letters[10], now[48], who[LISTING_NAME_MAX + 32];
	unsigned mode = v[0].mode & 07777;

	if (n == 1)
		snprintf(who, sizeof(who), "\"%s\"", v[0].name);
	else
		snprintf(who, sizeof(who), "%zu entries", n);
	if (!v[0].have_mode) {
		snprintf(body, blen, "Mode of %s, in octal (such as 644; the "
		    "listing does not tell the mode now):", who);
		snprintf(text, tlen, "%s", "");
		return;
	}
	mode_letters(mode, letters);
	snprintf(now, sizeof(now), "%04o, %s", mode, letters);
	snprintf(body, blen, "Mode of %s, in octal (%s now: %s):", who,
	    n == 1 ? "it is" : "the first is", now);
	snprintf(text, tlen, mode > 0777 ? "%04o" : "%03o", mode);
}

int
dialog_conflict_verdict(const struct listing_entry *src,
    const struct listing_entry *dst, enum xfer_decision suggested,
    int prefix, char *buf, size_t len)
{
	int sizes = src->have_size && dst->have_size;

	if (suggested == XFER_DECIDE_RESUME) {
		snprintf(buf, len, prefix == XFER_PREFIX_SAME ?
		    "It is shorter and is the source's beginning (same "
		    "checksum):\nresume copies the rest." :
		    "It is shorter: resume copies the rest (the server has "
		    "no HASH\nto check that it is the source's beginning).");
		return 1;
	}
	if (suggested == XFER_DECIDE_SKIP)
		snprintf(buf, len, "It looks identical.");
	else if (!sizes)
		snprintf(buf, len, "Its size is not known, so it cannot be "
		    "resumed:\noverwrite sends the whole file.");
	else if (dst->size == 0)
		snprintf(buf, len, "It is empty: overwrite sends the whole "
		    "file.");
	else if (dst->size < src->size && prefix == XFER_PREFIX_DIFFERS)
		snprintf(buf, len, "It is shorter but is not the source's "
		    "beginning (another checksum),\nso it cannot be resumed: "
		    "overwrite sends the whole file.");
	else if (dst->size < src->size)
		snprintf(buf, len, "It is shorter, but resuming is off: "
		    "overwrite sends the whole file.");
	else if (dst->size == src->size)
		snprintf(buf, len, "It has the same size but another "
		    "checksum, so it cannot be resumed:\noverwrite sends the "
		    "whole file.");
	else
		snprintf(buf, len, "It is larger than the source, so it "
		    "cannot be resumed:\noverwrite replaces it.");
	return 0;
}
