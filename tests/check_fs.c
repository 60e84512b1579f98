/*
 * check_fs: unit tests for the fs interface's local side:
 *
 *   paths    fs_join, fs_normalize, fs_basename and fs_dirname (tui/fs.c),
 *            every documented case and buffers too small for the result
 *   local    tui/local.c through fs_local_new(): listing, stat, the fs's
 *            own lexical current folder, mkdir, rmdir, remove, rename,
 *            checksums of files and ranges, and reading and writing files
 *            (a fresh file in place, a replaced one through a hidden
 *            temporary file, a resumed one at an offset), one open file
 *            at a time, and the cancel flag
 *
 * The local tests each work in a fresh temporary folder with an fs that
 * starts there; the process's own current directory is never changed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "proto/hash.h"
#include "tui/fs.h"

#define SHA256_ABC \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA512_ABC \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

/* ----------------------------------------------------------------- paths */

/* fs_join(dir, name) must succeed and give want. */
static void
join_ok(const char *dir, const char *name, const char *want)
{
	char out[64];

	memset(out, 'x', sizeof(out));
	ck_assert_msg(fs_join(dir, name, out, sizeof(out)) == 0,
	    "fs_join(\"%s\", \"%s\") failed", dir, name);
	ck_assert_str_eq(out, want);
}

static void
norm_ok(const char *path, const char *want)
{
	char out[64];

	memset(out, 'x', sizeof(out));
	ck_assert_msg(fs_normalize(path, out, sizeof(out)) == 0,
	    "fs_normalize(\"%s\") failed", path);
	ck_assert_str_eq(out, want);
}

static void
base_is(const char *path, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fs_basename(path, buf, sizeof(buf)), buf);
	ck_assert_msg(strcmp(buf, want) == 0, "fs_basename(\"%s\") = \"%s\", "
	    "not \"%s\"", path, buf, want);
}

static void
dir_is(const char *path, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fs_dirname(path, buf, sizeof(buf)), buf);
	ck_assert_msg(strcmp(buf, want) == 0, "fs_dirname(\"%s\") = \"%s\", "
	    "not \"%s\"", path, buf, want);
}

START_TEST(test_join)
{
	join_ok("/a", "b", "/a/b");
	join_ok("/a/", "b", "/a/b");
	join_ok("/", "b", "/b");
	join_ok("a", "b/c", "a/b/c");
	/* an absolute name stands alone */
	join_ok("/a", "/x/y", "/x/y");
	join_ok("", "/x", "/x");
	/* an empty name: dir alone; an empty dir: name alone */
	join_ok("/a/b", "", "/a/b");
	join_ok("", "b", "b");
	join_ok("", "", "");
	/* no folding here */
	join_ok("/a", "../b", "/a/../b");
}
END_TEST

START_TEST(test_join_small)
{
	char out[8];

	/* "/a/b" needs 5 bytes */
	ck_assert_int_eq(fs_join("/a", "b", out, 5), 0);
	ck_assert_str_eq(out, "/a/b");
	ck_assert_int_eq(fs_join("/a", "b", out, 4), -1);
	ck_assert_int_eq(fs_join("/a", "/xyzw", out, 5), -1);
	ck_assert_int_eq(fs_join("/abcd", "", out, 5), -1);
	ck_assert_int_eq(fs_join("", "abcd", out, 4), -1);
	out[0] = 'x';
	ck_assert_int_eq(fs_join("/a", "b", out, 0), -1);
	ck_assert_int_eq(out[0], 'x');
}
END_TEST

START_TEST(test_normalize)
{
	norm_ok("/a/./b/../c", "/a/c");
	norm_ok("/", "/");
	norm_ok("//a//b//", "/a/b");
	norm_ok("/a/b/.", "/a/b");
	norm_ok("/a/b/..", "/a");
	norm_ok("/a/b/../..", "/");
	norm_ok("/a/b/../../..", "/");
	/* ".." at the root stays at the root */
	norm_ok("/..", "/");
	norm_ok("/../../x", "/x");
	norm_ok("/./.", "/");
	/* names that only look like dots */
	norm_ok("/.../a", "/.../a");
	norm_ok("/.hidden/..x/x..", "/.hidden/..x/x..");
	norm_ok("/abc/../abd", "/abd");
}
END_TEST

START_TEST(test_normalize_bad)
{
	char out[64];

	ck_assert_int_eq(fs_normalize("a/b", out, sizeof(out)), -1);
	ck_assert_int_eq(fs_normalize("./a", out, sizeof(out)), -1);
	ck_assert_int_eq(fs_normalize("", out, sizeof(out)), -1);
	/* "/abc" needs 5 bytes, "/a/b" too */
	ck_assert_int_eq(fs_normalize("/abc", out, 5), 0);
	ck_assert_str_eq(out, "/abc");
	ck_assert_int_eq(fs_normalize("/abc", out, 4), -1);
	ck_assert_int_eq(fs_normalize("/a/b", out, 5), 0);
	ck_assert_str_eq(out, "/a/b");
	ck_assert_int_eq(fs_normalize("/a/b", out, 4), -1);
	ck_assert_int_eq(fs_normalize("/a/b", out, 3), -1);
	ck_assert_int_eq(fs_normalize("/", out, 2), 0);
	ck_assert_str_eq(out, "/");
	ck_assert_int_eq(fs_normalize("/", out, 1), -1);
	ck_assert_int_eq(fs_normalize("/", out, 0), -1);
}
END_TEST

