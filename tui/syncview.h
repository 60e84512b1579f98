/*
 * syncview: comparing the two panes' folders on the full screen and
 * the sync plan made from the comparison (tui/compare.h, tui/mirror.h).
 *
 * Ctrl-X d compares the folders the panes show by name, type, size and
 * time; Ctrl-X D asks first whether to go down into the folders both
 * have and whether to compare the files that look the same by checksum
 * (the server's HASH against the local digest). Every entry that
 * differs is marked in its pane and tagged with how (drawn in its date
 * column), and each pane's footer counts the kinds. Ctrl-X s opens the
 * plan: one row an action, copied from where the entry is newer or
 * only, the user turning actions off and on (Space) or round (Tab: an
 * entry on one side only is then deleted there instead). Enter runs it:
 * deletions first, after a question naming how many, then the copies as
 * queue items in one run, each overwriting the target it was planned
 * for. The state is in struct app; tui/draw.c draws it.
 */
#ifndef BURROW_SYNCVIEW_H
#define BURROW_SYNCVIEW_H

#include "tui/app.h"
#include "tui/dialog.h"

/* Ctrl-X d (ask 0) and Ctrl-X D (ask 1: the options' dialog first). */
void	syncview_compare(struct app *a, int ask);

/* Ctrl-X s: the plan from the last comparison (made now when there is
 * none for the folders shown). */
void	syncview_plan_open(struct app *a);

/* A key while the plan is open and no dialog is. */
void	syncview_key(struct app *a, int key);

/* A dialog of this module's (purpose p) ended with r and text typed.
 * Returns 1 when p was this module's, else 0. */
int	syncview_dialog_done(struct app *a, enum dialog_purpose p, int r,
	    const char *text);

/*
 * The tag of the entry called name in side s's pane ("newer", "only",
 * "size"... from that side's view; "inside" for a folder with a
 * difference below it), or NULL when it has none or the comparison is
 * not of the folders shown.
 */
const char *syncview_tag(const struct app *a, enum side s,
	    const char *name);

/* The footer's counts for side s ("cmp: 2 only, 1 newer") into buf,
 * "" when there is no comparison of the folders shown. */
void	syncview_counts(const struct app *a, enum side s, char *buf,
	    size_t len);

/* One plan row as the list shows it, into buf. */
void	syncview_row(const struct app *a, size_t i, char *buf, size_t len);

/* Forgets the comparison and closes the plan. */
void	syncview_clear(struct app *a);

#endif
