/*
 * keys: the key map; see keys.h. curses.h is included for its KEY_*
 * codes only: nothing here draws.
 */
#include "config.h"

#include <curses.h>

#include "tui/keys.h"

static const struct {
	int		key;
	enum action	act;
} map[] = {
	{ KEYS_FN(KEY_UP), ACT_UP },		{ 'k', ACT_UP },
	{ KEYS_FN(KEY_DOWN), ACT_DOWN },	{ 'j', ACT_DOWN },
	{ KEYS_FN(KEY_PPAGE), ACT_PGUP },	{ KEYS_CTRL('b'), ACT_PGUP },
	{ KEYS_FN(KEY_NPAGE), ACT_PGDN },	{ KEYS_CTRL('f'), ACT_PGDN },
	{ KEYS_FN(KEY_HOME), ACT_HOME },	{ 'g', ACT_HOME },
	{ KEYS_FN(KEY_END), ACT_END },		{ 'G', ACT_END },
	{ '\t', ACT_SWITCH },
	{ '\r', ACT_OPEN },			{ '\n', ACT_OPEN },
	{ KEYS_FN(KEY_ENTER), ACT_OPEN },	{ 'l', ACT_OPEN },
	{ KEYS_FN(KEY_RIGHT), ACT_OPEN },
	{ KEYS_FN(KEY_BACKSPACE), ACT_PARENT },	{ 0x7f, ACT_PARENT },
	{ KEYS_CTRL('h'), ACT_PARENT },		{ 'h', ACT_PARENT },
	{ KEYS_FN(KEY_LEFT), ACT_PARENT },
	{ KEYS_FN(KEY_IC), ACT_MARK },		{ ' ', ACT_MARK },
	{ KEYS_FN(KEY_F(5)), ACT_COPY },	{ KEYS_FN(KEY_F(6)), ACT_MOVE },
	{ KEYS_FN(KEY_F(7)), ACT_MKDIR },	{ KEYS_FN(KEY_F(8)), ACT_DELETE },
	{ KEYS_FN(KEY_DC), ACT_DELETE },
	{ KEYS_CTRL('r'), ACT_REFRESH },
	{ '/', ACT_FILTER },
	{ 's', ACT_SORT },
	{ KEYS_FN(KEY_F(1)), ACT_HELP },	{ '?', ACT_HELP },
	{ KEYS_FN(KEY_F(10)), ACT_QUIT },	{ 'q', ACT_QUIT },
	{ KEYS_CTRL('c'), ACT_QUIT },
	{ KEYS_ESC, ACT_CANCEL },
	{ 'c', ACT_CLEAR },
	{ KEYS_FN(KEY_F(2)), ACT_CONNECT },
	{ '+', ACT_MARK_MATCHING },		{ '-', ACT_UNMARK_MATCHING },
	{ '*', ACT_INVERT_MARKS },
	{ KEYS_FN(KEY_F(9)), ACT_LOG },		{ 'L', ACT_LOG },
	{ KEYS_FN(KEY_F(3)), ACT_VIEW },	{ KEYS_FN(KEY_F(4)), ACT_EDIT },
	{ KEYS_CTRL('x'), ACT_CTRL_X },
	{ KEYS_CTRL('\\'), ACT_SITES },
};

/* After Ctrl-X, as in Midnight Commander. */
static const struct {
	int		key;
	enum action	act;
} ctrl_x_map[] = {
	{ 'c', ACT_CHMOD },
	{ 'd', ACT_COMPARE },
	{ 'D', ACT_COMPARE_ASK },
	{ 's', ACT_SYNC },
};

int
keys_is_resize(int key)
{
	return key == KEYS_FN(KEY_RESIZE);
}

int
keys_fn_number(int key)
{
	return key >= KEYS_FN(KEY_F(1)) && key <= KEYS_FN(KEY_F(12)) ?
	    key - KEYS_FN(KEY_F(0)) : 0;
}

enum action
keys_action(int key)
{
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].key == key)
			return map[i].act;
	return ACT_NONE;
}

enum action
keys_ctrl_x_action(int key)
{
	size_t i;

	for (i = 0; i < sizeof(ctrl_x_map) / sizeof(ctrl_x_map[0]); i++)
		if (ctrl_x_map[i].key == key)
			return ctrl_x_map[i].act;
	return ACT_NONE;
}

static const struct keys_help help[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn Home End", "a page up or down, the top, the bottom" },
	{ "Tab", "the other pane" },
	{ "Enter", "open the folder" },
	{ "Backspace", "the parent folder" },
	{ "Insert Space", "mark or unmark, and move down" },
	{ "F3", "view in $PAGER (a folder: open it)" },
	{ "F4", "edit in $EDITOR; a remote file's changes go back" },
	{ "+ - *", "mark, unmark by a pattern (*.txt); invert marks" },
	{ "F5", "copy marked entries (or the cursor's) across" },
	{ "F6", "rename or move (within the same side)" },
	{ "F7", "make a folder" },
	{ "F8 Delete", "delete, after asking" },
	{ "Ctrl-X c", "chmod marked entries (or the cursor's), octal mode" },
	{ "Ctrl-X d", "compare the two folders: differences marked, tagged" },
	{ "Ctrl-X D", "compare, asking: into subfolders, by checksum" },
	{ "Ctrl-X s", "sync plan from the comparison: edit, then run" },
	{ "Ctrl-R", "read both panes again" },
	{ "/", "filter by a part of the name (Esc clears)" },
	{ "s", "sort by name, size, time" },
	{ "Esc", "clear the filter; else cancel transfers (asks which)" },
	{ "c", "clear finished transfers from the panel" },
	{ "F9 L", "the transfer log: every file's result, and why" },
	{ "F2", "connect to another server" },
	{ "Ctrl-\\", "saved sites: connect, add this one, edit, delete" },
	{ "F1 ?", "this help" },
	{ "F10 q", "quit (asking first while transfers run)" },
};

const struct keys_help *
keys_help(size_t *n)
{
	*n = sizeof(help) / sizeof(help[0]);
	return help;
}
