/*
 * xfer: the transfer engine. Copies a file or a folder tree from one fs to
 * another (a download is remote -> local, an upload local -> remote), the
 * same code either way:
 *
 *   - no target: transfer it all;
 *   - a shorter target: resume from its end (REST + RETR, REST + STOR or
 *     APPE), after checking, where both sides can hash (the source a range
 *     of itself), that the target really is the source's beginning; when
 *     it is not, transfer it all;
 *   - a target of the same size and, where both sides hash, the same
 *     checksum: skip it;
 *   - anything else: transfer it all over the target.
 *
 * After a transfer the target is checked against the source: checksums
 * where both sides hash (the remote side's algorithm), else sizes. A
 * transfer of a whole file is hashed as it passes, so only the far side
 * (the server) hashes afterwards; a resumed one compares both sides'
 * digests of the whole file. A mismatch is an error. A caller may ask the user instead of these rules
 * when the target exists (the conflict callback).
 *
 * A file copied and found right (or copied with verification off) gets
 * the source's modification time, when the source's side tells it to the
 * second (a listing's, or its gettime op: a server's MDTM) and the
 * target's side can set one (its settime op: utimensat() here, a server's
 * MFMT, SITE UTIME or vsftpd's MDTM with a time). Neither is needed:
 * without them the time is simply the transfer's, and a time set that
 * fails only adds "; time not kept: why" to the file's message. A skipped
 * file is left as it is; so are folders' times.
 *
 * Folders are copied recursively (the target folder is made when missing).
 * Symbolic links to files are copied as files; links to folders, devices
 * and the like are skipped, with an event saying so.
 */
#ifndef BURROW_XFER_H
#define BURROW_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/listing.h"
#include "tui/fs.h"
#include "tui/resume.h"

/* What happened to one file, for xfer_opts.event. */
enum xfer_event {
	XFER_EV_DONE,		/* transferred (msg says how it was verified) */
	XFER_EV_SKIPPED,	/* identical, or a link to a folder, or the
				   user said skip */
	XFER_EV_FAILED,		/* msg says why */
	XFER_EV_CANCELED,	/* the cancel flag; the partial target stays */
	XFER_EV_MKDIR,		/* a target folder was made */
};

/* The conflict callback's answers. */
enum xfer_answer {
	XFER_ANS_AUTO,		/* the rules above */
	XFER_ANS_OVERWRITE,
	XFER_ANS_RESUME,	/* a target that cannot be resumed (not
				   shorter, or not the source's beginning)
				   is overwritten */
	XFER_ANS_SKIP,
	XFER_ANS_RENAME,	/* to the name written into newname */
};

#define XFER_DEPTH_MAX	64		/* folder levels copied at most */

/* What the engine knows of a shorter target before asking about it. */
#define XFER_PREFIX_UNCHECKED	0	/* not a shorter target, or no HASH */
#define XFER_PREFIX_SAME	1	/* checked: the source's beginning */
#define XFER_PREFIX_DIFFERS	(-1)	/* checked: it is not */

/*
 * Parallel transfers: a pool of more logins, each a pair of file systems
 * (a remote and a local one), kept between xfer_copy() calls. A folder is
 * copied by up to n logins at once (the caller's pair included): its tree
 * is walked on the caller's pair, and its files are shared out one by
 * one to whichever login is free. open is called on a worker thread the
 * first time that login is needed, as queue_opts.open_fs is (same
 * contract). When it fails (a server refusing one more login: 421, 530
 * "too many", a closed connection), the pool goes on with the logins
 * that worked, tells xfer_opts.notice once why, and asks for no more.
 */
#define XFER_PARALLEL_MAX	16

typedef int	(*xfer_open_pair)(void *arg, struct fs **remote,
		    struct fs **local, char *err, size_t errlen);

struct xfer_pool;

/* A pool of n logins in all (1 to XFER_PARALLEL_MAX); NULL without
 * memory or with n out of range. Nothing is opened yet. */
struct xfer_pool	*xfer_pool_new(unsigned n, xfer_open_pair open,
			    void *arg);

/*
 * Starts the pool's logins now, each on a thread of its own, so that they
 * are ready when a copy needs them (beside the caller's own login rather
 * than after it). A copy waits for one still logging in. NULL is fine;
 * not while a copy runs.
 */
void			 xfer_pool_warm(struct xfer_pool *p);

/*
 * Like xfer_pool_warm(), but each connection, once greeted, waits before
 * its login until xfer_pool_warm() says the logins are wanted, or
 * xfer_pool_free() that they are not: the connecting is done beside the
 * caller's own login, and a session that copies nothing logs nothing in.
 * For this the pool's open function passes xfer_pool_gate, with the pool
 * as its argument, as ftp_opts.before_login. NULL is fine.
 */
