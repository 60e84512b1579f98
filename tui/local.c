/*
 * local: the local file system behind the fs interface (tui/fs.h).
 *
 * Relative paths are taken from the fs's own current folder, kept as a
 * string and folded lexically ("a/../b"), the way a shell's cd does; the
 * process's current directory is never changed, so the screen and the
 * transfer thread can each have a local fs of their own.
 *
 * Writing at offset 0 over an existing file goes to a hidden temporary
 * file in the same folder that is renamed over the old one only when the
 * transfer has ended well: a failed or canceled download never costs the
 * file it was replacing (burrowd treats uploads the same way). A new file,
 * or one being resumed, is written in place, so whatever arrived before a
 * failure stays there to be resumed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/util.h"
#include "proto/hash.h"
#include "tui/fs.h"

struct local_file {
	struct fs_file	 base;		/* first: fs_file is the handle */
	int		 fd;
	int		 mode;
	int		 readable;	/* fd may be pread(): see fs_local_fd() */
	char		 path[FS_PATH_MAX];	/* the target */
	char		 tmp[FS_PATH_MAX];	/* "" unless replacing */
};

struct local {
	struct fs		 base;		/* first: the fs is the handle */
	char			 cwd[FS_PATH_MAX];
	struct local_file	 file;
	int			 file_open;
};

/* "path: strerror" as the reason; FS_NOENT for ENOENT and ENOTDIR. */
static int
sys_fail(const char *path, char *err, size_t errlen)
{
	int e = errno;

	set_err(err, errlen, "%s: %s", path, strerror(e));
	return e == ENOENT || e == ENOTDIR ? FS_NOENT : FS_ERR;
}

/* path made absolute from the fs's folder and folded, into out. */
static int
resolve(struct local *l, const char *path, char *out, size_t len,
    char *err, size_t errlen)
{
	char joined[FS_PATH_MAX];

	if (path == NULL || *path == '\0')
		path = ".";
	if (fs_join(l->cwd, path, joined, sizeof(joined)) < 0 ||
	    fs_normalize(joined, out, len) < 0) {
		set_err(err, errlen, "%s: path too long", path);
		return FS_ERR;
	}
	return FS_OK;
}

static void
fill(struct listing_entry *e, const char *name, const struct stat *st)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (S_ISREG(st->st_mode))
		e->type = LISTING_FILE;
	else if (S_ISDIR(st->st_mode))
		e->type = LISTING_DIR;
	else if (S_ISLNK(st->st_mode))
		e->type = LISTING_LINK;
	else
		e->type = LISTING_OTHER;
	e->size = (uint64_t)st->st_size;
	e->have_size = S_ISREG(st->st_mode) || S_ISLNK(st->st_mode);
	e->mtime = st->st_mtime;
	e->have_mtime = 1;
	e->mode = st->st_mode & 07777;
	e->have_mode = 1;
}

static int
l_list(struct fs *fs, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct local *l = (struct local *)fs;
	char p[FS_PATH_MAX];
	struct listing_entry *v = NULL, *nv;
	struct dirent *d;
	struct stat st;
	size_t cap = 0, cnt = 0;
	ssize_t tl;
	DIR *dir;
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if ((dir = opendir(p)) == NULL)
		return sys_fail(p, err, errlen);
	while ((errno = 0, d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strlen(d->d_name) >= LISTING_NAME_MAX)
			continue;
		/* Gone between readdir and the stat: not listed. */
		if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				closedir(dir);
				set_err(err, errlen, "out of memory");
				return FS_ERR;
			}
			v = nv;
		}
		fill(&v[cnt], d->d_name, &st);
		if (S_ISLNK(st.st_mode) && (tl = readlinkat(dirfd(dir),
		    d->d_name, v[cnt].link_target,
		    sizeof(v[cnt].link_target) - 1)) > 0)
			v[cnt].link_target[tl] = '\0';
		cnt++;
	}
	if (errno != 0) {
		rc = sys_fail(p, err, errlen);
		free(v);
		closedir(dir);
		return rc;
	}
	closedir(dir);
	*out = v;
	*n = cnt;
	return FS_OK;
}

