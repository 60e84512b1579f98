/*
 * remote: an FTP server's file system behind the fs interface; see
 * remote.h.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/hash.h"
#include "proto/netio.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "tui/remote.h"

struct remote_file {
	struct fs_file	 base;		/* first: fs_file is the handle */
	int		 mode;
	int		 eof;
	int		 over;		/* the server has given its verdict */
	char		 path[FS_PATH_MAX];	/* as opened */
};

/*
 * How this server takes a file's modification time, found out at the first
 * time set (remote_settime()).
 */
enum timeset {
	TIMESET_UNKNOWN,
	TIMESET_MFMT,		/* FEAT lists MFMT (burrowd, Pure-FTPd,
				   ProFTPD) */
	TIMESET_UTIME,		/* SITE HELP names UTIME: "SITE UTIME
				   YYYYMMDDHHMMSS path" (Pure-FTPd, ProFTPD's
				   mod_site_misc) */
	TIMESET_MDTM,		/* "MDTM YYYYMMDDHHMMSS path" (vsftpd's
				   mdtm_write) */
	TIMESET_NONE,		/* no way */
};

struct remote {
	struct fs		 base;		/* first: the fs is the handle */
	struct ftp		*f;
	enum timeset		 timeset;
	int			 no_chmod;	/* SITE CHMOD was answered
						   500, 502 or 504 */
	char			 cwd[FS_PATH_MAX];
	char			 algo[32];	/* what OPTS HASH selected */
	int			 rang;		/* -1 unknown, 0 refused, 1 ok */
	struct remote_file	 file;
	int			 file_open;
	int			 gave_up;	/* the last call timed out on
						   purpose: no retry() */
};

#define HASH_WAIT_FACTOR	10	/* HASH may take this many timeouts */

/* What follows a reply's code ("213 1234" -> "1234"; "213" -> ""). */
static const char *
reply_text(const char *reply)
{
	size_t n = strlen(reply);

	return n > 4 ? reply + 4 : reply + n;
}

/* The reply as the error, without a multi-line reply's later lines. */
static int
fail(const char *reply, char *err, size_t errlen)
{
	set_err(err, errlen, "%.*s", (int)strcspn(reply, "\n"), reply);
	return FS_ERR;
}

static int
refresh_cwd(struct remote *r, char *err, size_t errlen)
{
	char buf[FS_PATH_MAX];

	if (ftp_pwd(r->f, buf, sizeof(buf)) < 0)
		return fail(buf, err, errlen);
	snprintf(r->cwd, sizeof(r->cwd), "%s", buf);
	return FS_OK;
}

/*
 * After an attempt that gave rc: 1 when it should be made again because
 * the control connection had dropped and is back (once per call).
 */
static int
retry(struct remote *r, int rc, int *tries, char *err, size_t errlen)
{
	char why[512];

	if (r->gave_up) {
		r->gave_up = 0;
		return 0;
	}
	if (rc != FS_ERR || !ftp_dead(r->f) || (*tries)++ > 0)
		return 0;
	r->file_open = 0;	/* a transfer on the old connection is gone */
	if (ftp_reconnect(r->f, r->cwd, why, sizeof(why)) < 0) {
		set_err(err, errlen, "connection lost; reconnecting: %s", why);
		return 0;
	}
	r->algo[0] = '\0';
	return 1;
}

static int
list_once(struct remote *r, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	return ftp_list(r->f, path, out, n, err, errlen) < 0 ? FS_ERR : FS_OK;
}

