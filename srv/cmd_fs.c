/*
 * cmd_fs: commands on names in the user's home: PWD, CWD, CDUP, MKD, RMD,
 * DELE, RNFR, RNTO, SIZE, MDTM, MFMT, MLST and SITE CHMOD. Every path goes
 * through the jail and every operation is an *at() call on a directory fd it hands
 * out. MKD and RNTO of a folder keep the tree within max_depth levels
 * below the home, counted on the normalised virtual path ("/a/b" is 2
 * levels deep).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/listing.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/jail.h"
#include "srv/log.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/session.h"

int
cmd_pwd(struct session *s, char *arg)
{
	char q[VPATH_MAX * 2];

	session_quote(s->cwd, q, sizeof(q));
	return session_reply(s, FTP_PWDOK, "\"%s\" is the current directory.",
	    q);
}

static int
change_dir(struct session *s, const char *arg)
{
	char vpath[VPATH_MAX];
	struct stat st;

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	if (jail_stat(s->rootfd, vpath, &st) == -1)
		return session_reply_errno(s, FTP_FILEFAIL,
		    "Failed to change directory", errno);
	if (!S_ISDIR(st.st_mode))
		return session_reply_errno(s, FTP_FILEFAIL,
		    "Failed to change directory", ENOTDIR);
	snprintf(s->cwd, sizeof(s->cwd), "%s", vpath);
	return session_reply(s, FTP_FILEOK, "Directory changed to %s.",
	    s->cwd);
}

int
cmd_cwd(struct session *s, char *arg)
{
	return change_dir(s, arg != NULL && *arg != '\0' ? arg : "/");
}

int
cmd_cdup(struct session *s, char *arg)
{
	return change_dir(s, "..");
}

/*
 * Opens the parent of the path in arg; fills vpath and name. Replies and
 * returns -1 on failure.
 */
static int
open_parent(struct session *s, const char *arg, char *vpath, char *name,
    const char *what)
{
	int dfd;

	if (session_path(s, arg, vpath, VPATH_MAX) == -1)
		return -1;
	if ((dfd = jail_open_parent(s->rootfd, vpath, name, NAME_MAX + 1)) == -1) {
		session_reply_errno(s, FTP_FILEFAIL, what, errno);
		return -1;
	}
	return dfd;
}

/* Folder levels of a normalised virtual path below the home ("/" is 0). */
static unsigned
vpath_depth(const char *vpath)
{
	unsigned n = 0;

	for (; *vpath != '\0'; vpath++)
		if (*vpath == '/' && vpath[1] != '\0')
			n++;
	return n;
}

/*
 * Refuses with 550 a folder that would sit more than max_depth levels
 * below the home: at vpath itself, or, when the folder is moved there
 * (srcfd, else -1), at the deepest folder it holds. Returns 0 when
 * allowed, -1 after replying.
 */
static int
check_depth(struct session *s, const char *vpath, int srcfd, const char *what)
{
	unsigned max = (unsigned)s->srv->cfg->max_depth;
	unsigned depth = vpath_depth(vpath);
	int rc = 0;

	if (max == 0)
		return 0;
	if (depth > max)
		rc = 1;
	else if (srcfd != -1 && (rc = quota_deeper_than(srcfd, max - depth)) ==
	    -1) {
		log_warn("%s: %s: measuring the depth of the folder moved to %s",
		    s->peer, s->user, vpath);
		session_reply_errno(s, FTP_FILEFAIL, what, errno);
		return -1;
	}
	if (rc == 0)
		return 0;
	log_info("%s: %s refused %s: deeper than max_depth %u", s->peer,
	    s->user, vpath, max);
	session_reply(s, FTP_FILEFAIL, "%s: too deep (max_depth %u).", what, max);
	return -1;
}

int
cmd_mkd(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], name[NAME_MAX + 1], q[VPATH_MAX * 2];
	int dfd, rc;

	if ((dfd = open_parent(s, arg, vpath, name, "Create directory failed")) == -1)
		return 0;
	if (check_depth(s, vpath, -1, "Create directory failed") == -1) {
		close(dfd);
		return 0;
	}
	rc = mkdirat(dfd, name, 0755);
	close(dfd);
	if (rc == -1)
		return session_reply_errno(s, FTP_FILEFAIL,
		    "Create directory failed", errno);
	log_info("%s: %s MKD %s", s->peer, s->user, vpath);
	session_quote(vpath, q, sizeof(q));
	return session_reply(s, FTP_MKDIROK, "\"%s\" created.", q);
}

int
cmd_rmd(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], name[NAME_MAX + 1];
	int dfd, rc;

	if ((dfd = open_parent(s, arg, vpath, name, "Remove directory failed")) == -1)
		return 0;
	rc = unlinkat(dfd, name, AT_REMOVEDIR);
	close(dfd);
	if (rc == -1)
		return session_reply_errno(s, FTP_FILEFAIL,
		    "Remove directory failed", errno);
	log_info("%s: %s RMD %s", s->peer, s->user, vpath);
	return session_reply(s, FTP_FILEOK, "Directory removed.");
}

