/*
 * keys: the key map of the full-screen client, one table from keys to
 * actions (Midnight Commander's keys, with vi's too), and the help text
 * made from it. A key is an int: a character's code point, or KEYS_FN()
 * of a curses function-key code (KEY_F(5), KEY_UP...), so the two never
 * collide.
 */
#ifndef BURROW_KEYS_H
#define BURROW_KEYS_H

#include <stddef.h>

#define KEYS_FN_BIT	0x1000000
#define KEYS_FN(k)	(KEYS_FN_BIT | (k))
#define KEYS_IS_FN(k)	(((k) & KEYS_FN_BIT) != 0)
#define KEYS_CTRL(c)	((c) & 0x1f)
#define KEYS_ESC	0x1b
#define KEYS_NONE	(-1)	/* no key came in time */

enum action {
	ACT_NONE,
	ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
	ACT_SWITCH,		/* Tab: the other pane */
	ACT_OPEN,		/* Enter */
	ACT_PARENT,		/* Backspace */
	ACT_MARK,		/* Insert, Space */
	ACT_COPY,		/* F5 */
	ACT_MOVE,		/* F6 */
	ACT_MKDIR,		/* F7 */
	ACT_DELETE,		/* F8 */
	ACT_REFRESH,		/* Ctrl-R */
	ACT_FILTER,		/* / */
	ACT_SORT,		/* s */
	ACT_HELP,		/* F1 */
	ACT_QUIT,		/* F10, q */
	ACT_CANCEL,		/* Esc: the filter, else (asking) the
				   running transfer */
	ACT_CLEAR,		/* c: finished items off the transfer panel */
	ACT_CONNECT,		/* F2: another server */
	ACT_MARK_MATCHING,	/* +: mark by a pattern */
	ACT_UNMARK_MATCHING,	/* -: unmark by a pattern */
	ACT_INVERT_MARKS,	/* *: invert the marks */
	ACT_LOG,		/* F9, L: the transfer log */
	ACT_CTRL_X,		/* Ctrl-X: the next key is one of mc's
				   Ctrl-X commands (keys_ctrl_x_action) */
	ACT_CHMOD,		/* Ctrl-X c: the mode of the selection */
	ACT_VIEW,		/* F3: the file in a pager */
	ACT_EDIT,		/* F4: the file in an editor */
	ACT_SITES,		/* Ctrl-\: the saved sites */
	ACT_COMPARE,		/* Ctrl-X d: compare the panes' folders */
	ACT_COMPARE_ASK,	/* Ctrl-X D: the same, asking how first */
	ACT_SYNC,		/* Ctrl-X s: the sync plan */
};

/* The action of key after Ctrl-X (c: ACT_CHMOD), or ACT_NONE. */
enum action	 keys_ctrl_x_action(int key);

/* 1 for the key a terminal resize comes as. */
int		 keys_is_resize(int key);

/* n for the function key Fn (1 to 12), else 0. */
int		 keys_fn_number(int key);

/* The action bound to key in the file lists, or ACT_NONE. */
enum action	 keys_action(int key);

/* One line of help: the keys, as a person types them, and what they do. */
struct keys_help {
	const char	*keys;
	const char	*what;
};

/* The help lines, in the order F1 shows them; *n gets their count. */
const struct keys_help *keys_help(size_t *n);

#endif
