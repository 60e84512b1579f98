/*
 * cmd_xfer: the commands that move data: REST, RETR, STOR, APPE, LIST,
 * NLST, MLSD and ABOR. Uploads write in place so that what arrived before
 * a dropped connection stays on disk, ready for REST+STOR or APPE.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "proto/hash.h"
#include "proto/hashpipe.h"
#include "proto/hcache.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "srv/commands.h"
#include "srv/data.h"
#include "srv/jail.h"
#include "srv/conf.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/prehash.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/session.h"
#include "srv/xferlog.h"

int
cmd_rest(struct session *s, char *arg)
{
	long long off;

	if (parse_num(arg, 0, LLONG_MAX, &off, NULL) == -1) {
		s->rest = 0;
		return session_reply(s, FTP_BADARG, "REST needs a byte offset.");
	}
	s->rest = (off_t)off;
	return session_reply(s, FTP_RESTOK, "Restarting at %lld. Send STOR, "
	    "APPE or RETR to go on.", off);
}

/*
 * Counts a transfer by its result: ended by the client's ABOR, the
 * shutdown or a reload is aborted, stopped by the quota is quota (and a
 * quota refusal), any other error failed.
 */
static void
count_xfer(struct session *s, enum xfer_result r)
{
	struct metrics *m = &s->srv->metrics;

	switch (r) {
	case XFER_OK:
		metrics_count(m, MC_XFER_OK);
		break;
	case XFER_ABORTED:
	case XFER_SHUTDOWN:
	case XFER_REVOKED:
		metrics_count(m, MC_XFER_ABORTED);
		break;
	case XFER_FILEERR:
		if (s->data.err == EDQUOT) {
			metrics_count(m, MC_XFER_QUOTA);
			metrics_count(m, MC_QUOTA_REFUSALS);
			break;
		}
		/* FALLTHROUGH */
	case XFER_NETERR:
	case XFER_TIMEOUT:
	case XFER_CTLERR:
		metrics_count(m, MC_XFER_FAILED);
		break;
	}
}

static void
log_xfer(struct session *s, const char *verb, const char *vpath,
    uint64_t bytes, double secs, enum xfer_result r)
{
	static const char *const what[] = { "ok", "aborted", "network error",
	    "timeout", "file error", "control lost", "shutdown",
	    "session ended" };
	_Static_assert(sizeof(what) / sizeof(what[0]) == XFER_REVOKED + 1,
	    "a name for every transfer result");

	char file[VPATH_MAX + 512];

	count_xfer(s, r);
	log_info("%s: %s %s %s %ju bytes %.3fs %s", s->peer, s->user, verb,
	    vpath, (uintmax_t)bytes, secs, what[r]);
	snprintf(file, sizeof(file), "%s/%s%s", s->srv->cfg->home_root,
	    s->user, vpath);
	xferlog_write(s->srv->xferlog, s->peer, s->user, file, bytes, secs,
	    strcmp(verb, "RETR") != 0, s->ascii, r == XFER_OK);
}