START_TEST(test_basename)
{
	base_is("/a/b", "b");
	base_is("/a/b/", "b");
	base_is("/a/b//", "b");
	base_is("/a", "a");
	base_is("b", "b");
	base_is("a/b", "b");
	base_is("a/", "a");
	base_is("/", "/");
	base_is("//", "/");
}
END_TEST

START_TEST(test_basename_small)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fs_basename("/dir/longname", buf, 5), buf);
	ck_assert_str_eq(buf, "long");
	ck_assert_int_eq(buf[5], 'x');
	fs_basename("/", buf, 1);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	ck_assert_ptr_eq(fs_basename("/a/b", buf, 0), buf);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(test_dirname)
{
	dir_is("/a/b", "/a");
	dir_is("/a/b/c", "/a/b");
	dir_is("/a/b/", "/a");
	dir_is("/a//b", "/a");
	dir_is("/a", "/");
	dir_is("//a", "/");
	dir_is("/", "/");
	dir_is("b", ".");
	dir_is("b/", ".");
	dir_is("a/b", "a");
	dir_is("", ".");
}
END_TEST

START_TEST(test_dirname_small)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(fs_dirname("/abc/d", buf, 3), buf);
	ck_assert_str_eq(buf, "/a");
	ck_assert_int_eq(buf[3], 'x');
	fs_dirname("b", buf, 1);
	ck_assert_str_eq(buf, "");
	buf[0] = 'x';
	ck_assert_ptr_eq(fs_dirname("/a/b", buf, 0), buf);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* ----------------------------------------------------------------- local */

static char sandbox[PATH_MAX];
static struct fs *lfs;		/* a local fs starting in sandbox */

static void
setup(void)
{
	char err[256] = "";

	snprintf(sandbox, sizeof(sandbox), "/tmp/check_fs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	lfs = fs_local_new(sandbox, err, sizeof(err));
	ck_assert_msg(lfs != NULL, "fs_local_new: %s", err);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	if (lfs != NULL)
		fs_free(lfs);
	lfs = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

/* sandbox/rel into out. */
static const char *
in_box(const char *rel, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", sandbox, rel);

	ck_assert(n > 0 && (size_t)n < len);
	return out;
}

/* Writes len bytes of data to sandbox/rel. */
static void
put(const char *rel, const void *data, size_t len)
{
	char p[PATH_MAX];
	int fd;

	in_box(rel, p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", p, strerror(errno));
	if (len > 0)
		ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

static void
put_str(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void
mkdir_box(const char *rel)
{
	char p[PATH_MAX];

	ck_assert_msg(mkdir(in_box(rel, p, sizeof(p)), 0755) == 0,
	    "mkdir %s: %s", p, strerror(errno));
}

static void
symlink_box(const char *target, const char *rel)
{
	char p[PATH_MAX];

	ck_assert_msg(symlink(target, in_box(rel, p, sizeof(p))) == 0,
	    "symlink %s: %s", p, strerror(errno));
}

/* Whether sandbox/rel exists (without following a last link). */
static int
exists(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	return lstat(in_box(rel, p, sizeof(p)), &st) == 0;
}

/* Asserts that sandbox/rel holds exactly the len bytes of want. */
static void
assert_content(const char *rel, const void *want, size_t len)
{
	char p[PATH_MAX];
	unsigned char *got = malloc(len + 1);
	ssize_t n;
	int fd;

	ck_assert_ptr_nonnull(got);
	in_box(rel, p, sizeof(p));
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "open %s: %s", p, strerror(errno));
	n = read(fd, got, len + 1);
	close(fd);
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert_mem_eq(got, want, len);
	free(got);
}

static void
assert_text(const char *rel, const char *want)
{
	assert_content(rel, want, strlen(want));
}

/* The hidden ".name.burrow-*" temporary files in the sandbox folder dir. */
static int
temps(const char *dir, const char *name)
{
	char p[PATH_MAX], prefix[300];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(prefix, sizeof(prefix), ".%s.burrow-", name);
	dp = opendir(in_box(dir, p, sizeof(p)));
	ck_assert_msg(dp != NULL, "opendir %s: %s", p, strerror(errno));
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(dp);
	return n;
}

/* A buffer whose bytes differ from one position to the next. */
static unsigned char *
pattern(size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + (i >> 8) * 7 + 3) & 0xff);
	return p;
}

static const struct listing_entry *
find(const struct listing_entry *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Opens path on lfs, which must succeed. */
static struct fs_file *
open_ok(const char *path, int mode, uint64_t offset)
{
	char err[256] = "";
	struct fs_file *h;
	int code = 99;

	h = fs_open(lfs, path, mode, offset, &code, err, sizeof(err));
	ck_assert_msg(h != NULL, "open %s: %s", path, err);
	ck_assert_int_eq(code, FS_OK);
	return h;
}

static void
write_ok(struct fs_file *h, const void *buf, size_t n)
{
	char err[256] = "";

	ck_assert_msg(fs_write(h, buf, n, err, sizeof(err)) == FS_OK,
	    "write: %s", err);
}

static void
close_ok(struct fs_file *h)
{
	char err[256] = "";

	ck_assert_msg(fs_close(h, 0, err, sizeof(err)) == FS_OK, "close: %s",
	    err);
}

/* Reads h to its end into buf (cap bytes); returns the count. */
static size_t
read_all(struct fs_file *h, unsigned char *buf, size_t cap)
{
	char err[256] = "";
	size_t got = 0;
	ssize_t n;

	for (;;) {
		/* small reads, so that several are needed */
		n = fs_read(h, buf + got, cap - got < 777 ? cap - got : 777,
		    err, sizeof(err));
		ck_assert_msg(n >= 0, "read: %s", err);
		if (n == 0)
			break;
		got += (size_t)n;
		ck_assert_uint_le(got, cap);
	}
	return got;
}

START_TEST(test_new)
{
	char err[256] = "", here[PATH_MAX], p[PATH_MAX];
	struct fs *f;

	ck_assert_str_eq(fs_cwd(lfs), sandbox);
	ck_assert_str_eq(lfs->kind, "local");
	ck_assert_uint_eq(lfs->flags & (FS_HAS_HASH | FS_HAS_RANG),
	    FS_HAS_HASH | FS_HAS_RANG);
	ck_assert_str_eq(lfs->hash_algo, "SHA-256");
	ck_assert(lfs->cancel == NULL);
	/* NULL: the process's folder */
	ck_assert_ptr_nonnull(getcwd(here, sizeof(here)));
	f = fs_local_new(NULL, err, sizeof(err));
	ck_assert_msg(f != NULL, "fs_local_new: %s", err);
	ck_assert_str_eq(fs_cwd(f), here);
	fs_free(f);
	/* a start that is not there */
	in_box("missing", p, sizeof(p));
	ck_assert_ptr_null(fs_local_new(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, p) != NULL, "\"%s\" lacks the path", err);
}
END_TEST

START_TEST(test_list)
{
	struct listing_entry *v = NULL;
	const struct listing_entry *e;
	const char *forms[] = { NULL, "", ".", sandbox, "d/.." };
	char err[256] = "", p[PATH_MAX];
	size_t n = 0, i;

	put_str("f", "hello");
	ck_assert_int_eq(chmod(in_box("f", p, sizeof(p)), 0640), 0);
	put_str("empty", "");
	mkdir_box("d");
	put_str("d/inner", "x");
	symlink_box("f", "l");
	symlink_box("nowhere", "dangling");
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_msg(fs_list(lfs, forms[i], &v, &n, err,
		    sizeof(err)) == FS_OK, "list %s: %s",
		    forms[i] ? forms[i] : "NULL", err);
		ck_assert_uint_eq(n, 5);
		ck_assert_ptr_null(find(v, n, "."));
		ck_assert_ptr_null(find(v, n, ".."));
		ck_assert_ptr_null(find(v, n, "inner"));
		e = find(v, n, "f");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->type, LISTING_FILE);
		ck_assert_int_eq(e->have_size, 1);
		ck_assert_uint_eq(e->size, 5);
		ck_assert_str_eq(e->link_target, "");
		ck_assert_int_eq(e->have_mode, 1);
		ck_assert_uint_eq(e->mode, 0640);
		e = find(v, n, "empty");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->type, LISTING_FILE);
		ck_assert_int_eq(e->have_size, 1);
		ck_assert_uint_eq(e->size, 0);
		e = find(v, n, "d");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->type, LISTING_DIR);
		ck_assert_int_eq(e->have_size, 0);
		/* links are listed as links, not followed */
		e = find(v, n, "l");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->type, LISTING_LINK);
		ck_assert_str_eq(e->link_target, "f");
		e = find(v, n, "dangling");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(e->type, LISTING_LINK);
		ck_assert_str_eq(e->link_target, "nowhere");
		free(v);
		v = NULL;
	}
	/* a subfolder, relative */
	ck_assert_int_eq(fs_list(lfs, "d", &v, &n, err, sizeof(err)), FS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "inner");
	ck_assert_uint_eq(v[0].size, 1);
	free(v);
}
END_TEST

