/*
 * check_quota: the quota module's unit tests. Every test gets a fresh
 * sandbox holding the home (opened as the rootfd that quota_get measures)
 * and, beside it, an "outside" folder that symlinks in the home point to.
 * The record must always equal a fresh walk of the home (quota_measure)
 * once every nameless upload is linked or discarded, and must never go
 * above its limit by more than the credit a write was given; the last two
 * test cases check both while several threads share one record.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "srv/quota.h"

/*
 * The sandbox of the running test, made by setup(). Paths given to the
 * helpers are relative to the home (rootfd) unless they say otherwise.
 */
static char sandbox[PATH_MAX];
static int sandfd = -1;
static int rootfd = -1;			/* home */
static struct quota_table *tab;

/* Which of the first fds were open before the test, to spot leaks. */
#define FD_SCAN	64
static char fd_was_open[FD_SCAN];

/* Fills buf with a pattern that changes from one byte to the next. */
static void
pattern(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 26);
}

/* Creates (or replaces) dfd/path holding size bytes, behind quota's back. */
static void
put_file_at(int dfd, const char *path, size_t size)
{
	char buf[4096];
	size_t done = 0, n;
	ssize_t w;
	int fd;

	pattern(buf, sizeof buf);
	fd = openat(dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	while (done < size) {
		n = size - done < sizeof buf ? size - done : sizeof buf;
		w = write(fd, buf, n);
		ck_assert_msg(w > 0, "write %s: %s", path, strerror(errno));
		done += (size_t)w;
	}
	close(fd);
}

static void
put_file(const char *path, size_t size)
{
	put_file_at(rootfd, path, size);
}

static void
put_dir(const char *path)
{
	ck_assert_msg(mkdirat(rootfd, path, 0755) == 0, "mkdir %s: %s", path,
	    strerror(errno));
}

/* Opens home/path with flags (mode 0644 when creating). */
static int
open_home(const char *path, int flags)
{
	int fd;

	fd = openat(rootfd, path, flags | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	return fd;
}

/* Size of home/path, -1 if it does not exist. */
static off_t
size_of(const char *path)
{
	struct stat st;

	if (fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return st.st_size;
}

static uint64_t
measured(void)
{
	uint64_t total = UINT64_MAX;

	ck_assert_msg(quota_measure(rootfd, &total) == 0, "quota_measure: %s",
	    strerror(errno));
	return total;
}

static uint64_t
used_of(struct quota *q)
{
	uint64_t used, limit;

	quota_usage(q, &used, &limit);
	return used;
}

static uint64_t
limit_of(struct quota *q)
{
	uint64_t used, limit;

	quota_usage(q, &used, &limit);
	return limit;
}

/* quota_write of n pattern bytes. */
static ssize_t
qwrite(struct quota *q, int fd, size_t n, uint64_t credit, int flags)
{
	char buf[8192];

	ck_assert_uint_le(n, sizeof buf);
	pattern(buf, n);
	return quota_write(q, fd, buf, n, credit, flags);
}

/*
 * The record agrees with a fresh walk of the home. A macro, so that a
 * failure names the test's line.
 */
#define assert_in_step(q) do {						\
	uint64_t used_ = used_of(q), walk_ = measured();		\
									\
	ck_assert_msg(used_ == walk_, "record says %ju bytes, walk says %ju", \
	    (uintmax_t)used_, (uintmax_t)walk_);			\
} while (0)

/*
 * rm -r of dfd/name holding one descriptor at a time (nftw builds paths,
 * which a tree thousands of levels deep outgrows): goes down into the
 * first folder it finds, unlinking files on the way, and once a folder is
 * empty climbs back through ".." and removes it. Returns 0 or -1.
 */
static int
remove_tree(int dfd, const char *name)
{
	char **path = NULL, **np, *sub;
	size_t depth = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd, up, rc = -1;

	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	sub = strdup(name);
	for (;;) {
		if (sub == NULL)
			goto out;
		if (depth == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((np = realloc(path, cap * sizeof(*path))) == NULL) {
				free(sub);
				goto out;
			}
			path = np;
		}
		path[depth++] = sub;
		sub = NULL;
		for (;;) {
			if ((up = openat(fd, ".", O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC)) == -1 || (dir = fdopendir(up)) == NULL) {
				if (up != -1)
					close(up);
				goto out;
			}
			while (sub == NULL && (de = readdir(dir)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 ||
				    strcmp(de->d_name, "..") == 0)
					continue;
				if (fstatat(fd, de->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISDIR(st.st_mode))
					sub = strdup(de->d_name);
				else
					unlinkat(fd, de->d_name, 0);
			}
			closedir(dir);
			if (sub != NULL)
				break;
			/* Empty: climb and remove it. */
			up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(fd);
			fd = up;
			depth--;
			if (fd == -1 || unlinkat(fd, path[depth], AT_REMOVEDIR) ==
			    -1) {
				free(path[depth]);
				goto out;
			}
			free(path[depth]);
			if (depth == 0) {
				rc = 0;
				goto out;
			}
		}
		if ((up = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1) {
			free(sub);
			goto out;
		}
		close(fd);
		fd = up;
	}
out:
	if (fd != -1)
		close(fd);
	while (depth > 0)
		free(path[--depth]);
	free(path);
	return rc;
}

/*
 * The sandbox is made and removed by an unchecked fixture, which runs in
 * check's own process: a test that fails ends its forked process at once,
 * and its sandbox is still removed. Each test case holds one test, so each
 * test has a fresh sandbox.
 */
static void
make_sandbox(void)
{
	char path[PATH_MAX];

	umask(022);
	strcpy(sandbox, "/tmp/check_quota.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	ck_assert_int_lt(snprintf(path, sizeof path, "%s/home", sandbox),
	    (int)sizeof path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_lt(snprintf(path, sizeof path, "%s/outside", sandbox),
	    (int)sizeof path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void
remove_sandbox(void)
{
	if (sandbox[0] == '\0')
		return;
	remove_tree(AT_FDCWD, sandbox);
	sandbox[0] = '\0';
}

static void
setup(void)
{
	int fd;

	for (fd = 0; fd < FD_SCAN; fd++)
		fd_was_open[fd] = fcntl(fd, F_GETFD) != -1;
	sandfd = open(sandbox, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(sandfd, 0);
	rootfd = openat(sandfd, "home", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
	ck_assert_ptr_nonnull(tab = quota_table_new());
}

static void
teardown(void)
{
	int fd;

	quota_table_free(tab);
	tab = NULL;
	close(rootfd);
	close(sandfd);
	rootfd = sandfd = -1;
	for (fd = 0; fd < FD_SCAN; fd++)
		ck_assert_msg(fd_was_open[fd] || fcntl(fd, F_GETFD) == -1,
		    "fd %d leaked", fd);
}

/* quota_measure */

START_TEST(test_measure_regular_only)
{
	put_file("a", 10);
	put_file("b", 20);
	put_dir("dir");
	ck_assert_int_eq(mkfifoat(rootfd, "fifo", 0644), 0);
	ck_assert_int_eq(symlinkat("a", rootfd, "link_to_a"), 0);
	ck_assert_int_eq(symlinkat("nowhere", rootfd, "dangling"), 0);
	ck_assert_uint_eq(measured(), 30);
}
END_TEST

START_TEST(test_measure_recursive)
{
	put_file("top", 1);
	put_dir("d1");
	put_file("d1/f", 10);
	put_dir("d1/d2");
	put_file("d1/d2/f", 100);
	put_dir("d1/d2/d3");
	put_file("d1/d2/d3/f", 1000);
	put_dir("d1/d2/d3/empty");
	put_dir("other");
	put_file("other/f", 10000);
	ck_assert_uint_eq(measured(), 11111);
}
END_TEST

START_TEST(test_measure_no_follow)
{
	char target[PATH_MAX];

	put_file_at(sandfd, "outside/big", 1 << 20);
	put_file("small", 7);
	ck_assert_int_lt(snprintf(target, sizeof target, "%s/outside/big",
	    sandbox), (int)sizeof target);
	ck_assert_int_eq(symlinkat(target, rootfd, "abs_big"), 0);
	ck_assert_int_eq(symlinkat("../outside/big", rootfd, "rel_big"), 0);
	ck_assert_int_eq(symlinkat("../outside", rootfd, "outdir"), 0);
	ck_assert_uint_eq(measured(), 7);
}
END_TEST

START_TEST(test_measure_empty)
{
	ck_assert_uint_eq(measured(), 0);
	put_dir("d");
	put_dir("d/e");
	ck_assert_uint_eq(measured(), 0);
}
END_TEST

#define DEEP_LEVELS	5000

/*
 * A chain of DEEP_LEVELS folders named "d" below the home, far deeper than
 * the 1024 levels the walk once stopped at (with ELOOP, which locked the
 * user out): files at the top, in the middle, in a side branch of the
 * middle and at the bottom, and at the bottom a symlink back up that must
 * not be followed.
 */
START_TEST(test_measure_deep)
{
	struct quota *q;
	int fd, sub, level;

	put_file("top", 1);
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	for (level = 1; level <= DEEP_LEVELS; level++) {
		ck_assert_msg(mkdirat(fd, "d", 0755) == 0, "mkdir level %d: %s",
		    level, strerror(errno));
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_msg(sub != -1, "open level %d: %s", level,
		    strerror(errno));
		close(fd);
		fd = sub;
		if (level == DEEP_LEVELS / 2) {
			put_file_at(fd, "mid", 10);
			ck_assert_int_eq(mkdirat(fd, "side", 0755), 0);
			put_file_at(fd, "side/f", 100);
			ck_assert_int_eq(mkdirat(fd, "side/empty", 0755), 0);
		}
	}
	put_file_at(fd, "bottom", 1000);
	ck_assert_int_eq(symlinkat("../../..", fd, "up"), 0);
	close(fd);
	ck_assert_uint_eq(measured(), 1111);
	/* Again, with the record: a login would measure the same. */
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 1111);
	quota_put(tab, q);
	/* The sandbox's removal must cope too; try it here, checked. */
	ck_assert_int_eq(remove_tree(rootfd, "d"), 0);
	ck_assert_uint_eq(measured(), 1);
}
END_TEST

/* quota_deeper_than: what RNTO of a folder checks against max_depth. */
START_TEST(test_deeper_than)
{
	int fd;

	ck_assert_int_eq(quota_deeper_than(rootfd, 0), 0);
	put_file("f", 1);
	ck_assert_int_eq(quota_deeper_than(rootfd, 0), 0);
	put_dir("a");
	put_dir("a/b");
	put_dir("a/b/c");
	put_dir("other");
	ck_assert_int_eq(quota_deeper_than(rootfd, 0), 1);
	ck_assert_int_eq(quota_deeper_than(rootfd, 2), 1);
	ck_assert_int_eq(quota_deeper_than(rootfd, 3), 0);
	ck_assert_int_eq(quota_deeper_than(rootfd, 1000), 0);
	/* A symlink to a deeper folder brings no levels. */
	put_file_at(sandfd, "outside/x", 1);
	ck_assert_int_eq(mkdirat(sandfd, "outside/d", 0755), 0);
	ck_assert_int_eq(mkdirat(sandfd, "outside/d/e", 0755), 0);
	ck_assert_int_eq(symlinkat("../../../../outside", rootfd, "a/b/c/out"),
	    0);
	ck_assert_int_eq(quota_deeper_than(rootfd, 3), 0);
	/* Below a folder of its own, counted from that folder. */
	fd = openat(rootfd, "a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(quota_deeper_than(fd, 1), 1);
	ck_assert_int_eq(quota_deeper_than(fd, 2), 0);
	close(fd);
	errno = 0;
	ck_assert_int_eq(quota_deeper_than(-1, 1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* quota_get / quota_put / limits */

START_TEST(test_get_measures)
{
	struct quota *q;

	put_file("a", 100);
	put_dir("d");
	put_file("d/b", 23);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 5000, rootfd));
	ck_assert_uint_eq(used_of(q), 123);
	ck_assert_uint_eq(limit_of(q), 5000);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_get_shared_record)
{
	struct quota *q1, *q2, *other;

	put_file("a", 100);
	ck_assert_ptr_nonnull(q1 = quota_get(tab, "alice", 0, rootfd));
	/* Behind the record's back: a second get must not see it. */
	put_file("b", 50);
	ck_assert_ptr_nonnull(q2 = quota_get(tab, "alice", 0, rootfd));
	ck_assert_ptr_eq(q1, q2);
	ck_assert_uint_eq(used_of(q2), 100);
	/* Another user has a record of its own. */
	ck_assert_ptr_nonnull(other = quota_get(tab, "bob", 0, rootfd));
	ck_assert_ptr_ne(other, q1);
	ck_assert_uint_eq(used_of(other), 150);
	quota_put(tab, q1);
	/* One reference left: still the same record, still not measured. */
	ck_assert_ptr_nonnull(q1 = quota_get(tab, "alice", 0, rootfd));
	ck_assert_ptr_eq(q1, q2);
	ck_assert_uint_eq(used_of(q1), 100);
	quota_put(tab, q1);
	quota_put(tab, q2);
	quota_put(tab, other);
}
END_TEST

START_TEST(test_put_frees)
{
	struct quota *q;

	put_file("a", 100);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 100);
	quota_put(tab, q);
	put_file("b", 50);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 150);
	quota_put(tab, q);
	quota_put(tab, NULL);		/* allowed, does nothing */
}
END_TEST

START_TEST(test_limit_updates)
{
	struct quota *q1, *q2;

	ck_assert_ptr_nonnull(q1 = quota_get(tab, "alice", 100, rootfd));
	ck_assert_uint_eq(limit_of(q1), 100);
	/*
	 * A second session does not put its (possibly stale) limit on the
	 * record; only a reload does, through quota_set_limit().
	 */
	ck_assert_ptr_nonnull(q2 = quota_get(tab, "alice", 200, rootfd));
	ck_assert_uint_eq(limit_of(q1), 100);
	quota_set_limit(tab, "alice", 300);
	ck_assert_uint_eq(limit_of(q1), 300);
	quota_set_limit(tab, "alice", 0);
	ck_assert_uint_eq(limit_of(q2), 0);
	/* No record for bob: nothing is made, and nothing changes. */
	quota_set_limit(tab, "bob", 999);
	ck_assert_uint_eq(limit_of(q1), 0);
	quota_put(tab, q2);
	quota_put(tab, q1);
	ck_assert_ptr_nonnull(q1 = quota_get(tab, "bob", 7, rootfd));
	ck_assert_uint_eq(limit_of(q1), 7);
	quota_put(tab, q1);
}
END_TEST

START_TEST(test_available)
{
	struct quota *q;

	put_file("a", 30);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(quota_available(q), UINT64_MAX);
	quota_set_limit(tab, "alice", 100);
	ck_assert_uint_eq(quota_available(q), 70);
	quota_set_limit(tab, "alice", 30);
	ck_assert_uint_eq(quota_available(q), 0);
	quota_set_limit(tab, "alice", 10);	/* over */
	ck_assert_uint_eq(quota_available(q), 0);
	ck_assert_uint_eq(used_of(q), 30);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_get_limited)
{
	struct quota *q1, *q2, *q3;

	ck_assert_ptr_nonnull(q1 = quota_get_limited(tab, "alice", 0,
	    rootfd, 2));
	ck_assert_ptr_nonnull(q2 = quota_get_limited(tab, "alice", 0,
	    rootfd, 2));
	errno = 0;
	ck_assert_ptr_null(q3 = quota_get_limited(tab, "alice", 0, rootfd,
	    2));
	ck_assert_int_eq(errno, EUSERS);
	quota_put(tab, q2);
	ck_assert_ptr_nonnull(q3 = quota_get_limited(tab, "alice", 0,
	    rootfd, 2));
	ck_assert_ptr_eq(q3, q1);
	/* 0: no limit on references. */
	ck_assert_ptr_nonnull(q2 = quota_get_limited(tab, "alice", 0,
	    rootfd, 0));
	quota_put(tab, q3);
	quota_put(tab, q2);
	quota_put(tab, q1);
}
END_TEST

START_TEST(test_get_unmeasurable)
{
	errno = 0;
	ck_assert_ptr_null(quota_get(tab, "alice", 0, -1));
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* quota_write */

START_TEST(test_write_charges_growth)
{
	struct quota *q;
	int fd;

	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	fd = open_home("f", O_RDWR | O_CREAT);
	ck_assert_int_eq(qwrite(q, fd, 100, 0, 0), 100);
	ck_assert_uint_eq(used_of(q), 100);
	/* Overwriting bytes already there costs nothing. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(qwrite(q, fd, 50, 0, 0), 50);
	ck_assert_uint_eq(used_of(q), 100);
	ck_assert_int_eq(lseek(fd, 20, SEEK_SET), 20);
	ck_assert_int_eq(qwrite(q, fd, 80, 0, 0), 80);
	ck_assert_uint_eq(used_of(q), 100);
	/* Part overwrite, part growth: only the growth. */
	ck_assert_int_eq(lseek(fd, 80, SEEK_SET), 80);
	ck_assert_int_eq(qwrite(q, fd, 50, 0, 0), 50);
	ck_assert_uint_eq(used_of(q), 130);
	/* Appending at the end. */
	ck_assert_int_eq(qwrite(q, fd, 70, 0, 0), 70);
	ck_assert_uint_eq(used_of(q), 200);
	/* A hole counts as the file's size does. */
	ck_assert_int_eq(lseek(fd, 300, SEEK_SET), 300);
	ck_assert_int_eq(qwrite(q, fd, 10, 0, 0), 10);
	ck_assert_uint_eq(used_of(q), 310);
	ck_assert_int_eq(size_of("f"), 310);
	close(fd);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_append_fd)
{
	struct quota *q;
	int fd;

	put_file("f", 100);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	fd = open_home("f", O_WRONLY | O_APPEND);
	/* The offset says 0, but an O_APPEND write grows the file. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(qwrite(q, fd, 10, 0, 0), 10);
	ck_assert_uint_eq(used_of(q), 110);
	ck_assert_int_eq(size_of("f"), 110);
	/* And is limited as growth. */
	quota_set_limit(tab, "alice", 115);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 10, 0, 0), 5);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_uint_eq(used_of(q), 115);
	ck_assert_int_eq(size_of("f"), 115);
	close(fd);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_stops_at_limit)
{
	struct quota *q;
	int fd;

	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 1000, rootfd));
	fd = open_home("f", O_RDWR | O_CREAT);
	ck_assert_int_eq(qwrite(q, fd, 600, 0, 0), 600);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 600, 0, 0), 400);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_uint_eq(used_of(q), 1000);
	ck_assert_int_eq(size_of("f"), 1000);
	/* At the limit, bytes inside the file may still be rewritten... */
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(qwrite(q, fd, 100, 0, 0), 100);
	/* ...but a write running past the end keeps only the inside part. */
	ck_assert_int_eq(lseek(fd, 990, SEEK_SET), 990);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 30, 0, 0), 10);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_uint_eq(used_of(q), 1000);
	ck_assert_int_eq(size_of("f"), 1000);
	close(fd);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_zero_room)
{
	struct quota *q;
	int fd;

	put_file("full", 500);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 500, rootfd));
	fd = open_home("f", O_WRONLY | O_CREAT);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 1, 0, 0), 0);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_int_eq(size_of("f"), 0);
	/* Over the limit already (it was lowered): still nothing. */
	quota_set_limit(tab, "alice", 200);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 100, 0, 0), 0);
	ck_assert_int_eq(errno, EDQUOT);
	/* A hole past the end is growth too. */
	quota_set_limit(tab, "alice", 550);
	ck_assert_int_eq(lseek(fd, 100, SEEK_SET), 100);
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 10, 0, 0), 0);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_int_eq(size_of("f"), 0);
	ck_assert_uint_eq(used_of(q), 500);
	close(fd);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_credit)
{
	struct quota *q;
	int fd;

	/* Replacing a 500-byte file under a limit of 800. */
	put_file("target", 500);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 800, rootfd));
	fd = open_home("upload.tmp", O_WRONLY | O_CREAT | O_EXCL);
	ck_assert_int_eq(qwrite(q, fd, 600, 500, 0), 600);
	ck_assert_uint_eq(used_of(q), 1100);
	/* Up to limit + credit, not a byte further. */
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 300, 500, 0), 200);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_uint_eq(used_of(q), 1300);
	/* Without the credit, nothing more fits anywhere. */
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 1, 0, 0), 0);
	ck_assert_int_eq(errno, EDQUOT);
	close(fd);
	assert_in_step(q);
	/* The commit takes the replaced file away: back to the limit. */
	ck_assert_int_eq(quota_rename(q, rootfd, "upload.tmp", rootfd,
	    "target", 1), 0);
	ck_assert_uint_eq(used_of(q), 800);
	ck_assert_int_eq(size_of("target"), 800);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_unlinked)
{
	struct quota *q;
	int fd;

	put_file("f", 100);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	fd = open_home("f", O_WRONLY | O_APPEND);
	ck_assert_int_eq(quota_unlink(q, rootfd, "f"), 0);
	ck_assert_uint_eq(used_of(q), 0);
	ck_assert_int_eq(qwrite(q, fd, 1000, 0, 0), 1000);
	ck_assert_uint_eq(used_of(q), 0);
	assert_in_step(q);
	close(fd);
	quota_put(tab, q);
}
END_TEST