/* Opens vpath for a transfer and checks it is a regular file. */
static int
open_regular(struct session *s, const char *vpath, int flags, struct stat *st)
{
	int fd, err;

	if ((fd = jail_open(s->rootfd, vpath, flags | O_NONBLOCK, 0644)) == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		err = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		close(fd);
		errno = err;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
cmd_retr(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], text[VPATH_MAX + 128];
	enum xfer_result r;
	struct stat st;
	uint64_t sent;
	off_t rest = s->rest;
	double t0;
	int fd, rc;

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	if ((fd = open_regular(s, vpath, O_RDONLY, &st)) == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Failed to open file",
		    errno);
	if (rest > st.st_size) {
		close(fd);
		return session_reply(s, FTP_BADREST, "Restart offset %jd is past "
		    "the end of the file (%jd bytes).", (intmax_t)rest,
		    (intmax_t)st.st_size);
	}
	snprintf(text, sizeof(text), "Opening %s mode data connection for %s "
	    "(%jd bytes).", s->ascii ? "ASCII" : "BINARY", vpath,
	    (intmax_t)(st.st_size - rest));
	if ((rc = data_open(s, text)) != 0) {
		close(fd);
		return rc == -2 ? -1 : 0;
	}
	s->data.what = "RETR";
	t0 = now_mono();
	/* A verifying client asks HASH next: its digest is made meanwhile. */
	if (rest == 0)
		prehash_start(s, vpath, fd, &st);
	r = data_send_file(s, fd, rest, &sent);
	close(fd);
	data_close(s);
	log_xfer(s, "RETR", vpath, sent, now_mono() - t0, r);
	return data_finish(s, r, "Download");
}

/*
 * A replacement upload: STOR onto an existing, non-empty file. The bytes go
 * to a temporary file beside it, renamed over the old one only when the
 * transfer is complete, so that a failed or refused upload leaves the old
 * file as it was. The temporary file is O_TMPFILE (nameless, so a crash
 * leaves nothing behind) where the file system allows, else a hidden name.
 */
struct replace {
	int		 pfd;			/* the folder holding the file */
	char		 name[NAME_MAX + 1];	/* the file's name in it */
	char		 tmp[NAME_MAX + 1];	/* the temporary name, if any */
	int		 nameless;		/* O_TMPFILE */
};

/* Makes a temporary name that is unlikely to exist. */
static void
tmp_name(char *out, size_t len)
{
	unsigned char r[6] = { 0 };

	RAND_bytes(r, sizeof(r));
	snprintf(out, len, ".burrow-upload.%02x%02x%02x%02x%02x%02x", r[0], r[1],
	    r[2], r[3], r[4], r[5]);
}

/* Opens the temporary file of rp. Returns an fd or -1 with errno. */
static int
replace_open(struct replace *rp, struct data_sink *to)
{
	int fd, tries;

	fd = openat(rp->pfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd != -1) {
		rp->nameless = 1;
		to->flags = QUOTA_TMPFILE;
		return fd;
	}
	for (tries = 0; tries < 8; tries++) {
		tmp_name(rp->tmp, sizeof(rp->tmp));
		fd = openat(rp->pfd, rp->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Puts a complete temporary file in place of the old one. */
static int
replace_commit(struct session *s, struct replace *rp, int fd)
{
	char proc[64];
	int err;

	if (rp->nameless) {
		/* Give the nameless file a name first, then rename it over. */
		tmp_name(rp->tmp, sizeof(rp->tmp));
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, rp->pfd, rp->tmp, AT_SYMLINK_FOLLOW) == -1 &&
		    linkat(fd, "", rp->pfd, rp->tmp, AT_EMPTY_PATH) == -1) {
			err = errno;
			quota_discard(s->quota, fd);
			errno = err;
			return -1;
		}
	}
	if (quota_rename(s->quota, rp->pfd, rp->tmp, rp->pfd, rp->name, 1) == 0)
		return 0;
	err = errno;
	quota_unlink(s->quota, rp->pfd, rp->tmp);
	errno = err;
	return -1;
}

/* Throws a failed temporary file away. */
static void
replace_abandon(struct session *s, struct replace *rp, int fd)
{
	if (rp->nameless)
		quota_discard(s->quota, fd);
	else
		quota_unlink(s->quota, rp->pfd, rp->tmp);
}

/*
 * Removes the empty file a refused upload created, if it is still the one
 * we created (another session may have written to the name since).
 */
static void
unlink_new(struct session *s, const char *vpath, int fd)
{
	char name[NAME_MAX + 1];
	struct stat mine, now;
	int dfd;

	if (fstat(fd, &mine) == -1 || mine.st_size != 0 ||
	    (dfd = jail_open_parent(s->rootfd, vpath, name, sizeof(name))) == -1)
		return;
	if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    now.st_ino == mine.st_ino && now.st_dev == mine.st_dev)
		quota_unlink(s->quota, dfd, name);
	close(dfd);
}

/*
 * Keeps the digest of an upload that wrote the whole file from its start
 * (hp hashed every byte stored) with the file, if it holds exactly those
 * bytes: as large as what arrived (no other writer made it longer).
 */
static void
keep_digest(struct session *s, const char *vpath, int fd, struct hashpipe *hp,
    uint64_t got)
{
	const struct hash_alg *alg = s->hash_alg != NULL ? s->hash_alg :
	    hash_default();
	char hex[HASH_HEX_MAX];
	struct stat st;

	if (hashpipe_end(hp, hex, sizeof(hex)) == -1) {
		log_warn("%s: digest of %s", s->peer, vpath);
		return;
	}
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size != got)
		return;
	if (hcache_put(fd, alg, &st, hex) == -1 && !hcache_expected(errno))
		log_warnx("%s: digest of %s not kept: %s", s->peer, vpath,
		    strerror(errno));
}

