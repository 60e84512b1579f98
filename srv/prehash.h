/*
 * prehash: the digest of a file being downloaded, computed on a thread of
 * its own while the data connection carries it, so that the HASH a
 * verifying client sends after the 226 finds it ready (and, with
 * hash_cache, kept with the file for every later HASH).
 *
 * Only a whole-file RETR of a file with no fresh kept digest starts one,
 * at most one per CPU across the server (a download finds no CPU free:
 * HASH computes as without this), one per session: a new RETR stops the
 * previous one. A file of fewer than PREHASH_MIN bytes is not worth a
 * thread; HASH computes it in less than a millisecond.
 */
#ifndef BURROW_PREHASH_H
#define BURROW_PREHASH_H

#include <stddef.h>
#include <sys/stat.h>

#define PREHASH_MIN	(1024 * 1024)

struct session;
struct hash_alg;

/* Starts hashing the whole of fd (vpath, as fstat() gave st) with the
 * session's algorithm, if it is worth it and a CPU is free. fd is dup()ed:
 * the caller keeps and closes its own. */
void	prehash_start(struct session *s, const char *vpath, int fd,
	    const struct stat *st);

/*
 * The digest of vpath with alg from the session's last prehash, waiting
 * for it to finish: 0 with hex filled when it hashed the file fd shows
 * now (unchanged since), else -1. A prehash of vpath with alg is used up
 * either way; one of another file or algorithm is left running.
 */
int	prehash_take(struct session *s, const char *vpath,
	    const struct hash_alg *alg, int fd, char *hex, size_t hexlen);

/* Stops the session's prehash, if any, and frees it. */
void	prehash_stop(struct session *s);

#endif
