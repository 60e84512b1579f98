/*
 * cmd_hash: the HASH extension (draft-bryan-ftpext-hash-02): HASH, the
 * RANG that narrows the next HASH to a byte range (draft-bryan-ftp-range-08,
 * for HASH only), and OPTS HASH, which shows or selects the algorithm.
 *
 * Both drafts count the end of a range inclusively: "RANG 0 49" selects the
 * first 50 bytes and HASH answers "213 SHA-256 0-49 <hex> <path>"; the
 * whole of a 100-byte file is "0-99". An empty file, whose range the ABNF
 * (end-point >= start-point) cannot write, is answered "0-0" with the
 * digest of no bytes. A RANG end past the end of the file is cut to the
 * file's last byte (as the RANG draft has RETR do) and the reply shows the
 * range actually hashed; a start at or past the end is refused with 554,
 * the code burrowd gives a REST past the end. Replies to errors follow the
 * HASH draft: 550 not found or not a plain file, 553 a directory.
 *
 * The file is read as it is stored, whatever TYPE says: the draft defines
 * the hash as that of a TYPE I download. Hashing runs on the session's own
 * worker thread, so only this session waits; the server's shutdown stops it
 * between two chunks. With hash_cache on, the digest of a whole file is
 * kept in an extended attribute (proto/hcache.h) and a HASH that finds a
 * fresh one answers at once; uploads leave theirs there (srv/cmd_xfer.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/hash.h"
#include "proto/hcache.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/jail.h"
#include "srv/log.h"
#include "srv/prehash.h"
#include "srv/server.h"
#include "srv/session.h"

/* hash_fd_range() reads the server's atomic_int stopping flag as an int. */
_Static_assert(sizeof(atomic_int) == sizeof(int) &&
    _Alignof(atomic_int) == _Alignof(int), "atomic_int is not an int");

static const struct hash_alg *
current(const struct session *s)
{
	return s->hash_alg != NULL ? s->hash_alg : hash_default();
}

int
hash_opts(struct session *s, const char *rest)
{
	const struct hash_alg *alg;

	if (rest == NULL || *rest == '\0')
		return session_reply(s, FTP_OK, "%s", current(s)->name);
	if ((alg = hash_find(rest)) == NULL)
		return session_reply(s, FTP_BADARG, "Unknown algorithm, current "
		    "selection not changed");
	s->hash_alg = alg;
	return session_reply(s, FTP_OK, "%s", alg->name);
}

int
cmd_rang(struct session *s, char *arg)
{
	uint64_t start, end;

	s->rang_set = 0;
	if (hash_parse_range(arg, &start, &end) == -1)
		return session_reply(s, FTP_BADARG, "RANG needs a start and an "
		    "end byte offset.");
	if (start == 1 && end == 0)
		return session_reply(s, FTP_RESTOK, "Byte range reset; HASH "
		    "covers the whole file.");
	if (start > end)
		return session_reply(s, FTP_BADARG, "RANG start %ju is past its "
		    "end %ju; byte range reset.", (uintmax_t)start,
		    (uintmax_t)end);
	s->rang_start = start;
	s->rang_end = end;
	s->rang_set = 1;
	return session_reply(s, FTP_RESTOK, "Restarting at %ju. Ending byte at "
	    "%ju.", (uintmax_t)start, (uintmax_t)end);
}

int
cmd_hash(struct session *s, char *arg)
{
	const struct hash_alg *alg = current(s);
	char vpath[VPATH_MAX], hex[HASH_HEX_MAX];
	uint64_t first, last, size;
	struct stat st;
	int fd, rc, err, whole, kept, ranged = s->rang_set;

	/* A RANG is for this HASH only, whatever becomes of it. */
	s->rang_set = 0;
	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return s->quit ? -1 : 0;
	fd = jail_open(s->rootfd, vpath, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Cannot hash", errno);
	if (fstat(fd, &st) == -1) {
		err = errno;
		close(fd);
		return session_reply_errno(s, FTP_FILEFAIL, "Cannot hash", err);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return session_reply_errno(s, FTP_BADNAME, "Cannot hash", EISDIR);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return session_reply(s, FTP_FILEFAIL, "Cannot hash: not a plain "
		    "file.");
	}
	size = (uint64_t)st.st_size;
	first = ranged ? s->rang_start : 0;
	last = ranged ? s->rang_end : UINT64_MAX;
	if (ranged && first >= size) {
		close(fd);
		return session_reply(s, FTP_BADREST, "Range start %ju is past the "
		    "end of the file (%ju bytes).", (uintmax_t)first,
		    (uintmax_t)size);
	}
	if (size == 0)
		last = 0;		/* nothing to hash: "0-0" */
	else if (last > size - 1)
		last = size - 1;

	whole = first == 0 && (size == 0 || last == size - 1);
	if (whole && ((kept = s->srv->cfg->hash_cache &&
	    hcache_get(fd, alg, hex, sizeof(hex)) == 0) ||
	    prehash_take(s, vpath, alg, fd, hex, sizeof(hex)) == 0)) {
		close(fd);
		log_info("%s: %s HASH %s %s %ju-%ju (%s)", s->peer, s->user,
		    alg->name, vpath, (uintmax_t)first, (uintmax_t)last,
		    kept ? "kept with the file" : "computed beside the download");
		return session_reply(s, FTP_STATFILE, "%s %ju-%ju %s %s",
		    alg->name, (uintmax_t)first, (uintmax_t)last, hex, arg);
	}
	rc = hash_fd_range(fd, alg, first, size == 0 ? 0 : last + 1, hex,
	    sizeof(hex), (volatile const int *)(const void *)&s->srv->stopping);
	err = errno;
	/* Kept for next time, if the file did not change meanwhile. */
	if (rc == 0 && whole && s->srv->cfg->hash_cache &&
	    hcache_put(fd, alg, &st, hex) == -1 && !hcache_expected(errno))
		log_warnx("%s: digest of %s not kept: %s", s->peer, vpath,
		    strerror(errno));
	close(fd);
	if (rc == -1) {
		switch (err) {
		case ECANCELED:
			session_reply(s, FTP_TOOMANY, "Server shutting down; HASH "
			    "aborted.");
			s->quit = 1;
			return -1;
		case ERANGE:
			return session_reply(s, FTP_BADSENDFILE, "HASH failed: "
			    "the file shrank while it was read.");
		default:
			return session_reply_errno(s, FTP_BADSENDFILE,
			    "HASH failed", err);
		}
	}
	log_info("%s: %s HASH %s %s %ju-%ju", s->peer, s->user, alg->name,
	    vpath, (uintmax_t)first, (uintmax_t)last);
	return session_reply(s, FTP_STATFILE, "%s %ju-%ju %s %s", alg->name,
	    (uintmax_t)first, (uintmax_t)last, hex, arg);
}