/* An O_TMPFILE in the home, or -1 where the file system has none. */
static int
open_tmpfile(void)
{
	int fd;

	fd = openat(rootfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1 || errno == EOPNOTSUPP || errno == EISDIR,
	    "O_TMPFILE: %s", strerror(errno));
	return fd;
}

START_TEST(test_write_tmpfile)
{
	struct quota *q;
	char proc[64];
	int fd;

	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 1000, rootfd));
	if ((fd = open_tmpfile()) == -1)
		goto out;
	ck_assert_int_eq(qwrite(q, fd, 300, 0, QUOTA_TMPFILE), 300);
	ck_assert_uint_eq(used_of(q), 300);
	ck_assert_uint_eq(measured(), 0);
	/* The limit holds for it too. */
	errno = 0;
	ck_assert_int_eq(qwrite(q, fd, 800, 0, QUOTA_TMPFILE), 700);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_uint_eq(used_of(q), 1000);
	/* Linked, it is what a walk finds. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, rootfd, "f", AT_SYMLINK_FOLLOW) == 0)
		assert_in_step(q);
	close(fd);
out:
	quota_put(tab, q);
}
END_TEST

START_TEST(test_write_tmpfile_without_flag)
{
	struct quota *q;
	int fd;

	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	if ((fd = open_tmpfile()) == -1)
		goto out;
	ck_assert_int_eq(qwrite(q, fd, 300, 0, 0), 300);
	ck_assert_uint_eq(used_of(q), 0);
	close(fd);
out:
	quota_put(tab, q);
}
END_TEST

START_TEST(test_discard)
{
	struct quota *q;
	int fd;

	put_file("a", 40);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	if ((fd = open_tmpfile()) == -1)
		goto out;
	ck_assert_int_eq(qwrite(q, fd, 500, 0, QUOTA_TMPFILE), 500);
	ck_assert_uint_eq(used_of(q), 540);
	quota_discard(q, fd);
	ck_assert_uint_eq(used_of(q), 40);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);	/* still open */
	assert_in_step(q);
	close(fd);