static int
r_list(struct fs *fs, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	do
		rc = list_once(r, path, out, n, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

/* MLST path: the facts line (the one that starts with a space). */
static int
stat_mlst(struct remote *r, const char *path, struct listing_entry *e,
    char *err, size_t errlen)
{
	char reply[FTP_REPLY_MAX], facts[FTP_REPLY_MAX], *line;
	char base[LISTING_NAME_MAX];
	int code;

	snprintf(base, sizeof(base), "%s", e->name);
	code = ftp_cmd(r->f, reply, sizeof(reply), "MLST %s", path);
	if (code < 0)
		return fail(reply, err, errlen);
	if (code != FTP_FILEOK) {
		fail(reply, err, errlen);
		return code == FTP_FILEFAIL ? FS_NOENT : FS_ERR;
	}
	for (line = reply; line != NULL; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (*line == ' ')
			break;
	}
	if (line != NULL) {
		/* The facts of this line alone, and our own last component
		 * as the name: MLST names a path ("/a/b.txt"), which the
		 * listing parser, made for MLSD's names, would refuse. */
		snprintf(facts, sizeof(facts), "%.*s %s",
		    (int)strcspn(line + 1, " \n"), line + 1,
		    strchr(e->name, '/') != NULL ? "." : e->name);
	}
	if (line == NULL || listing_parse_facts(facts, e) < 0) {
		set_err(err, errlen, "MLST %s: no facts in the reply", path);
		return FS_ERR;
	}
	if (e->type == LISTING_CDIR || e->type == LISTING_PDIR)
		e->type = LISTING_DIR;
	/* The parser keeps only the name it was given ("." for "/"). */
	snprintf(e->name, sizeof(e->name), "%s", base);
	return FS_OK;
}

/*
 * Without MLST or SIZE: the entry of path's name in its folder's listing.
 * FS_NOENT when the listing has no such name.
 */
static int
stat_by_list(struct remote *r, const char *path, struct listing_entry *e,
    char *err, size_t errlen)
{
	struct listing_entry *v;
	char dir[FS_PATH_MAX], base[LISTING_NAME_MAX];
	size_t n, i;

	fs_dirname(path, dir, sizeof(dir));
	fs_basename(path, base, sizeof(base));
	if (ftp_list(r->f, strcmp(dir, ".") == 0 ? NULL : dir, &v, &n, err,
	    errlen) < 0)
		return FS_ERR;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, base) == 0)
			break;
	if (i < n)
		*e = v[i];
	free(v);
	if (i == n) {
		set_err(err, errlen, "%s: no such file or folder", path);
		return FS_NOENT;
	}
	return FS_OK;
}

/*
 * Without MLST: SIZE tells a file, CWD a folder. A server whose SIZE is
 * no help (not implemented, or refused for another reason than "no such
 * file") is asked for the folder's listing instead, so that an existing
 * file is never taken for a missing one.
 */
static int
stat_probe(struct remote *r, const char *path, struct listing_entry *e,
    char *err, size_t errlen)
{
	char reply[1024];
	long long size;
	int code, size_code;

	size_code = code = ftp_cmd(r->f, reply, sizeof(reply), "SIZE %s",
	    path);
	if (code < 0)
		return fail(reply, err, errlen);
	if (code == FTP_STATFILE && parse_num(reply_text(reply), 0,
	    INT64_MAX, &size, NULL) == 0) {
		e->type = LISTING_FILE;
		e->size = (uint64_t)size;
		e->have_size = 1;
		return FS_OK;
	}
	code = ftp_cmd(r->f, reply, sizeof(reply), "CWD %s", path);
	if (code < 0)
		return fail(reply, err, errlen);
	if (code != FTP_FILEOK) {
		if (size_code != FTP_FILEFAIL)
			return stat_by_list(r, path, e, err, errlen);
		fail(reply, err, errlen);
		return code == FTP_FILEFAIL ? FS_NOENT : FS_ERR;
	}
	e->type = LISTING_DIR;
	code = ftp_cmd(r->f, reply, sizeof(reply), "CWD %s", r->cwd);
	if (code != FTP_FILEOK)
		return fail(reply, err, errlen);
	return FS_OK;
}

static int
stat_once(struct remote *r, const char *path, struct listing_entry *e,
    char *err, size_t errlen)
{
	char base[LISTING_NAME_MAX];

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s",
	    fs_basename(path, base, sizeof(base)));
	if (ftp_features(r->f) & FTP_F_MLST_TYPE)
		return stat_mlst(r, path, e, err, errlen);
	return stat_probe(r, path, e, err, errlen);
}

