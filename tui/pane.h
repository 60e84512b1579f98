/*
 * pane: the model of one side of the two-pane file manager, what the
 * screen shows of one folder: its entries, the cursor, the scroll
 * position, the marks, the sort order and a filter. Nothing here draws
 * (tui/draw.c does, from what these functions return) and nothing but
 * pane_load() and pane_chdir() talks to a file system.
 *
 * The pane owns the folder's entries as they were given. Its view is the
 * visible ones in display order: a ".." entry first (for every folder but
 * "/"), then folders, then everything else (files, links, devices: a
 * link's target type is not known), each group in the sort order. The
 * filter hides entries whose name does not contain it, without regard to
 * ASCII case; ".." is never hidden. Indices taken and returned by these
 * functions are view indices, 0 to pane_count() - 1.
 *
 * Marks belong to entries (never to ".."): they survive a re-sort, a
 * refresh of the same folder (by name) and a filter change only as far
 * as the marked entries stay visible, so that an operation on the
 * selection never touches what the user cannot see.
 *
 * A pane is used by one thread; it keeps no state outside struct pane.
 */
#ifndef BURROW_PANE_H
#define BURROW_PANE_H

#include <stddef.h>
#include <sys/types.h>

#include "proto/listing.h"
#include "tui/fs.h"

enum pane_sort {
	PANE_SORT_NAME,		/* without regard to ASCII case, then bytes */
	PANE_SORT_SIZE,		/* largest first, ties by name */
	PANE_SORT_TIME,		/* newest first, ties by name */
};

/*
 * The fields are this module's: read them through the functions below.
 * An unknown size or time sorts as 0 (smallest, oldest).
 */
struct pane {
	char			  path[FS_PATH_MAX];	/* "" before the first
							   listing */
	struct listing_entry	 *ents;		/* n, owned, as given */
	size_t			  n;
	unsigned char		 *marked;	/* n flags, one per ents[] */
	struct listing_entry	**view;		/* nview pointers into ents
						   (or &up); room for n + 1 */
	size_t			  nview;
	struct listing_entry	  up;		/* the ".." entry */
	size_t			  cursor;	/* into view */
	size_t			  top;		/* first row on screen */
	enum pane_sort		  sort;
	char			  filter[LISTING_NAME_MAX];
};

/* An empty pane (no folder, nothing shown, sorted by name). */
void	pane_init(struct pane *p);

/* Frees what p owns and leaves it as pane_init() does. */
void	pane_free(struct pane *p);

/*
 * Replaces the listing with entries (n of them, malloc'd; NULL when n is
 * 0), the content of folder path (absolute, fewer than FS_PATH_MAX
 * bytes). The pane takes entries over whether or not this succeeds.
 * Entries named "." or ".." and MLSD's cdir and pdir entries are dropped
 * (the pane shows its own ".."); names are cut at LISTING_NAME_MAX - 1.
 *
 * When path is the pane's folder (a refresh), the filter stays, the marks
 * stay on entries whose names are still there, and the cursor stays on
 * the entry of the same name, else at the same index as far as the view
 * reaches. When it is another folder, marks and filter are cleared and
 * the cursor goes to the top, or, when path is an ancestor of the old
 * folder (going up), to the entry of the folder we came from ("/a/b" to
 * "/a" puts it on "b").
 *
 * Returns 0, or -1 when path is too long or memory runs out; the pane is
 * then unchanged (and entries freed).
 */
int	pane_set_entries(struct pane *p, const char *path,
	    struct listing_entry *entries, size_t n);

/*
 * Lists fs's current folder into p (pane_set_entries() with fs's cwd).
 * Returns FS_OK, or an FS_* code with the reason in err (errlen bytes)
 * and p unchanged.
 */
int	pane_load(struct pane *p, struct fs *fs, char *err, size_t errlen);

/*
 * Changes fs's current folder to name (".." or an entry's name, relative
 * to fs's current folder, which is expected to be p's; or an absolute
 * path) and lists it into p. Returns FS_OK, or an FS_* code with the
 * reason in err and p unchanged; when the change worked but the listing
 * did not, fs is sent back to p's folder first (as far as it goes: the
 * first reason is the one reported).
 */
int	pane_chdir(struct pane *p, struct fs *fs, const char *name,
	    char *err, size_t errlen);

/* The folder shown ("" before the first listing). */
const char *pane_path(const struct pane *p);

/* The number of visible entries, ".." included. */
size_t	pane_count(const struct pane *p);

