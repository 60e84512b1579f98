/*
 * fs: one interface over two file systems, the local one (tui/local.c) and
 * an FTP server's (tui/remote.c), so that a pane, batch mode and the
 * transfer engine (tui/xfer.c) do not care which side they talk to.
 *
 * Paths are '/'-separated strings, absolute or relative to the fs's own
 * current directory (never the process's: the screen and the transfer
 * thread each keep their own). An fs is used by one thread at a time; a
 * program that browses while it transfers opens a second one.
 *
 * Every call returns FS_OK (0) or a negative FS_* code with a one-line
 * reason in err (errlen bytes, NUL-terminated when errlen > 0). For the
 * remote side the reason is the server's reply ("550 No such file"), so a
 * user sees what the server said.
 */
#ifndef BURROW_FS_H
#define BURROW_FS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "proto/listing.h"

#define FS_OK		 0
#define FS_ERR		-1	/* failed; the reason is in err */
#define FS_NOENT	-2	/* no such file or folder */
#define FS_NOTSUP	-3	/* this side cannot do it (HASH, say) */
#define FS_CANCELED	-4	/* the cancel flag was raised */

#define FS_PATH_MAX	4096

/* fs_open() modes. */
#define FS_RDONLY	0	/* read from offset to the end */
#define FS_WRONLY	1	/* write from offset: 0 creates or truncates,
				   > 0 resumes a file that has exactly offset
				   bytes (what follows is replaced) */

struct fs;

/* An open file: each side's own state follows this first member. */
struct fs_file {
	struct fs	*fs;
};

struct fs_ops {
	/* Entries of path (NULL or "": the current folder), without "." and
	 * "..", in no particular order; *out is malloc'd (free() it). */
	int	(*list)(struct fs *, const char *path,
		    struct listing_entry **out, size_t *n, char *err,
		    size_t errlen);
	/* Type and size (and mtime where known) of one path; e->name is its
	 * last component. FS_NOENT when it is not there. A symbolic link is
	 * followed: its target's type and size are given. */
	int	(*stat)(struct fs *, const char *path,
		    struct listing_entry *e, char *err, size_t errlen);
	int	(*chdir)(struct fs *, const char *path, char *err,
		    size_t errlen);
	/* The current folder as an absolute path; valid until the next
	 * call on this fs. */
	const char *(*cwd)(struct fs *);
	int	(*mkdir)(struct fs *, const char *path, char *err,
		    size_t errlen);
	int	(*rmdir)(struct fs *, const char *path, char *err,
		    size_t errlen);
	int	(*remove)(struct fs *, const char *path, char *err,
		    size_t errlen);
	/* The local side never replaces an existing entry (EEXIST); a
	 * server does what its RNTO does (most replace a file). */
	int	(*rename)(struct fs *, const char *from, const char *to,
		    char *err, size_t errlen);
	/* The digest of bytes [start, end) of path (end UINT64_MAX: to the
	 * end of the file) with the algorithm named algo ("SHA-256"), as
	 * lowercase hex. FS_NOTSUP when this side cannot (a server without
	 * HASH, or without RANG for a partial range). */
	int	(*hash)(struct fs *, const char *path, const char *algo,
		    uint64_t start, uint64_t end, char *hex, size_t hexlen,
		    char *err, size_t errlen);
	/* Opens path in mode at offset (see FS_RDONLY, FS_WRONLY). Only one
	 * file may be open on an fs at a time (FTP has one data connection).
	 * Returns NULL with the reason in err, and *code (when code is not
	 * NULL) set to the FS_* code. */
	struct fs_file *(*open)(struct fs *, const char *path, int mode,
		    uint64_t offset, int *code, char *err, size_t errlen);
	/* Reads up to n bytes: > 0, 0 at the end, or an FS_* code. */
	ssize_t	(*read)(struct fs_file *, void *buf, size_t n, char *err,
		    size_t errlen);
	/* Writes all n bytes, or returns an FS_* code. */
	int	(*write)(struct fs_file *, const void *buf, size_t n,
		    char *err, size_t errlen);
	/* Ends the transfer and frees the file. With abort 0 this is the
	 * verdict on the whole transfer (the server's 226, or a clean
	 * close(2)); with abort 1 the transfer is given up (ABOR) and what was
	 * written stays, so it can be resumed; FS_CANCELED is returned. */
	int	(*close)(struct fs_file *, int abort, char *err,
		    size_t errlen);
	/* Frees the fs (closing a connection). */
	void	(*free)(struct fs *);
	/* Sets the modification time of path (a file) to mtime, seconds
	 * since the epoch, UTC. FS_NOTSUP when this side has no way to (a
	 * server offering neither MFMT nor another command known to do
	 * it). May be NULL: the same as FS_NOTSUP (use fs_settime()). */
	int	(*settime)(struct fs *, const char *path, time_t mtime,
		    char *err, size_t errlen);
	/* The modification time of path to the second, for a side whose
	 * listings may be rougher (an `ls -l` line shows minutes, or only
	 * a day). FS_NOTSUP without a way (a server without MDTM). May be
	 * NULL: the same as FS_NOTSUP (use fs_gettime()). */
	int	(*gettime)(struct fs *, const char *path, time_t *mtime,
		    char *err, size_t errlen);
	/* Sets the permission bits of path to mode (at most 07777). A
	 * symbolic link is not followed where the side can tell: locally
	 * it is refused (a link has no mode of its own on Linux); a server
	 * does what its SITE CHMOD does (burrowd refuses one too).
	 * FS_NOTSUP when this side has no way (a server that answers SITE
	 * CHMOD with 500, 502 or 504; not asked again on that fs). May be
	 * NULL: the same as FS_NOTSUP (use fs_chmod()). */
	int	(*chmod)(struct fs *, const char *path, unsigned mode,
		    char *err, size_t errlen);
};

