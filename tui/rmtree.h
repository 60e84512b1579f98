/*
 * rmtree: removing a folder tree on either fs (batch mode's "rm -r"),
 * depth first: a folder's files, links and subfolders go before the
 * folder itself, in name order.
 *
 * A symbolic link is removed, never followed, even where a server lists
 * a link to a folder as the folder it leads to (burrowd does): every
 * entry is first removed as a file (DELE, unlink(2)), which takes a link
 * whatever it points to and fails on a real folder, and only a folder
 * that refused is listed and emptied. So nothing a link leads to is
 * touched.
 */
#ifndef BURROW_RMTREE_H
#define BURROW_RMTREE_H

#include "tui/fs.h"

#define RMTREE_DEPTH_MAX	128	/* folder levels below the top */

/* How rmtree() tells what it did, one call per entry. */
struct rmtree_cb {
	/* path is gone; folder: it was a folder. */
	void	(*removed)(void *arg, const char *path, int folder);
	/* path could not be removed, for the reason why. */
	void	(*failed)(void *arg, const char *path, const char *why);
	void	*arg;
};

/*
 * Whether "rm -r path" may run with the current folder cwd (absolute):
 * NULL when it may, else the reason it may not: path ends in "." or "..",
 * names the root, or names cwd or a folder above it. Pure string work.
 */
const char	*rmtree_refuses(const char *cwd, const char *path);

/*
 * Removes path on fs, a file, a link or a folder tree, calling cb for
 * each entry removed or not. A folder with an entry that could not be
 * removed is kept (its failures were told). Returns the number of
 * failures (0: path is gone).
 */
unsigned	 rmtree(struct fs *fs, const char *path,
		    const struct rmtree_cb *cb);

#endif