static int
r_stat(struct fs *fs, const char *path, struct listing_entry *e, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	do
		rc = stat_once(r, path, e, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

/* What a command that failed after a reconnect may already have done. */
enum after {
	AFTER_GONE,	/* DELE, RMD: the path is no longer there */
	AFTER_DIR,	/* MKD: the path is a folder */
};

/*
 * Sends "verb path" and checks its reply is want; the reply is the error
 * otherwise. When the first try lost the connection with no reply, the
 * server may have carried it out: if the try after the reconnect fails,
 * the path is looked at, and the state the command wanted counts as done.
 */
static int
simple(struct remote *r, int want, const char *verb, const char *path,
    enum after done, char *err, size_t errlen)
{
	struct listing_entry e;
	char reply[1024], e2[256];
	int rc, tries = 0, st, maybe = 0;

	do {
		int code = ftp_cmd(r->f, reply, sizeof(reply), "%s %s", verb,
		    path);

		if (tries == 0)
			maybe = ftp_unanswered(r->f);
		rc = code == want ? FS_OK : fail(reply, err, errlen);
	} while (retry(r, rc, &tries, err, errlen));
	if (rc == FS_ERR && maybe && tries > 0 && !ftp_dead(r->f)) {
		st = stat_once(r, path, &e, e2, sizeof(e2));
		if ((done == AFTER_GONE && st == FS_NOENT) ||
		    (done == AFTER_DIR && st == FS_OK && e.type == LISTING_DIR))
			rc = FS_OK;
	}
	return rc;
}

static int
chdir_once(struct remote *r, const char *path, char *err, size_t errlen)
{
	char reply[1024];
	int code;

	code = ftp_cmd(r->f, reply, sizeof(reply), "CWD %s", path);
	if (code != FTP_FILEOK) {
		fail(reply, err, errlen);
		return code == FTP_FILEFAIL ? FS_NOENT : FS_ERR;
	}
	return refresh_cwd(r, err, errlen);
}

static int
r_chdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	do
		rc = chdir_once(r, path, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

static const char *
r_cwd(struct fs *fs)
{
	return ((struct remote *)fs)->cwd;
}

static int
r_mkdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return simple((struct remote *)fs, FTP_MKDIROK, "MKD", path, AFTER_DIR,
	    err, errlen);
}

static int
r_rmdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return simple((struct remote *)fs, FTP_FILEOK, "RMD", path, AFTER_GONE,
	    err, errlen);
}

static int
r_remove(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return simple((struct remote *)fs, FTP_FILEOK, "DELE", path,
	    AFTER_GONE, err, errlen);
}

static int
rename_once(struct remote *r, const char *from, const char *to, char *err,
    size_t errlen)
{
	char reply[1024];

	if (ftp_cmd(r->f, reply, sizeof(reply), "RNFR %s", from) !=
	    FTP_RNFROK)
		return fail(reply, err, errlen);
	if (ftp_cmd(r->f, reply, sizeof(reply), "RNTO %s", to) != FTP_FILEOK)
		return fail(reply, err, errlen);
	return FS_OK;
}

static int
r_rename(struct fs *fs, const char *from, const char *to, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	do
		rc = rename_once(r, from, to, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

static int
hash_once(struct remote *r, const char *path, const char *algo,
    uint64_t start, uint64_t end, char *hex, size_t hexlen, char *err,
    size_t errlen)
{
	char reply[1024];
	int code;

	if (strcasecmp(r->algo, algo) != 0) {
		code = ftp_cmd(r->f, reply, sizeof(reply), "OPTS HASH %s",
		    algo);
		if (code < 0)
			return fail(reply, err, errlen);
		if (code != FTP_OK) {
			fail(reply, err, errlen);
			return FS_NOTSUP;
		}
		snprintf(r->algo, sizeof(r->algo), "%s", algo);
	}
	if (start != 0 || end != UINT64_MAX) {
		/* RANG's end is inclusive, so an empty range cannot be
		 * asked for; the caller never needs one. */
		if (r->rang == 0 || end <= start) {
			set_err(err, errlen, "the server cannot hash a range");
			return FS_NOTSUP;
		}
		code = ftp_cmd(r->f, reply, sizeof(reply), "RANG %llu %llu",
		    (unsigned long long)start, (unsigned long long)end - 1);
		if (code < 0)
			return fail(reply, err, errlen);
		if (code != FTP_RESTOK) {
			r->rang = 0;
			r->base.flags &= ~FS_HAS_RANG;
			fail(reply, err, errlen);
			return FS_NOTSUP;
		}
		r->rang = 1;
	}
	/* A server reads the whole file for HASH: give it ten times the
	 * usual wait, and let Esc stop it. */
	code = ftp_cmd_long(r->f, HASH_WAIT_FACTOR * ftp_timeout(r->f), reply,
	    sizeof(reply), "HASH %s", path);
	if (code == FTP_CANCELED) {
		set_err(err, errlen, "canceled");
		return FS_CANCELED;
	}
	if (code < 0) {
		r->gave_up = ftp_dead(r->f);	/* asking again would not help */
		return fail(reply, err, errlen);
	}
	if (code != FTP_STATFILE) {
		fail(reply, err, errlen);
		return code == FTP_FILEFAIL ? FS_NOENT : FS_ERR;
	}
	if (hash_parse_reply(reply, hex, hexlen) < 0) {
		set_err(err, errlen, "HASH: cannot read \"%.80s\"", reply);
		return FS_ERR;
	}
	return FS_OK;
}

static int
r_hash(struct fs *fs, const char *path, const char *algo, uint64_t start,
    uint64_t end, char *hex, size_t hexlen, char *err, size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	if (!(r->base.flags & FS_HAS_HASH)) {
		set_err(err, errlen, "the server does not offer HASH");
		return FS_NOTSUP;
	}
	ftp_set_cancel(r->f, r->base.cancel);
	do
		rc = hash_once(r, path, algo, start, end, hex, hexlen, err,
		    errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

static int
open_once(struct remote *r, const char *path, int mode, uint64_t offset,
    char *err, size_t errlen)
{
	char reply[1024], cmd[FS_PATH_MAX + 8];
	struct conn *dc;
	int code;

	snprintf(cmd, sizeof(cmd), "%s %s", mode == FS_RDONLY ? "RETR" :
	    "STOR", path);
	if (mode == FS_WRONLY && offset == 0)
		/* The bytes go with the command where the server allows. */
		code = ftp_data_open_early(r->f, cmd, &dc, reply,
		    sizeof(reply));
	else
		code = ftp_data_open(r->f, cmd, (off_t)offset, &dc, reply,
		    sizeof(reply));
	if (offset > 0 && mode == FS_WRONLY && ftp_rest_refused(r->f) &&
	    !ftp_dead(r->f)) {
		/* REST before STOR refused: APPE adds to the end, which is
		 * offset, as the caller has checked. */
		snprintf(cmd, sizeof(cmd), "APPE %s", path);
		code = ftp_data_open(r->f, cmd, 0, &dc, reply, sizeof(reply));
	}
	if (code < 100 || code >= 200) {
		fail(reply, err, errlen);
		return code == FTP_FILEFAIL && mode == FS_RDONLY ? FS_NOENT :
		    FS_ERR;
	}
	return FS_OK;
}

static struct fs_file *
r_open(struct fs *fs, const char *path, int mode, uint64_t offset, int *code,
    char *err, size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	if (r->file_open) {
		set_err(err, errlen, "a file is already open");
		rc = FS_ERR;
		goto out;
	}
	ftp_set_cancel(r->f, r->base.cancel);
	do
		rc = open_once(r, path, mode, offset, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	r->base.lost = rc != FS_OK && ftp_dead(r->f);
out:
	if (code != NULL)
		*code = rc;
	if (rc != FS_OK)
		return NULL;
	memset(&r->file, 0, sizeof(r->file));
	r->file.base.fs = fs;
	r->file.mode = mode;
	snprintf(r->file.path, sizeof(r->file.path), "%s", path);
	r->file_open = 1;
	return &r->file.base;
}

/* The data connection as ftp_data_open() left it. */
static struct conn *
data(struct remote *r)
{
	return ftp_data_conn(r->f);
}

static int
canceled(struct remote *r)
{
	return r->base.cancel != NULL &&
	    __atomic_load_n(r->base.cancel, __ATOMIC_RELAXED);
}

#define VERDICT_WAIT_MS	2000	/* for the reply after a broken transfer */

/*
 * The data connection broke (what): the server usually says why on the
 * control connection (552 for a full quota, 426) before or as it closes;
 * that reply, when it comes within VERDICT_WAIT_MS, is the reason given,
 * and no ABOR is needed any more.
 */
static int
broken(struct remote *r, const char *what, char *err, size_t errlen)
{
	char reply[1024];
	int e = errno;

	if (ftp_data_verdict(r->f, reply, sizeof(reply), VERDICT_WAIT_MS) >
	    0) {
		r->file.over = 1;
		return fail(reply, err, errlen);
	}
	set_err(err, errlen, "data connection: %s", what != NULL ? what :
	    strerror(e));
	return FS_ERR;
}

static ssize_t
r_read(struct fs_file *h, void *buf, size_t n, char *err, size_t errlen)
{
	struct remote *r = (struct remote *)h->fs;
	struct conn *dc = data(r);
	ssize_t got;

	if (canceled(r)) {
		set_err(err, errlen, "canceled");
		return FS_CANCELED;
	}
	if (dc == NULL || r->file.mode != FS_RDONLY) {
		set_err(err, errlen, "no download open");
		return FS_ERR;
	}
	/* Bytes already there are taken without a poll first: a poll per
	 * read was a third of the system calls of a download. Only when
	 * none are waiting does the wait (watching the cancel flag) come. */
	got = conn_read(dc, buf, n, 0);
	if (got < 0 && errno == ETIMEDOUT) {
		switch (ftp_data_wait(r->f, POLLIN)) {
		case FTP_CANCELED:
			set_err(err, errlen, "canceled");
			return FS_CANCELED;
		case 0:
			return broken(r, "timed out", err, errlen);
		}
		got = conn_read(dc, buf, n, ftp_timeout(r->f));
	}
	if (got == 0)
		r->file.eof = 1;
	if (got < 0)
		return broken(r, got == CONN_TIMEOUT ? "timed out" : NULL, err,
		    errlen);
	return got;
}

static int
r_write(struct fs_file *h, const void *buf, size_t n, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)h->fs;
	struct conn *dc = data(r);
	const char *p;
	char reply[1024];
	ssize_t w;
	short wait = POLLOUT;
	int code;

	if (canceled(r)) {
		set_err(err, errlen, "canceled");
		return FS_CANCELED;
	}
	if (dc == NULL || r->file.mode != FS_WRONLY) {
		set_err(err, errlen, "no upload open");
		return FS_ERR;
	}
	/* What the socket takes at once goes without a poll (a poll per
	 * piece was half the system calls of an upload); only when it is
	 * full is it waited for, with an eye on the cancel flag, so that Esc
	 * stops an upload to a server that stopped reading. */
	for (p = buf; n > 0; p += w, n -= (size_t)w) {
		if ((w = conn_write_some(dc, p, n, &wait)) > 0)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return broken(r, NULL, err, errlen);
		w = 0;
		if ((code = ftp_data_prelim(r->f, reply, sizeof(reply))) <
		    100 || code >= 200) {
			/* An early upload refused (ftp_data_open_early()). */
			r->file.over = 1;
			r->base.lost = ftp_dead(r->f);
			return fail(reply, err, errlen);
		}
		switch (ftp_data_wait(r->f, wait)) {
		case FTP_CANCELED:
			set_err(err, errlen, "canceled");
			return FS_CANCELED;
		case 0:
			return broken(r, "timed out", err, errlen);
		case -1:
			return broken(r, NULL, err, errlen);
		}
	}
	return FS_OK;
}

static int
r_close(struct fs_file *h, int abort, char *err, size_t errlen)
{
	struct remote *r = (struct remote *)h->fs;
	char reply[1024], cmd[FS_PATH_MAX + 8];
	int code;

	r->file_open = 0;
	r->base.lost = ftp_dead(r->f);
	if (r->file.over) {
		/* Broken off, and the server has said so: nothing to ABOR. */
		set_err(err, errlen, abort ? "canceled" : "transfer broken off");
		return abort ? FS_CANCELED : FS_ERR;
	}
	if (abort || (r->file.mode == FS_RDONLY && !r->file.eof)) {
		if (ftp_data_abort(r->f, reply, sizeof(reply)) < 0 && !abort)
			return fail(reply, err, errlen);
		set_err(err, errlen, abort ? "canceled" : "transfer given up");
		return abort ? FS_CANCELED : FS_ERR;
	}
	if (r->file.mode == FS_WRONLY && (r->base.flags & FS_HAS_HASH) &&
	    snprintf(cmd, sizeof(cmd), "HASH %s", r->file.path) <
	    (int)sizeof(cmd))
		/* The check after an upload, asked now (a server with
		 * PIPELINING answers it after the upload's 226): a round
		 * trip less per file. */
		(void)ftp_after(r->f, cmd);
	code = ftp_data_close(r->f, reply, sizeof(reply));
	r->base.lost = ftp_dead(r->f);
	if (code == FTP_CANCELED) {
		set_err(err, errlen, "canceled");
		return FS_CANCELED;
	}
	if (code != FTP_TRANSFEROK && code != FTP_FILEOK)
		return fail(reply, err, errlen);
	return FS_OK;
}

/* "213 YYYYMMDDHHMMSS[.sss]" (MDTM's answer): the time, or -1. */
static int
parse_mdtm_reply(const char *reply, time_t *t)
{
	const char *p = reply_text(reply);

	if (strncmp(reply, "213 ", 4) != 0)
		return -1;
	return listing_parse_time(p, strcspn(p, " \n"), t, NULL);
}

static int
gettime_once(struct remote *r, const char *path, time_t *mtime, char *err,
    size_t errlen)
{
	char reply[1024];
	int code;

	code = ftp_cmd(r->f, reply, sizeof(reply), "MDTM %s", path);
	if (code != FTP_STATFILE)
		return fail(reply, err, errlen);
	if (parse_mdtm_reply(reply, mtime) < 0) {
		set_err(err, errlen, "MDTM %s: cannot read \"%.80s\"", path,
		    reply);
		return FS_ERR;
	}
	return FS_OK;
}

static int
r_gettime(struct fs *fs, const char *path, time_t *mtime, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	if (!(ftp_features(r->f) & FTP_F_MDTM)) {
		set_err(err, errlen, "the server does not offer MDTM");
		return FS_NOTSUP;
	}
	do
		rc = gettime_once(r, path, mtime, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

/* 1 when SITE HELP's reply names UTIME as a word of its own. */
static int
site_help_has_utime(const char *reply)
{
	const char *p;

	for (p = strcasestr(reply, "UTIME"); p != NULL;
	    p = strcasestr(p + 1, "UTIME"))
		if ((p == reply || strchr(" \n\t,", p[-1]) != NULL) &&
		    (p[5] == '\0' || strchr(" \n\t,", p[5]) != NULL))
			return 1;
	return 0;
}

/*
 * Finds out how the server takes a time, once: MFMT when FEAT lists it,
 * else SITE UTIME when SITE HELP names it, else, with MDTM, an MDTM with
 * a time before the path tried on this file. A server that does not know
 * that form reads "YYYYMMDDHHMMSS path" as a name and says 550 (or, for
 * a file of that name, gives its time): only a 213 that is no time, and
 * an MDTM afterwards that reads back the time set, count as done.
 * Returns FS_OK when this call already set the time, else FS_NOTSUP
 * (r->timeset says what to use), or FS_ERR when the connection failed.
 */
static int
timeset_probe(struct remote *r, const char *path, const char *when,
    time_t mtime, char *err, size_t errlen)
{
	char reply[1024];
	time_t t;
	int code;

	r->timeset = TIMESET_NONE;
	if (ftp_features(r->f) & FTP_F_MFMT) {
		r->timeset = TIMESET_MFMT;
		return FS_NOTSUP;
	}
	code = ftp_cmd(r->f, reply, sizeof(reply), "SITE HELP");
	if (code < 0)
		return fail(reply, err, errlen);
	if (code / 100 == 2 && site_help_has_utime(reply)) {
		r->timeset = TIMESET_UTIME;
		return FS_NOTSUP;
	}
	if (!(ftp_features(r->f) & FTP_F_MDTM))
		return FS_NOTSUP;
	code = ftp_cmd(r->f, reply, sizeof(reply), "MDTM %s %s", when, path);
	if (code < 0)
		return fail(reply, err, errlen);
	if (code != FTP_STATFILE || parse_mdtm_reply(reply, &t) == 0)
		return FS_NOTSUP;
	code = ftp_cmd(r->f, reply, sizeof(reply), "MDTM %s", path);
	if (code < 0)
		return fail(reply, err, errlen);
	if (parse_mdtm_reply(reply, &t) < 0 || t != mtime)
		return FS_NOTSUP;
	r->timeset = TIMESET_MDTM;
	return FS_OK;
}

static int
settime_once(struct remote *r, const char *path, time_t mtime, char *err,
    size_t errlen)
{
	char reply[1024], when[16];
	int code, rc;

	if (listing_format_time(mtime, when, sizeof(when)) < 0) {
		set_err(err, errlen, "%s: a time beyond what FTP can say", path);
		return FS_ERR;
	}
	if (r->timeset == TIMESET_UNKNOWN && (rc = timeset_probe(r, path, when,
	    mtime, err, errlen)) != FS_NOTSUP)
		return rc;
	switch (r->timeset) {
	case TIMESET_MFMT:
		code = ftp_cmd(r->f, reply, sizeof(reply), "MFMT %s %s", when,
		    path);
		break;
	case TIMESET_UTIME:
		code = ftp_cmd(r->f, reply, sizeof(reply), "SITE UTIME %s %s",
		    when, path);
		break;
	case TIMESET_MDTM:
		code = ftp_cmd(r->f, reply, sizeof(reply), "MDTM %s %s", when,
		    path);
		break;
	default:
		set_err(err, errlen, "the server has no way to set a time");
		return FS_NOTSUP;
	}
	/* 213 is what the drafts say; ProFTPD's SITE UTIME says 200. */
	return code / 100 == 2 ? FS_OK : fail(reply, err, errlen);
}

static int
r_settime(struct fs *fs, const char *path, time_t mtime, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	do
		rc = settime_once(r, path, mtime, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

static int
chmod_once(struct remote *r, const char *path, unsigned mode, char *err,
    size_t errlen)
{
	char reply[1024];
	int code;

	code = ftp_cmd(r->f, reply, sizeof(reply), "SITE CHMOD %03o %s", mode,
	    path);
	if (code / 100 == 2)
		return FS_OK;
	if (code == FTP_BADCMD || code == FTP_NOTIMPL || code == FTP_BADPARAM) {
		r->no_chmod = 1;
		set_err(err, errlen, "the server does not offer SITE CHMOD "
		    "(%.*s)", (int)strcspn(reply, "\n"), reply);
		return FS_NOTSUP;
	}
	return fail(reply, err, errlen);
}

/*
 * SITE CHMOD mode path, the command vsftpd (with chmod_enable), Pure-FTPd,
 * ProFTPD and burrowd take. Any 2xx is success (vsftpd and burrowd say
 * 200); a server that does not know it, or has it turned off, says 500,
 * 502 or 504, and is not asked again on this login.
 */
static int
r_chmod(struct fs *fs, const char *path, unsigned mode, char *err,
    size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	if (r->no_chmod) {
		set_err(err, errlen, "the server does not offer SITE CHMOD");
		return FS_NOTSUP;
	}
	do
		rc = chmod_once(r, path, mode, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}

static void
r_free(struct fs *fs)
{
	struct remote *r = (struct remote *)fs;

	if (r == NULL)
		return;
	ftp_close(r->f);
	free(r);
}

static const struct fs_ops remote_ops = {
	.list = r_list,
	.stat = r_stat,
	.chdir = r_chdir,
	.cwd = r_cwd,
	.mkdir = r_mkdir,
	.rmdir = r_rmdir,
	.remove = r_remove,
	.rename = r_rename,
	.hash = r_hash,
	.open = r_open,
	.read = r_read,
	.write = r_write,
	.close = r_close,
	.free = r_free,
	.settime = r_settime,
	.gettime = r_gettime,
	.chmod = r_chmod,
};

struct fs *
fs_remote_new(const struct url *u, const char *password,
    const struct ftp_opts *o, char *err, size_t errlen)
{
	struct remote *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	r->base.ops = &remote_ops;
	r->base.kind = "remote";
	r->rang = -1;
	if ((r->f = ftp_open(u, password, o, err, errlen)) == NULL) {
		free(r);
		return NULL;
	}
	if (ftp_hash_algo(r->f) != NULL) {
		r->base.flags = FS_HAS_HASH | FS_HAS_RANG;
		snprintf(r->algo, sizeof(r->algo), "%s", ftp_hash_algo(r->f));
		r->base.hash_algo = ftp_hash_algo(r->f);
	}
	if (ftp_features(r->f) & FTP_F_REST)
		r->base.flags |= FS_HAS_REST;
	if (ftp_features(r->f) & FTP_F_MLST)
		r->base.flags |= FS_EXACT_TIMES;	/* MLSD's modify fact */
	if (refresh_cwd(r, err, errlen) != FS_OK) {
		r_free(&r->base);
		return NULL;
	}
	return &r->base;
}

struct ftp *
fs_remote_ftp(struct fs *fs)
{
	return fs != NULL && fs->ops == &remote_ops ?
	    ((struct remote *)fs)->f : NULL;
}

static int
avbl_once(struct remote *r, const char *path, unsigned long long *bytes,
    char *err, size_t errlen)
{
	char reply[1024];
	long long n;
	int code;

	if (path != NULL && *path != '\0')
		code = ftp_cmd(r->f, reply, sizeof(reply), "AVBL %s", path);
	else
		code = ftp_cmd(r->f, reply, sizeof(reply), "AVBL");
	if (code != FTP_STATFILE)
		return fail(reply, err, errlen);
	if (parse_num(reply_text(reply), 0, INT64_MAX, &n, NULL) < 0) {
		set_err(err, errlen, "AVBL: cannot read \"%.80s\"", reply);
		return FS_ERR;
	}
	*bytes = (unsigned long long)n;
	return FS_OK;
}

int
fs_remote_avbl(struct fs *fs, const char *path, unsigned long long *bytes,
    char *err, size_t errlen)
{
	struct remote *r = (struct remote *)fs;
	int rc, tries = 0;

	if (fs_remote_ftp(fs) == NULL ||
	    !(ftp_features(r->f) & FTP_F_AVBL)) {
		set_err(err, errlen, "the server does not offer AVBL");
		return FS_NOTSUP;
	}
	do
		rc = avbl_once(r, path, bytes, err, errlen);
	while (retry(r, rc, &tries, err, errlen));
	return rc;
}