START_TEST(test_list_empty_and_missing)
{
	struct listing_entry *v = NULL;
	char err[256] = "";
	size_t n = 99;

	mkdir_box("void");
	ck_assert_int_eq(fs_list(lfs, "void", &v, &n, err, sizeof(err)),
	    FS_OK);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(fs_list(lfs, "missing", &v, &n, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	put_str("f", "x");
	err[0] = '\0';
	ck_assert_int_eq(fs_list(lfs, "f", &v, &n, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_str_ne(err, "");
}
END_TEST

START_TEST(test_stat)
{
	struct listing_entry e;
	char err[256] = "", p[PATH_MAX], base[PATH_MAX];

	put_str("f", "hello");
	mkdir_box("d");
	symlink_box("f", "l");
	symlink_box("d", "ld");
	symlink_box("nowhere", "dangling");
	ck_assert_int_eq(fs_stat(lfs, "f", &e, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(e.name, "f");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_int_eq(e.have_size, 1);
	ck_assert_uint_eq(e.size, 5);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_ne(e.mtime, 0);
	ck_assert_int_eq(fs_stat(lfs, "d", &e, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(e.name, "d");
	ck_assert_int_eq(e.type, LISTING_DIR);
	/* links are followed: the target's type and size, the link's name */
	ck_assert_int_eq(fs_stat(lfs, "l", &e, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(e.name, "l");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_uint_eq(e.size, 5);
	ck_assert_int_eq(fs_stat(lfs, "ld", &e, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(e.type, LISTING_DIR);
	/* absolute, and "" for the current folder */
	ck_assert_int_eq(fs_stat(lfs, in_box("f", p, sizeof(p)), &e, err,
	    sizeof(err)), FS_OK);
	ck_assert_uint_eq(e.size, 5);
	ck_assert_int_eq(fs_stat(lfs, "", &e, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_str_eq(e.name, fs_basename(sandbox, base, sizeof(base)));
}
END_TEST

START_TEST(test_times)
{
	struct listing_entry e;
	struct stat st;
	char err[256] = "", p[PATH_MAX];
	time_t t = 0;

	put_str("f", "hello");
	ck_assert_int_ne(lfs->flags & FS_EXACT_TIMES, 0);
	ck_assert_int_eq(fs_settime(lfs, "f", 1500000000, err, sizeof(err)),
	    FS_OK);
	ck_assert_int_eq(stat(in_box("f", p, sizeof(p)), &st), 0);
	ck_assert_int_eq(st.st_mtime, 1500000000);
	ck_assert_int_eq(st.st_mtim.tv_nsec, 0);
	ck_assert_int_eq(fs_gettime(lfs, "f", &t, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(t, 1500000000);
	ck_assert_int_eq(fs_stat(lfs, "f", &e, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(e.mtime, 1500000000);
	/* through a link: the file it names */
	symlink_box("f", "l");
	ck_assert_int_eq(fs_settime(lfs, "l", 1400000000, err, sizeof(err)),
	    FS_OK);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mtime, 1400000000);
	/* a folder, by an absolute path */
	mkdir_box("d");
	ck_assert_int_eq(fs_settime(lfs, in_box("d", p, sizeof(p)), 1300000000,
	    err, sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mtime, 1300000000);
	/* missing */
	ck_assert_int_eq(fs_settime(lfs, "missing", 1, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	ck_assert_int_eq(fs_gettime(lfs, "missing", &t, err, sizeof(err)),
	    FS_NOENT);
}
END_TEST

START_TEST(test_chmod)
{
	struct stat st;
	char err[256] = "", p[PATH_MAX], d[PATH_MAX];

	put_str("f", "hello");
	ck_assert_int_eq(chmod(in_box("f", p, sizeof(p)), 0644), 0);
	ck_assert_int_eq(fs_chmod(lfs, "f", 0600, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	/* Bits beyond 07777 are not the caller's to set. */
	ck_assert_int_eq(fs_chmod(lfs, "f", 0100755, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert(S_ISREG(st.st_mode));
	/* A folder, by an absolute path. */
	mkdir_box("d");
	ck_assert_int_eq(fs_chmod(lfs, in_box("d", d, sizeof(d)), 0700, err,
	    sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	/* A link is refused, and what it names is left as it was. */
	symlink_box("f", "l");
	ck_assert_int_eq(fs_chmod(lfs, "l", 0777, err, sizeof(err)), FS_ERR);
	ck_assert_msg(strstr(err, "symbolic link") != NULL, "err \"%s\"", err);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	/* Missing. */
	ck_assert_int_eq(fs_chmod(lfs, "missing", 0644, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
}
END_TEST

START_TEST(test_stat_missing)
{
	struct listing_entry e;
	char err[256] = "";

	put_str("f", "hello");
	symlink_box("nowhere", "dangling");
	ck_assert_int_eq(fs_stat(lfs, "missing", &e, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	err[0] = '\0';
	ck_assert_int_eq(fs_stat(lfs, "dangling", &e, err, sizeof(err)),
	    FS_NOENT);
	ck_assert_str_ne(err, "");
	/* through a file as if it were a folder */
	ck_assert_int_eq(fs_stat(lfs, "f/x", &e, err, sizeof(err)), FS_NOENT);
}
END_TEST

START_TEST(test_chdir)
{
	char err[256] = "", p[PATH_MAX], before[PATH_MAX], after[PATH_MAX];
	struct listing_entry e;

	ck_assert_ptr_nonnull(getcwd(before, sizeof(before)));
	mkdir_box("d");
	mkdir_box("d/e");
	put_str("d/e/x", "12");
	ck_assert_int_eq(fs_chdir(lfs, "d", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), in_box("d", p, sizeof(p)));
	ck_assert_int_eq(fs_chdir(lfs, "e", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), in_box("d/e", p, sizeof(p)));
	/* relative paths now start here */
	ck_assert_int_eq(fs_stat(lfs, "x", &e, err, sizeof(err)), FS_OK);
	ck_assert_uint_eq(e.size, 2);
	ck_assert_int_eq(fs_chdir(lfs, "..", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), in_box("d", p, sizeof(p)));
	ck_assert_int_eq(fs_chdir(lfs, "e/./../e/", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), in_box("d/e", p, sizeof(p)));
	/* absolute */
	ck_assert_int_eq(fs_chdir(lfs, "/", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), "/");
	ck_assert_int_eq(fs_chdir(lfs, "../..", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), "/");
	ck_assert_int_eq(fs_chdir(lfs, sandbox, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
	/* the process's own folder never moved */
	ck_assert_ptr_nonnull(getcwd(after, sizeof(after)));
	ck_assert_str_eq(after, before);
}
END_TEST

START_TEST(test_chdir_lexical)
{
	char err[256] = "", p[PATH_MAX];

	mkdir_box("d");
	mkdir_box("d/e");
	symlink_box("d/e", "le");
	ck_assert_int_eq(fs_chdir(lfs, "le", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), in_box("le", p, sizeof(p)));
	/* ".." leaves the link the way it came, as a shell's cd does:
	 * back to the sandbox, not to d */
	ck_assert_int_eq(fs_chdir(lfs, "..", err, sizeof(err)), FS_OK);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
}
END_TEST

START_TEST(test_chdir_bad)
{
	char err[256], p[PATH_MAX];
	int rc;

	put_str("f", "x");
	symlink_box("f", "lf");
	ck_assert_int_eq(fs_chdir(lfs, "missing", err, sizeof(err)),
	    FS_NOENT);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
	err[0] = '\0';
	rc = fs_chdir(lfs, "f", err, sizeof(err));
	ck_assert_msg(rc == FS_NOENT || rc == FS_ERR, "chdir to a file: %d",
	    rc);
	ck_assert_msg(strstr(err, in_box("f", p, sizeof(p))) != NULL,
	    "err \"%s\"", err);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
	rc = fs_chdir(lfs, "lf", err, sizeof(err));
	ck_assert_msg(rc == FS_NOENT || rc == FS_ERR, "chdir to a link to a "
	    "file: %d", rc);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
	/* a file that may be searched is still no folder */
	ck_assert_int_eq(chmod(p, 0755), 0);
	rc = fs_chdir(lfs, "f", err, sizeof(err));
	ck_assert_msg(rc == FS_NOENT || rc == FS_ERR, "chdir to an "
	    "executable file: %d", rc);
	ck_assert_str_eq(fs_cwd(lfs), sandbox);
}
END_TEST

START_TEST(test_mkdir)
{
	char err[256] = "", p[PATH_MAX];
	struct stat st;

	ck_assert_int_eq(fs_mkdir(lfs, "n", err, sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(in_box("n", p, sizeof(p)), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* relative to the fs's folder */
	ck_assert_int_eq(fs_chdir(lfs, "n", err, sizeof(err)), FS_OK);
	ck_assert_int_eq(fs_mkdir(lfs, "m", err, sizeof(err)), FS_OK);
	ck_assert_int_eq(stat(in_box("n/m", p, sizeof(p)), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* absolute */
	ck_assert_int_eq(fs_mkdir(lfs, in_box("abs", p, sizeof(p)), err,
	    sizeof(err)), FS_OK);
	ck_assert(exists("abs"));
}
END_TEST

START_TEST(test_mkdir_fails)
{
	char err[256] = "", p[PATH_MAX];

	mkdir_box("d");
	put_str("f", "x");
	ck_assert_int_eq(fs_mkdir(lfs, "d", err, sizeof(err)), FS_ERR);
	ck_assert_msg(strstr(err, in_box("d", p, sizeof(p))) != NULL,
	    "err \"%s\"", err);
	ck_assert_int_eq(fs_mkdir(lfs, "f", err, sizeof(err)), FS_ERR);
	assert_text("f", "x");
	ck_assert_int_eq(fs_mkdir(lfs, "no/such", err, sizeof(err)),
	    FS_NOENT);
	ck_assert(!exists("no"));
}
END_TEST

START_TEST(test_rmdir)
{
	char err[256] = "";

	mkdir_box("d");
	mkdir_box("full");
	put_str("full/x", "x");
	put_str("f", "x");
	ck_assert_int_eq(fs_rmdir(lfs, "d", err, sizeof(err)), FS_OK);
	ck_assert(!exists("d"));
	ck_assert_int_eq(fs_rmdir(lfs, "d", err, sizeof(err)), FS_NOENT);
	/* not empty */
	ck_assert_int_eq(fs_rmdir(lfs, "full", err, sizeof(err)), FS_ERR);
	ck_assert(exists("full/x"));
	/* not a folder */
	ck_assert_int_lt(fs_rmdir(lfs, "f", err, sizeof(err)), 0);
	ck_assert(exists("f"));
}
END_TEST

START_TEST(test_remove)
{
	char err[256] = "", p[PATH_MAX];

	put_str("f", "x");
	put_str("target", "t");
	symlink_box("target", "l");
	mkdir_box("d");
	ck_assert_int_eq(fs_remove(lfs, "f", err, sizeof(err)), FS_OK);
	ck_assert(!exists("f"));
	ck_assert_int_eq(fs_remove(lfs, "f", err, sizeof(err)), FS_NOENT);
	ck_assert_msg(strstr(err, in_box("f", p, sizeof(p))) != NULL,
	    "err \"%s\"", err);
	/* a link goes, its target stays */
	ck_assert_int_eq(fs_remove(lfs, "l", err, sizeof(err)), FS_OK);
	ck_assert(!exists("l"));
	assert_text("target", "t");
	/* a folder is not a file */
	ck_assert_int_eq(fs_remove(lfs, "d", err, sizeof(err)), FS_ERR);
	ck_assert(exists("d"));
}
END_TEST

START_TEST(test_rename)
{
	char err[256] = "";

	put_str("f", "content");
	put_str("other", "old");
	mkdir_box("d");
	ck_assert_int_eq(fs_rename(lfs, "f", "g", err, sizeof(err)), FS_OK);
	ck_assert(!exists("f"));
	assert_text("g", "content");
	/* into a folder */
	ck_assert_int_eq(fs_rename(lfs, "g", "d/h", err, sizeof(err)), FS_OK);
	assert_text("d/h", "content");
	/* relative to the fs's folder; never over an existing file */
	ck_assert_int_eq(fs_chdir(lfs, "d", err, sizeof(err)), FS_OK);
	ck_assert_int_eq(fs_rename(lfs, "h", "../other", err, sizeof(err)),
	    FS_ERR);
	ck_assert_msg(strstr(err, "other") != NULL && strstr(err, "exists"),
	    "err \"%s\"", err);
	assert_text("d/h", "content");
	assert_text("other", "old");
	ck_assert_int_eq(fs_rename(lfs, "h", "../fresh", err, sizeof(err)),
	    FS_OK);
	ck_assert(!exists("d/h"));
	assert_text("fresh", "content");
	ck_assert_int_eq(fs_rename(lfs, "missing", "x", err, sizeof(err)),
	    FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	ck_assert(!exists("d/x"));
}
END_TEST

START_TEST(test_hash)
{
	char hex[HASH_HEX_MAX], err[256] = "";

	put_str("abc", "abc");
	put_str("xabc", "xxabcyy");
	ck_assert_int_eq(fs_hash(lfs, "abc", "SHA-256", 0, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, SHA256_ABC);
	/* any case; another algorithm */
	ck_assert_int_eq(fs_hash(lfs, "abc", "sha-512", 0, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, SHA512_ABC);
	/* a range: bytes [2, 5) are "abc" */
	ck_assert_int_eq(fs_hash(lfs, "xabc", "SHA-256", 2, 5, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, SHA256_ABC);
	ck_assert_int_eq(fs_hash(lfs, "xabc", "SHA-256", 3, 3, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, SHA256_EMPTY);
	/* from an offset to the end */
	put_str("tail", "zzzzabc");
	ck_assert_int_eq(fs_hash(lfs, "tail", "SHA-256", 4, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, SHA256_ABC);
}
END_TEST

START_TEST(test_hash_big)
{
	const struct hash_alg *alg = hash_find("SHA-256");
	size_t len = 700 * 1024;
	unsigned char *data = pattern(len);
	char hex[HASH_HEX_MAX], want[HASH_HEX_MAX], err[256] = "", p[PATH_MAX];
	int fd;

	ck_assert_ptr_nonnull(alg);
	put("big", data, len);
	fd = open(in_box("big", p, sizeof(p)), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ne(fd, -1);
	/* the whole file, across hash.c's chunks */
	ck_assert_int_eq(hash_fd_range(fd, alg, 0, UINT64_MAX, want,
	    sizeof(want), NULL), 0);
	ck_assert_int_eq(fs_hash(lfs, "big", "SHA-256", 0, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, want);
	/* a range across a chunk boundary */
	ck_assert_int_eq(hash_fd_range(fd, alg, 1000, 300000, want,
	    sizeof(want), NULL), 0);
	ck_assert_int_eq(fs_hash(lfs, p, "SHA-256", 1000, 300000, hex,
	    sizeof(hex), err, sizeof(err)), FS_OK);
	ck_assert_str_eq(hex, want);
	ck_assert_int_eq(hash_fd_range(fd, alg, 0, 1000, want, sizeof(want),
	    NULL), 0);
	ck_assert_str_ne(hex, want);
	close(fd);
	free(data);
}
END_TEST

START_TEST(test_hash_fails)
{
	char hex[HASH_HEX_MAX], err[256] = "";

	put_str("abc", "abc");
	ck_assert_int_eq(fs_hash(lfs, "abc", "CRC-32", 0, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_NOTSUP);
	ck_assert_msg(strstr(err, "CRC-32") != NULL, "err \"%s\"", err);
	ck_assert_int_eq(fs_hash(lfs, "missing", "SHA-256", 0, UINT64_MAX,
	    hex, sizeof(hex), err, sizeof(err)), FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	/* a range past the end is never reported as hashed */
	err[0] = '\0';
	ck_assert_int_eq(fs_hash(lfs, "abc", "SHA-256", 0, 4, hex,
	    sizeof(hex), err, sizeof(err)), FS_ERR);
	ck_assert_str_ne(err, "");
	ck_assert_str_eq(hex, "");
	/* no room for the digest */
	ck_assert_int_eq(fs_hash(lfs, "abc", "SHA-256", 0, UINT64_MAX, hex,
	    64, err, sizeof(err)), FS_ERR);
}
END_TEST

START_TEST(test_read)
{
	size_t len = 5000;
	unsigned char *data = pattern(len), *buf = malloc(len + 10);
	struct fs_file *h;
	char err[256] = "";

	ck_assert_ptr_nonnull(buf);
	put("f", data, len);
	h = open_ok("f", FS_RDONLY, 0);
	ck_assert_ptr_eq(h->fs, lfs);
	ck_assert_uint_eq(read_all(h, buf, len + 10), len);
	ck_assert_mem_eq(buf, data, len);
	/* at the end, 0 again */
	ck_assert_int_eq(fs_read(h, buf, 10, err, sizeof(err)), 0);
	close_ok(h);
	/* from an offset */
	h = open_ok("f", FS_RDONLY, 1234);
	ck_assert_uint_eq(read_all(h, buf, len + 10), len - 1234);
	ck_assert_mem_eq(buf, data + 1234, len - 1234);
	close_ok(h);
	/* at and past the end: nothing to read */
	h = open_ok("f", FS_RDONLY, len);
	ck_assert_int_eq(fs_read(h, buf, 10, err, sizeof(err)), 0);
	close_ok(h);
	h = open_ok("f", FS_RDONLY, len + 100);
	ck_assert_int_eq(fs_read(h, buf, 10, err, sizeof(err)), 0);
	close_ok(h);
	/* the file is untouched */
	assert_content("f", data, len);
	free(buf);
	free(data);
}
END_TEST

START_TEST(test_open_missing)
{
	char err[256] = "";
	int code = 99;

	ck_assert_ptr_null(fs_open(lfs, "missing", FS_RDONLY, 0, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_NOENT);
	ck_assert_msg(strstr(err, "missing") != NULL, "err \"%s\"", err);
	/* code may be NULL */
	ck_assert_ptr_null(fs_open(lfs, "missing", FS_RDONLY, 0, NULL, err,
	    sizeof(err)));
	/* writing into a folder that is not there */
	code = 99;
	ck_assert_ptr_null(fs_open(lfs, "no/such", FS_WRONLY, 0, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_NOENT);
	ck_assert(!exists("no"));
	/* the failures left nothing open */
	put_str("f", "x");
	close_ok(open_ok("f", FS_RDONLY, 0));
}
END_TEST

START_TEST(test_write_new)
{
	struct fs_file *h;
	char p[PATH_MAX];
	struct stat st;
	mode_t um = umask(022);

	umask(um);
	h = open_ok("new", FS_WRONLY, 0);
	/* a new file is written in place */
	ck_assert(exists("new"));
	ck_assert_int_eq(temps(".", "new"), 0);
	write_ok(h, "hello ", 6);
	write_ok(h, "world", 5);
	write_ok(h, "", 0);
	close_ok(h);
	assert_text("new", "hello world");
	ck_assert_int_eq(temps(".", "new"), 0);
	ck_assert_int_eq(stat(in_box("new", p, sizeof(p)), &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0666 & ~um);
	/* in a subfolder, by an absolute path */
	mkdir_box("d");
	h = open_ok(in_box("d/n2", p, sizeof(p)), FS_WRONLY, 0);
	write_ok(h, "x", 1);
	close_ok(h);
	assert_text("d/n2", "x");
}
END_TEST

START_TEST(test_write_new_abort)
{
	struct fs_file *h;
	char err[256] = "";

	/* a new file keeps what arrived, to be resumed */
	h = open_ok("new", FS_WRONLY, 0);
	write_ok(h, "part", 4);
	ck_assert_int_eq(fs_close(h, 1, err, sizeof(err)), FS_CANCELED);
	assert_text("new", "part");
	ck_assert_int_eq(temps(".", "new"), 0);
}
END_TEST

START_TEST(test_replace_ok)
{
	struct fs_file *h;
	char p[PATH_MAX];
	struct stat st;

	mkdir_box("d");
	put_str("d/old", "OLD CONTENT");
	ck_assert_int_eq(chmod(in_box("d/old", p, sizeof(p)), 0600), 0);
	ck_assert_int_eq(fs_chdir(lfs, "d", NULL, 0), FS_OK);
	h = open_ok("old", FS_WRONLY, 0);
	/* meanwhile the old file is whole, the new one hidden beside it */
	assert_text("d/old", "OLD CONTENT");
	ck_assert_int_eq(temps("d", "old"), 1);
	ck_assert_int_eq(temps(".", "old"), 0);
	write_ok(h, "new", 3);
	assert_text("d/old", "OLD CONTENT");
	close_ok(h);
	assert_text("d/old", "new");
	ck_assert_int_eq(temps("d", "old"), 0);
	/* the old file's mode, not mkstemp's 0600 nor a new file's */
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(chmod(p, 0750), 0);
	h = open_ok("old", FS_WRONLY, 0);
	write_ok(h, "newer", 5);
	close_ok(h);
	assert_text("d/old", "newer");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
}
END_TEST

START_TEST(test_write_symlink)
{
	char err[256] = "", p[PATH_MAX], t[PATH_MAX];
	int code = 0;

	put_str("target", "TARGET");
	ck_assert_int_eq(symlink(in_box("target", t, sizeof(t)),
	    in_box("link", p, sizeof(p))), 0);
	/* Neither a fresh write nor a resume goes through the link. */
	ck_assert_ptr_null(fs_open(lfs, "link", FS_WRONLY, 0, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_ERR);
	ck_assert_msg(strstr(err, "symbolic link") != NULL, "err \"%s\"", err);
	ck_assert_ptr_null(fs_open(lfs, "link", FS_WRONLY, 3, &code, err,
	    sizeof(err)));
	assert_text("target", "TARGET");
	/* Reading through it is fine. */
	close_ok(open_ok("link", FS_RDONLY, 0));
}
END_TEST

START_TEST(test_replace_abort)
{
	struct fs_file *h;
	char err[256] = "";

	put_str("old", "OLD CONTENT");
	h = open_ok("old", FS_WRONLY, 0);
	ck_assert_int_eq(temps(".", "old"), 1);
	write_ok(h, "half of the new", 15);
	ck_assert_int_eq(fs_close(h, 1, err, sizeof(err)), FS_CANCELED);
	ck_assert_str_ne(err, "");
	assert_text("old", "OLD CONTENT");
	ck_assert_int_eq(temps(".", "old"), 0);
	/* the fs is free for the next file */
	close_ok(open_ok("old", FS_RDONLY, 0));
}
END_TEST

START_TEST(test_replace_freed)
{
	struct fs_file *h;

	/* freeing the fs with a replacement open gives it up */
	put_str("old", "OLD CONTENT");
	h = open_ok("old", FS_WRONLY, 0);
	write_ok(h, "new", 3);
	fs_free(lfs);
	lfs = NULL;
	assert_text("old", "OLD CONTENT");
	ck_assert_int_eq(temps(".", "old"), 0);
}
END_TEST

START_TEST(test_resume)
{
	struct fs_file *h;
	char err[256] = "";

	put_str("part", "0123456789");
	/* what follows the offset is replaced */
	h = open_ok("part", FS_WRONLY, 4);
	assert_text("part", "0123");
	write_ok(h, "AB", 2);
	close_ok(h);
	assert_text("part", "0123AB");
	ck_assert_int_eq(temps(".", "part"), 0);
	/* exactly at the end: an append */
	h = open_ok("part", FS_WRONLY, 6);
	write_ok(h, "CD", 2);
	close_ok(h);
	assert_text("part", "0123ABCD");
	/* given up, what was written stays */
	h = open_ok("part", FS_WRONLY, 8);
	write_ok(h, "EF", 2);
	ck_assert_int_eq(fs_close(h, 1, err, sizeof(err)), FS_CANCELED);
	assert_text("part", "0123ABCDEF");
}
END_TEST

START_TEST(test_resume_short)
{
	char err[256] = "";
	int code = 99;

	put_str("part", "0123456789");
	ck_assert_ptr_null(fs_open(lfs, "part", FS_WRONLY, 11, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_ERR);
	ck_assert_msg(strstr(err, "fewer than 11 bytes") != NULL,
	    "err \"%s\"", err);
	assert_text("part", "0123456789");
	/* resuming a file that is not there */
	code = 99;
	ck_assert_ptr_null(fs_open(lfs, "missing", FS_WRONLY, 3, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_NOENT);
	ck_assert(!exists("missing"));
	/* nothing was left open */
	close_ok(open_ok("part", FS_RDONLY, 0));
}
END_TEST

START_TEST(test_one_open)
{
	struct fs_file *h;
	char err[256] = "", buf[8];
	int code = 99;

	put_str("a", "aaa");
	put_str("b", "bbb");
	h = open_ok("a", FS_RDONLY, 0);
	ck_assert_ptr_null(fs_open(lfs, "b", FS_RDONLY, 0, &code, err,
	    sizeof(err)));
	ck_assert_int_eq(code, FS_ERR);
	ck_assert_str_ne(err, "");
	ck_assert_ptr_null(fs_open(lfs, "c", FS_WRONLY, 0, &code, err,
	    sizeof(err)));
	ck_assert(!exists("c"));
	/* the open file did not suffer */
	ck_assert_int_eq(fs_read(h, buf, sizeof(buf), err, sizeof(err)), 3);
	ck_assert_mem_eq(buf, "aaa", 3);
	close_ok(h);
	h = open_ok("b", FS_RDONLY, 0);
	ck_assert_int_eq(fs_read(h, buf, sizeof(buf), err, sizeof(err)), 3);
	ck_assert_mem_eq(buf, "bbb", 3);
	close_ok(h);
}
END_TEST

START_TEST(test_cancel)
{
	volatile int stop = 0;
	struct fs_file *h;
	char err[256] = "", buf[4], hex[HASH_HEX_MAX];

	put_str("f", "abcdef");
	lfs->cancel = &stop;
	h = open_ok("f", FS_RDONLY, 0);
	ck_assert_int_eq(fs_read(h, buf, 2, err, sizeof(err)), 2);
	stop = 1;
	ck_assert_int_eq(fs_read(h, buf, 2, err, sizeof(err)), FS_CANCELED);
	ck_assert_str_eq(err, "canceled");
	ck_assert_int_eq(fs_close(h, 1, err, sizeof(err)), FS_CANCELED);
	stop = 0;
	h = open_ok("new", FS_WRONLY, 0);
	write_ok(h, "12", 2);
	stop = 1;
	err[0] = '\0';
	ck_assert_int_eq(fs_write(h, "34", 2, err, sizeof(err)), FS_CANCELED);
	ck_assert_str_eq(err, "canceled");
	ck_assert_int_eq(fs_close(h, 1, err, sizeof(err)), FS_CANCELED);
	assert_text("new", "12");
	ck_assert_int_eq(fs_hash(lfs, "f", "SHA-256", 0, UINT64_MAX, hex,
	    sizeof(hex), err, sizeof(err)), FS_CANCELED);
	lfs->cancel = NULL;
}
END_TEST

static void
add(Suite *s, const char *name, const TTest *t, int sandboxed)
{
	TCase *tc = tcase_create(name);

	if (sandboxed)
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

static Suite *
fs_suite(void)
{
	Suite *s = suite_create("fs");

	add(s, "join", test_join, 0);
	add(s, "join_small", test_join_small, 0);
	add(s, "normalize", test_normalize, 0);
	add(s, "normalize_bad", test_normalize_bad, 0);
	add(s, "basename", test_basename, 0);
	add(s, "basename_small", test_basename_small, 0);
	add(s, "dirname", test_dirname, 0);
	add(s, "dirname_small", test_dirname_small, 0);
	add(s, "new", test_new, 1);
	add(s, "list", test_list, 1);
	add(s, "list_empty_and_missing", test_list_empty_and_missing, 1);
	add(s, "stat", test_stat, 1);
	add(s, "stat_missing", test_stat_missing, 1);
	add(s, "times", test_times, 1);
	add(s, "chmod", test_chmod, 1);
	add(s, "chdir", test_chdir, 1);
	add(s, "chdir_lexical", test_chdir_lexical, 1);
	add(s, "chdir_bad", test_chdir_bad, 1);
	add(s, "mkdir", test_mkdir, 1);
	add(s, "mkdir_fails", test_mkdir_fails, 1);
	add(s, "rmdir", test_rmdir, 1);
	add(s, "remove", test_remove, 1);
	add(s, "rename", test_rename, 1);
	add(s, "hash", test_hash, 1);
	add(s, "hash_big", test_hash_big, 1);
	add(s, "hash_fails", test_hash_fails, 1);
	add(s, "read", test_read, 1);
	add(s, "open_missing", test_open_missing, 1);
	add(s, "write_new", test_write_new, 1);
	add(s, "write_new_abort", test_write_new_abort, 1);
	add(s, "write_symlink", test_write_symlink, 1);
	add(s, "replace_ok", test_replace_ok, 1);
	add(s, "replace_abort", test_replace_abort, 1);
	add(s, "replace_freed", test_replace_freed, 1);
	add(s, "resume", test_resume, 1);
	add(s, "resume_short", test_resume_short, 1);
	add(s, "one_open", test_one_open, 1);
	add(s, "cancel", test_cancel, 1);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fs_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
