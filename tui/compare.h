/*
 * compare: how two folders differ, and what would make one like the
 * other. Pure work over entries the caller has gathered (tui/mirror.c
 * walks both sides); nothing here does I/O.
 *
 * compare_lists() pairs the entries of one folder on the left with those
 * of the same folder on the right by name, byte for byte ("README" and
 * "readme" are two names, as on any Unix file system), and gives each
 * name one kind:
 *
 *   - only on one side;
 *   - type differs: file, folder and symbolic link are three types (a
 *     caller that follows links to files hands them in as files);
 *   - for two files: newer on one side, when both times are known and
 *     differ by more than the time rule allows (below); else size
 *     differs, when both sizes are known and differ; else content
 *     differs, when both checksums are known and differ; else same;
 *   - for two links: content differs when both targets are known and
 *     differ, else same;
 *   - two folders are the same (their contents are compared by the
 *     caller, one level down, when it walks recursively).
 * A file that is newer and also of another size is "newer", with
 * COMPARE_F_SIZE in its flags, so a screen can say both.
 *
 * The time rule. Listings tell times to different precisions: the local
 * side and MLSD to the second (UTC), a LIST line (`ls -l`) to the minute,
 * or to the day for an old file shown with its year, and in the server's
 * own zone, which the line does not name. Each entry therefore carries
 * the precision of its time (prec, in seconds: 1, 60, 86400). Two times
 * are the same when, after the right side's time is moved by the offset
 * (compare_opts.offset: what the right side's clock is ahead of UTC, a
 * whole number of hours, say, for a LIST in local time), they fall in
 * the same step of the coarser precision: floor(a / p) == floor(b / p).
 * `ls -l` cuts the seconds off rather than rounding, so a file listed
 * "12:34" and one whose time is 12:34:59 are the same, and 12:35:00 is
 * newer. (tui/mirror.c asks MDTM, UTC to the second, for a file of a
 * rough listing that could be the same on both sides, so the offset is
 * needed only for a server without MDTM.)
 */
#ifndef BURROW_COMPARE_H
#define BURROW_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/hash.h"
#include "proto/listing.h"
#include "tui/fs.h"

enum compare_kind {
	COMPARE_SAME,
	COMPARE_ONLY_LEFT,
	COMPARE_ONLY_RIGHT,
	COMPARE_NEWER_LEFT,
	COMPARE_NEWER_RIGHT,
	COMPARE_SIZE,		/* same time (or none), another size */
	COMPARE_CONTENT,	/* same size and time, other checksums (or
				   two links to other targets) */
	COMPARE_TYPE,		/* file, folder, link: not the same one */
	COMPARE_NKINDS
};

/* compare_item.flags: every way the two entries differ. */
#define COMPARE_F_TIME		0x01
#define COMPARE_F_SIZE		0x02
#define COMPARE_F_CONTENT	0x04

/* One side's entry as the comparison sees it. */
struct compare_entry {
	char		 name[LISTING_NAME_MAX];
	int		 type;		/* LISTING_FILE, _DIR, _LINK, _OTHER */
	uint64_t	 size;
	int		 have_size;
	time_t		 mtime;		/* UTC as the listing says it */
	unsigned	 prec;		/* seconds the time is exact to; 0:
					   no time */
	char		 hash[HASH_HEX_MAX];	/* "" when not hashed */
	char		 link_target[LISTING_LINK_MAX];	/* "" not told */
};

/* What one name compares as; path is relative to the compared folders. */
struct compare_item {
	char			 path[FS_PATH_MAX];
	enum compare_kind	 kind;
	unsigned		 flags;		/* COMPARE_F_* */
	int			 in_left, in_right;
	struct compare_entry	 left, right;	/* valid where in_* */
};

struct compare_opts {
	long		 offset;	/* seconds the right side's times are
					   ahead of UTC */
};

/* Fills e from a listing entry with the given time precision. */
void	compare_entry_from(struct compare_entry *e,
	    const struct listing_entry *l, unsigned prec);

/* The kind of a pair of entries of the same name (the rules above). */
enum compare_kind compare_pair(const struct compare_entry *l,
	    const struct compare_entry *r, const struct compare_opts *o,
	    unsigned *flags);

/*
 * Compares one folder's entries: left[0..nl) with right[0..nr) (in any
 * order; names are unique on a side). dir is the folder's path relative
 * to the top ("" at the top) and prefixes each item's path. Appends one
 * item per name, in name order, to *items (realloc'd, *n counting them).
 * Returns 0, or -1 when memory runs out or a path does not fit (*items
 * keeps what was appended).
 */
int	compare_lists(const char *dir, const struct compare_entry *left,
	    size_t nl, const struct compare_entry *right, size_t nr,
	    const struct compare_opts *o, struct compare_item **items,
	    size_t *n);

/* Whether two times are the same under the time rule. */
int	compare_same_time(time_t l, unsigned lprec, time_t r, unsigned rprec,
	    long offset);

/* A short word for a kind: "same", "only-left", "newer-left", ... */
const char *compare_kind_name(enum compare_kind k);

/*
 * The plan: the actions that make the target side like the source.
 */
enum plan_side {
	PLAN_LEFT,
	PLAN_RIGHT,
};

enum plan_op {
	PLAN_COPY,		/* source's entry (a file, or a folder tree)
				   over the target's, or where it is not */
	PLAN_DELETE,		/* the target's entry (a tree), not on the
				   source */
	PLAN_REPLACE,		/* the target's entry of another type is
				   deleted, then the source's copied */
	PLAN_CONFLICT,		/* of another type, and deleting was not
				   asked: left as it is */
};

struct plan_action {
	const struct compare_item *item;
	enum plan_op	 op;
	enum plan_side	 from;		/* the source side of this action
					   (the target is the other) */
	int		 on;		/* 1: to run (a screen may unmark) */
};

#define PLAN_DELETE_OK	0x01	/* delete on the target what the source
				   has not (and replace other types) */

/*
 * The actions making the side opposite from like from, one per item
 * that is not the same (with PLAN_DELETE_OK; without it an entry only
 * on the target gets no action and one of another type a CONFLICT).
 * Every action is on. An item that is newer on the target is copied all
 * the same: the target becomes the source's copy.
 * Returns the number of actions written to out (room for n, the
 * number of items, is always enough).
 */
size_t	plan_make(const struct compare_item *items, size_t n,
	    enum plan_side from, unsigned flags, struct plan_action *out);

/*
 * Two-way: each item is copied from where it is newer, or where it is
 * only; an item that differs without a time to tell (size, content) is
 * copied from the left. Nothing is deleted: an item of another type on
 * each side gets a REPLACE from the left that is off (the user turns it
 * on), and a screen flips an action's direction (plan_flip()) to delete
 * an entry that is on one side only.
 */
size_t	plan_make_both(const struct compare_item *items, size_t n,
	    struct plan_action *out);

/*
 * Turns an action round: the target becomes the source. A copy of an
 * entry only on one side becomes its deletion and back; an action
 * between two entries keeps its op.
 */
void	plan_flip(struct plan_action *a);

/* A short word for an action as it would run, "upload" and "download"
 * being the caller's; this says "copy", "delete", "replace", "conflict". */
const char *plan_op_name(enum plan_op op);

#endif
