/*
 * dialog: the model of the one dialog the full-screen client may show at
 * a time: a line of text to type (a name, a filter, a URL, a password
 * shown as stars), a yes/no question, the overwrite/resume/skip/rename
 * choice for an existing target, or a page of text (help, an error).
 * It holds what the dialog shows and what was typed; keys go in through
 * dialog_key(), and the caller acts on the result. No curses here.
 */
#ifndef BURROW_DIALOG_H
#define BURROW_DIALOG_H

#include <stddef.h>

#include "tui/fs.h"
#include "tui/resume.h"

enum dialog_kind {
	DLG_NONE,
	DLG_INPUT,		/* a line of text */
	DLG_SECRET,		/* a line of text shown as '*' */
	DLG_CONFIRM,		/* y / n */
	DLG_CONFLICT,		/* o r s n, capitals for all */
	DLG_TEXT,		/* any key closes */
};

/* What the caller does when the dialog ends (its own meaning). */
enum dialog_purpose {
	DLG_FOR_NOTHING,
	DLG_FOR_MKDIR,
	DLG_FOR_RENAME,
	DLG_FOR_FILTER,
	DLG_FOR_DELETE,
	DLG_FOR_QUIT,
	DLG_FOR_CANCEL,		/* the running transfer */
	DLG_FOR_COPY,		/* an upload bigger than the space left */
	DLG_FOR_TLS,		/* retry a plain login with TLS */
	DLG_FOR_MARK,		/* + : the pattern to mark */
	DLG_FOR_UNMARK,		/* - : the pattern to unmark */
	DLG_FOR_URL,
	DLG_FOR_PASSWORD,
	DLG_FOR_CONFLICT,
	DLG_FOR_CONFLICT_NAME,	/* the new name after "rename" */
	DLG_FOR_JOURNAL,	/* go on with last time's unfinished items */
	DLG_FOR_CHMOD,		/* Ctrl-X c: the octal mode to set */
	DLG_FOR_EDIT_BIG,	/* F3, F4: fetch a big file anyway */
	DLG_FOR_EDIT_CHANGED,	/* F4: the server's file changed since */
	DLG_FOR_EDIT_NAME,	/* F4: the new name to send the copy to */
	DLG_FOR_EDIT_RETRY,	/* F4: sending the copy back failed */
	DLG_FOR_SITE_NAME,	/* the site list's (tui/sitelist.c): a */
	DLG_FOR_SITE_URL,	/* site's name, address, user, remote and */
	DLG_FOR_SITE_USER,	/* local folders as they are added or */
	DLG_FOR_SITE_RDIR,	/* edited; and "delete it?" */
	DLG_FOR_SITE_LDIR,
	DLG_FOR_SITE_DELETE,
	DLG_FOR_COMPARE,	/* Ctrl-X D: how to compare (tui/syncview.c) */
	DLG_FOR_SYNC_DELETE,	/* the sync plan's deletions: go on? */
};

/* dialog_key() results. */
#define DLG_PENDING	0	/* nothing to do yet */
#define DLG_EDITED	1	/* the text changed (a live filter) */
#define DLG_OK		2	/* accepted: text, answer, for_all hold it */
#define DLG_CANCEL	3	/* Esc (or n for a question) */

/* Answers of a DLG_CONFLICT. */
enum dialog_answer {
	DLG_ANS_OVERWRITE,
	DLG_ANS_RESUME,
	DLG_ANS_SKIP,
	DLG_ANS_RENAME,
};

#define DLG_TEXT_MAX	8192

struct dialog {
	enum dialog_kind	 kind;
	enum dialog_purpose	 purpose;
	char			 title[128];
	char			 body[DLG_TEXT_MAX];	/* lines split at '\n' */
	char			 text[FS_PATH_MAX];	/* what was typed */
	size_t			 pos;		/* the cursor: a byte offset in
						   text, at a character's start */
	enum dialog_answer	 answer;
	int			 for_all;
	int			 no_resume;	/* a conflict where r is refused */
	int			 one_file;	/* one file's conflict:
						   no "for all" */
	int			 offer_all;	/* a question where a answers
						   "yes, and all the rest"
						   (for_all set) */
	/* An input's earlier answers (F2's recent servers), newest first,
	 * owned by the caller for as long as the dialog is open; hpos 0 is
	 * what was typed (kept in typed), k is hist[k - 1]. */
	char *const		*hist;
	size_t			 nhist;
	size_t			 hpos;
	char			 typed[FS_PATH_MAX];
	/* A text taller than the screen scrolls: top is its first line
	 * shown, rows how many the screen shows (set by the caller before
	 * each key; 0: all of it). */
	size_t			 top;
	size_t			 rows;
};

