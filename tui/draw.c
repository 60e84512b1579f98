/*
 * draw: the terminal; see draw.h. Layout, from the top: the two panes
 * side by side (each a box with its folder on the top edge and a footer
 * on the bottom one), the transfer panel while the queue holds items,
 * and the status line (a message, or the main keys). A dialog is drawn
 * over the middle. Everything is drawn from struct app on each frame;
 * nothing here keeps state but the terminal's.
 */
#include "config.h"

#define _XOPEN_SOURCE_EXTENDED 1

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "proto/util.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/progress.h"
#include "tui/syncview.h"
#include "tui/text.h"

enum {
	C_DIR = 1, C_MARK, C_TITLE, C_ERROR, C_BAR, C_DIALOG, C_LINK,
};

/* Set by signal handlers, read by the main loop. */
static volatile sig_atomic_t interrupted;
static int open_now;		/* curses is running (main thread only) */
static int colour_on;		/* pairs set up: the terminal has colour,
				   and neither the theme nor NO_COLOR says
				   no (main thread only) */

/* Each theme's colours of C_DIR... C_LINK: foreground, background (-1:
 * the terminal's). */
static const short themes[][C_LINK][2] = {
	[THEME_DEFAULT] = {
		{ COLOR_BLUE, -1 }, { COLOR_YELLOW, -1 },
		{ COLOR_BLACK, COLOR_CYAN }, { COLOR_RED, -1 },
		{ COLOR_GREEN, -1 }, { COLOR_BLACK, COLOR_WHITE },
		{ COLOR_CYAN, -1 },
	},
	[THEME_DARK] = {
		{ COLOR_CYAN, -1 }, { COLOR_YELLOW, -1 },
		{ COLOR_BLACK, COLOR_GREEN }, { COLOR_MAGENTA, -1 },
		{ COLOR_GREEN, -1 }, { COLOR_WHITE, COLOR_BLUE },
		{ COLOR_WHITE, -1 },
	},
};

static void
on_quit_signal(int sig)
{
	interrupted = sig;
}

/* A crash must not leave the terminal raw: best effort, then die. */
static void
on_fatal_signal(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE,
    SIGILL };