out:
	quota_put(tab, q);
}
END_TEST

/* quota_truncate / quota_unlink / quota_rename */

START_TEST(test_truncate)
{
	struct quota *q;
	int fd;

	put_file("f", 1000);
	put_file("g", 5);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	fd = open_home("f", O_WRONLY);
	ck_assert_int_eq(quota_truncate(q, fd, 300), 0);
	ck_assert_uint_eq(used_of(q), 305);
	ck_assert_int_eq(size_of("f"), 300);
	ck_assert_int_eq(quota_truncate(q, fd, 300), 0);
	ck_assert_uint_eq(used_of(q), 305);
	ck_assert_int_eq(quota_truncate(q, fd, 0), 0);
	ck_assert_uint_eq(used_of(q), 5);
	assert_in_step(q);
	close(fd);
	/* A failing truncate changes nothing. */
	fd = open_home("g", O_RDONLY);
	ck_assert_int_eq(quota_truncate(q, fd, 0), -1);
	ck_assert_uint_eq(used_of(q), 5);
	close(fd);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_unlink)
{
	struct quota *q;

	put_file_at(sandfd, "outside/big", 4096);
	put_file("f", 100);
	put_file("g", 20);
	put_dir("d");
	ck_assert_int_eq(symlinkat("../outside/big", rootfd, "link"), 0);
	ck_assert_int_eq(symlinkat("g", rootfd, "link_g"), 0);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 120);
	ck_assert_int_eq(quota_unlink(q, rootfd, "f"), 0);
	ck_assert_uint_eq(used_of(q), 20);
	ck_assert_int_eq(size_of("f"), -1);
	/* A symlink frees nothing, whatever it points to. */
	ck_assert_int_eq(quota_unlink(q, rootfd, "link"), 0);
	ck_assert_int_eq(quota_unlink(q, rootfd, "link_g"), 0);
	ck_assert_uint_eq(used_of(q), 20);
	ck_assert_int_eq(size_of("g"), 20);
	/* Missing. */
	errno = 0;
	ck_assert_int_eq(quota_unlink(q, rootfd, "f"), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(used_of(q), 20);
	/* A folder is not unlinked. */
	ck_assert_int_eq(quota_unlink(q, rootfd, "d"), -1);
	ck_assert_uint_eq(used_of(q), 20);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_rename_credits_replaced)
{
	struct quota *q;

	put_file("a", 100);
	put_file("b", 300);
	put_file("c", 7);
	ck_assert_int_eq(symlinkat("c", rootfd, "link"), 0);
	put_dir("d");
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 407);
	ck_assert_int_eq(quota_rename(q, rootfd, "a", rootfd, "b", 0), 0);
	ck_assert_uint_eq(used_of(q), 107);
	ck_assert_int_eq(size_of("b"), 100);
	assert_in_step(q);
	/* Onto a new name, into a folder: nothing replaced. */
	ck_assert_int_eq(quota_rename(q, rootfd, "b", rootfd, "d/b", 0), 0);
	ck_assert_uint_eq(used_of(q), 107);
	/* Onto a symlink: the symlink goes, the file it named stays. */
	ck_assert_int_eq(quota_rename(q, rootfd, "d/b", rootfd, "link", 0), 0);
	ck_assert_uint_eq(used_of(q), 107);
	assert_in_step(q);
	/* A failed rename credits nothing. */
	errno = 0;
	ck_assert_int_eq(quota_rename(q, rootfd, "missing", rootfd, "c", 0),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(used_of(q), 107);
	ck_assert_int_eq(quota_rename(q, rootfd, "d", rootfd, "c", 0), -1);
	ck_assert_uint_eq(used_of(q), 107);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_rename_same_inode)
{
	struct quota *q;

	put_file("a", 100);
	ck_assert_int_eq(linkat(rootfd, "a", rootfd, "b", 0), 0);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 200);
	/* rename(2) between two names of one file does nothing. */
	ck_assert_int_eq(quota_rename(q, rootfd, "a", rootfd, "b", 0), 0);
	ck_assert_uint_eq(used_of(q), 200);
	ck_assert_int_eq(size_of("a"), 100);
	ck_assert_int_eq(size_of("b"), 100);
	ck_assert_int_eq(quota_rename(q, rootfd, "a", rootfd, "a", 1), 0);
	ck_assert_uint_eq(used_of(q), 200);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

