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
}

void
dialog_close(struct dialog *d)
{
	wipe(d->text, sizeof(d->text));
	d->kind = DLG_NONE;
	d->purpose = DLG_FOR_NOTHING;
	d->title[0] = d->body[0] = '\0';
	d->answer = DLG_ANS_SKIP;
	d->for_all = 0;
	d->no_resume = 0;
}

static int
input_key(struct dialog *d, int key)
{
	size_t n;

	switch (key) {
	case '\r':
	case '\n':
	case KEYS_FN(KEY_ENTER):
		return DLG_OK;
	case KEYS_ESC:
		return DLG_CANCEL;
	case 0x7f:
	case KEYS_CTRL('h'):
	case KEYS_FN(KEY_BACKSPACE):
		return text_backspace(d->text) ? DLG_EDITED : DLG_PENDING;
	case KEYS_CTRL('u'):
		if (d->text[0] == '\0')
			return DLG_PENDING;
		wipe(d->text, sizeof(d->text));
		return DLG_EDITED;
	case KEYS_CTRL('w'):
		n = strlen(d->text);
		if (n == 0)
			return DLG_PENDING;
		while (n > 0 && d->text[n - 1] == ' ')
			n--;
		while (n > 0 && d->text[n - 1] != ' ' && d->text[n - 1] != '/')
			n--;
		d->text[n] = '\0';
		return DLG_EDITED;
	}
	if (KEYS_IS_FN(key) || key < 0x20 || key == 0x7f ||
	    !iswprint((wint_t)key))
		return DLG_PENDING;
	return text_append(d->text, sizeof(d->text), (wchar_t)key) == 0 ?
	    DLG_EDITED : DLG_PENDING;
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
	d->for_all = key >= 'A' && key <= 'Z';
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
		if (key == 'n' || key == 'N' || key == KEYS_ESC)
			return DLG_CANCEL;
		return DLG_PENDING;
	case DLG_CONFLICT:
		return conflict_key(d, key);
	case DLG_TEXT:
		return DLG_OK;
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