int
draw_open(enum settings_theme theme, char *err, size_t errlen)
{
	const char *no_colour = getenv("NO_COLOR");
	struct sigaction sa;
	size_t i;

	if (!isatty(0) || !isatty(1)) {
		snprintf(err, errlen, "the full-screen view needs a terminal "
		    "(use --batch for scripts)");
		return -1;
	}
	if (newterm(NULL, stdout, stdin) == NULL) {
		snprintf(err, errlen, "cannot start the terminal (TERM=%s)",
		    getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	open_now = 1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;	/* no SA_RESTART: wake the read */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	/* NO_COLOR (no-color.org): set and not empty, no colour. */
	colour_on = has_colors() && theme != THEME_MONO &&
	    (size_t)theme < sizeof(themes) / sizeof(themes[0]) &&
	    (no_colour == NULL || no_colour[0] == '\0');
	if (colour_on) {
		start_color();
		use_default_colors();
		for (i = 0; i < C_LINK; i++)
			init_pair((short)(i + 1), themes[theme][i][0],
			    themes[theme][i][1]);
	}
	return 0;
}

void
draw_close(void)
{
	if (!open_now)
		return;
	open_now = 0;
	curs_set(1);
	endwin();
}

void
draw_suspend(void)
{
	if (!open_now)
		return;
	def_prog_mode();
	curs_set(1);
	endwin();
}

void
draw_resume(void)
{
	if (!open_now)
		return;
	reset_prog_mode();
	curs_set(0);
	clearok(curscr, TRUE);
	refresh();
}

int
draw_key(int timeout_ms)
{
	wint_t wc;
	int r;

	timeout(timeout_ms);
	r = wget_wch(stdscr, &wc);
	if (r == KEY_CODE_YES)
		return KEYS_FN((int)wc);
	if (r == OK)
		return (int)wc;
	return KEYS_NONE;
}

int
draw_interrupted(void)
{
	return interrupted;
}

/* Colour where there is colour; a monochrome attribute otherwise. */
static attr_t
color(int pair, attr_t mono)
{
	return colour_on ? (attr_t)COLOR_PAIR(pair) : mono;
}

/* Writes s (sanitized, cut) at y, x in at most width columns. */
static int
put_text(int y, int x, const char *s, int width)
{
	wchar_t w[512];
	int used;

	if (width <= 0)
		return 0;
	used = text_fit(s, width, w, sizeof(w) / sizeof(w[0]));
	mvaddwstr(y, x, w);
	return used;
}

/*
 * Writes s from the top left, broken at spaces into lines of at most
 * width columns (a word longer than that is cut), rows lines at most.
 */
static void
put_wrapped(const char *s, int width, int rows)
{
	char line[256];
	size_t n, cut;
	int y;

	for (y = 0; y < rows && *s != '\0'; y++) {
		n = strlen(s);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, s, n);
		line[n] = '\0';
		while (text_width(line) > width) {
			for (cut = strlen(line); cut > 0 && line[cut - 1] !=
			    ' '; cut--)
				;
			if (cut <= 1) {		/* one long word: cut it */
				line[strlen(line) - 1] = '\0';
				continue;
			}
			line[cut - 1] = '\0';
		}
		put_text(y, 0, line, width);
		s += strlen(line);
		while (*s == ' ')
			s++;
	}
}

/* A name from a listing: put_text(), but cut in its middle (its end,
 * the extension, tells files apart). */
static int
put_name(int y, int x, const char *s, int width)
{
	wchar_t w[512];
	int used;

	if (width <= 0)
		return 0;
	used = text_fit_middle(s, width, w, sizeof(w) / sizeof(w[0]));
	mvaddwstr(y, x, w);
	return used;
}

/* The finished items the panel has room for: two on a small screen, up
 * to APP_RECENT on a tall one (a quarter of it goes to the panel). */
static size_t
recent_shown(const struct app *a)
{
	int room = LINES / 4 - 3;
	size_t n = room < 2 ? 2 : (size_t)room;

	if (n > APP_RECENT)
		n = APP_RECENT;
	return a->nrecent < n ? a->nrecent : n;
}

/* Rows of files in flight: one each, one at least. */
static int
slot_rows(const struct app *a)
{
	return a->qs.nslots > 1 ? (int)a->qs.nslots : 1;
}

static int
panel_rows(const struct app *a)
{
	return a->qs.items > 0 ? 2 + slot_rows(a) + (int)recent_shown(a) : 0;
}

int
draw_list_rows(const struct app *a)
{
	int rows = LINES - 1 - panel_rows(a) - 2;

	return rows > 1 ? rows : 1;
}

static const char size_units[] = "KMGTPE";

/* "1.5M", "123K", "999": at most 6 columns. */
static void
short_size(uint64_t n, char *buf, size_t len)
{
	const char *units = size_units;
	double v = (double)n;
	size_t u = 0;

	if (n < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return;
	}
	v /= 1024;
	while (v >= 999.5 && u + 1 < sizeof(size_units) - 1) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 9.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void
short_date(const struct listing_entry *e, time_t now, char *buf, size_t len)
{
	struct tm tm;

	if (!e->have_mtime || localtime_r(&e->mtime, &tm) == NULL) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (e->mtime > now - 180 * 86400 && e->mtime < now + 86400)
		strftime(buf, len, "%b %e %H:%M", &tm);
	else
		strftime(buf, len, "%b %e  %Y", &tm);
}

static void
draw_row(const struct pane *p, size_t i, int y, int x, int iw, int active,
    time_t now, const char *tag)
{
	const struct listing_entry *e = pane_entry(p, i);
	char size[16], date[32], name[LISTING_NAME_MAX + LISTING_LINK_MAX + 8];
	int marked = pane_is_marked(p, i), cursor = active &&
	    i == pane_cursor(p), namew, datew = iw >= 34 ? 12 : 0;
	attr_t at = A_NORMAL;

	if (e->type == LISTING_DIR) {
		snprintf(size, sizeof(size), "<DIR>");
		at = color(C_DIR, A_BOLD) | A_BOLD;
	} else if (e->have_size)
		short_size(e->size, size, sizeof(size));
	else
		size[0] = '\0';
	if (e->type == LISTING_LINK)
		at = color(C_LINK, A_NORMAL);
	if (marked)
		at = color(C_MARK, A_BOLD) | A_BOLD;
	if (cursor)
		at |= A_REVERSE;
	short_date(e, now, date, sizeof(date));
	if (tag != NULL)	/* what a compare found, in the date's place */
		snprintf(date, sizeof(date), "<%s>", tag);
	/* A folder ends in '/', a link shows where it points ("@" when
	 * the listing does not say), as mc and ls -F do. */
	if (e->type == LISTING_LINK)
		snprintf(name, sizeof(name), "%s%s%s", e->name,
		    e->link_target[0] != '\0' ? " -> " : "@", e->link_target);
	else
		snprintf(name, sizeof(name), "%s%s", e->name,
		    e->type == LISTING_DIR && strcmp(e->name, "..") != 0 ?
		    "/" : "");
	namew = iw - 1 - 7 - (datew > 0 ? datew + 1 : 0);
	attrset(at);
	mvhline(y, x, ' ', iw);
	mvaddch(y, x, marked ? '*' : ' ');
	put_name(y, x + 1, name, namew);
	mvprintw(y, x + 1 + namew, " %6s", size);
	if (datew > 0)
		mvprintw(y, x + 1 + namew + 7, " %-12.12s", date);
	attrset(A_NORMAL);
}

/*
 * A pane's footer, what matters most first (a narrow pane cuts the end):
 * marks, then for the remote side encryption, the space left and the
 * server; for the local side the sort and the filter.
 */
static void
footer(const struct app *a, enum side s, char *buf, size_t len)
{
	const struct pane *p = &a->pane[s];
	char avbl[32] = "", marks[64] = "", filter[LISTING_NAME_MAX + 16] = "";
	char cmp[128];

	if (pane_marked_count(p) > 0) {
		char bytes[32];

		short_size(pane_marked_bytes(p), bytes, sizeof(bytes));
		snprintf(marks, sizeof(marks), "%zu marked, %s | ",
		    pane_marked_count(p), bytes);
	}
	if (pane_filter(p)[0] != '\0')
		snprintf(filter, sizeof(filter), " | filter: %s",
		    pane_filter(p));
	syncview_counts(a, s, cmp, sizeof(cmp));
	if (s == SIDE_LOCAL) {
		snprintf(buf, len, " %s%slocal | by %s%s ", cmp, marks,
		    pane_sort_name(pane_sort_key(p)), filter);
		return;
	}
	if (a->fs[SIDE_REMOTE] == NULL) {
		snprintf(buf, len, " not connected (F2 connects) ");
		return;
	}
	if (a->have_avbl) {
		short_size(a->avbl, avbl, sizeof(avbl) - 8);
		strcat(avbl, " free | ");
	}
	snprintf(buf, len, " %s%s%s | %s%s%s ", cmp, marks, a->tls ? "TLS" :
	    "no TLS", avbl, a->server, filter);
}

static void
draw_pane(struct app *a, enum side s, int x, int w, int h, time_t now)
{
	struct pane *p = &a->pane[s];
	int active = a->active == s, rows = h - 2, iw = w - 2, y;
	char foot[512], title[FS_PATH_MAX + 4];
	size_t top, i;

	attrset(active ? A_BOLD : A_NORMAL);
	mvaddch(0, x, ACS_ULCORNER);
	mvhline(0, x + 1, ACS_HLINE, iw);
	mvaddch(0, x + w - 1, ACS_URCORNER);
	mvvline(1, x, ACS_VLINE, rows);
	mvvline(1, x + w - 1, ACS_VLINE, rows);
	mvaddch(h - 1, x, ACS_LLCORNER);
	mvhline(h - 1, x + 1, ACS_HLINE, iw);
	mvaddch(h - 1, x + w - 1, ACS_LRCORNER);
	snprintf(title, sizeof(title), " %s ", pane_path(p)[0] != '\0' ?
	    pane_path(p) : "-");
	if (active)
		attrset(color(C_TITLE, A_REVERSE));
	/* A long path shows its end, where the user is. */
	if (text_width(title) > iw - 2) {
		const char *t = title + strlen(title);

		while (t > title && text_width(t - 1) <= iw - 3)
			t--;
		put_text(0, x + 2, "~", 1);
		put_text(0, x + 3, t, iw - 3);
	} else
		put_text(0, x + 2, title, iw - 2);
	attrset(A_NORMAL);
	footer(a, s, foot, sizeof(foot));
	put_text(h - 1, x + 2, foot, iw - 2);
	top = pane_scroll(p, (size_t)(rows > 0 ? rows : 1));
	for (y = 0; y < rows; y++) {
		i = top + (size_t)y;
		if (i >= pane_count(p)) {
			mvhline(1 + y, x + 1, ' ', iw);
			continue;
		}
		draw_row(p, i, 1 + y, x + 1, iw, active, now,
		    syncview_tag(a, s, pane_entry(p, i)->name));
	}
	if (s == SIDE_REMOTE && a->fs[SIDE_REMOTE] == NULL && rows > 2)
		put_text(2, x + 3, "(not connected)", iw - 4);
}

/* "label [#####-----] 45% tail": fits 80 columns with a 30-column tail. */
static void
bar_line(int y, const char *label, uint64_t done, uint64_t total,
    const char *tail)
{
	char bar[21];

	mvhline(y, 0, ' ', COLS);
	progress_bar(bar, sizeof(bar), done, total);
	put_text(y, 1, label, 18);
	attrset(color(C_BAR, A_BOLD));
	mvprintw(y, 20, "[%s]", bar);
	attrset(A_NORMAL);
	if (total > 0)
		mvprintw(y, 43, "%3d%%", progress_percent(done, total));
	put_text(y, 48, tail, COLS - 49);
}

static const char *
state_word(enum queue_state s)
{
	switch (s) {
	case QUEUE_WAITING: return "wait";
	case QUEUE_RUNNING: return "now ";
	case QUEUE_DONE: return "ok  ";
	case QUEUE_SKIPPED: return "skip";
	case QUEUE_FAILED: return "FAIL";
	case QUEUE_CANCELED: return "stop";
	}
	return "?";
}

/* One file in flight: "Up name [#####-----] 45% 1.2M/3.4M 1M/s 2s left". */
static void
slot_line(int y, const struct queue_slot_view *v)
{
	char line[QUEUE_MSG_MAX], done[32], total[32], rate[32], eta[32];
	char base[LISTING_NAME_MAX + 8], name[LISTING_NAME_MAX];

	short_size(v->done, done, sizeof(done));
	short_size(v->total, total, sizeof(total));
	if (v->rate > 0 && v->rate < 1e18)
		short_size((uint64_t)v->rate, rate, sizeof(rate));
	else
		snprintf(rate, sizeof(rate), "-");
	progress_format_eta(progress_eta(v->done, v->total, v->rate), eta,
	    sizeof(eta));
	if (v->phase[0] != '\0')
		/* Checksums of a big file take a while: say so rather
		 * than show a bar that stands still. */
		snprintf(line, sizeof(line), "%s %s: checksums...", v->phase,
		    total);
	else
		snprintf(line, sizeof(line), "%s/%s  %s/s  %s left", done,
		    total, rate, eta);
	fs_basename(v->file, name, sizeof(name));
	snprintf(base, sizeof(base), "%s %s", v->dir == QUEUE_UPLOAD ? "Up" :
	    "Down", name);
	bar_line(y, base, v->done, v->total, line);
}

static void
draw_panel(const struct app *a, int y0)
{
	const struct queue_status *q = &a->qs;
	char line[QUEUE_MSG_MAX + LISTING_NAME_MAX + 32];
	char base[LISTING_NAME_MAX + 8];
	size_t i;

	snprintf(line, sizeof(line), " Transfers: %u running, %u waiting, "
	    "%u done, %u skipped, %u failed, %u canceled%s ", q->running,
	    q->waiting, q->done, q->skipped, q->failed, q->canceled,
	    q->asking ? " - waiting for your answer" : "");
	mvhline(y0, 0, ACS_HLINE, COLS);
	put_text(y0, 2, line, COLS - 4);
	if (q->nslots > 0) {
		/* A line and a bar for each file in flight, one a login. */
		for (i = 0; i < q->nslots; i++)
			slot_line(y0 + 1 + (int)i, &q->slot[i]);
	} else if (q->id != 0) {
		struct queue_slot_view v;

		/* Between two files of the running item. */
		memset(&v, 0, sizeof(v));
		v.dir = q->dir;
		snprintf(v.file, sizeof(v.file), "%s", q->src);
		slot_line(y0 + 1, &v);
	} else {
		mvhline(y0 + 1, 0, ' ', COLS);
		put_text(y0 + 1, 1, q->waiting > 0 ? "Starting..." :
		    "Idle: c clears this list.",
		    COLS - 2);
	}
	y0 += slot_rows(a) - 1;
	snprintf(line, sizeof(line), "%zu of %zu items", q->batch_ended,
	    q->batch_items);
	bar_line(y0 + 2, "All", q->overall_done, q->overall_total, line);
	for (i = 0; i < recent_shown(a); i++) {
		/* The newest of them: recent holds the oldest first. */
		const struct queue_item_view *v = &a->recent[a->nrecent -
		    recent_shown(a) + i];

		snprintf(line, sizeof(line), "%s %s %s%s%s: %s",
		    state_word(v->state), v->dir == QUEUE_UPLOAD ? "up  " :
		    "down", fs_basename(v->src, base, sizeof(base)),
		    v->renamed[0] != '\0' ? " as " : "", v->renamed,
		    v->message);
		mvhline(y0 + 3 + (int)i, 0, ' ', COLS);
		if (v->state == QUEUE_FAILED)
			attrset(color(C_ERROR, A_BOLD) | A_BOLD);
		put_text(y0 + 3 + (int)i, 1, line, COLS - 2);
		attrset(A_NORMAL);
	}
}

static const char hints[] = "F1 Help  F3 View  F4 Edit  F5 Copy  F6 Move  "
    "F7 Mkdir  F8 Delete  Tab Pane  / Filter  F10 Quit";

static void
draw_status(const struct app *a)
{
	mvhline(LINES - 1, 0, ' ', COLS);
	if (a->status[0] != '\0') {
		if (a->status_error)
			attrset(color(C_ERROR, A_BOLD) | A_BOLD);
		put_text(LINES - 1, 0, a->status, COLS);
		attrset(A_NORMAL);
	} else
		put_text(LINES - 1, 0, hints, COLS);
}

/* Lines of s (split at '\n') into at most max pointers; modifies s. */
static int
split_lines(char *s, char **lines, int max)
{
	int n = 0;

	while (n < max) {
		lines[n++] = s;
		if ((s = strchr(s, '\n')) == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

int
draw_dialog_rows(void)
{
	return LINES - 3 > 1 ? LINES - 3 : 1;	/* the borders, the hint */
}

/* The first line of a text dialog's n shown. */
static size_t
text_top(const struct dialog *d, int n)
{
	size_t rows = (size_t)draw_dialog_rows();

	if ((size_t)n <= rows)
		return 0;
	return d->top < (size_t)n - rows ? d->top : (size_t)n - rows;
}

static void
draw_dialog(const struct app *a)
{
	const struct dialog *d = &a->dlg;
	char body[DLG_TEXT_MAX], *lines[64], stars[256], hint[160];
	const char *input = NULL;
	int n, h, w, y0, x0, i, tw;
	size_t k;

	snprintf(body, sizeof(body), "%s", d->body);
	n = split_lines(body, lines, 64);
	w = COLS - 4 < 76 ? COLS - 4 : 76;
	for (i = 0; i < n; i++)
		if (text_width(lines[i]) + 4 > w && d->kind != DLG_TEXT)
			w = COLS - 2;
	if (w < 20)
		w = COLS;
	hint[0] = '\0';
	switch (d->kind) {
	case DLG_INPUT:
		input = d->text;
		snprintf(hint, sizeof(hint), "Enter: OK   Esc: cancel");
		break;
	case DLG_SECRET:
		for (k = 0; k < strlen(d->text) && k + 1 < sizeof(stars); k++)
			stars[k] = '*';
		stars[k] = '\0';
		input = stars;
		snprintf(hint, sizeof(hint), "Enter: OK   Esc: cancel");
		break;
	case DLG_CONFIRM:
		snprintf(hint, sizeof(hint), d->offer_all ? "y: yes   a: all   "
		    "n, Esc: no" : "y: yes   n, Esc: no");
		break;
	case DLG_CONFLICT:
		snprintf(hint, sizeof(hint), "[o]verwrite %s[s]kip re[n]ame  "
		    "%sEsc: skip", d->no_resume ? "" : "[r]esume ",
		    d->one_file ? "" : "(capital: for all)  ");
		break;
	case DLG_TEXT:
		if (n > draw_dialog_rows())
			snprintf(hint, sizeof(hint), "lines %zu-%zu of %d   "
			    "Up, Down, PgUp, PgDn: scroll   other keys close",
			    text_top(d, n) + 1, text_top(d, n) +
			    (size_t)draw_dialog_rows(), n);
		else
			snprintf(hint, sizeof(hint), "any key closes");
		break;
	case DLG_NONE:
		return;
	}
	h = n + 4 + (input != NULL ? 1 : 0);
	if (h > LINES)
		h = LINES;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	attrset(color(C_DIALOG, A_REVERSE));
	for (i = 0; i < h; i++)
		mvhline(y0 + i, x0, ' ', w);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvhline(y0, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER);
	mvvline(y0 + 1, x0, ACS_VLINE, h - 2);
	mvvline(y0 + 1, x0 + w - 1, ACS_VLINE, h - 2);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
	mvhline(y0 + h - 1, x0 + 1, ACS_HLINE, w - 2);
	mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
	snprintf(body, sizeof(body), " %s ", d->title);
	put_text(y0, x0 + 2, body, w - 4);
	snprintf(body, sizeof(body), "%s", d->body);
	n = split_lines(body, lines, 64);
	k = d->kind == DLG_TEXT ? text_top(d, n) : 0;
	for (i = 0; (size_t)i + k < (size_t)n && i + 2 < h - 1; i++)
		put_text(y0 + 1 + i, x0 + 2, lines[(size_t)i + k], w - 4);
	if (input != NULL && n + 1 < h - 1) {
		/* The part of a long line around the cursor; the cursor is
		 * the character under it in reverse, or '_' at the end. */
		char left[FS_PATH_MAX], at[8];
		size_t pos = d->pos <= strlen(input) ? d->pos : strlen(input);
		size_t m, skip = 0;

		if (d->kind == DLG_SECRET)
			pos = pos < strlen(stars) ? pos : strlen(stars);
		memcpy(left, input, pos);
		left[pos] = '\0';
		while (left[skip] != '\0' && text_width(left + skip) > w - 8)
			skip++;
		mvaddstr(y0 + 1 + n, x0 + 2, "> ");
		attrset(A_NORMAL);
		mvhline(y0 + 1 + n, x0 + 4, ' ', w - 6);
		put_text(y0 + 1 + n, x0 + 4, input + skip, w - 7);
		tw = text_width(left + skip);
		if (input[pos] == '\0')
			mvaddch(y0 + 1 + n, x0 + 4 + tw, '_');
		else {
			for (m = 1; m < sizeof(at) - 1 && input[pos + m] != '\0' &&
			    ((unsigned char)input[pos + m] & 0xc0) == 0x80; m++)
				;
			memcpy(at, input + pos, m);
			at[m] = '\0';
			attrset(A_REVERSE);
			put_text(y0 + 1 + n, x0 + 4 + tw, at, 2);
		}
		attrset(color(C_DIALOG, A_REVERSE));
	}
	put_text(y0 + h - 2, x0 + 2, hint, w - 4);
	attrset(A_NORMAL);
}

/* ------------------------------------------------------ the transfer log */

int
draw_log_rows(void)
{
	return LINES - 2 > 1 ? LINES - 2 : 1;
}

size_t
draw_log_last_top(const struct app *a)
{
	size_t top = a->log_n;
	int used = 0, r;

	while (top > 0) {
		r = text_rows(a->log_v[top - 1].text, COLS > 2 ? COLS : 2);
		if (used + r > draw_log_rows() && used > 0)
			break;
		used += r;
		top--;
	}
	return top;
}

/* The log view over the whole screen: a title, the lines from log_top
 * on (a long one wrapped, so a failure's reason at its end shows), the
 * keys at the bottom. */
static void
draw_log(const struct app *a)
{
	char line[256];
	const char *s;
	size_t i, n;
	int y = 1, rows = draw_log_rows();

	snprintf(line, sizeof(line), " Transfer log: %lu files, %lu failed%s ",
	    a->log_added, a->log_failed, a->log_failed_only ?
	    " - showing the failures only" : "");
	attrset(color(C_TITLE, A_REVERSE) | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	put_text(0, 0, line, COLS);
	attrset(A_NORMAL);
	if (a->log_n == 0)
		put_text(1, 1, a->log_failed_only ? "No failures." :
		    "Nothing transferred yet.", COLS - 2);
	for (i = a->log_top; i < a->log_n && y <= rows; i++) {
		if (a->log_v[i].kind == XLOG_FAILED)
			attrset(color(C_ERROR, A_BOLD) | A_BOLD);
		for (s = a->log_v[i].text; y <= rows; y++) {
			n = text_row(s, COLS);
			snprintf(line, sizeof(line), "%.*s", (int)(n <
			    sizeof(line) ? n : sizeof(line) - 1), s);
			put_text(y, 0, line, COLS);
			s += n;
			if (*s == '\0') {
				y++;
				break;
			}
		}
		attrset(A_NORMAL);
	}
	snprintf(line, sizeof(line), "Up Down PgUp PgDn Home End scroll  "
	    "f %s  Esc q F9 close  (%zu-%zu of %zu)", a->log_failed_only ?
	    "every file" : "failures only", a->log_n > 0 ? a->log_top + 1 : 0,
	    i, a->log_n);
	mvhline(LINES - 1, 0, ' ', COLS);
	put_text(LINES - 1, 0, line, COLS);
}

/* ------------------------------------------------------ the saved sites */

/* The site list over the whole screen: a title, a row a site (name,
 * address and user, the folders), the cursor's reversed, the keys at the
 * bottom. */
static void
draw_sites(const struct app *a)
{
	char line[SITE_URL_MAX + URL_USER_MAX + 2 * SITE_PATH_MAX + 128];
	const struct site *st;
	int rows = LINES - 2 > 1 ? LINES - 2 : 1, y;
	size_t top, i;

	snprintf(line, sizeof(line), " Saved sites: %zu%s%s ", a->sites.n,
	    a->sites_file[0] != '\0' ? " in " : "", a->sites_file);
	attrset(color(C_TITLE, A_REVERSE) | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	put_text(0, 0, line, COLS);
	attrset(A_NORMAL);
	if (a->sites.n == 0)
		put_wrapped("No sites yet. Connect (F2), then press a here to "
		    "keep the connection as a site; or write sites.conf (see "
		    "burrow(1), FILES).", COLS, rows);
	top = a->sites_cursor >= (size_t)rows ? a->sites_cursor -
	    (size_t)rows + 1 : 0;
	for (i = top, y = 1; i < a->sites.n && y <= rows; i++, y++) {
		st = &a->sites.v[i];
		snprintf(line, sizeof(line), " %-16s %s%s%s%s%s%s%s", st->name,
		    st->user, st->user[0] != '\0' ? " at " : "", st->url,
		    st->tls ? " (TLS)" : "", st->remote_dir[0] != '\0' ||
		    st->local_dir[0] != '\0' ? "  " : "", st->remote_dir,
		    st->local_dir[0] != '\0' ? "  local " : "");
		if (st->local_dir[0] != '\0')
			snprintf(line + strlen(line), sizeof(line) -
			    strlen(line), "%s", st->local_dir);
		if (i == a->sites_cursor)
			attrset(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		put_text(y, 0, line, COLS);
		attrset(A_NORMAL);
	}
	snprintf(line, sizeof(line), "Enter connect  a add this connection  "
	    "e edit  d delete  Esc close");
	mvhline(LINES - 1, 0, ' ', COLS);
	if (a->status[0] != '\0') {
		if (a->status_error)
			attrset(color(C_ERROR, A_BOLD) | A_BOLD);
		put_text(LINES - 1, 0, a->status, COLS);
		attrset(A_NORMAL);
	} else
		put_text(LINES - 1, 0, line, COLS);
}

/* The sync plan over the whole screen: a title with the counts, a row
 * an action (the cursor's reversed), the keys at the bottom. */
static void
draw_plan(const struct app *a)
{
	char line[3 * FS_PATH_MAX];
	int rows = LINES - 2 > 1 ? LINES - 2 : 1, y;
	size_t top, i, on = 0, del = 0;

	for (i = 0; i < a->nplan; i++) {
		on += a->plan[i].on != 0;
		del += a->plan[i].on && (a->plan[i].op == PLAN_DELETE ||
		    a->plan[i].op == PLAN_REPLACE);
	}
	snprintf(line, sizeof(line), " Sync plan: %zu actions, %zu to run, "
	    "%zu deleting  (local %s, remote %s) ", a->nplan, on, del,
	    a->cmp_path[SIDE_LOCAL], a->cmp_path[SIDE_REMOTE]);
	attrset(color(C_TITLE, A_REVERSE) | A_BOLD);
	mvhline(0, 0, ' ', COLS);
	put_text(0, 0, line, COLS);
	attrset(A_NORMAL);
	top = a->plan_cursor >= (size_t)rows ? a->plan_cursor -
	    (size_t)rows + 1 : 0;
	for (i = top, y = 1; i < a->nplan && y <= rows; i++, y++) {
		syncview_row(a, i, line, sizeof(line));
		if (i == a->plan_cursor)
			attrset(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		put_text(y, 0, line, COLS);
		attrset(A_NORMAL);
	}
	mvhline(LINES - 1, 0, ' ', COLS);
	if (a->status[0] != '\0') {
		if (a->status_error)
			attrset(color(C_ERROR, A_BOLD) | A_BOLD);
		put_text(LINES - 1, 0, a->status, COLS);
		attrset(A_NORMAL);
	} else
		put_text(LINES - 1, 0, "Space on/off  Tab flip direction  "
		    "Enter run  Esc close", COLS);
}

void
draw_app(struct app *a)
{
	int panel = panel_rows(a), ph = LINES - 1 - panel, lw = COLS / 2;
	time_t now = time(NULL);

	erase();
	if (COLS < DRAW_MIN_COLS || LINES < DRAW_MIN_LINES) {
		char msg[128];

		snprintf(msg, sizeof(msg), "burrow needs a terminal of %dx%d "
		    "at least; this one is %dx%d.", DRAW_MIN_COLS,
		    DRAW_MIN_LINES, COLS, LINES);
		put_wrapped(msg, COLS, LINES);
		refresh();
		return;
	}
	if (a->log_open || a->sites_open || a->plan_open) {
		if (a->log_open)
			draw_log(a);
		else if (a->sites_open)
			draw_sites(a);
		else
			draw_plan(a);
		if (a->dlg.kind != DLG_NONE)
			draw_dialog(a);
		refresh();
		return;
	}
	draw_pane(a, SIDE_LOCAL, 0, lw, ph, now);
	draw_pane(a, SIDE_REMOTE, lw, COLS - lw, ph, now);
	if (panel > 0)
		draw_panel(a, ph);
	draw_status(a);
	if (a->dlg.kind != DLG_NONE)
		draw_dialog(a);
	refresh();
}