static int
l_stat(struct fs *fs, const char *path, struct listing_entry *e, char *err,
    size_t errlen)
{
	struct local *l = (struct local *)fs;
	char p[FS_PATH_MAX], base[LISTING_NAME_MAX];
	struct stat st;
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if (stat(p, &st) < 0)
		return sys_fail(p, err, errlen);
	fill(e, fs_basename(p, base, sizeof(base)), &st);
	return FS_OK;
}

static int
l_chdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	struct local *l = (struct local *)fs;
	char p[FS_PATH_MAX];
	struct stat st;
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if (stat(p, &st) < 0)
		return sys_fail(p, err, errlen);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return sys_fail(p, err, errlen);
	}
	if (access(p, X_OK) < 0)
		return sys_fail(p, err, errlen);
	snprintf(l->cwd, sizeof(l->cwd), "%s", p);
	return FS_OK;
}

static const char *
l_cwd(struct fs *fs)
{
	return ((struct local *)fs)->cwd;
}

/* One path operation: resolve, then op(path) == 0 or the errno. */
static int
path_op(struct fs *fs, const char *path, int (*op)(const char *), char *err,
    size_t errlen)
{
	char p[FS_PATH_MAX];
	int rc;

	if ((rc = resolve((struct local *)fs, path, p, sizeof(p), err,
	    errlen)) != FS_OK)
		return rc;
	if (op(p) < 0)
		return sys_fail(p, err, errlen);
	return FS_OK;
}

static int
do_mkdir(const char *p)
{
	return mkdir(p, 0777);
}

static int
l_mkdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return path_op(fs, path, do_mkdir, err, errlen);
}

static int
l_rmdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return path_op(fs, path, rmdir, err, errlen);
}

static int
l_remove(struct fs *fs, const char *path, char *err, size_t errlen)
{
	return path_op(fs, path, unlink, err, errlen);
}

static int
l_rename(struct fs *fs, const char *from, const char *to, char *err,
    size_t errlen)
{
	struct local *l = (struct local *)fs;
	char a[FS_PATH_MAX], b[FS_PATH_MAX];
	int rc;

	if ((rc = resolve(l, from, a, sizeof(a), err, errlen)) != FS_OK ||
	    (rc = resolve(l, to, b, sizeof(b), err, errlen)) != FS_OK)
		return rc;
	/* Never over an existing entry (the screen asks first; a race
	 * since then must not cost a file). */
	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE) == 0)
		return FS_OK;
	if (errno == EINVAL || errno == ENOSYS) {
		/* A file system without RENAME_NOREPLACE: look, then move. */
		struct stat st;

		if (lstat(b, &st) == 0)
			errno = EEXIST;
		else if (rename(a, b) == 0)
			return FS_OK;
	}
	return sys_fail(errno == EEXIST ? b : a, err, errlen);
}

static int
l_hash(struct fs *fs, const char *path, const char *algo, uint64_t start,
    uint64_t end, char *hex, size_t hexlen, char *err, size_t errlen)
{
	struct local *l = (struct local *)fs;
	const struct hash_alg *alg = hash_find(algo);
	char p[FS_PATH_MAX];
	int fd, rc;

	if (alg == NULL) {
		set_err(err, errlen, "%s: unknown checksum", algo);
		return FS_NOTSUP;
	}
	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return sys_fail(p, err, errlen);
	rc = hash_fd_range(fd, alg, start, end, hex, hexlen, fs->cancel);
	if (rc < 0) {
		rc = errno == ECANCELED ? FS_CANCELED : FS_ERR;
		set_err(err, errlen, "%s: %s", p, strerror(errno));
	}
	close(fd);
	return rc < 0 ? rc : FS_OK;
}

/*
 * A hidden temporary file beside path, opened for writing. Made with
 * O_EXCL and mode 0666 so the kernel applies the umask (reading the umask
 * would mean setting it, for a moment, for every thread).
 */
