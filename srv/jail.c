/*
 * jail: resolves a session's virtual paths below its home directory fd.
 *
 * openat2(RESOLVE_IN_ROOT) does the work where the kernel has it. The walk
 * reproduces the same rules in user space for kernels without it: one
 * component per syscall, every component opened with O_NOFOLLOW, symlinks
 * read and expanded here, an absolute target restarting at the home and ".."
 * stopping there. The walk remembers the identity of every directory it went
 * through, and a ".." must land on the one it came from: a directory moved
 * out of the home while it is being resolved can never lead above it (the
 * walk fails with EXDEV instead).
 *
 * The resolution mode is the only process-wide state.
 */

#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#else
/*
 * Headers older than Linux 5.6. openat2 is still tried, in case the kernel
 * is newer than the headers; where it is not, JAIL_AUTO turns to the walk.
 */
struct open_how {
	uint64_t	 flags;
	uint64_t	 mode;
	uint64_t	 resolve;
};
#define RESOLVE_NO_MAGICLINKS	0x02
#define RESOLVE_IN_ROOT		0x10
#endif
#ifndef SYS_openat2
#define SYS_openat2		437	/* the same on every architecture */
#endif

#include "srv/jail.h"

#define JAIL_MAXLINKS	40	/* symlinks per lookup, the kernel's MAXSYMLINKS */
#define JAIL_MAXDEPTH	(PATH_MAX / 2)	/* as deep as "/a/a/a..." can go */
#define JAIL_RETRIES	8	/* openat2 EAGAIN retries (concurrent renames) */

/* Read and written atomically: JAIL_AUTO turns into JAIL_WALK on ENOSYS. */
static atomic_int jail_mode = JAIL_AUTO;

static const struct {
	const char	*name;
	enum jail_mode	 mode;
} jail_modes[] = {
	{ "auto",	JAIL_AUTO },
	{ "openat2",	JAIL_OPENAT2 },
	{ "walk",	JAIL_WALK },
};

/* The state of one walk (36 KiB, so it is allocated). */
struct walk {
	int	 root;			/* the session's home, not owned */
	int	 cur;			/* the directory reached, O_PATH, owned */
	int	 links;			/* symlinks expanded so far */
	size_t	 depth;			/* directories entered below the home */
	struct {
		dev_t	 dev;
		ino_t	 ino;
	}	 up[JAIL_MAXDEPTH];	/* up[i]: the directory at depth i + 1 */
	char	 rest[PATH_MAX];	/* the part of the path still to resolve */
};

void
jail_set_mode(enum jail_mode mode)
{
	atomic_store(&jail_mode, (int)mode);
}

enum jail_mode
jail_get_mode(void)
{
	return (enum jail_mode)atomic_load(&jail_mode);
}

static void jail_probe(void);

void
jail_init_from_env(void)
{
	const char *s = getenv("BURROW_JAIL");
	size_t i;

	if (s != NULL)
		for (i = 0; i < sizeof jail_modes / sizeof jail_modes[0]; i++)
			if (strcmp(s, jail_modes[i].name) == 0)
				jail_set_mode(jail_modes[i].mode);
	if (jail_get_mode() == JAIL_AUTO)
		jail_probe();
}

/*
 * Applies the components of p to the normalised path out[0..*len), where a
 * length of 0 stands for "/". Components that do not fit are only counted in
 * *lost, so that a later ".." can still cancel them and only a result that
 * really is too long fails. Writing never overtakes reading when out is the
 * absolute string p itself.
 */
static void
push_components(const char *p, char *out, size_t outlen, size_t *len,
    size_t *lost)
{
	const char *c;
	size_t n;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		c = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (*lost > 0)
				(*lost)--;
			else
				while (*len > 0 && out[--*len] != '/')
					continue;
			continue;
		}
		if (*lost > 0 || outlen - *len < n + 2) {
			(*lost)++;
			continue;
		}
		out[(*len)++] = '/';
		memmove(out + *len, c, n);
		*len += n;
	}
}

int
jail_normalize(const char *cwd, const char *arg, char *out, size_t outlen)
{
	size_t len = 0, lost = 0;

	if (arg == NULL || out == NULL ||
	    (arg[0] != '/' && (cwd == NULL || cwd[0] != '/'))) {
		errno = EINVAL;
		return -1;
	}
	if (arg[0] != '/')
		push_components(cwd, out, outlen, &len, &lost);
	push_components(arg, out, outlen, &len, &lost);
	if (lost > 0 || outlen < 2) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return 0;
}