START_TEST(test_rename_check)
{
	struct quota *q;

	/* Limit 1000; the upload (1000) replaces 10 bytes beside 100 more. */
	put_file("target", 10);
	put_file("other", 100);
	put_file("upload", 1000);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 1000, rootfd));
	errno = 0;
	ck_assert_int_eq(quota_rename(q, rootfd, "upload", rootfd, "target", 1),
	    -1);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_int_eq(size_of("upload"), 1000);
	ck_assert_int_eq(size_of("target"), 10);
	ck_assert_uint_eq(used_of(q), 1110);
	/* Onto a new name nothing is freed: refused too. */
	errno = 0;
	ck_assert_int_eq(quota_rename(q, rootfd, "upload", rootfd, "new", 1),
	    -1);
	ck_assert_int_eq(errno, EDQUOT);
	ck_assert_int_eq(size_of("new"), -1);
	/* Exactly at the limit afterwards is allowed. */
	quota_set_limit(tab, "alice", 1100);
	ck_assert_int_eq(quota_rename(q, rootfd, "upload", rootfd, "target", 1),
	    0);
	ck_assert_uint_eq(used_of(q), 1100);
	ck_assert_int_eq(size_of("upload"), -1);
	ck_assert_int_eq(size_of("target"), 1000);
	/* Without check the rename happens over the limit. */
	quota_set_limit(tab, "alice", 500);
	ck_assert_int_eq(quota_rename(q, rootfd, "other", rootfd, "moved", 0),
	    0);
	ck_assert_uint_eq(used_of(q), 1100);
	/* Unlimited: check never refuses. */
	quota_set_limit(tab, "alice", 0);
	ck_assert_int_eq(quota_rename(q, rootfd, "moved", rootfd, "again", 1),
	    0);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

