/*
 * edit: F3 view and F4 edit through a private copy; see edit.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/util.h"
#include "tui/edit.h"
#include "tui/xfer.h"

extern char **environ;

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : fallback;
}

const char *
edit_program(enum edit_mode mode)
{
	if (mode == EDIT_VIEW)
		return env_or("PAGER", "less");
	return env_or("VISUAL", env_or("EDITOR", "vi"));
}

int
edit_run(const char *program, const char *path, char *err, size_t errlen)
{
	struct sigaction ign, old_int, old_quit;
	posix_spawnattr_t attr;
	sigset_t def, none;
	char script[FS_PATH_MAX + 16];
	char *argv[6];
	pid_t pid;
	int rc, st = 0;

	if ((size_t)snprintf(script, sizeof(script), "%s \"$@\"", program) >=
	    sizeof(script)) {
		set_err(err, errlen, "%s: the command is too long", program);
		return -1;
	}
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = script;
	argv[3] = (char *)program;	/* $0, for the shell's messages */
	argv[4] = (char *)path;
	argv[5] = NULL;
	/* The program gets the signals a shell's child would: the default
	 * actions, nothing blocked. */
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGQUIT);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigemptyset(&none);
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		set_err(err, errlen, "posix_spawnattr_init: %s", strerror(rc));
		return -1;
	}
	(void)posix_spawnattr_setsigdefault(&attr, &def);
	(void)posix_spawnattr_setsigmask(&attr, &none);
	(void)posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK);
	/* As system(3) does: Ctrl-C and Ctrl-\ are the program's. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	rc = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc == 0) {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (rc != 0) {
		set_err(err, errlen, "/bin/sh: %s", strerror(rc));
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		set_err(err, errlen, "%s: not found (exit status 127)",
		    program);
	else if (WIFEXITED(st))
		set_err(err, errlen, "%s: exit status %d", program,
		    WEXITSTATUS(st));
	else
		set_err(err, errlen, "%s: killed by signal %d", program,
		    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -1;
}

int
edit_digest(const char *path, const char *algo, char *hex, size_t hexlen,
    char *err, size_t errlen)
{
	const struct hash_alg *alg = hash_find(algo);
	int fd, rc;

	if (alg == NULL) {
		set_err(err, errlen, "%s: no such digest", algo);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = hash_fd_range(fd, alg, 0, UINT64_MAX, hex, hexlen, NULL);
	if (rc < 0)
		set_err(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

int
edit_init(struct edit *e, enum edit_mode mode, struct fs *remote,
    const char *rpath, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	e->remote = remote;
	if ((size_t)snprintf(e->rpath, sizeof(e->rpath), "%s", rpath) >=
	    sizeof(e->rpath)) {
		set_err(err, errlen, "%s: path too long", rpath);
		return -1;
	}
	fs_basename(rpath, e->name, sizeof(e->name));
	snprintf(e->algo, sizeof(e->algo), "%s", remote->hash_algo != NULL &&
	    hash_find(remote->hash_algo) != NULL ? remote->hash_algo :
	    "SHA-256");
	return 0;
}

/*
 * The private folder, $TMPDIR/burrow-XXXXXX (mkdtemp(3): 0700, a name
 * no one else has), and in it an empty file of the entry's own name,
 * 0600, made before anything is written to it.
 */
static int
make_private(struct edit *e, char *err, size_t errlen)
{
	const char *tmp = env_or("TMPDIR", "/tmp");
	int fd;

	if (tmp[0] != '/')
		tmp = "/tmp";
	if ((size_t)snprintf(e->dir, sizeof(e->dir), "%s/burrow-XXXXXX",
	    tmp) >= sizeof(e->dir) || mkdtemp(e->dir) == NULL) {
		set_err(err, errlen, "a temporary folder in %s: %s", tmp,
		    strerror(errno != 0 ? errno : ENAMETOOLONG));
		e->dir[0] = '\0';
		return -1;
	}
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0 ||
	    fs_join(e->dir, e->name, e->path, sizeof(e->path)) < 0) {
		set_err(err, errlen, "%s: not a usable name", e->name);
		return -1;
	}
	fd = open(e->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", e->path, strerror(errno));
		e->path[0] = '\0';
		return -1;
	}
	close(fd);
	return 0;
}

/* The engine asks about the target the copy replaces: always replace it
 * (the empty file made for the download; the server's file on the way
 * back, once the caller has decided). */
static enum xfer_answer
replace(void *arg, const char *src, const char *dst,
    const struct listing_entry *src_e, const struct listing_entry *dst_e,
    enum xfer_decision suggested, int prefix, char *newname, size_t len)
{
	(void)arg; (void)src; (void)dst; (void)src_e; (void)dst_e;
	(void)suggested; (void)prefix; (void)newname; (void)len;
	return XFER_ANS_OVERWRITE;
}