/* The i-th visible entry, NULL when i >= pane_count(p). Valid until
 * the listing is replaced. */
const struct listing_entry *pane_entry(const struct pane *p, size_t i);

/* The view index of the visible entry called name, or -1. */
ssize_t	pane_find(const struct pane *p, const char *name);

/*
 * The sort order. pane_set_sort() and pane_sort_cycle() (name, size,
 * time, name again; it returns the new order) keep the cursor on the
 * same entry. pane_sort_name() is "name", "size" or "time".
 */
enum pane_sort	 pane_sort_key(const struct pane *p);
void		 pane_set_sort(struct pane *p, enum pane_sort key);
enum pane_sort	 pane_sort_cycle(struct pane *p);
const char	*pane_sort_name(enum pane_sort key);

/*
 * Shows only the entries whose name contains filter, without regard to
 * ASCII case ("" or NULL: all of them; ".." always). Marks on entries it
 * hides are dropped. The cursor stays on its entry when that stays
 * visible, else at the same index as far as the view reaches. Returns 0,
 * or -1 (nothing changed) when filter has LISTING_NAME_MAX bytes or more.
 */
int		 pane_set_filter(struct pane *p, const char *filter);
const char	*pane_filter(const struct pane *p);

/*
 * The cursor, a view index (0 in an empty view). pane_move() moves it
 * by delta, pane_page() by rows (a screen) in direction dir (+1 down, -1
 * up, moving p->top along), pane_home() and pane_end() to either end;
 * all stop at the ends. pane_set_cursor_name() puts it on the entry
 * called name and returns 0, or -1 (cursor unchanged) when that is not
 * visible.
 */
size_t		 pane_cursor(const struct pane *p);
const struct listing_entry *pane_current(const struct pane *p);
void		 pane_move(struct pane *p, long delta);
void		 pane_page(struct pane *p, int dir, size_t rows);
void		 pane_home(struct pane *p);
void		 pane_end(struct pane *p);
int		 pane_set_cursor_name(struct pane *p, const char *name);

/*
 * The view index of the first row for a window of rows rows (0 taken as
 * 1) in which the cursor is visible: p->top when it already is, else
 * the nearest offset that shows it, never leaving rows empty at the
 * bottom that entries above could fill. Stored in p->top.
 */
size_t		 pane_scroll(struct pane *p, size_t rows);

/*
 * Marks. pane_toggle_mark() flips the mark of the entry under the cursor
 * and moves the cursor down by one; it returns the new mark (1 or 0), or
 * -1 when there is nothing to mark (the pane is empty or the cursor is
 * on "..", where it still moves down). pane_mark_all() marks every
 * visible entry but "..", pane_unmark_all() clears every mark.
 * pane_is_marked() says whether view entry i is marked (0 out of range).
 */
int		 pane_toggle_mark(struct pane *p);
void		 pane_mark_all(struct pane *p);
void		 pane_unmark_all(struct pane *p);
int		 pane_is_marked(const struct pane *p, size_t i);
/* Marks (on 1) or unmarks the visible entry called name (never "..");
 * 0, or -1 when there is none. */
int		 pane_set_mark_name(struct pane *p, const char *name, int on);
size_t		 pane_marked_count(const struct pane *p);

/*
 * mc's '*', '+' and '-': pane_invert_marks() flips the mark of every
 * visible entry but ".."; pane_mark_matching() marks (on 1) or unmarks
 * (on 0) the visible entries whose names match the shell pattern
 * (fnmatch(3): '*', '?', [...]) and returns how many it changed.
 * pane_marked_bytes() adds up the sizes of the marked entries that have
 * one (a folder counts 0).
 */
void		 pane_invert_marks(struct pane *p);
size_t		 pane_mark_matching(struct pane *p, const char *pattern,
		    int on);
uint64_t	 pane_marked_bytes(const struct pane *p);

/*
 * What an operation (copy, delete) acts on: the marked entries in display
 * order, or when none is marked the entry under the cursor, or nothing
 * when the cursor is on ".." or the pane is empty. *out is a malloc'd
 * array of *n pointers into the pane (free() the array, not the entries;
 * they are valid until the listing is replaced: copy the names for work
 * that outlives that), NULL when *n is 0. Returns 0, or -1 when memory
 * runs out (*out NULL, *n 0).
 */
int		 pane_selection(const struct pane *p,
		    const struct listing_entry ***out, size_t *n);

#endif