/* Several threads, one record. */

#define APPENDERS	8
#define APPEND_LIMIT	200000
#define APPEND_OLD	1234	/* bytes in the home before the test */

struct appender {
	struct quota	*q;
	int		 own_fd;
	int		 shared_fd;	/* one O_APPEND fd for all threads */
	unsigned	 seed;
	uint64_t	 written;
	uint64_t	 max_used;	/* highest usage seen after a write */
	int		 stopped;	/* 1: EDQUOT seen */
	char		 err[128];	/* an unexpected result, or "" */
};

static void *
appender_run(void *arg)
{
	struct appender *a = arg;
	char buf[128];
	uint64_t used, limit;
	unsigned i;
	size_t n;
	ssize_t w;
	int fd;

	pattern(buf, sizeof buf);
	/* Every write stores at least a byte until EDQUOT: bounded. */
	for (i = 0; i <= APPEND_LIMIT; i++) {
		fd = (i % 3 == 0) ? a->shared_fd : a->own_fd;
		n = 1 + (size_t)(rand_r(&a->seed) % 97);
		errno = 0;
		w = quota_write(a->q, fd, buf, n, 0, 0);
		quota_usage(a->q, &used, &limit);
		if (used > a->max_used)
			a->max_used = used;
		if (w < 0) {
			snprintf(a->err, sizeof a->err, "quota_write: %s",
			    strerror(errno));
			return NULL;
		}
		a->written += (uint64_t)w;
		if ((size_t)w < n) {
			if (errno == EDQUOT)
				a->stopped = 1;
			else
				snprintf(a->err, sizeof a->err, "short write "
				    "%zd of %zu: %s", w, n, strerror(errno));
			return NULL;
		}
	}
	snprintf(a->err, sizeof a->err, "never reached the limit");
	return NULL;
}

