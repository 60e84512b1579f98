/*
 * hcache: a file's digest kept with the file, in an extended attribute
 * ("user.burrow.hash.sha256" for SHA-256), together with what it describes:
 * the inode, the size, the modification time and the inode change time,
 * so that a later change of any kind makes it stale.
 *
 * Setting an attribute changes the inode change time itself, so the value
 * cannot hold the ctime that results. It holds instead the ctime of the
 * file as it was hashed and a limit: the wall-clock time a short window
 * (HCACHE_WINDOW_NS) after the attribute was written. The digest is fresh
 * while the inode, size and mtime are those recorded and the ctime lies
 * between the recorded one and the limit; any change after the window
 * (a write, a truncate, a utimensat() that puts an old mtime back, a new
 * hard link, a rename, a chmod) moves the ctime past the limit. A write
 * that lands inside the window and also restores size and mtime would go
 * unseen: the window is a few milliseconds right after the file was
 * hashed, and hcache_put() refuses to record a digest whose attribute
 * took longer than that to write.
 *
 * A file system without user attributes (ENOTSUP), a read-only file or
 * one the caller may not change simply keeps no digest; nothing fails
 * because of it.
 */
#ifndef BURROW_HCACHE_H
#define BURROW_HCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "proto/hash.h"

#define HCACHE_WINDOW_NS	(20 * 1000 * 1000)	/* 20 ms */
#define HCACHE_VALUE_MAX	256	/* the longest attribute value */

struct hcache_stamp {
	uint64_t	ino;
	uint64_t	size;
	int64_t		mtime_s, mtime_ns;
	int64_t		ctime_s, ctime_ns;	/* as the file was hashed */
	int64_t		limit_s, limit_ns;	/* no later ctime is fresh */
};

/*
 * Writes the attribute value for stamp and hex into out (len bytes).
 * Returns its length (without a NUL, which is written too), or -1 if it
 * does not fit or hex is not a lowercase hex digest.
 */
int	hcache_encode(const struct hcache_stamp *st, const char *hex,
	    char *out, size_t len);

/*
 * Reads an attribute value of n bytes (not NUL-terminated) into *st and
 * hex (hexlen bytes). Returns 0, or -1 if it is not a value hcache_encode()
 * writes.
 */
int	hcache_decode(const char *val, size_t n, struct hcache_stamp *st,
	    char *hex, size_t hexlen);

/* 1 if a digest stamped st still describes a file that fstat() shows as
 * now, else 0. */
int	hcache_fresh(const struct hcache_stamp *st, const struct stat *now);

/* The attribute's name for alg into out: "user.burrow.hash.sha256". */
void	hcache_name(const struct hash_alg *alg, char *out, size_t len);

/*
 * The fresh digest of fd for alg into hex (hexlen >= 2 * alg->size + 1).
 * Returns 0, or -1 when there is none (no attribute, stale, unreadable).
 */
int	hcache_get(int fd, const struct hash_alg *alg, char *hex,
	    size_t hexlen);

/*
 * Records hex as the digest of fd for alg. before is fstat() of fd taken
 * before its bytes were read for the digest: if the file changed since
 * (size, mtime, ctime or inode differ), nothing is recorded. Returns 0, or
 * -1 with errno (ESTALE for a file that changed, ETIME for an attribute
 * that took longer than the window to write, or fsetxattr()'s: ENOTSUP,
 * EPERM, EACCES, EROFS, ENOSPC, EDQUOT).
 */
int	hcache_put(int fd, const struct hash_alg *alg,
	    const struct stat *before, const char *hex);

/*
 * 1 for an hcache_put() failure that only means no digest is kept (no
 * attributes here, a file not ours to change, one that changed, a slow
 * write): nothing to report.
 */
int	hcache_expected(int err);

#endif
