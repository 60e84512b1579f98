/*
 * mirror: comparing two folders on two file systems (tui/compare.h does
 * the judging) and making one like the other, for batch mode's mirror
 * and the screen's compare.
 *
 * The walk lists both folders and pairs their entries; with recursion it
 * goes down into every folder that is on both sides (a folder on one side
 * only is one item: copied or deleted as a tree), depth levels at most.
 *
 * What each entry's time is worth (compare.h's time rule): a side with
 * FS_EXACT_TIMES (local, MLSD) tells seconds; another (LIST) tells the
 * minute, or the day for a line older than about half a year that shows
 * only its midnight (an `ls -l` year). For a file of such a side whose
 * pair could be the same (another file of the same size), the time is
 * asked by MDTM (fs_gettime(): UTC, to the second) when the side has it;
 * so a server listing in its own zone is still judged right. Only a
 * server without MDTM needs mirror_opts.offset.
 *
 * Symbolic links are followed to what they lead to, as the copy engine
 * does: a link to a file is compared as that file. A link to a folder,
 * or one that leads nowhere, stays a link (the copy engine skips it).
 *
 * With checksum, two files the rest finds the same (same type, size and
 * time) are hashed on both sides (the remote side's HASH algorithm, the
 * local side's digest), so that a same-size, same-time difference shows
 * as COMPARE_CONTENT.
 */
#ifndef BURROW_MIRROR_H
#define BURROW_MIRROR_H

#include <stddef.h>

#include "tui/compare.h"
#include "tui/fs.h"
#include "tui/rmtree.h"
#include "tui/xfer.h"

struct mirror_opts {
	int		 recursive;
	unsigned	 depth;		/* folder levels below the top; 0:
					   XFER_DEPTH_MAX */
	int		 checksum;
	long		 offset;	/* seconds a rough listing's times
					   (a side without FS_EXACT_TIMES)
					   are ahead of UTC; not applied to
					   MDTM's or MLSD's */
};

/*
 * Compares the folder lpath on left with rpath on right. A right folder
 * that is not there compares as empty, so that mirroring into a folder
 * yet to be made works (the left is the source: missing, it is an
 * error, lest an empty source delete a whole target); either being a
 * file is an error too. *items
 * (malloc'd, free() it) gets one item per name, sorted by path, *n their
 * number. Returns FS_OK, or an FS_* code with the reason in err
 * (FS_NOTSUP: checksum asked where a side cannot hash).
 */
int	mirror_compare(struct fs *left, const char *lpath, struct fs *right,
	    const char *rpath, const struct mirror_opts *o,
	    struct compare_item **items, size_t *n, char *err, size_t errlen);

/* The number of items of each kind into counts[COMPARE_NKINDS]. */
void	mirror_count(const struct compare_item *items, size_t n,
	    unsigned *counts);

/* What mirror_run() did. */
struct mirror_stats {
	unsigned	 copied;	/* copy actions run, less the files
					   that failed in them (a tree's
					   failures count one by one) */
	unsigned	 deleted;	/* entries removed on the target */
	unsigned	 failed;	/* actions that failed */
	unsigned	 conflicts;	/* actions left as they are */
	struct xfer_stats xfer;		/* the copies' files */
};

/*
 * Runs the actions that are on, each from its source side to the other:
 * deletions first (a REPLACE's target too, and never more than the
 * action's own entry), then every copy at once through xfer_copy_list()
 * with o (a copy overwrites: its target differs by the plan; o's conflict
 * callback is not used). left and right are the folders compared. The
 * target top folder is made when missing. rm, when not NULL, is told of
 * each entry removed (path on the target, folder) and of each failure.
 * Returns FS_OK when every action that ran ended well, FS_CANCELED, or
 * FS_ERR with the first failure's reason in err.
 */
int	mirror_run(struct fs *left, const char *lpath, struct fs *right,
	    const char *rpath, const struct plan_action *a, size_t na,
	    const struct xfer_opts *o, const struct rmtree_cb *rm,
	    struct mirror_stats *st, char *err, size_t errlen);

#endif
