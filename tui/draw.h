/*
 * draw: the terminal. The only module that calls curses: it starts and
 * ends the screen (restoring the terminal on exit and after a fatal
 * signal), reads keys, and draws a struct app (tui/app.h) without
 * changing it.
 */
#ifndef BURROW_DRAW_H
#define BURROW_DRAW_H

#include <stddef.h>

#include "tui/app.h"

/* The smallest terminal drawn; a smaller one shows what is needed. */
#define DRAW_MIN_COLS	40
#define DRAW_MIN_LINES	10

/*
 * Starts curses on the terminal (UTF-8 where the locale is; colour where
 * the terminal has it, in theme's colours, and not at all with
 * THEME_MONO or when $NO_COLOR is set and not empty). Returns 0, or -1
 * with a reason in err.
 */
int	draw_open(enum settings_theme theme, char *err, size_t errlen);

/* Restores the terminal. Safe to call twice. */
void	draw_close(void);

/*
 * Gives the terminal to another program for a while (a pager, an
 * editor): the screen's modes are kept and the terminal restored;
 * draw_resume() takes it back and draws the whole screen anew.
 */
void	draw_suspend(void);
void	draw_resume(void);

/*
 * The next key (tui/keys.h encoding), waiting at most timeout_ms;
 * KEYS_NONE when none came. A terminal resize comes as
 * KEYS_FN(KEY_RESIZE).
 */
int	draw_key(int timeout_ms);

/* The signal number once SIGINT, SIGTERM or SIGHUP arrived (the app then
 * quits), else 0. */
int	draw_interrupted(void);

/* Rows of a pane's listing on the current screen (for page moves). */
int	draw_list_rows(const struct app *a);

/* Rows the transfer log view shows lines in, on the current screen. */
int	draw_log_rows(void);

/* The body lines a dialog shows at most (a taller text scrolls). */
int	draw_dialog_rows(void);

/* The log view's first line that puts its last line on the bottom row
 * (lines wrap, so it depends on the screen's width). */
size_t	draw_log_last_top(const struct app *a);

/* Draws everything a shows (and moves pane scroll positions, which is
 * why a is not const: only pane.top changes). */
void	draw_app(struct app *a);

#endif