void			 xfer_pool_connect(struct xfer_pool *p);

/* The ftp_opts.before_login of the pool arg (see xfer_pool_connect()). */
int			 xfer_pool_gate(void *arg);

/* Closes the pool's logins. NULL is fine. Not while a copy runs. */
void			 xfer_pool_free(struct xfer_pool *p);

/* The logins a copy may use now: n, or fewer once one was refused. */
unsigned		 xfer_pool_size(const struct xfer_pool *p);

/* What the progress callback sees. */
struct xfer_progress {
	unsigned	 slot;		/* which login moves it: 0 the
					   caller's, 1.. the pool's */
	const char	*src;		/* the file being transferred */
	const char	*dst;
	uint64_t	 done;		/* bytes of it on the target */
	uint64_t	 total;		/* its size, 0 when not known */
	uint64_t	 offset;	/* where this transfer started */
	double		 rate;		/* bytes/s since it started */
	/* NULL while bytes move; else what takes the time meanwhile
	 * (checksums of a big file can take long): "comparing" before a
	 * transfer (with an existing target), "verifying" after it. */
	const char	*phase;
};

struct xfer_opts {
	unsigned	 resume_flags;	/* RESUME_*, tui/resume.h */
	int		 verify;	/* check after each transfer */
	/* Called when the target dst of the file src exists; NULL: the
	 * rules.
	 * suggested is what the rules would do: RESUME only when the
	 * target is shorter and, where both sides hash, was found to be
	 * the source's beginning; prefix tells (XFER_PREFIX_*). newname
	 * (len bytes) takes a new last component for XFER_ANS_RENAME. */
	enum xfer_answer (*conflict)(void *arg, const char *src,
			    const char *dst,
			    const struct listing_entry *src_e,
			    const struct listing_entry *dst_e,
			    enum xfer_decision suggested, int prefix,
			    char *newname, size_t len);
	/* At most every 100 ms during a transfer, and at its end; and
	 * once as a file's comparing or verifying begins (phase). */
	void		(*progress)(void *arg, const struct xfer_progress *p);
	/* Once per file (and per folder made). */
	void		(*event)(void *arg, enum xfer_event ev, const char *src,
			    const char *dst, const char *msg);
	/* What the user should hear once (a login refused by the pool).
	 * May be NULL. */
	void		(*notice)(void *arg, const char *msg);
	/* Parallel transfers of a folder's files; NULL: one at a time.
	 * With a pool the callbacks above are called from several threads,
	 * one call at a time (a question blocks the other logins' calls
	 * until it is answered). */
	struct xfer_pool *pool;
	void		*arg;
};

struct xfer_stats {
	unsigned	 files;		/* transferred */
	unsigned	 resumed;	/* of which resumed */
	unsigned	 verified;	/* of which checked by checksum */
	unsigned	 skipped;
	unsigned	 failed;
	uint64_t	 bytes;		/* moved over the wire */
};

/*
 * Copies src_path on src to dst_path on dst (a file or a folder tree).
 * Goes on past a file that fails, counting it. Returns FS_OK when nothing
 * failed, FS_CANCELED when the cancel flag (src->cancel or dst->cancel)
 * was raised, else FS_ERR with the first failure's reason in err. stats
 * (which may be NULL) is added to, not cleared.
 */
int	xfer_copy(struct fs *src, const char *src_path, struct fs *dst,
	    const char *dst_path, const struct xfer_opts *o,
	    struct xfer_stats *stats, char *err, size_t errlen);

/*
 * xfer_copy() of n sources at once (src_paths[i] to dst_paths[i]), as one
 * copy: with a pool their files are shared out together, file by file,
 * so that many small items keep every login busy. A source that cannot
 * be looked at has its failure told (an event) and the others go on.
 * Events name the files, so the caller tells the sources apart by path.
 */
int	xfer_copy_list(struct fs *src, size_t n, const char *const *src_paths,
	    struct fs *dst, const char *const *dst_paths,
	    const struct xfer_opts *o, struct xfer_stats *stats, char *err,
	    size_t errlen);

/*
 * The bytes xfer_copy() would read from src_path on src: a file's size,
 * or the sum of the files' sizes in a folder tree (what a listing says;
 * links and entries without a size count as 0; XFER_DEPTH_MAX levels at
 * most). For a progress bar's total: FS_OK with *bytes, or the FS_* code
 * (FS_CANCELED when src's cancel flag rose) with the reason in err.
 */
int	xfer_measure(struct fs *src, const char *src_path, uint64_t *bytes,
	    char *err, size_t errlen);

#endif