START_TEST(test_concurrent_appends)
{
	struct appender a[APPENDERS];
	pthread_t tid[APPENDERS];
	struct quota *q;
	char name[32];
	uint64_t total = APPEND_OLD, used;
	int i, shared_fd;

	put_file("old", APPEND_OLD);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", APPEND_LIMIT,
	    rootfd));
	shared_fd = open_home("shared", O_WRONLY | O_CREAT | O_APPEND);
	memset(a, 0, sizeof a);
	for (i = 0; i < APPENDERS; i++) {
		snprintf(name, sizeof name, "own%d", i);
		a[i].q = q;
		/* Half write through their offset, half with O_APPEND. */
		a[i].own_fd = open_home(name, O_WRONLY | O_CREAT |
		    (i % 2 ? O_APPEND : 0));
		a[i].shared_fd = shared_fd;
		a[i].seed = (unsigned)i + 1;
	}
	for (i = 0; i < APPENDERS; i++)
		ck_assert_int_eq(pthread_create(&tid[i], NULL, appender_run,
		    &a[i]), 0);
	for (i = 0; i < APPENDERS; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < APPENDERS; i++) {
		close(a[i].own_fd);
		ck_assert_msg(a[i].err[0] == '\0', "thread %d: %s", i,
		    a[i].err);
		ck_assert_msg(a[i].stopped, "thread %d did not see EDQUOT", i);
		ck_assert_msg(a[i].max_used <= APPEND_LIMIT, "thread %d saw "
		    "%ju bytes used", i, (uintmax_t)a[i].max_used);
		total += a[i].written;
	}
	close(shared_fd);
	used = used_of(q);
	ck_assert_uint_eq(used, APPEND_LIMIT);
	ck_assert_uint_eq(total, APPEND_LIMIT);
	assert_in_step(q);
	quota_put(tab, q);
}
END_TEST

#define MIXERS		6
#define MIX_OPS		500	/* per thread */
#define MIX_LIMIT	8192
#define MIX_SHARED	6	/* s0..s5, the last two in folder d */

struct mixer {
	struct quota	*q;
	int		 id;
	unsigned	 seed;
	int		 fd;		/* kept open across operations, or -1 */
	unsigned	 edquot;	/* refusals seen */
	uint64_t	 max_used;
	char		 err[160];
};