static int
openat2_open(int rootfd, const char *vpath, int flags, mode_t mode)
{
	struct open_how how;
	int fd, tries;

	memset(&how, 0, sizeof how);
	how.flags = (uint64_t)(unsigned int)flags;
	how.mode = mode;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	while (*vpath == '/')
		vpath++;
	if (*vpath == '\0')
		vpath = ".";
	/* EAGAIN means a rename raced with ".."; the kernel asks for a retry. */
	for (tries = 0;; tries++) {
		fd = (int)syscall(SYS_openat2, rootfd, vpath, &how, sizeof how);
		if (fd != -1 || errno != EAGAIN || tries == JAIL_RETRIES)
			return fd;
	}
}

/*
 * Decides once, before threads start, whether openat2 works here. Kernels
 * before 5.6 answer ENOSYS; some container seccomp profiles answer EPERM.
 * Either way the walk takes over for the life of the process.
 */
static void
jail_probe(void)
{
	int fd = openat2_open(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd != -1)
		close(fd);
	else if (errno == ENOSYS || errno == EPERM)
		jail_set_mode(JAIL_WALK);
}

/* Makes the home the current directory again, as an absolute target does. */
static int
walk_reset(struct walk *w)
{
	int fd;

	fd = openat(w->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (w->cur != -1)
		close(w->cur);
	w->cur = fd;
	w->depth = 0;
	return 0;
}

/* Moves into the directory fd (owned from now on), whose fstat is st. */
static int
walk_enter(struct walk *w, int fd, const struct stat *st)
{
	if (w->depth == JAIL_MAXDEPTH) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	w->up[w->depth].dev = st->st_dev;
	w->up[w->depth].ino = st->st_ino;
	w->depth++;
	close(w->cur);
	w->cur = fd;
	return 0;
}

/*
 * "..": never above the home. Deeper down the kernel's ".." must land on the
 * directory the walk came through; if not, a directory was moved out of the
 * home meanwhile, and the walk stops with EXDEV.
 */
static int
walk_up(struct walk *w)
{
	struct stat st;
	int fd;

	if (w->depth <= 1)
		return w->depth == 0 ? 0 : walk_reset(w);
	fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (st.st_dev != w->up[w->depth - 2].dev ||
	    st.st_ino != w->up[w->depth - 2].ino) {
		close(fd);
		errno = EXDEV;
		return -1;
	}
	close(w->cur);
	w->cur = fd;
	w->depth--;
	return 0;
}

/*
 * Replaces the symlink just met by its target: rest becomes the target, a
 * '/' if sep, then what followed the link (rest + tail). The unresolved
 * tail is parked at the end of the buffer while the target is read in front
 * of it.
 */
static int
walk_link(struct walk *w, int linkfd, size_t tail, int sep)
{
	char *r = w->rest;
	size_t keep = strlen(r + tail) + 1 + (sep ? 1 : 0);
	size_t room = sizeof w->rest - keep;
	ssize_t n;

	if (++w->links > JAIL_MAXLINKS) {
		errno = ELOOP;
		return -1;
	}
	memmove(r + room + (sep ? 1 : 0), r + tail, keep - (sep ? 1 : 0));
	if (sep)
		r[room] = '/';
	n = readlinkat(linkfd, "", r, room);
	if (n == -1)
		return -1;
	if ((size_t)n >= room) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(r + n, r + room, keep);
	return r[0] == '/' ? walk_reset(w) : 0;
}

enum step { STEP_DONE, STEP_NEXT, STEP_RESTART };

/*
 * Resolves one component, NUL-terminated at rest + pos and followed by what
 * starts at rest + tail. STEP_DONE ends the walk with *fd set (or -1 and
 * errno); STEP_RESTART means a symlink was expanded into rest.
 */
static enum step
walk_step(struct walk *w, size_t pos, size_t tail, int last, int flags,
    mode_t mode, int *fd)
{
	const char *name = w->rest + pos;
	int follow, probe;
	struct stat st;

	/* Like open(2): no following a final link with O_NOFOLLOW or O_EXCL. */
	follow = !last || ((flags & O_NOFOLLOW) == 0 &&
	    (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL));
	*fd = -1;
	if (!follow)
		goto open_final;
	probe = openat(w->cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (probe == -1) {
		if (last && errno == ENOENT && (flags & O_CREAT))
			goto open_final;
		return STEP_DONE;
	}
	if (fstat(probe, &st) == -1)
		goto fail;
	if (S_ISLNK(st.st_mode)) {
		if (walk_link(w, probe, tail, !last) == -1)
			goto fail;
		close(probe);
		return STEP_RESTART;
	}
	if (!last) {
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
		return walk_enter(w, probe, &st) == -1 ? STEP_DONE : STEP_NEXT;
	}
	close(probe);
open_final:
	/* Whatever was swapped for a symlink since the probe fails here. */
	*fd = openat(w->cur, name, flags | O_NOFOLLOW, mode);
	return STEP_DONE;
fail:
	close(probe);
	return STEP_DONE;
}

static int
walk_open(int rootfd, const char *vpath, int flags, mode_t mode)
{
	struct walk *w;
	size_t pos = 0, end, len = strlen(vpath);
	int fd = -1, saved, last;
	enum step step;

	if (len >= sizeof w->rest) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((w = malloc(sizeof *w)) == NULL)
		return -1;
	memcpy(w->rest, vpath, len + 1);
	w->root = rootfd;
	w->cur = -1;
	w->links = 0;
	if (walk_reset(w) == -1) {
		free(w);
		return -1;
	}
	for (;;) {
		while (w->rest[pos] == '/')
			pos++;
		if (w->rest[pos] == '\0') {
			/* "/", a final "." or "..", or a trailing slash. */
			fd = openat(w->cur, ".", flags | O_NOFOLLOW, mode);
			break;
		}
		end = pos + strcspn(w->rest + pos, "/");
		last = w->rest[end] == '\0';
		w->rest[end] = '\0';
		if (strcmp(w->rest + pos, ".") == 0)
			step = STEP_NEXT;
		else if (strcmp(w->rest + pos, "..") == 0)
			step = walk_up(w) == -1 ? STEP_DONE : STEP_NEXT;
		else
			step = walk_step(w, pos, last ? end : end + 1, last,
			    flags, mode, &fd);
		if (step == STEP_DONE)
			break;
		pos = step == STEP_RESTART ? 0 : last ? end : end + 1;
	}
	saved = errno;
	close(w->cur);
	free(w);
	errno = saved;
	return fd;
}

int
jail_open(int rootfd, const char *vpath, int flags, mode_t mode)
{
	int fd, expected = JAIL_AUTO;

	if (vpath == NULL || vpath[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	/* openat2 refuses what open(2) would silently ignore. */
	flags |= O_CLOEXEC;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & O_CREAT) == 0 && (flags & O_TMPFILE) != O_TMPFILE)
		mode = 0;
	mode &= 07777;

	switch (jail_get_mode()) {
	case JAIL_WALK:
		return walk_open(rootfd, vpath, flags, mode);
	case JAIL_OPENAT2:
		return openat2_open(rootfd, vpath, flags, mode);
	default:
		fd = openat2_open(rootfd, vpath, flags, mode);
		if (fd != -1 || errno != ENOSYS)
			return fd;
		/* Only AUTO turns into WALK, never a mode set meanwhile. */
		atomic_compare_exchange_strong(&jail_mode, &expected, JAIL_WALK);
		return walk_open(rootfd, vpath, flags, mode);
	}
}

int
jail_open_parent(int rootfd, const char *vpath, char *name, size_t namelen)
{
	char dir[PATH_MAX];
	const char *last;
	size_t dlen, nlen;
	int fd;

	if (vpath == NULL || vpath[0] != '/' || name == NULL) {
		errno = EINVAL;
		return -1;
	}
	last = strrchr(vpath, '/') + 1;
	nlen = strlen(last);
	if (nlen == 0 || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		/* Only "/" is legitimate here; the rest are not normalised. */
		errno = strcmp(vpath, "/") == 0 ? EPERM : EINVAL;
		return -1;
	}
	dlen = (size_t)(last - vpath) - 1;
	if (nlen >= namelen || dlen >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (dlen == 0)
		dir[dlen++] = '/';
	else
		memcpy(dir, vpath, dlen);
	dir[dlen] = '\0';
	fd = jail_open(rootfd, dir, O_PATH | O_DIRECTORY, 0);
	if (fd == -1)
		return -1;
	memcpy(name, last, nlen + 1);
	return fd;
}

int
jail_stat(int rootfd, const char *vpath, struct stat *st)
{
	int fd, rc, saved;

	fd = jail_open(rootfd, vpath, O_PATH, 0);
	if (fd == -1)
		return -1;
	rc = fstat(fd, st);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}