struct fs {
	const struct fs_ops	*ops;
	const char		*kind;		/* "local" or "remote" */
	unsigned		 flags;		/* FS_HAS_* */
	const char		*hash_algo;	/* the algorithm hash() is best
						   at ("SHA-256"), NULL without
						   one */
	volatile int		*cancel;	/* when set, read between blocks:
						   nonzero stops the work with
						   FS_CANCELED */
	int			 lost;		/* a transfer failed because the
						   connection dropped (the next
						   call reconnects); the engine
						   clears it */
};

#define FS_HAS_HASH	0x01	/* hash() works on whole files */
#define FS_HAS_RANG	0x02	/* hash() works on ranges too */
#define FS_HAS_REST	0x04	/* reading from an offset (REST STREAM) */
#define FS_EXACT_TIMES	0x08	/* the mtime of list() and stat() entries
				   is to the second (local; MLSD) */

/* Short forms for the ops. */
#define fs_list(f, p, o, n, e, l)	((f)->ops->list((f), (p), (o), (n), (e), (l)))
#define fs_stat(f, p, s, e, l)		((f)->ops->stat((f), (p), (s), (e), (l)))
#define fs_chdir(f, p, e, l)		((f)->ops->chdir((f), (p), (e), (l)))
#define fs_cwd(f)			((f)->ops->cwd(f))
#define fs_mkdir(f, p, e, l)		((f)->ops->mkdir((f), (p), (e), (l)))
#define fs_rmdir(f, p, e, l)		((f)->ops->rmdir((f), (p), (e), (l)))
#define fs_remove(f, p, e, l)		((f)->ops->remove((f), (p), (e), (l)))
#define fs_rename(f, a, b, e, l)	((f)->ops->rename((f), (a), (b), (e), (l)))
#define fs_open(f, p, m, o, c, e, l)	((f)->ops->open((f), (p), (m), (o), (c), (e), (l)))
#define fs_read(h, b, n, e, l)		((h)->fs->ops->read((h), (b), (n), (e), (l)))
#define fs_write(h, b, n, e, l)		((h)->fs->ops->write((h), (b), (n), (e), (l)))
#define fs_close(h, a, e, l)		((h)->fs->ops->close((h), (a), (e), (l)))
#define fs_hash(f, p, a, s, x, h, hl, e, l) \
	((f)->ops->hash((f), (p), (a), (s), (x), (h), (hl), (e), (l)))

/*
 * Path helpers, pure string work shared by both sides.
 *
 * fs_join: dir + '/' + name into out (name alone when it is absolute,
 * dir alone when name is ""). -1 when it does not fit.
 * fs_normalize: folds "//", "." and ".." of an absolute path ("/a/./b/../c"
 * -> "/a/c"; ".." at the root stays at the root). -1 when path is not
 * absolute or out is too small.
 * fs_basename: the last component ("/a/b/" -> "b", "/" -> "/").
 * fs_dirname: all but the last component ("/a/b" -> "/a", "b" -> ".",
 * "/a" -> "/").
 */
int		 fs_join(const char *dir, const char *name, char *out,
		    size_t len);
int		 fs_normalize(const char *path, char *out, size_t len);
const char	*fs_basename(const char *path, char *buf, size_t len);
const char	*fs_dirname(const char *path, char *buf, size_t len);

/* The settime and gettime ops, FS_NOTSUP (with a reason) where fs has
 * none. */
int		 fs_settime(struct fs *fs, const char *path, time_t mtime,
		    char *err, size_t errlen);
int		 fs_gettime(struct fs *fs, const char *path, time_t *mtime,
		    char *err, size_t errlen);
/* The chmod op, FS_NOTSUP (with a reason) where fs has none. */
int		 fs_chmod(struct fs *fs, const char *path, unsigned mode,
		    char *err, size_t errlen);

/* Frees fs with its own free op; NULL is fine. */
void		 fs_free(struct fs *fs);

/*
 * The local file system, starting in start (NULL: the process's current
 * folder). NULL with a reason in err.
 */
struct fs	*fs_local_new(const char *start, char *err, size_t errlen);

/*
 * The descriptor of a file the local side has open (readable: a file
 * opened FS_RDONLY, or FS_WRONLY at an offset > 0, whose bytes before
 * the offset stay as they are), for reading with pread() beside the
 * transfer; -1 for a remote file or a new one.
 */
int		 fs_local_fd(const struct fs_file *h);

/*
 * The descriptor of a local file opened FS_WRONLY (new, replaced or
 * resumed), for pwrite() at any offset by several writers at once (a
 * download in ranges); -1 otherwise. fs_close() still ends it.
 */
int		 fs_local_wfd(const struct fs_file *h);

#endif