static void
shared_name(struct mixer *m, char *buf, size_t len)
{
	int i = (int)(rand_r(&m->seed) % MIX_SHARED);

	snprintf(buf, len, i < MIX_SHARED - 2 ? "s%d" : "d/s%d", i);
}

/* The thread's own names: no other thread opens or renames onto them. */
static void
private_name(struct mixer *m, char *buf, size_t len)
{
	snprintf(buf, len, "p%d_%u", m->id, rand_r(&m->seed) % 2);
}

static int
mix_fail(struct mixer *m, const char *what)
{
	if (m->err[0] == '\0')
		snprintf(m->err, sizeof m->err, "%s: %s", what,
		    strerror(errno));
	return -1;
}

/* A write through quota_write: a short count is fine only with EDQUOT. */
static int
mix_write(struct mixer *m, int fd, size_t n, int flags)
{
	char buf[2048] = { 0 };
	ssize_t w;

	pattern(buf, n);
	errno = 0;
	w = quota_write(m->q, fd, buf, n, 0, flags);
	if (w < 0)
		return mix_fail(m, "quota_write");
	if ((size_t)w < n) {
		if (errno != EDQUOT)
			return mix_fail(m, "quota_write short");
		m->edquot++;
	}
	return 0;
}

/* A nameless upload, then discarded or committed over a shared name. */
static int
mix_upload(struct mixer *m)
{
	char proc[64], tmp[32], to[32];
	int fd, rc = 0;

	fd = openat(rootfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	if (fd == -1)
		return 0;		/* no O_TMPFILE here */
	if (mix_write(m, fd, 1 + rand_r(&m->seed) % 2048, QUOTA_TMPFILE) == -1)
		rc = -1;
	else if (rand_r(&m->seed) % 3 == 0)
		quota_discard(m->q, fd);
	else {
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
		snprintf(tmp, sizeof tmp, "tmp%d", m->id);
		if (linkat(AT_FDCWD, proc, rootfd, tmp, AT_SYMLINK_FOLLOW) ==
		    -1) {
			quota_discard(m->q, fd);
			close(fd);
			return 0;
		}
		shared_name(m, to, sizeof to);
		if (quota_rename(m->q, rootfd, tmp, rootfd, to, 1) == -1) {
			if (errno != EDQUOT)
				rc = mix_fail(m, "quota_rename commit");
			else
				m->edquot++;
			if (quota_unlink(m->q, rootfd, tmp) == -1)
				rc = mix_fail(m, "quota_unlink tmp");
		}
	}
	close(fd);
	return rc;
}

static int
mix_one(struct mixer *m)
{
	char a[32], b[32];
	struct stat st;
	int fd, rc = 0, priv, op;

	op = (int)(rand_r(&m->seed) % 10);
	priv = rand_r(&m->seed) % 3 == 0;
	if (priv)
		private_name(m, a, sizeof a);
	else
		shared_name(m, a, sizeof a);
	switch (op) {
	case 0:		/* APPE */
		if ((fd = openat(rootfd, a, O_WRONLY | O_CREAT | O_APPEND |
		    O_CLOEXEC, 0644)) == -1)
			return mix_fail(m, "open append");
		rc = mix_write(m, fd, 1 + rand_r(&m->seed) % 2048, 0);
		close(fd);
		return rc;
	case 1:		/* overwrite in place, maybe running past the end */
		if ((fd = openat(rootfd, a, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) == -1)
			return mix_fail(m, "open overwrite");
		if (fstat(fd, &st) == -1)
			rc = mix_fail(m, "fstat");
		else if (lseek(fd, st.st_size > 0 ? (off_t)(rand_r(&m->seed) %
		    (unsigned)st.st_size) : 0, SEEK_SET) == -1)
			rc = mix_fail(m, "lseek");
		else
			rc = mix_write(m, fd, 1 + rand_r(&m->seed) % 512, 0);
		close(fd);
		return rc;
	case 2:		/* STOR (to 0) or, on a file of our own, REST+STOR */
		if ((fd = openat(rootfd, a, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) == -1)
			return mix_fail(m, "open truncate");
		if (fstat(fd, &st) == -1)
			rc = mix_fail(m, "fstat");
		else if (quota_truncate(m->q, fd, priv && st.st_size > 0 ?
		    (off_t)(rand_r(&m->seed) % (unsigned)st.st_size) : 0) == -1)
			rc = mix_fail(m, "quota_truncate");
		close(fd);
		return rc;
	case 3:		/* DELE */
		if (quota_unlink(m->q, rootfd, a) == -1 && errno != ENOENT)
			return mix_fail(m, "quota_unlink");
		return 0;
	case 4:		/* RNFR/RNTO onto a shared name */
	case 5:
		shared_name(m, b, sizeof b);
		if (quota_rename(m->q, rootfd, a, rootfd, b,
		    (int)(rand_r(&m->seed) % 2)) == -1) {
			if (errno == EDQUOT)
				m->edquot++;
			else if (errno != ENOENT)
				return mix_fail(m, "quota_rename");
		}
		return 0;
	case 6:		/* through the kept fd, whatever happened to it */
		if (m->fd == -1 && (m->fd = openat(rootfd, a, O_RDWR |
		    O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1)
			return mix_fail(m, "open kept");
		return mix_write(m, m->fd, 1 + rand_r(&m->seed) % 1024, 0);
	case 7:		/* keep another fd, written through its offset */
		if (m->fd != -1)
			close(m->fd);
		if ((m->fd = openat(rootfd, a, O_RDWR | O_CREAT | O_CLOEXEC,
		    0644)) == -1)
			return mix_fail(m, "open kept");
		return 0;
	case 8:		/* STOR through the kept fd */
		if (m->fd != -1 && quota_truncate(m->q, m->fd, 0) == -1)
			return mix_fail(m, "quota_truncate kept");
		return 0;
	default:	/* a replacement upload */
		return mix_upload(m);
	}
}

static void *
mixer_run(void *arg)
{
	struct mixer *m = arg;
	uint64_t used, limit;
	int i;

	for (i = 0; i < MIX_OPS; i++) {
		if (mix_one(m) == -1)
			break;
		quota_usage(m->q, &used, &limit);
		if (used > m->max_used)
			m->max_used = used;
	}
	if (m->fd != -1)
		close(m->fd);
	m->fd = -1;
	return NULL;
}

START_TEST(test_concurrent_mix)
{
	struct mixer m[MIXERS];
	pthread_t tid[MIXERS];
	struct quota *q;
	unsigned edquot = 0;
	int i;

	put_dir("d");
	put_file("s0", 4000);
	put_file("d/s5", 3000);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", MIX_LIMIT, rootfd));
	memset(m, 0, sizeof m);
	for (i = 0; i < MIXERS; i++) {
		m[i].q = q;
		m[i].id = i;
		m[i].seed = 0x9e37u * ((unsigned)i + 1);
		m[i].fd = -1;
	}
	for (i = 0; i < MIXERS; i++)
		ck_assert_int_eq(pthread_create(&tid[i], NULL, mixer_run,
		    &m[i]), 0);
	for (i = 0; i < MIXERS; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < MIXERS; i++) {
		ck_assert_msg(m[i].err[0] == '\0', "thread %d: %s", i,
		    m[i].err);
		ck_assert_msg(m[i].max_used <= MIX_LIMIT, "thread %d saw %ju "
		    "bytes used", i, (uintmax_t)m[i].max_used);
		edquot += m[i].edquot;
	}
	ck_assert_uint_le(used_of(q), MIX_LIMIT);
	assert_in_step(q);
	/* The limit was in play, or the test proved little. */
	ck_assert_uint_gt(edquot, 0);
	quota_put(tab, q);
}
END_TEST

#define GETTERS		8
#define GET_ROUNDS	200

struct getter {
	unsigned	 id;
	int		 bad;		/* a get failed or gave a wrong limit */
};

static void *
getter_run(void *arg)
{
	struct getter *g = arg;
	struct quota *q;
	int i;

	for (i = 0; i < GET_ROUNDS; i++) {
		if ((q = quota_get(tab, i % 2 ? "alice" : "bob", g->id, rootfd))
		    == NULL) {
			g->bad = 1;
			return NULL;
		}
		quota_put(tab, q);
	}
	return NULL;
}

START_TEST(test_get_put_concurrent)
{
	struct getter g[GETTERS];
	pthread_t tid[GETTERS];
	struct quota *q;
	int i;

	put_file("a", 10);
	for (i = 0; i < GETTERS; i++) {
		g[i].id = (unsigned)i + 1;
		g[i].bad = 0;
		ck_assert_int_eq(pthread_create(&tid[i], NULL, getter_run,
		    &g[i]), 0);
	}
	for (i = 0; i < GETTERS; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < GETTERS; i++)
		ck_assert_int_eq(g[i].bad, 0);
	/* Every reference went back: the next get measures afresh. */
	put_file("b", 5);
	ck_assert_ptr_nonnull(q = quota_get(tab, "alice", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 15);
	quota_put(tab, q);
	ck_assert_ptr_nonnull(q = quota_get(tab, "bob", 0, rootfd));
	ck_assert_uint_eq(used_of(q), 15);
	quota_put(tab, q);
}
END_TEST

/* One test case per behaviour. */
static void
add(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, make_sandbox, remove_sandbox);
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Generous: measure_deep walks 5000 folders, slow on a busy disk. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
quota_suite(void)
{
	Suite *s = suite_create("quota");

	add(s, "measure_regular_only", test_measure_regular_only);
	add(s, "measure_recursive", test_measure_recursive);
	add(s, "measure_no_follow", test_measure_no_follow);
	add(s, "measure_empty", test_measure_empty);
	add(s, "measure_deep", test_measure_deep);
	add(s, "deeper_than", test_deeper_than);
	add(s, "get_measures", test_get_measures);
	add(s, "get_shared_record", test_get_shared_record);
	add(s, "put_frees", test_put_frees);
	add(s, "limit_updates", test_limit_updates);
	add(s, "available", test_available);
	add(s, "get_limited", test_get_limited);
	add(s, "get_unmeasurable", test_get_unmeasurable);
	add(s, "write_charges_growth", test_write_charges_growth);
	add(s, "write_append_fd", test_write_append_fd);
	add(s, "write_stops_at_limit", test_write_stops_at_limit);
	add(s, "write_zero_room", test_write_zero_room);
	add(s, "write_credit", test_write_credit);
	add(s, "write_unlinked", test_write_unlinked);
	add(s, "write_tmpfile", test_write_tmpfile);
	add(s, "write_tmpfile_without_flag", test_write_tmpfile_without_flag);
	add(s, "discard", test_discard);
	add(s, "truncate", test_truncate);
	add(s, "unlink", test_unlink);
	add(s, "rename_credits_replaced", test_rename_credits_replaced);
	add(s, "rename_same_inode", test_rename_same_inode);
	add(s, "rename_check", test_rename_check);
	add(s, "concurrent_appends", test_concurrent_appends);
	add(s, "concurrent_mix", test_concurrent_mix);
	add(s, "get_put_concurrent", test_get_put_concurrent);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(quota_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