static int
open_tmp(const char *path, char *tmp, size_t len)
{
	char dir[FS_PATH_MAX], base[LISTING_NAME_MAX];
	unsigned char rnd[4];
	int fd, n, i;

	fs_dirname(path, dir, sizeof(dir));
	fs_basename(path, base, sizeof(base));
	for (i = 0; i < 100; i++) {
		if (getentropy(rnd, sizeof(rnd)) < 0)
			return -1;
		n = snprintf(tmp, len, "%s/.%.200s.burrow-%02x%02x%02x%02x",
		    dir, base, rnd[0], rnd[1], rnd[2], rnd[3]);
		if (n < 0 || (size_t)n >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static struct fs_file *
l_open(struct fs *fs, const char *path, int mode, uint64_t offset, int *code,
    char *err, size_t errlen)
{
	struct local *l = (struct local *)fs;
	struct local_file *f = &l->file;
	struct stat st;
	int rc = FS_OK, fd = -1;

	if (l->file_open) {
		set_err(err, errlen, "a file is already open");
		rc = FS_ERR;
		goto out;
	}
	memset(f, 0, sizeof(*f));
	if ((rc = resolve(l, path, f->path, sizeof(f->path), err, errlen)) !=
	    FS_OK)
		goto out;
	if (offset > INT64_MAX) {
		set_err(err, errlen, "%s: offset too large", f->path);
		rc = FS_ERR;
		goto out;
	}
	if (mode == FS_RDONLY) {
		if ((fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0 ||
		    (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) < 0))
			goto fail;
	} else if (lstat(f->path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* Writing through a link would change a file elsewhere,
		 * maybe outside the folder the user is looking at. */
		set_err(err, errlen, "%s: a symbolic link; not written through",
		    f->path);
		rc = FS_ERR;
		goto out;
	} else if (offset > 0) {
		/* Read-write: the part kept is hashed beside the transfer. */
		if ((fd = open(f->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) <
		    0 || fstat(fd, &st) < 0)
			goto fail;
		if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < offset) {
			set_err(err, errlen, "%s: has fewer than %llu bytes to "
			    "resume from", f->path, (unsigned long long)offset);
			rc = FS_ERR;
			goto out;
		}
		if (ftruncate(fd, (off_t)offset) < 0 ||
		    lseek(fd, (off_t)offset, SEEK_SET) < 0)
			goto fail;
	} else if (stat(f->path, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((fd = open_tmp(f->path, f->tmp, sizeof(f->tmp))) < 0)
			goto fail;
		/* The new content takes the old file's permissions. */
		(void)fchmod(fd, st.st_mode & 07777);
	} else if ((fd = open(f->path, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0666)) < 0)
		goto fail;
	f->base.fs = fs;
	f->fd = fd;
	f->mode = mode;
	f->readable = mode == FS_RDONLY || offset > 0;
	l->file_open = 1;
	goto out;
fail:
	rc = sys_fail(f->path, err, errlen);
out:
	if (rc != FS_OK && fd >= 0)
		close(fd);
	if (code != NULL)
		*code = rc;
	return rc == FS_OK ? &f->base : NULL;
}

int
fs_local_fd(const struct fs_file *h)
{
	const struct local_file *f = (const struct local_file *)h;

	if (strcmp(h->fs->kind, "local") != 0 || !f->readable)
		return -1;
	return f->fd;
}

int
fs_local_wfd(const struct fs_file *h)
{
	const struct local_file *f = (const struct local_file *)h;

	if (strcmp(h->fs->kind, "local") != 0 || f->mode != FS_WRONLY)
		return -1;
	return f->fd;
}

static int
canceled(const struct fs *fs, char *err, size_t errlen)
{
	if (fs->cancel == NULL ||
	    !__atomic_load_n(fs->cancel, __ATOMIC_RELAXED))
		return 0;
	set_err(err, errlen, "canceled");
	return 1;
}

static ssize_t
l_read(struct fs_file *h, void *buf, size_t n, char *err, size_t errlen)
{
	struct local_file *f = (struct local_file *)h;
	ssize_t got;

	if (canceled(h->fs, err, errlen))
		return FS_CANCELED;
	do
		got = read(f->fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		(void)sys_fail(f->path, err, errlen);
		return FS_ERR;
	}
	return got;
}

static int
l_write(struct fs_file *h, const void *buf, size_t n, char *err,
    size_t errlen)
{
	struct local_file *f = (struct local_file *)h;
	const char *p = buf;
	ssize_t w;

	if (canceled(h->fs, err, errlen))
		return FS_CANCELED;
	while (n > 0) {
		w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			(void)sys_fail(f->path, err, errlen);
			return FS_ERR;
		}
		p += w;
		n -= (size_t)w;
	}
	return FS_OK;
}

static int
l_close(struct fs_file *h, int abort, char *err, size_t errlen)
{
	struct local_file *f = (struct local_file *)h;
	struct local *l = (struct local *)h->fs;
	int rc = FS_OK;

	l->file_open = 0;
	/* The replacement must be on disk before it takes the old file's
	 * name: after a crash, the old file or the new, never an empty one. */
	if (f->tmp[0] != '\0' && !abort && fsync(f->fd) < 0) {
		(void)sys_fail(f->path, err, errlen);
		rc = FS_ERR;
	}
	if (close(f->fd) < 0 && !abort && rc == FS_OK) {
		(void)sys_fail(f->path, err, errlen);
		rc = FS_ERR;
	}
	if (abort) {
		set_err(err, errlen, "canceled");
		rc = FS_CANCELED;
	}
	if (f->tmp[0] != '\0') {
		if (rc == FS_OK && rename(f->tmp, f->path) < 0) {
			(void)sys_fail(f->path, err, errlen);
			rc = FS_ERR;
		}
		if (rc != FS_OK)
			(void)unlink(f->tmp);
	}
	return rc;
}

static int
l_settime(struct fs *fs, const char *path, time_t mtime, char *err,
    size_t errlen)
{
	struct local *l = (struct local *)fs;
	struct timespec ts[2] = {
		{ .tv_sec = 0, .tv_nsec = UTIME_OMIT },	/* atime as it is */
		{ .tv_sec = mtime, .tv_nsec = 0 },
	};
	char p[FS_PATH_MAX];
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if (utimensat(AT_FDCWD, p, ts, 0) < 0)
		return sys_fail(p, err, errlen);
	return FS_OK;
}

static int
l_gettime(struct fs *fs, const char *path, time_t *mtime, char *err,
    size_t errlen)
{
	struct local *l = (struct local *)fs;
	char p[FS_PATH_MAX];
	struct stat st;
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if (stat(p, &st) < 0)
		return sys_fail(p, err, errlen);
	*mtime = st.st_mtime;
	return FS_OK;
}

/*
 * chmod of path itself: fchmodat(AT_SYMLINK_NOFOLLOW) changes a file or a
 * folder and says EOPNOTSUPP for a symbolic link (whose mode Linux
 * ignores), so a link is never followed to somewhere else.
 */
static int
l_chmod(struct fs *fs, const char *path, unsigned mode, char *err,
    size_t errlen)
{
	struct local *l = (struct local *)fs;
	char p[FS_PATH_MAX];
	struct stat st;
	int rc;

	if ((rc = resolve(l, path, p, sizeof(p), err, errlen)) != FS_OK)
		return rc;
	if (fchmodat(AT_FDCWD, p, (mode_t)mode, AT_SYMLINK_NOFOLLOW) == 0)
		return FS_OK;
	if (errno == EOPNOTSUPP && lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
		set_err(err, errlen, "%s: a symbolic link (its mode cannot be "
		    "set; change the file it names)", p);
		return FS_ERR;
	}
	return sys_fail(p, err, errlen);
}

static void
l_free(struct fs *fs)
{
	struct local *l = (struct local *)fs;

	if (l == NULL)
		return;
	if (l->file_open)
		(void)l_close(&l->file.base, 1, NULL, 0);
	free(l);
}

static const struct fs_ops local_ops = {
	.list = l_list,
	.stat = l_stat,
	.chdir = l_chdir,
	.cwd = l_cwd,
	.mkdir = l_mkdir,
	.rmdir = l_rmdir,
	.remove = l_remove,
	.rename = l_rename,
	.hash = l_hash,
	.open = l_open,
	.read = l_read,
	.write = l_write,
	.close = l_close,
	.free = l_free,
	.settime = l_settime,
	.gettime = l_gettime,
	.chmod = l_chmod,
};

struct fs *
fs_local_new(const char *start, char *err, size_t errlen)
{
	struct local *l;
	char here[FS_PATH_MAX];

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	l->base.ops = &local_ops;
	l->base.kind = "local";
	l->base.flags = FS_HAS_HASH | FS_HAS_RANG | FS_EXACT_TIMES;
	l->base.hash_algo = hash_default()->name;
	if (getcwd(here, sizeof(here)) == NULL) {
		/* A folder that was removed, say: start at the root. */
		snprintf(here, sizeof(here), "/");
	}
	snprintf(l->cwd, sizeof(l->cwd), "%s", here);
	if (start != NULL && l_chdir(&l->base, start, err, errlen) != FS_OK) {
		free(l);
		return NULL;
	}
	return &l->base;
}