/* STOR (append 0) and APPE (append 1). */
static int
store(struct session *s, const char *arg, int append)
{
	char vpath[VPATH_MAX];
	struct replace rp = { .pfd = -1 };
	struct data_sink to = { 0, 0, NULL };
	enum xfer_result r;
	struct stat st;
	uint64_t got = 0;
	off_t rest = append ? 0 : s->rest;
	double t0;
	int fd, rc, replacing, created = 0;

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	/*
	 * Replace only a regular file under this very name: through a
	 * symlink the upload writes in place into the link's target, which
	 * the rename would not reach.
	 */
	if (!append && rest == 0 && (rp.pfd = jail_open_parent(s->rootfd,
	    vpath, rp.name, sizeof(rp.name))) != -1 &&
	    fstatat(rp.pfd, rp.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size > 0)
		replacing = 1;
	else
		replacing = 0;
	if (replacing) {
		to.credit = (uint64_t)st.st_size;
		fd = replace_open(&rp, &to);
	} else {
		created = jail_stat(s->rootfd, vpath, &st) == -1;
		fd = open_regular(s, vpath, O_WRONLY | O_CREAT |
		    (append ? O_APPEND : 0), &st);
	}
	if (fd == -1) {
		rc = session_reply_errno(s, FTP_FILEFAIL, "Cannot create file",
		    errno);
		goto out;
	}
	if (rest > st.st_size) {
		if (created)
			unlink_new(s, vpath, fd);
		rc = session_reply(s, FTP_BADREST, "Restart offset %jd is past "
		    "the end of the file (%jd bytes).", (intmax_t)rest,
		    (intmax_t)st.st_size);
		goto out;
	}
	if ((rc = data_open(s, "Ok to send data.")) != 0) {
		rc = rc == -2 ? -1 : 0;
		if (replacing)
			replace_abandon(s, &rp, fd);
		else if (created)
			unlink_new(s, vpath, fd);
		goto out;
	}
	t0 = now_mono();
	/* A whole new file's digest is computed as it arrives, beside it. */
	if (s->srv->cfg->hash_cache && !append && rest == 0 && !s->ascii)
		to.hp = data_hashpipe(s->hash_alg != NULL ? s->hash_alg :
		    hash_default());
	/* Only now that data is coming is anything after rest given up. */
	if (!append && !replacing && (quota_truncate(s->quota, fd, rest) == -1 ||
	    lseek(fd, rest, SEEK_SET) == -1)) {
		s->data.err = errno;
		r = XFER_FILEERR;
	} else {
		s->data.what = append ? "APPE" : "STOR";
		r = data_recv_file(s, fd, &to, &got);
	}
	if (replacing && r == XFER_OK && replace_commit(s, &rp, fd) == -1) {
		s->data.err = errno;
		r = XFER_FILEERR;
	} else if (replacing && r != XFER_OK)
		replace_abandon(s, &rp, fd);
	if (to.hp != NULL && r == XFER_OK)
		keep_digest(s, vpath, fd, to.hp, got);
	else
		hashpipe_abandon(to.hp);
	data_close(s);
	log_xfer(s, append ? "APPE" : "STOR", vpath, got, now_mono() - t0, r);
	rc = data_finish(s, r, "Upload");
out:
	/* Shared quota: what the upload reserved and did not write goes back. */
	quota_release(s->quota);
	if (fd != -1)
		close(fd);
	if (rp.pfd != -1)
		close(rp.pfd);
	return rc;
}

int
cmd_stor(struct session *s, char *arg)
{
	return store(s, arg, 0);
}

int
cmd_appe(struct session *s, char *arg)
{
	return store(s, arg, 1);
}

/* Skips `ls` options such as "-la" that clients put before the path. */
static const char *
skip_options(const char *arg)
{
	if (arg == NULL)
		return NULL;
	while (arg[0] == '-' && arg[1] != '\0' && arg[1] != ' ') {
		arg = strchr(arg, ' ');
		if (arg == NULL)
			return NULL;
		while (*arg == ' ')
			arg++;
	}
	return arg;
}

static int
send_listing(struct session *s, const char *arg, enum list_style style)
{
	char vpath[VPATH_MAX], *text;
	enum xfer_result r;
	struct stat st;
	size_t len;
	int rc;

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	if (style == LIST_FACTS) {
		if (jail_stat(s->rootfd, vpath, &st) == -1)
			return session_reply_errno(s, FTP_FILEFAIL, "Cannot list",
			    errno);
		if (!S_ISDIR(st.st_mode))
			return session_reply(s, FTP_BADARG, "MLSD lists "
			    "directories; use MLST for a file.");
	}
	if ((text = list_build(s, vpath, style, &len)) == NULL)
		return session_reply_errno(s, FTP_FILEFAIL, "Cannot list", errno);
	if ((rc = data_open(s, "Here comes the directory listing.")) != 0) {
		free(text);
		return rc == -2 ? -1 : 0;
	}
	s->data.what = "listing";
	r = data_send_buf(s, text, len);
	free(text);
	data_close(s);
	return data_finish(s, r, "Listing");
}

int
cmd_list(struct session *s, char *arg)
{
	return send_listing(s, skip_options(arg), LIST_LONG);
}

int
cmd_nlst(struct session *s, char *arg)
{
	return send_listing(s, skip_options(arg), LIST_NAMES);
}

int
cmd_mlsd(struct session *s, char *arg)
{
	return send_listing(s, arg, LIST_FACTS);
}

int
cmd_abor(struct session *s, char *arg)
{
	/* A transfer in progress sees ABOR in data.c; here none is running. */
	data_reset(&s->data);
	return session_reply(s, FTP_ABOROK, "No transfer to abort.");
}
