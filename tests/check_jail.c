/*
 * check_jail: the jail's unit tests. Every test gets a fresh sandbox holding
 * the home (the jail's root) and, beside it, an "outside" folder with a
 * secret that no path given to the jail may reach. Tests of resolution run
 * once per mode, openat2 and the walk, so that both obey the same rules;
 * where the kernel or valgrind lacks openat2 only the walk runs.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <check.h>

#include "srv/jail.h"

#ifndef SYS_openat2
#define SYS_openat2	437	/* the same on every architecture */
#endif

static const enum jail_mode modes[] = { JAIL_OPENAT2, JAIL_WALK };
static const char *const mode_names[] = { "openat2", "walk" };

/* The first entry of modes[] to run: 1 skips openat2 where it is missing. */
static int first_mode;

/*
 * The sandbox of the running test, made by setup(). The tests' own file
 * calls take paths relative to sandfd ("home/dir", "outside/secret").
 */
static char sandbox[PATH_MAX];
static char outside[PATH_MAX];	/* absolute, for symlink targets */
static char secret[PATH_MAX];	/* absolute path of outside/secret */
static int sandfd = -1;
static int rootfd = -1;		/* the jail's root: home */

/* Which of the first fds were open before the test, to spot leaks. */
#define FD_SCAN	64
static char fd_was_open[FD_SCAN];

