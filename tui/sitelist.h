/*
 * sitelist: the full-screen client's list of saved sites (Ctrl-\): its
 * keys and the dialogs that add, edit and delete a site. The state is in
 * struct app (tui/app.h); tui/draw.c draws it.
 */
#ifndef BURROW_SITELIST_H
#define BURROW_SITELIST_H

#include "tui/app.h"
#include "tui/dialog.h"

/* Opens the list, reading sites.conf again (a mistake in it is shown on
 * the status line, and the list read before is kept). */
void	sitelist_open(struct app *a);

/* A key while the list is open and no dialog is: Up, Down, PgUp, PgDn,
 * Home, End move; Enter connects; a (Insert) adds the current
 * connection; e edits; d (F8, Delete) deletes; Esc, q, F10, Ctrl-\
 * close. */
void	sitelist_key(struct app *a, int key);

/*
 * A dialog of the list's (purpose p) ended with r and text typed: the
 * change is made and saved, or the next question asked. Returns 1 when
 * p was the list's, else 0 (nothing done).
 */
int	sitelist_dialog_done(struct app *a, enum dialog_purpose p, int r,
	    const char *text);

#endif