/* Opens d as kind for purpose, with a title, a body (may be NULL) and,
 * for an input, the text it starts with (may be NULL). */
void	dialog_open(struct dialog *d, enum dialog_kind kind,
	    enum dialog_purpose purpose, const char *title, const char *body,
	    const char *text);

/*
 * Gives an open input n earlier answers (newest first) that Up (Ctrl-P)
 * and Down (Ctrl-N) walk: Up shows the next older one that differs
 * from the text shown, Down the next newer, and below the newest what
 * was typed. hist stays the caller's, and must live while d is open.
 */
void	dialog_set_history(struct dialog *d, char *const *hist, size_t n);

/* The lines of d's body (0 for none). */
size_t	dialog_lines(const struct dialog *d);

/* Closes d (kind DLG_NONE), wiping what was typed (it may be a
 * password). */
void	dialog_close(struct dialog *d);

/*
 * Feeds one key (tui/keys.h encoding) to d. In an input: printable
 * characters are inserted at the cursor, Left/Right (Ctrl-B/Ctrl-F) move
 * it by a character, Home/End (Ctrl-A/Ctrl-E) to either end, Backspace
 * removes the character before it, Delete (Ctrl-D) the one under it,
 * Ctrl-U clears the line, Ctrl-W removes the word before the cursor,
 * Enter accepts, Esc cancels (an input opens with the cursor at the end). A question takes y/Y/Enter (OK) or n/N/Esc (cancel), and
 * with offer_all set a/A (OK with for_all); a
 * conflict o, r, s, n (capitals: for all; r and R not with no_resume
 * set) or Esc (skip, and cancel); a
 * text closes on any key, but for one taller than rows, where Up, Down
 * (k, j), PgUp, PgDn (Space), Home and End scroll it. Returns DLG_PENDING, DLG_EDITED, DLG_OK or
 * DLG_CANCEL; the dialog stays open (the caller closes it).
 */
int	dialog_key(struct dialog *d, int key);

/*
 * The conflict dialog's last lines (one or two of 72 columns at most,
 * joined by '\n') for an existing target dst of the source src: what the rules found (suggested) and what the answers would
 * really do. prefix (XFER_PREFIX_*, tui/xfer.h) is what a checksum said of
 * a shorter target's beginning. Returns 1 when resume may be offered (the
 * rules suggest it: a shorter target, not found to differ from the
 * source's beginning), else 0 (then the sentence says why not).
 */
int	dialog_conflict_verdict(const struct listing_entry *src,
	    const struct listing_entry *dst, enum xfer_decision suggested,
	    int prefix, char *buf, size_t len);

/*
 * F8's question for the n entries v (n >= 1) into buf: one entry is named
 * and said to be a file, a folder "with everything in it", or a link
 * ("the link only"); several are counted, saying how many are folders.
 * Always starts with "Delete ".
 */
void	dialog_delete_question(const struct listing_entry *v, size_t n,
	    char *buf, size_t len);

/*
 * Ctrl-X c's dialog for the n entries v (n >= 1): its question into body
 * (blen bytes) and the mode it starts with into text (tlen bytes). The
 * current mode is the listing's, in octal and as ls shows it
 * ("0644, rw-r--r--"); the text is that mode in three octal digits (four
 * with setuid, setgid or sticky), to edit. Several entries are counted,
 * and the first one's mode is given. A listing that told no mode gives
 * an empty text and a question saying so.
 */
void	dialog_chmod_question(const struct listing_entry *v, size_t n,
	    char *body, size_t blen, char *text, size_t tlen);

#endif