static void
put_file(const char *path, const char *content)
{
	int fd;

	fd = openat(sandfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

static void
put_dir(const char *path)
{
	ck_assert_msg(mkdirat(sandfd, path, 0755) == 0, "mkdir %s: %s", path,
	    strerror(errno));
}

static void
put_link(const char *target, const char *path)
{
	ck_assert_msg(symlinkat(target, sandfd, path) == 0, "symlink %s: %s",
	    path, strerror(errno));
}

/* Creates every missing folder of the relative path dir. */
static void
put_dirs(const char *dir)
{
	char buf[PATH_MAX];
	char *p, c;

	ck_assert_uint_lt(strlen(dir), sizeof buf);
	strcpy(buf, dir);
	for (p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		ck_assert_msg(mkdirat(sandfd, buf, 0755) == 0 || errno == EEXIST,
		    "mkdir %s: %s", buf, strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
}

static int
exists(const char *path)
{
	struct stat st;

	return fstatat(sandfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	return remove(path);
}

/*
 * Also registered with atexit(): a failing test ends its process before
 * teardown runs, and its sandbox should not stay behind.
 */
static void
remove_sandbox(void)
{
	if (sandbox[0] == '\0')
		return;
	nftw(sandbox, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	sandbox[0] = '\0';
}

static void
setup(void)
{
	int fd;

	umask(022);
	strcpy(sandbox, "/tmp/check_jail.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	ck_assert_int_lt(snprintf(outside, sizeof outside, "%s/outside",
	    sandbox), (int)sizeof outside);
	ck_assert_int_lt(snprintf(secret, sizeof secret, "%s/secret",
	    outside), (int)sizeof secret);
	for (fd = 0; fd < FD_SCAN; fd++)
		fd_was_open[fd] = fcntl(fd, F_GETFD) != -1;
	sandfd = open(sandbox, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(sandfd, 0);
	put_dir("home");
	put_dir("outside");
	put_file("outside/secret", "SECRET");
	put_file("home/file.txt", "inside");
	put_dir("home/dir");
	put_dir("home/dir/sub");
	put_file("home/dir/sub/deep.txt", "deep");
	rootfd = openat(sandfd, "home", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
}

static void
teardown(void)
{
	int fd;

	close(rootfd);
	close(sandfd);
	rootfd = sandfd = -1;
	remove_sandbox();
	for (fd = 0; fd < FD_SCAN; fd++)
		ck_assert_msg(fd_was_open[fd] || fcntl(fd, F_GETFD) == -1,
		    "fd %d leaked", fd);
}

static void
use_mode(int i)
{
	jail_set_mode(modes[i]);
}

/* Reads all of fd (at most len - 1 bytes) into buf as a string. */
static void
slurp(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;

	while ((n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	ck_assert_int_ge(n, 0);
	buf[got] = '\0';
}

static void
expect_content(int i, const char *vpath, int flags, const char *want)
{
	char buf[256];
	int fd;

	fd = jail_open(rootfd, vpath, flags, 0);
	ck_assert_msg(fd >= 0, "%s: %.200s: %s", mode_names[i], vpath,
	    strerror(errno));
	slurp(fd, buf, sizeof buf);
	close(fd);
	ck_assert_msg(strcmp(buf, want) == 0, "%s: %s: read \"%s\", not \"%s\"",
	    mode_names[i], vpath, buf, want);
}

static void
expect_errno(int i, const char *vpath, int flags, int err)
{
	int fd;

	errno = 0;
	fd = jail_open(rootfd, vpath, flags, 0644);
	if (fd >= 0)
		close(fd);
	ck_assert_msg(fd == -1 && errno == err,
	    "%s: %.200s: got fd %d, errno %s; wanted %s", mode_names[i], vpath,
	    fd, strerror(errno), strerror(err));
}

/* True if fd is the file at path (not following a final symlink). */
static int
same_file(int fd, const char *path)
{
	struct stat a, b;

	ck_assert_int_eq(fstat(fd, &a), 0);
	if (fstatat(sandfd, path, &b, AT_SYMLINK_NOFOLLOW) == -1)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void
expect_same(int i, const char *vpath, int flags, const char *path)
{
	int fd;

	fd = jail_open(rootfd, vpath, flags, 0);
	ck_assert_msg(fd >= 0, "%s: %.200s: %s", mode_names[i], vpath,
	    strerror(errno));
	ck_assert_msg(same_file(fd, path), "%s: %s is not %s", mode_names[i],
	    vpath, path);
	close(fd);
}

static void
check_norm(const char *cwd, const char *arg, const char *want)
{
	char out[PATH_MAX];

	ck_assert_msg(jail_normalize(cwd, arg, out, sizeof out) == 0,
	    "(%s, %s): %s", cwd, arg, strerror(errno));
	ck_assert_msg(strcmp(out, want) == 0, "(%s, %s) gave \"%s\", not \"%s\"",
	    cwd, arg, out, want);
}

/* ---- jail_normalize ---- */

START_TEST(test_normalize_join)
{
	check_norm("/", "a", "/a");
	check_norm("/a", "b", "/a/b");
	check_norm("/a/b", "c/d", "/a/b/c/d");
	check_norm("/a", "", "/a");
	check_norm("/", "", "/");
}
END_TEST

START_TEST(test_normalize_dot)
{
	check_norm("/", ".", "/");
	check_norm("/a", ".", "/a");
	check_norm("/a", "./b/.", "/a/b");
	check_norm("/a", "b/./c/./.", "/a/b/c");
	check_norm("/a", ".hidden", "/a/.hidden");
	check_norm("/a", "...", "/a/...");
}
END_TEST

START_TEST(test_normalize_dotdot)
{
	check_norm("/a/b", "..", "/a");
	check_norm("/a/b", "../..", "/");
	check_norm("/a", "b/../c", "/a/c");
	check_norm("/a/b", "../../../outside/secret", "/outside/secret");
	check_norm("/", "..", "/");
	check_norm("/", "../../..", "/");
	check_norm("/", "../../etc/passwd", "/etc/passwd");
	check_norm("/", "a/../../b", "/b");
	check_norm("/a", "..x/..", "/a");
}
END_TEST

START_TEST(test_normalize_slashes)
{
	check_norm("/", "//a///b//", "/a/b");
	check_norm("/a", "b/", "/a/b");
	check_norm("/a", "b//", "/a/b");
	check_norm("/", "/", "/");
	check_norm("/", "///", "/");
	check_norm("//a//", "b", "/a/b");
}
END_TEST

START_TEST(test_normalize_absolute)
{
	check_norm("/x/y", "/z", "/z");
	check_norm("/x/y", "/", "/");
	check_norm("/x/y", "/../z/..", "/");
	/* cwd is not looked at when arg is absolute. */
	check_norm(NULL, "/a", "/a");
	check_norm("relative", "/a", "/a");
}
END_TEST

START_TEST(test_normalize_backslash)
{
	check_norm("/x", "..\\..\\etc", "/x/..\\..\\etc");
	check_norm("/x", "a\\b/..", "/x");
	check_norm("/x", "\\", "/x/\\");
	check_norm("/", "..\\", "/..\\");
}
END_TEST

START_TEST(test_normalize_overflow)
{
	char buf[16], big[3 * PATH_MAX], out[PATH_MAX];
	size_t i;

	memset(buf, 'X', sizeof buf);
	ck_assert_int_eq(jail_normalize("/", "abc", buf, 5), 0);
	ck_assert_str_eq(buf, "/abc");
	memset(buf, 'X', sizeof buf);
	errno = 0;
	ck_assert_int_eq(jail_normalize("/", "abcd", buf, 5), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	for (i = 5; i < sizeof buf; i++)
		ck_assert_int_eq(buf[i], 'X');
	ck_assert_int_eq(jail_normalize("/ab", "c", buf, 6), 0);
	ck_assert_str_eq(buf, "/ab/c");
	ck_assert_int_eq(jail_normalize("/abc", "d", buf, 6), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	/* "/" needs two bytes. */
	ck_assert_int_eq(jail_normalize("/", "", buf, 2), 0);
	ck_assert_str_eq(buf, "/");
	errno = 0;
	ck_assert_int_eq(jail_normalize("/", "", buf, 1), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	memset(buf, 'X', sizeof buf);
	ck_assert_int_eq(jail_normalize("/", "a", buf, 0), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(buf[0], 'X');

	/* Only the result counts: what ".." removes may be too long. */
	ck_assert_int_eq(jail_normalize("/", "verylongname/../x", buf, 3), 0);
	ck_assert_str_eq(buf, "/x");
	ck_assert_int_eq(jail_normalize("/longcwdname", "../y", buf, 3), 0);
	ck_assert_str_eq(buf, "/y");
	ck_assert_int_eq(jail_normalize("/", "aaaa/bbbb/../..", buf, 2), 0);
	ck_assert_str_eq(buf, "/");

	/* Long input, short result; and a result of exactly the buffer. */
	for (i = 0; i + 5 < sizeof big; i += 5)
		memcpy(big + i, "a/../", 5);
	big[i] = '\0';
	ck_assert_int_eq(jail_normalize("/", big, out, sizeof out), 0);
	ck_assert_str_eq(out, "/");
	memset(big, 'n', sizeof out - 2);
	big[sizeof out - 2] = '\0';
	ck_assert_int_eq(jail_normalize("/", big, out, sizeof out), 0);
	ck_assert_uint_eq(strlen(out), sizeof out - 1);
	big[sizeof out - 2] = 'n';
	big[sizeof out - 1] = '\0';
	ck_assert_int_eq(jail_normalize("/", big, out, sizeof out), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_normalize_in_place)
{
	char cwd[64] = "/a/b/c";

	ck_assert_int_eq(jail_normalize(cwd, "../d/./e", cwd, sizeof cwd), 0);
	ck_assert_str_eq(cwd, "/a/b/d/e");
	strcpy(cwd, "//a/./b//");
	ck_assert_int_eq(jail_normalize(cwd, "x", cwd, sizeof cwd), 0);
	ck_assert_str_eq(cwd, "/a/b/x");
}
END_TEST

START_TEST(test_normalize_einval)
{
	char out[64];

	errno = 0;
	ck_assert_int_eq(jail_normalize("/", NULL, out, sizeof out), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(jail_normalize(NULL, "a", out, sizeof out), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(jail_normalize("a", "b", out, sizeof out), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- jail_open: plain paths ---- */

START_TEST(test_open_file)
{
	use_mode(_i);
	expect_content(_i, "/file.txt", O_RDONLY, "inside");
	expect_content(_i, "/dir/sub/deep.txt", O_RDONLY, "deep");
	expect_same(_i, "/file.txt", O_PATH, "home/file.txt");
}
END_TEST

START_TEST(test_open_dir)
{
	use_mode(_i);
	expect_same(_i, "/", O_RDONLY | O_DIRECTORY, "home");
	expect_same(_i, "/", O_PATH, "home");
	expect_same(_i, "/dir", O_RDONLY | O_DIRECTORY, "home/dir");
	expect_same(_i, "/dir/sub", O_PATH | O_DIRECTORY, "home/dir/sub");
	expect_errno(_i, "/", O_WRONLY, EISDIR);
	expect_errno(_i, "/dir", O_RDWR, EISDIR);
	expect_errno(_i, "/", O_WRONLY | O_CREAT, EISDIR);
}
END_TEST

START_TEST(test_open_enoent)
{
	use_mode(_i);
	expect_errno(_i, "/missing", O_RDONLY, ENOENT);
	expect_errno(_i, "/dir/missing/x", O_RDONLY, ENOENT);
	expect_errno(_i, "/missing/x", O_RDONLY | O_CREAT, ENOENT);
}
END_TEST

START_TEST(test_open_enotdir)
{
	use_mode(_i);
	expect_errno(_i, "/file.txt/x", O_RDONLY, ENOTDIR);
	expect_errno(_i, "/file.txt", O_RDONLY | O_DIRECTORY, ENOTDIR);
	expect_errno(_i, "/dir/sub/deep.txt/x/y", O_RDONLY, ENOTDIR);
}
END_TEST

START_TEST(test_open_einval)
{
	use_mode(_i);
	expect_errno(_i, NULL, O_RDONLY, EINVAL);
	expect_errno(_i, "file.txt", O_RDONLY, EINVAL);
	expect_errno(_i, "", O_RDONLY, EINVAL);
}
END_TEST

START_TEST(test_open_flags)
{
	struct stat st;
	int fd;

	use_mode(_i);
	/* O_CLOEXEC is always added. */
	fd = jail_open(rootfd, "/file.txt", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);
	/* A mode without O_CREAT is ignored, as open(2) ignores it. */
	expect_content(_i, "/file.txt", O_RDONLY, "inside");
	fd = jail_open(rootfd, "/file.txt", O_RDONLY, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	close(fd);
	/* O_PATH ignores access and truncation flags, as open(2) does. */
	fd = jail_open(rootfd, "/file.txt", O_PATH | O_WRONLY | O_TRUNC, 0);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	close(fd);
	ck_assert_int_eq(fstatat(sandfd, "home/file.txt", &st, 0), 0);
	ck_assert_int_eq(st.st_size, 6);
	/* O_TMPFILE names a directory and keeps its mode. */
	put_link("/dir", "home/tmpdir");
	fd = jail_open(rootfd, "/tmpdir", O_TMPFILE | O_WRONLY, 0600);
	if (fd == -1 && errno == EOPNOTSUPP)
		return;
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_nlink, 0);
	close(fd);
}
END_TEST

START_TEST(test_open_long_path)
{
	char path[PATH_MAX + 64];
	size_t i;

	use_mode(_i);
	for (i = 0; i + 2 < sizeof path; i += 2)
		memcpy(path + i, "/a", 2);
	path[i] = '\0';
	expect_errno(_i, path, O_RDONLY, ENAMETOOLONG);
}
END_TEST

START_TEST(test_open_backslash_name)
{
	char vpath[64];

	use_mode(_i);
	put_file("home/..\\..\\etc", "backslash");
	ck_assert_int_eq(jail_normalize("/", "..\\..\\etc", vpath,
	    sizeof vpath), 0);
	expect_content(_i, vpath, O_RDONLY, "backslash");
	ck_assert_int_eq(jail_normalize("/dir", "..\\sub", vpath,
	    sizeof vpath), 0);
	expect_errno(_i, vpath, O_RDONLY, ENOENT);
}
END_TEST

/* ---- escapes by ".." ---- */

START_TEST(test_escape_dotdot)
{
	char vpath[PATH_MAX];

	use_mode(_i);
	ck_assert_int_eq(jail_normalize("/dir", "../../outside/secret", vpath,
	    sizeof vpath), 0);
	ck_assert_str_eq(vpath, "/outside/secret");
	expect_errno(_i, vpath, O_RDONLY, ENOENT);
	/* Unnormalised paths are held at the root too. */
	expect_errno(_i, "/../outside/secret", O_RDONLY, ENOENT);
	expect_errno(_i, "/dir/../../../outside/secret", O_RDONLY, ENOENT);
	expect_same(_i, "/..", O_PATH, "home");
	expect_same(_i, "/dir/../..", O_PATH, "home");
	/* A decoy inside the home is what they reach. */
	put_dir("home/outside");
	put_file("home/outside/secret", "decoy");
	expect_content(_i, vpath, O_RDONLY, "decoy");
	expect_content(_i, "/../../outside/secret", O_RDONLY, "decoy");
}
END_TEST

/* ---- symlinks ---- */

START_TEST(test_symlink_inside)
{
	use_mode(_i);
	put_link("file.txt", "home/rel");
	put_link("/file.txt", "home/abs");
	put_link("sub/deep.txt", "home/dir/down");
	put_link("../file.txt", "home/dir/sib");
	put_link("//dir///sub//deep.txt", "home/slashes");
	expect_content(_i, "/rel", O_RDONLY, "inside");
	expect_content(_i, "/abs", O_RDONLY, "inside");
	expect_content(_i, "/dir/down", O_RDONLY, "deep");
	expect_content(_i, "/dir/sib", O_RDONLY, "inside");
	expect_content(_i, "/slashes", O_RDONLY, "deep");
	expect_same(_i, "/rel", O_PATH, "home/file.txt");
}
END_TEST

START_TEST(test_symlink_abs_outside)
{
	char mirror[PATH_MAX];
	int fd;

	use_mode(_i);
	put_link(secret, "home/evil");
	put_link(outside, "home/evildir");
	put_link("/etc/passwd", "home/passwd");
	expect_errno(_i, "/evil", O_RDONLY, ENOENT);
	expect_errno(_i, "/evildir/secret", O_RDONLY, ENOENT);
	expect_errno(_i, "/passwd", O_RDONLY, ENOENT);

	/* An absolute target is taken from the home. */
	put_dir("home/etc");
	put_file("home/etc/passwd", "jailed");
	expect_content(_i, "/passwd", O_RDONLY, "jailed");
	/* home/tmp/check_jail.XXXXXX/outside/secret */
	ck_assert_int_lt(snprintf(mirror, sizeof mirror, "home%s", outside),
	    (int)sizeof mirror);
	put_dirs(mirror);
	ck_assert_int_lt(snprintf(mirror, sizeof mirror, "home%s", secret),
	    (int)sizeof mirror);
	put_file(mirror, "mirror");
	expect_content(_i, "/evil", O_RDONLY, "mirror");
	expect_content(_i, "/evildir/secret", O_RDONLY, "mirror");
	fd = jail_open(rootfd, "/evil", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert(!same_file(fd, "outside/secret"));
	close(fd);
}
END_TEST

START_TEST(test_symlink_rel_outside)
{
	char target[PATH_MAX];

	use_mode(_i);
	/* Each of these reaches the real secret if ".." is not held. */
	put_link("../outside/secret", "home/up1");
	put_link("../../outside/secret", "home/dir/up2");
	ck_assert_int_lt(snprintf(target, sizeof target,
	    "../../../../../../../../../../..%s/secret", outside),
	    (int)sizeof target);
	put_link(target, "home/dir/sub/upmany");
	put_link("..", "home/parent");
	put_link("../..", "home/dir/grandparent");
	expect_errno(_i, "/up1", O_RDONLY, ENOENT);
	expect_errno(_i, "/dir/up2", O_RDONLY, ENOENT);
	expect_errno(_i, "/dir/sub/upmany", O_RDONLY, ENOENT);
	expect_errno(_i, "/parent/outside/secret", O_RDONLY, ENOENT);
	expect_same(_i, "/parent", O_PATH, "home");
	expect_same(_i, "/dir/grandparent", O_PATH, "home");
	expect_same(_i, "/parent/parent/dir", O_PATH, "home/dir");
	put_dir("home/outside");
	put_file("home/outside/secret", "decoy");
	expect_content(_i, "/up1", O_RDONLY, "decoy");
	expect_content(_i, "/dir/up2", O_RDONLY, "decoy");
	expect_content(_i, "/parent/outside/secret", O_RDONLY, "decoy");
}
END_TEST

START_TEST(test_symlink_dir_chain)
{
	use_mode(_i);
	put_link("l2", "home/l1");
	put_link("dir", "home/l2");
	put_link("/dir/sub", "home/abssub");
	put_link("../l1/sub", "home/dir/loopback");
	expect_content(_i, "/l1/sub/deep.txt", O_RDONLY, "deep");
	expect_content(_i, "/abssub/deep.txt", O_RDONLY, "deep");
	expect_content(_i, "/dir/loopback/deep.txt", O_RDONLY, "deep");
	expect_same(_i, "/l1", O_RDONLY | O_DIRECTORY, "home/dir");

	/* ".." after a link goes to the parent of where the link led. */
	put_dir("home/a");
	put_dir("home/a/b");
	put_file("home/a/marker", "A");
	put_file("home/marker", "root");
	put_link("a/b", "home/jump");
	put_link("jump/../marker", "home/back");
	put_link("/jump/..", "home/backdir");
	expect_content(_i, "/back", O_RDONLY, "A");
	expect_content(_i, "/jump/../marker", O_RDONLY, "A");
	expect_content(_i, "/backdir/marker", O_RDONLY, "A");
	expect_same(_i, "/backdir", O_PATH, "home/a");

	/* A trailing slash in a target asks for a directory. */
	put_link("dir/", "home/slashdir");
	put_link("file.txt/", "home/slashfile");
	expect_same(_i, "/slashdir", O_RDONLY | O_DIRECTORY, "home/dir");
	expect_errno(_i, "/slashfile", O_RDONLY, ENOTDIR);
}
END_TEST

START_TEST(test_symlink_loop)
{
	char name[32], target[32];
	int n;

	use_mode(_i);
	put_link("loop2", "home/loop1");
	put_link("loop1", "home/loop2");
	put_link("self", "home/self");
	put_link("/dir/../loop1/x", "home/dir/into");
	expect_errno(_i, "/loop1", O_RDONLY, ELOOP);
	expect_errno(_i, "/self", O_RDONLY, ELOOP);
	expect_errno(_i, "/self/x", O_RDONLY, ELOOP);
	expect_errno(_i, "/dir/into", O_RDONLY, ELOOP);
	expect_errno(_i, "/loop1", O_RDONLY | O_CREAT, ELOOP);

	/* 40 links in a row are allowed, as by the kernel; 41 are not. */
	for (n = 0; n <= 40; n++) {
		snprintf(name, sizeof name, "home/c%d", n);
		if (n == 0)
			strcpy(target, "file.txt");
		else
			snprintf(target, sizeof target, "c%d", n - 1);
		put_link(target, name);
	}
	expect_content(_i, "/c39", O_RDONLY, "inside");
	expect_errno(_i, "/c40", O_RDONLY, ELOOP);
}
END_TEST

START_TEST(test_create_through_symlink)
{
	struct stat st;
	int fd;

	use_mode(_i);
	put_link("dir", "home/updir");
	put_link("/dir/sub", "home/absdir");
	put_link(outside, "home/outdir");
	put_link("../outside", "home/reloutdir");

	fd = jail_open(rootfd, "/updir/new.txt", O_WRONLY | O_CREAT | O_EXCL,
	    0640);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert(same_file(fd, "home/dir/new.txt"));
	close(fd);
	ck_assert_int_eq(fstatat(sandfd, "home/dir/new.txt", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	expect_errno(_i, "/updir/new.txt", O_WRONLY | O_CREAT | O_EXCL, EEXIST);

	fd = jail_open(rootfd, "/absdir/n2", O_WRONLY | O_CREAT, 0600);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert(same_file(fd, "home/dir/sub/n2"));
	close(fd);

	expect_errno(_i, "/outdir/pwned", O_WRONLY | O_CREAT, ENOENT);
	expect_errno(_i, "/reloutdir/pwned", O_WRONLY | O_CREAT, ENOENT);
	ck_assert(!exists("outside/pwned"));
}
END_TEST

START_TEST(test_create_dangling_symlink)
{
	char target[PATH_MAX];
	int fd;

	use_mode(_i);
	put_link("/made.txt", "home/dangle");
	ck_assert_int_lt(snprintf(target, sizeof target, "%s/pwned", outside),
	    (int)sizeof target);
	put_link(target, "home/dangleout");
	ck_assert_int_lt(snprintf(target, sizeof target, "../../..%s/pwned2",
	    outside), (int)sizeof target);
	put_link(target, "home/dir/dangleup");

	/* O_EXCL never follows a final link. */
	expect_errno(_i, "/dangle", O_WRONLY | O_CREAT | O_EXCL, EEXIST);
	ck_assert(!exists("home/made.txt"));
	/* Otherwise the target is made, inside the home. */
	fd = jail_open(rootfd, "/dangle", O_WRONLY | O_CREAT, 0600);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert(same_file(fd, "home/made.txt"));
	close(fd);
	expect_errno(_i, "/dangleout", O_WRONLY | O_CREAT, ENOENT);
	expect_errno(_i, "/dir/dangleup", O_WRONLY | O_CREAT, ENOENT);
	ck_assert(!exists("outside/pwned"));
	ck_assert(!exists("outside/pwned2"));
}
END_TEST

START_TEST(test_nofollow)
{
	struct stat st;
	int fd;

	use_mode(_i);
	put_link("file.txt", "home/lnk");
	put_link("dir", "home/updir");
	put_link(secret, "home/evil");
	expect_errno(_i, "/lnk", O_RDONLY | O_NOFOLLOW, ELOOP);
	expect_errno(_i, "/evil", O_RDONLY | O_NOFOLLOW, ELOOP);
	expect_errno(_i, "/updir", O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
	    ENOTDIR);
	expect_content(_i, "/lnk", O_RDONLY, "inside");
	/* With O_PATH the link itself is opened. */
	fd = jail_open(rootfd, "/lnk", O_PATH | O_NOFOLLOW, 0);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert(same_file(fd, "home/lnk"));
	close(fd);
	/* Links before the last component are still followed. */
	expect_content(_i, "/updir/sub/deep.txt", O_RDONLY | O_NOFOLLOW,
	    "deep");
	/* So is a final one with a trailing slash. */
	expect_same(_i, "/updir/", O_RDONLY | O_NOFOLLOW, "home/dir");
}
END_TEST

/*
 * Swaps home/a/b with outside/b until told to stop, yielding so that the
 * resolving thread runs even where threads are serialised (valgrind).
 */
static void *
mover(void *arg)
{
	atomic_int *stop = arg;

	while (!atomic_load(stop)) {
		renameat(sandfd, "home/a/b", sandfd, "outside/b");
		renameat(sandfd, "outside/b", sandfd, "home/a/b");
		sched_yield();
	}
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_race_moved_dir)
{
	atomic_int stop = 0;
	pthread_t thread;
	char buf[32];
	double end;
	int fd, runs = 0;

	use_mode(_i);
	put_dir("home/a");
	put_dir("home/a/b");
	put_dir("home/a/b/c");
	put_file("home/a/target", "inside");
	put_file("outside/target", "SECRET");
	/*
	 * While the resolution is in c, b may be moved out of the home: the
	 * ".." from b then lands in outside, where it must not go on.
	 */
	put_link("a/b/c/../../target", "home/lnk");
	ck_assert_int_eq(pthread_create(&thread, NULL, mover, &stop), 0);
	for (end = now() + 0.3; runs == 0 || now() < end; runs++) {
		fd = jail_open(rootfd, "/lnk", O_RDONLY, 0);
		if (fd == -1) {
			ck_assert_msg(errno == ENOENT || errno == EXDEV ||
			    errno == EAGAIN, "%s: %s", mode_names[_i],
			    strerror(errno));
			continue;
		}
		slurp(fd, buf, sizeof buf);
		close(fd);
		ck_assert_msg(strcmp(buf, "inside") == 0, "%s: escaped, read %s",
		    mode_names[_i], buf);
	}
	atomic_store(&stop, 1);
	pthread_join(thread, NULL);
}
END_TEST

/* ---- jail_open_parent ---- */

START_TEST(test_parent_plain)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int fd;

	use_mode(_i);
	fd = jail_open_parent(rootfd, "/dir/sub/deep.txt", name, sizeof name);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert_str_eq(name, "deep.txt");
	ck_assert(same_file(fd, "home/dir/sub"));
	ck_assert_int_eq(fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);

	fd = jail_open_parent(rootfd, "/newdir", name, sizeof name);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert_str_eq(name, "newdir");
	ck_assert(same_file(fd, "home"));
	ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
	ck_assert(exists("home/newdir"));
	ck_assert_int_eq(renameat(fd, name, fd, "renamed"), 0);
	ck_assert_int_eq(unlinkat(fd, "renamed", AT_REMOVEDIR), 0);
	close(fd);
}
END_TEST

START_TEST(test_parent_errors)
{
	char name[16];

	use_mode(_i);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/", name, sizeof name), -1);
	ck_assert_int_eq(errno, EPERM);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/file.txt", name, 8), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/missing/x", name,
	    sizeof name), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/file.txt/x", name,
	    sizeof name), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "relative", name,
	    sizeof name), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/dir/..", name,
	    sizeof name), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_parent_symlinks)
{
	char name[NAME_MAX + 1];
	struct stat st;
	int fd;

	use_mode(_i);
	put_link("dir", "home/updir");
	put_link(outside, "home/evildir");
	put_link("file.txt", "home/lnk");

	fd = jail_open_parent(rootfd, "/updir/sub/x", name, sizeof name);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert(same_file(fd, "home/dir/sub"));
	ck_assert_str_eq(name, "x");
	ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
	ck_assert(exists("home/dir/sub/x"));
	close(fd);

	/* The last component is left alone, even when it is a link. */
	fd = jail_open_parent(rootfd, "/lnk", name, sizeof name);
	ck_assert_msg(fd >= 0, "%s: %s", mode_names[_i], strerror(errno));
	ck_assert(same_file(fd, "home"));
	ck_assert_str_eq(name, "lnk");
	ck_assert_int_eq(fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(unlinkat(fd, name, 0), 0);
	ck_assert(exists("home/file.txt"));
	close(fd);

	errno = 0;
	ck_assert_int_eq(jail_open_parent(rootfd, "/evildir/secret", name,
	    sizeof name), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ---- jail_stat ---- */

START_TEST(test_stat)
{
	struct stat st, want;

	use_mode(_i);
	put_link("file.txt", "home/lnk");
	put_link(secret, "home/evil");
	ck_assert_int_eq(jail_stat(rootfd, "/file.txt", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, 6);
	ck_assert_int_eq(jail_stat(rootfd, "/lnk", &st), 0);
	ck_assert_int_eq(fstatat(sandfd, "home/file.txt", &want, 0), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_ino, want.st_ino);
	ck_assert_int_eq(jail_stat(rootfd, "/", &st), 0);
	ck_assert_int_eq(fstatat(sandfd, "home", &want, 0), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_ino, want.st_ino);
	errno = 0;
	ck_assert_int_eq(jail_stat(rootfd, "/evil", &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(jail_stat(rootfd, "/missing", &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* ---- modes ---- */

/* Asks the jail itself, on the current directory, in openat2 mode. */
static int
have_openat2(void)
{
	enum jail_mode mode = jail_get_mode();
	int fd;

	jail_set_mode(JAIL_OPENAT2);
	fd = jail_open(AT_FDCWD, "/", O_PATH, 0);
	if (fd >= 0)
		close(fd);
	jail_set_mode(mode);
	return fd >= 0 || errno != ENOSYS;
}

/*
 * Runs in a child whose openat2 fails with ENOSYS, as on an old kernel.
 * Returns the number of the first check that failed, or 0.
 */
static int
auto_child(void)
{
	/* openat2 is 437 on every architecture; nothing else matters here. */
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };
	char buf[32];
	int fd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		return 1;
	jail_set_mode(JAIL_OPENAT2);
	if (jail_open(rootfd, "/file.txt", O_RDONLY, 0) != -1 ||
	    errno != ENOSYS)
		return 2;
	jail_set_mode(JAIL_AUTO);
	fd = jail_open(rootfd, "/file.txt", O_RDONLY, 0);
	if (fd == -1)
		return 3;
	slurp(fd, buf, sizeof buf);
	close(fd);
	if (strcmp(buf, "inside") != 0)
		return 4;
	if (jail_get_mode() != JAIL_WALK)
		return 5;
	if (jail_open(rootfd, "/evil", O_RDONLY, 0) != -1 || errno != ENOENT)
		return 6;
	return 0;
}

START_TEST(test_auto_fallback)
{
	int status, fd;
	pid_t pid;

	put_link(secret, "home/evil");
	if (!have_openat2()) {
		/* ENOSYS is real here (old kernel, valgrind). */
		jail_set_mode(JAIL_AUTO);
		fd = jail_open(rootfd, "/file.txt", O_RDONLY, 0);
		ck_assert_int_ge(fd, 0);
		close(fd);
		ck_assert_int_eq(jail_get_mode(), JAIL_WALK);
		return;
	}
	jail_set_mode(JAIL_AUTO);
	fd = jail_open(rootfd, "/file.txt", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(jail_get_mode(), JAIL_AUTO);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		_exit(auto_child());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child failed check %d", WEXITSTATUS(status));
	ck_assert_int_eq(jail_get_mode(), JAIL_AUTO);
}
END_TEST

START_TEST(test_mode_from_env)
{
	jail_set_mode(JAIL_AUTO);
	ck_assert_int_eq(setenv("BURROW_JAIL", "walk", 1), 0);
	jail_init_from_env();
	ck_assert_int_eq(jail_get_mode(), JAIL_WALK);
	ck_assert_int_eq(setenv("BURROW_JAIL", "openat2", 1), 0);
	jail_init_from_env();
	ck_assert_int_eq(jail_get_mode(), JAIL_OPENAT2);
	/* Unknown values and an unset variable change nothing. */
	ck_assert_int_eq(setenv("BURROW_JAIL", "bogus", 1), 0);
	jail_init_from_env();
	ck_assert_int_eq(jail_get_mode(), JAIL_OPENAT2);
	ck_assert_int_eq(unsetenv("BURROW_JAIL"), 0);
	jail_init_from_env();
	ck_assert_int_eq(jail_get_mode(), JAIL_OPENAT2);
	/* "auto" probes openat2 once and keeps it only where it works. */
	ck_assert_int_eq(setenv("BURROW_JAIL", "auto", 1), 0);
	jail_init_from_env();
	ck_assert_int_eq(jail_get_mode(), have_openat2() ? JAIL_AUTO : JAIL_WALK);
	ck_assert_int_eq(unsetenv("BURROW_JAIL"), 0);
}
END_TEST

/* One test case per behaviour; the loop runs the test in each mode. */
static void
add(Suite *s, const char *name, const TTest *fn, int loop)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	if (loop)
		tcase_add_loop_test(tc, fn, first_mode, 2);
	else
		tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
jail_suite(void)
{
	Suite *s = suite_create("jail");

	add(s, "normalize_join", test_normalize_join, 0);
	add(s, "normalize_dot", test_normalize_dot, 0);
	add(s, "normalize_dotdot", test_normalize_dotdot, 0);
	add(s, "normalize_slashes", test_normalize_slashes, 0);
	add(s, "normalize_absolute", test_normalize_absolute, 0);
	add(s, "normalize_backslash", test_normalize_backslash, 0);
	add(s, "normalize_overflow", test_normalize_overflow, 0);
	add(s, "normalize_in_place", test_normalize_in_place, 0);
	add(s, "normalize_einval", test_normalize_einval, 0);
	add(s, "open_file", test_open_file, 1);
	add(s, "open_dir", test_open_dir, 1);
	add(s, "open_enoent", test_open_enoent, 1);
	add(s, "open_enotdir", test_open_enotdir, 1);
	add(s, "open_einval", test_open_einval, 1);
	add(s, "open_flags", test_open_flags, 1);
	add(s, "open_long_path", test_open_long_path, 1);
	add(s, "open_backslash_name", test_open_backslash_name, 1);
	add(s, "escape_dotdot", test_escape_dotdot, 1);
	add(s, "symlink_inside", test_symlink_inside, 1);
	add(s, "symlink_abs_outside", test_symlink_abs_outside, 1);
	add(s, "symlink_rel_outside", test_symlink_rel_outside, 1);
	add(s, "symlink_dir_chain", test_symlink_dir_chain, 1);
	add(s, "symlink_loop", test_symlink_loop, 1);
	add(s, "create_through_symlink", test_create_through_symlink, 1);
	add(s, "create_dangling_symlink", test_create_dangling_symlink, 1);
	add(s, "nofollow", test_nofollow, 1);
	add(s, "race_moved_dir", test_race_moved_dir, 1);
	add(s, "parent_plain", test_parent_plain, 1);
	add(s, "parent_errors", test_parent_errors, 1);
	add(s, "parent_symlinks", test_parent_symlinks, 1);
	add(s, "stat", test_stat, 1);
	add(s, "auto_fallback", test_auto_fallback, 0);
	add(s, "mode_from_env", test_mode_from_env, 0);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (!have_openat2()) {
		fprintf(stderr, "check_jail: no openat2 here, testing the "
		    "walk only\n");
		first_mode = 1;
	}
	atexit(remove_sandbox);
	sr = srunner_create(jail_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
