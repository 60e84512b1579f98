/*
 * edit: F3 view and F4 edit. A file is opened in the user's pager or
 * editor ($PAGER, else less; $VISUAL, else $EDITOR, else vi), which gets
 * the terminal until it exits. A local file is opened where it is. A
 * server's file is first fetched, through the transfer engine and so
 * verified, into a private temporary folder (0700, under $TMPDIR, the
 * file 0600 under its own name, so an editor still picks the syntax by
 * the name); after an edit, a copy whose content changed (its digest,
 * not its time) is sent back the same way, and one that did not is not.
 * Before it is sent, the server's file is looked at again: when its
 * size, time or digest is not what was fetched, someone changed it
 * meanwhile, and the caller asks before replacing it. The temporary
 * folder is removed in every case, errors included.
 *
 * No curses here: the caller suspends and restores the screen around
 * edit_run(), and asks its questions itself.
 */
#ifndef BURROW_EDIT_H
#define BURROW_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hash.h"
#include "proto/listing.h"
#include "tui/fs.h"

/* A server's file bigger than this is fetched only after asking. */
#define EDIT_BIG	((uint64_t)64 << 20)

enum edit_mode { EDIT_VIEW, EDIT_EDIT };

/*
 * The program for mode, from the environment: $PAGER or "less" for a
 * view; $VISUAL, else $EDITOR, else "vi" for an edit (an empty variable
 * counts as unset). Valid until the environment changes.
 */
const char	*edit_program(enum edit_mode mode);

/*
 * Runs program on path with the terminal, and waits for it. program may
 * hold arguments ("less -R", "emacsclient -t"): it is run as git runs
 * an editor, /bin/sh -c 'PROGRAM "$@"' with path as an argument, so the
 * path is never parsed by the shell. Meanwhile SIGINT and SIGQUIT are
 * ignored here (they are for the program, which gets them as a shell's
 * child would, with SIGPIPE's default too). Returns 0 when it exited 0,
 * else -1 with the reason in err ("vi: exit status 1").
 */
int		 edit_run(const char *program, const char *path, char *err,
		    size_t errlen);

/*
 * The digest of the local file path with the algorithm named algo
 * (hash_find()'s names), as lowercase hex in hex. 0, or -1 with the
 * reason in err.
 */
int		 edit_digest(const char *path, const char *algo, char *hex,
		    size_t hexlen, char *err, size_t errlen);

/*
 * A view or edit of a server's file, from fetch to cleanup: rpath on the
 * server and its last component name; the private folder dir ("" when
 * none) and the copy in it, path; what the server had when it was
 * fetched (fetched, and server_hex, its digest with algo, "" without
 * HASH; algo is the server's HASH algorithm, else SHA-256); before, the
 * copy's digest before the edit; msg, how the last copy was verified.
 */
struct edit {
	enum edit_mode		 mode;
	struct fs		*remote;	/* the caller's; not freed */
	char			 rpath[FS_PATH_MAX];
	char			 name[LISTING_NAME_MAX];
	char			 dir[FS_PATH_MAX];
	char			 path[FS_PATH_MAX];
	struct listing_entry	 fetched;
	char			 algo[32];
	char			 server_hex[HASH_HEX_MAX];
	char			 before[HASH_HEX_MAX];
	char			 msg[512];
	/* The caller's, set after edit_init(): where the copy goes back to
	 * (dest), and a function called on this thread as bytes move (at
	 * most every 100 ms) while a copy is fetched or sent (NULL: none);
	 * raising cancel meanwhile stops the copy with FS_CANCELED. */
	char			 dest[FS_PATH_MAX];
	void			(*progress)(void *arg, uint64_t done,
				    uint64_t total);
	void			*progress_arg;
	volatile int		 cancel;
};

/*
 * Starts e for rpath on remote (not yet fetched): 0, or -1 when the path
 * is too long (err says so).
 */
int		 edit_init(struct edit *e, enum edit_mode mode,
		    struct fs *remote, const char *rpath, char *err,
		    size_t errlen);

/*
 * Makes the private folder and fetches the server's file into e->path,
 * verified (e->msg says how: "verified by SHA-256"). Records what the
 * server had (size, time, digest) for edit_server_changed(). FS_OK, or
 * the FS_* code with the reason in err (nothing is left in the folder;
 * edit_cleanup() still removes it).
 */
int		 edit_fetch(struct edit *e, char *err, size_t errlen);

/*
 * After the editor: 1 when the copy's content differs from what was
 * fetched, 0 when it is the same, -1 when it cannot be read any more
 * (the editor removed it; err says so).
 */
int		 edit_copy_changed(struct edit *e, char *err, size_t errlen);

/*
 * Looks at the server's file again: 0 when its size, time (where both
 * are known) and digest (where the server hashes) are what was fetched;
 * 1 when one differs, or the file is gone, with what differs in why
 * ("its size is now 12 bytes (was 6)"); the FS_* code (< 0) when it
 * cannot be looked at, with the reason in why.
 */
int		 edit_server_changed(struct edit *e, char *why,
		    size_t whylen);

/*
 * Sends the copy to rpath on the server (e->rpath, or another name in
 * the same folder), replacing what is there, verified (e->msg says how).
 * FS_OK, or the FS_* code with the reason in err.
 */
int		 edit_upload(struct edit *e, const char *rpath, char *err,
		    size_t errlen);

/* Removes the private folder and everything in it; e may be reused
 * after edit_init(). Safe to call more than once. */
void		 edit_cleanup(struct edit *e);

#endif