/* Keeps the engine's word on the file ("verified by SHA-256"). */
static void
on_event(void *arg, enum xfer_event ev, const char *src, const char *dst,
    const char *msg)
{
	struct edit *e = arg;

	(void)src; (void)dst;
	if (ev == XFER_EV_DONE || ev == XFER_EV_FAILED)
		snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

static void
on_progress(void *arg, const struct xfer_progress *p)
{
	struct edit *e = arg;

	if (e->progress != NULL && p->phase == NULL)
		e->progress(e->progress_arg, p->done, p->total);
}

/* The copy engine from src to dst (local is the one of the two made
 * here, whose cancel flag is e's), one file, verified. */
static int
copy(struct edit *e, struct fs *local, struct fs *src, const char *sp,
    struct fs *dst, const char *dp, char *err, size_t errlen)
{
	struct xfer_opts o;
	struct xfer_stats st;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.verify = 1;
	o.conflict = replace;
	o.event = on_event;
	o.progress = on_progress;
	o.arg = e;
	e->msg[0] = '\0';
	e->cancel = 0;
	local->cancel = &e->cancel;
	return xfer_copy(src, sp, dst, dp, &o, &st, err, errlen);
}

int
edit_fetch(struct edit *e, char *err, size_t errlen)
{
	struct fs *local;
	int rc;

	if ((rc = fs_stat(e->remote, e->rpath, &e->fetched, err, errlen)) !=
	    FS_OK)
		return rc;
	if (e->fetched.type != LISTING_FILE) {
		set_err(err, errlen, "%s: not a file", e->rpath);
		return FS_ERR;
	}
	if (make_private(e, err, errlen) < 0)
		return FS_ERR;
	if ((local = fs_local_new(e->dir, err, errlen)) == NULL)
		return FS_ERR;
	rc = copy(e, local, e->remote, e->rpath, local, e->path, err,
	    errlen);
	fs_free(local);
	if (rc != FS_OK)
		return rc;
	/* What was fetched is what the server had: the digests of the copy
	 * stand for both (the engine compared them). */
	if (edit_digest(e->path, e->algo, e->before, sizeof(e->before), err,
	    errlen) < 0)
		return FS_ERR;
	if (e->remote->flags & FS_HAS_HASH)
		snprintf(e->server_hex, sizeof(e->server_hex), "%s",
		    e->before);
	return FS_OK;
}

int
edit_copy_changed(struct edit *e, char *err, size_t errlen)
{
	char hex[HASH_HEX_MAX];

	if (edit_digest(e->path, e->algo, hex, sizeof(hex), err, errlen) < 0)
		return -1;
	return strcmp(hex, e->before) != 0;
}

int
edit_server_changed(struct edit *e, char *why, size_t whylen)
{
	struct listing_entry now;
	char hex[HASH_HEX_MAX], a[32], b[32];
	int rc;

	rc = fs_stat(e->remote, e->rpath, &now, why, whylen);
	if (rc == FS_NOENT) {
		set_err(why, whylen, "it is not there any more");
		return 1;
	}
	if (rc != FS_OK)
		return rc;
	if (now.type != LISTING_FILE) {
		set_err(why, whylen, "it is not a file any more");
		return 1;
	}
	if (now.have_size && e->fetched.have_size &&
	    now.size != e->fetched.size) {
		format_size(now.size, a, sizeof(a));
		format_size(e->fetched.size, b, sizeof(b));
		set_err(why, whylen, "its size is now %s (was %s)", a, b);
		return 1;
	}
	if (now.have_mtime && e->fetched.have_mtime &&
	    now.mtime != e->fetched.mtime) {
		set_err(why, whylen, "it was modified after it was fetched");
		return 1;
	}
	if (e->server_hex[0] != '\0') {
		rc = fs_hash(e->remote, e->rpath, e->algo, 0, UINT64_MAX, hex,
		    sizeof(hex), why, whylen);
		if (rc != FS_OK && rc != FS_NOTSUP)
			return rc;
		if (rc == FS_OK && strcmp(hex, e->server_hex) != 0) {
			set_err(why, whylen, "its content is not what was "
			    "fetched (%s)", e->algo);
			return 1;
		}
	}
	return 0;
}

int
edit_upload(struct edit *e, const char *rpath, char *err, size_t errlen)
{
	struct fs *local;
	int rc;

	if ((local = fs_local_new(e->dir, err, errlen)) == NULL)
		return FS_ERR;
	rc = copy(e, local, local, e->path, e->remote, rpath, err, errlen);
	fs_free(local);
	return rc;
}

void
edit_cleanup(struct edit *e)
{
	struct dirent *d;
	DIR *dir;
	int fd, pass;

	if (e->dir[0] == '\0')
		return;
	/* Only files are made there (the copy, and the engine's hidden
	 * temporary beside it; an editor's backup or swap file). What a
	 * readdir() may miss while its folder shrinks, a second pass gets. */
	for (pass = 0; pass < 3 && rmdir(e->dir) < 0 && errno == ENOTEMPTY;
	    pass++) {
		if ((fd = open(e->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			break;
		if ((dir = fdopendir(fd)) == NULL) {
			close(fd);
			break;
		}
		while ((d = readdir(dir)) != NULL)
			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0)
				(void)unlinkat(fd, d->d_name, 0);
		closedir(dir);
	}
	e->dir[0] = '\0';
	e->path[0] = '\0';
}