int
cmd_dele(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	int dfd, rc;

	if ((dfd = open_parent(s, arg, vpath, name, "Delete failed")) == -1)
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode)) {
		close(dfd);
		return session_reply_errno(s, FTP_FILEFAIL, "Delete failed",
		    EISDIR);
	}
	rc = quota_unlink(s->quota, dfd, name);
	close(dfd);
	if (rc == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Delete failed",
		    errno);
	log_info("%s: %s DELE %s", s->peer, s->user, vpath);
	return session_reply(s, FTP_FILEOK, "File deleted.");
}

int
cmd_rnfr(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	int dfd, rc;

	s->rnfr[0] = '\0';
	if ((dfd = open_parent(s, arg, vpath, name, "Rename failed")) == -1)
		return 0;
	rc = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	close(dfd);
	if (rc == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Rename failed",
		    errno);
	snprintf(s->rnfr, sizeof(s->rnfr), "%s", vpath);
	return session_reply(s, FTP_RNFROK, "Ready for RNTO.");
}

/*
 * check_depth for RNTO of fdfd/fname to the virtual path to: only a folder
 * (not a symlink to one) brings levels with it. Returns 1 after replying
 * when refused.
 */
static int
moved_too_deep(struct session *s, int fdfd, const char *fname, const char *to)
{
	struct stat st;
	int fd, rc;

	if (s->srv->cfg->max_depth == 0 || fstatat(fdfd, fname, &st,
	    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
		return 0;	/* the rename itself says what is wrong */
	if ((fd = openat(fdfd, fname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		session_reply_errno(s, FTP_FILEFAIL, "Rename failed", errno);
		return 1;
	}
	rc = check_depth(s, to, fd, "Rename failed");
	close(fd);
	return rc == -1;
}

int
cmd_rnto(struct session *s, char *arg)
{
	char from[VPATH_MAX], to[VPATH_MAX];
	char fname[NAME_MAX + 1], tname[NAME_MAX + 1];
	int fdfd, tdfd, rc;

	if (s->rnfr[0] == '\0')
		return session_reply(s, FTP_BADSEQ, "RNFR required first.");
	snprintf(from, sizeof(from), "%s", s->rnfr);
	s->rnfr[0] = '\0';
	if ((fdfd = jail_open_parent(s->rootfd, from, fname, sizeof(fname))) == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Rename failed",
		    errno);
	if ((tdfd = open_parent(s, arg, to, tname, "Rename failed")) == -1) {
		close(fdfd);
		return 0;
	}
	if (moved_too_deep(s, fdfd, fname, to)) {
		close(fdfd);
		close(tdfd);
		return 0;
	}
	rc = quota_rename(s->quota, fdfd, fname, tdfd, tname, 0);
	close(fdfd);
	close(tdfd);
	if (rc == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Rename failed",
		    errno);
	log_info("%s: %s RNTO %s -> %s", s->peer, s->user, from, to);
	return session_reply(s, FTP_FILEOK, "Rename successful.");
}

/* Stats arg for SIZE and MDTM; replies and returns -1 unless a file. */
static int
stat_file(struct session *s, const char *arg, struct stat *st,
    const char *what)
{
	char vpath[VPATH_MAX];

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return -1;
	if (jail_stat(s->rootfd, vpath, st) == -1) {
		session_reply_errno(s, FTP_FILEFAIL, what, errno);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		session_reply(s, FTP_FILEFAIL, "%s: not a plain file.", what);
		return -1;
	}
	return 0;
}

int
cmd_size(struct session *s, char *arg)
{
	struct stat st;

	if (stat_file(s, arg, &st, "Could not get file size") == -1)
		return s->quit ? -1 : 0;
	return session_reply(s, FTP_STATFILE, "%jd", (intmax_t)st.st_size);
}

int
cmd_mdtm(struct session *s, char *arg)
{
	char when[32];
	struct stat st;
	struct tm tm;

	if (stat_file(s, arg, &st, "Could not get modification time") == -1)
		return s->quit ? -1 : 0;
	gmtime_r(&st.st_mtime, &tm);
	strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm);
	return session_reply(s, FTP_STATFILE, "%s", when);
}

/*
 * MFMT YYYYMMDDHHMMSS[.sss] path (draft-somers-ftp-mfxx): sets the
 * modification time (UTC) of a file or a folder, its access time kept.
 * The last component is changed where it is, on its parent's jail fd
 * with AT_SYMLINK_NOFOLLOW: a symlink is refused rather than followed, so
 * no link can point the change anywhere else. Sizes do not change, so
 * neither does quota; a kept digest (proto/hcache.h) goes stale by its
 * ctime and is computed again when next asked for.
 */
int
cmd_mfmt(struct session *s, char *arg)
{
	const char *what = "Could not set modification time";
	char vpath[VPATH_MAX], name[NAME_MAX + 1], when[32];
	struct timespec ts[2];
	struct stat st;
	const char *path = strchr(arg, ' ');
	long nsec;
	int dfd, rc;

	if (path == NULL || path[1] == '\0')
		return session_reply(s, FTP_BADARG,
		    "Syntax: MFMT YYYYMMDDHHMMSS[.sss] <path>.");
	if (listing_parse_time(arg, (size_t)(path - arg), &ts[1].tv_sec,
	    &nsec) == -1 || listing_format_time(ts[1].tv_sec, when,
	    sizeof(when)) == -1)
		return session_reply(s, FTP_BADARG,
		    "Bad time: want YYYYMMDDHHMMSS[.sss] in UTC.");
	path++;
	ts[1].tv_nsec = nsec;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	if ((dfd = open_parent(s, path, vpath, name, what)) == -1)
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		rc = errno;
		close(dfd);
		return session_reply_errno(s, FTP_FILEFAIL, what, rc);
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		close(dfd);
		return session_reply(s, FTP_FILEFAIL,
		    "%s: not a plain file or folder.", what);
	}
	rc = utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
	if (rc == -1) {
		rc = errno;
		close(dfd);
		return session_reply_errno(s, FTP_FILEFAIL, what, rc);
	}
	close(dfd);
	log_info("%s: %s MFMT %s %s", s->peer, s->user, when, vpath);
	/* The time as set: the seconds, and the fraction as it was sent. */
	return session_reply(s, FTP_STATFILE, "Modify=%s%.*s; %s", when,
	    (int)(path - 1 - arg - 14), arg + 14, path);
}

/*
 * Sets the mode of name in dfd, never through a symbolic link. glibc's
 * fchmodat(AT_SYMLINK_NOFOLLOW) pins the inode with an O_PATH descriptor
 * and says EOPNOTSUPP for a link; it needs /proc, and without it says
 * EOPNOTSUPP for anything. Then the entry, known from st not to have
 * been a link, is opened with O_NOFOLLOW and changed through that
 * descriptor if it is still the same inode. Returns 0, or -1 with errno.
 */
static int
chmod_nofollow(int dfd, const char *name, const struct stat *st,
    unsigned mode)
{
	struct stat now;
	int fd, rc;

	if (fchmodat(dfd, name, (mode_t)mode, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return -1;
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &now) == -1 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	rc = fchmod(fd, (mode_t)mode);
	if (rc == -1)
		rc = errno;
	close(fd);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

/*
 * SITE CHMOD <octal mode> <path> (as vsftpd, Pure-FTPd and ProFTPD take
 * it): sets the permission bits of a file or folder. A mode is one to four
 * octal digits; one with a bit outside chmod_mask (by default setuid,
 * setgid and sticky) is refused, as is a symbolic link: the last component
 * is changed on its parent's jail fd without following it, so no link
 * can lead the change out of the home. The home itself has no parent in
 * the jail and is refused too.
 */
int
site_chmod(struct session *s, char *arg)
{
	const char *what = "SITE CHMOD";
	char vpath[VPATH_MAX], name[NAME_MAX + 1], text[8];
	const char *path = strchr(arg, ' ');
	unsigned mode, mask = (unsigned)s->srv->cfg->chmod_mask;
	struct stat st;
	size_t len;
	int dfd, rc;

	if (path == NULL || path[1] == '\0')
		return session_reply(s, FTP_BADARG,
		    "Syntax: SITE CHMOD <octal mode> <path>.");
	len = (size_t)(path - arg);
	if (len >= sizeof(text))
		len = sizeof(text) - 1;	/* too long to be a mode anyway */
	memcpy(text, arg, len);
	text[len] = '\0';
	if (parse_mode(text, &mode) == -1)
		return session_reply(s, FTP_BADARG, "Bad mode: want one to four "
		    "octal digits, such as 644.");
	path++;
	if ((mode & ~mask) != 0)
		return session_reply(s, FTP_FILEFAIL, "%s: mode %04o sets bits "
		    "this server does not allow (chmod_mask %04o).", what, mode,
		    mask);
	if ((dfd = open_parent(s, path, vpath, name, what)) == -1)
		return 0;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		rc = errno;
		close(dfd);
		return session_reply_errno(s, FTP_FILEFAIL, what, rc);
	}
	if (S_ISLNK(st.st_mode)) {
		close(dfd);
		return session_reply(s, FTP_FILEFAIL, "%s: a symbolic link's "
		    "mode cannot be set.", what);
	}
	if (chmod_nofollow(dfd, name, &st, mode) == -1) {
		rc = errno == EOPNOTSUPP ? EPERM : errno;
		close(dfd);
		return session_reply_errno(s, FTP_FILEFAIL, what, rc);
	}
	close(dfd);
	log_info("%s: %s SITE CHMOD %04o %s", s->peer, s->user, mode, vpath);
	return session_reply(s, FTP_OK, "SITE CHMOD command ok.");
}

int
cmd_mlst(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], line[VPATH_MAX + 256];
	struct stat st;

	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	if (jail_stat(s->rootfd, vpath, &st) == -1)
		return session_reply_errno(s, FTP_FILEFAIL, "Cannot list",
		    errno);
	if (listing_facts(vpath, &st, NULL, s->mlst_facts, 1, line,
	    sizeof(line)) == -1)
		return session_reply(s, FTP_FILEFAIL, "Name too long.");
	return session_reply(s, FTP_FILEOK, "Listing %s\n %s\nEnd", vpath,
	    line);
}
