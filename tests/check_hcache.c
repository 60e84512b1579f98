/*
 * check_hcache: unit tests for proto/hcache (a digest kept in an extended
 * attribute of its file) and proto/hashpipe (a digest on a thread of its
 * own):
 *
 *   value    encode and decode round trip; every malformed value refused
 *   fresh    the digest stays fresh untouched and goes stale after each
 *            kind of change: size, mtime, content rewritten in place with
 *            size and mtime put back, rename, a hard link's content, chmod,
 *            a copy with the attribute (another inode)
 *   put      refused for a file that changed while it was hashed
 *   pipe     the pipe's digest equals the one-shot digest for buffers of
 *            every size, file ranges between buffers, a short range,
 *            abandoning half-way, many small pieces with few slots
 *
 * Files live in a fresh temporary folder per test. A file system without
 * user attributes makes the fresh cases pass vacuously, so they first make
 * sure the folder's file system takes them (ext4 and tmpfs do).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "proto/hash.h"
#include "proto/hashpipe.h"
#include "proto/hcache.h"

static char sandbox[PATH_MAX];

static void
setup(void)
{
	snprintf(sandbox, sizeof(sandbox), "/tmp/check_hcache.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

static void
path_of(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", sandbox, name);
}

static int
file_with(const char *name, const char *data)
{
	char path[PATH_MAX + 64];
	int fd;

	path_of(name, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	return fd;
}

/* Hashes fd as a caller would and records the digest; returns its hex. */
static void
hash_and_put(int fd, char *hex)
{
	struct stat before;

	ck_assert_int_eq(fstat(fd, &before), 0);
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, UINT64_MAX, hex,
	    HASH_HEX_MAX, NULL), 0);
	ck_assert_msg(hcache_put(fd, hash_default(), &before, hex) == 0,
	    "hcache_put: %s", strerror(errno));
}

/* Sleeps past the attribute's window, so that a change lands after it. */
static void
past_window(void)
{
	struct timespec t = { 0, HCACHE_WINDOW_NS + 10 * 1000 * 1000 };

	nanosleep(&t, NULL);
}

static const char *
cached(int fd, char *hex)
{
	return hcache_get(fd, hash_default(), hex, HASH_HEX_MAX) == 0 ? hex :
	    NULL;
}

START_TEST(value_round_trip)
{
	struct hcache_stamp a = { 12345, 678, 1700000000, 123456789,
	    1700000001, 5, 1700000001, 20000005 }, b;
	char val[HCACHE_VALUE_MAX], hex[HASH_HEX_MAX];
	const char *digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9c"
	    "b410ff61f20015ad";
	int n = hcache_encode(&a, digest, val, sizeof(val));

	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(val, "burrow1 12345 678 1700000000.123456789 "
	    "1700000001.000000005 1700000001.020000005 ba7816bf8f01cfea414140"
	    "de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(hcache_decode(val, (size_t)n, &b, hex, sizeof(hex)), 0);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	ck_assert_str_eq(hex, digest);
	/* Too small a buffer, a digest that is not lowercase hex. */
	ck_assert_int_eq(hcache_encode(&a, digest, val, 40), -1);
	ck_assert_int_eq(hcache_encode(&a, "ABCD", val, sizeof(val)), -1);
	ck_assert_int_eq(hcache_encode(&a, "", val, sizeof(val)), -1);
}
END_TEST

START_TEST(value_malformed)
{
	static const char *bad[] = {
		"",
		"burrow1",
		"burrow2 1 2 3.000000000 4.000000000 5.000000000 abcd",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000 ",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000 abc",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000 ABCD",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000 ab cd",
		"burrow1 1 2 3.00000000 4.000000000 5.000000000 abcd",
		"burrow1 1 2 3.0000000000 4.000000000 5.000000000 abcd",
		"burrow1 -1 2 3.000000000 4.000000000 5.000000000 abcd",
		"burrow1 1 2 3 4 5 abcd",
		"burrow1 1  2 3.000000000 4.000000000 5.000000000 abcd",
		"burrow1 99999999999999999999 2 3.000000000 4.000000000 "
		    "5.000000000 abcd",
		"burrow1 1 9223372036854775808 3.000000000 4.000000000 "
		    "5.000000000 abcd",
		"burrow1 1 2 3.000000000 4.000000000 5.000000000 "
		    "0123456789012345678901234567890123456789012345678901234567"
		    "8901234567890123456789012345678901234567890123456789012345"
		    "678901234567890123",
	};
	struct hcache_stamp st;
	char hex[HASH_HEX_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hcache_decode(bad[i], strlen(bad[i]), &st, hex,
		    sizeof(hex)) == -1, "accepted: %s", bad[i]);
	/* A NUL inside is not a digest. */
	ck_assert_int_eq(hcache_decode("burrow1 1 2 3.000000000 4.000000000 "
	    "5.000000000 ab\0d", 52, &st, hex, sizeof(hex)), -1);
	/* Room for the digest is checked. */
	ck_assert_int_eq(hcache_decode("burrow1 1 2 3.000000000 4.000000000 "
	    "5.000000000 abcd", 52, &st, hex, 4), -1);
	ck_assert_int_eq(hcache_decode("burrow1 1 2 3.000000000 4.000000000 "
	    "5.000000000 abcd", 52, &st, hex, 5), 0);
}
END_TEST

START_TEST(fresh_untouched)
{
	char hex[HASH_HEX_MAX], got[HASH_HEX_MAX], name[64];
	int fd = file_with("f", "hello");

	ck_assert_ptr_null(cached(fd, got));	/* nothing yet */
	hash_and_put(fd, hex);
	ck_assert_ptr_nonnull(cached(fd, got));
	ck_assert_str_eq(got, hex);
	past_window();
	ck_assert_ptr_nonnull(cached(fd, got));	/* reading changes nothing */
	ck_assert_str_eq(got, hex);
	/* Another algorithm has an attribute of its own. */
	ck_assert_int_eq(hcache_get(fd, hash_find("SHA-512"), got, sizeof(got)),
	    -1);
	hcache_name(hash_find("SHA-512"), name, sizeof(name));
	ck_assert_str_eq(name, "user.burrow.hash.sha512");
	close(fd);
}
END_TEST

START_TEST(stale_size)
{
	char hex[HASH_HEX_MAX];
	int fd = file_with("f", "hello");

	hash_and_put(fd, hex);
	past_window();
	ck_assert_int_eq(write(fd, "!", 1), 1);
	ck_assert_ptr_null(cached(fd, hex));
	close(fd);
}
END_TEST

START_TEST(stale_mtime)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000, 0 } };
	char hex[HASH_HEX_MAX];
	int fd = file_with("f", "hello");

	hash_and_put(fd, hex);
	ck_assert_int_eq(futimens(fd, ts), 0);
	ck_assert_ptr_null(cached(fd, hex));
	close(fd);
}
END_TEST

START_TEST(stale_rewritten_in_place)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	char hex[HASH_HEX_MAX];
	struct stat st;
	int fd = file_with("f", "hello");

	hash_and_put(fd, hex);
	ck_assert_int_eq(fstat(fd, &st), 0);
	past_window();
	/* Same size, and the old mtime put back: only the ctime tells. */
	ck_assert_int_eq(pwrite(fd, "HELLO", 5, 0), 5);
	ts[1] = st.st_mtim;
	ck_assert_int_eq(futimens(fd, ts), 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert_ptr_null(cached(fd, hex));
	close(fd);
}
END_TEST

START_TEST(stale_rename)
{
	char hex[HASH_HEX_MAX], a[PATH_MAX + 64], b[PATH_MAX + 64];
	int fd = file_with("f", "hello");

	hash_and_put(fd, hex);
	past_window();
	path_of("f", a, sizeof(a));
	path_of("g", b, sizeof(b));
	ck_assert_int_eq(rename(a, b), 0);
	ck_assert_ptr_null(cached(fd, hex));
	close(fd);
}
END_TEST

START_TEST(stale_hard_link)
{
	char hex[HASH_HEX_MAX], a[PATH_MAX + 64], b[PATH_MAX + 64];
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct stat st;
	int fd = file_with("f", "hello"), fd2;

	path_of("f", a, sizeof(a));
	path_of("link", b, sizeof(b));
	ck_assert_int_eq(link(a, b), 0);
	hash_and_put(fd, hex);
	ck_assert_int_eq(fstat(fd, &st), 0);
	past_window();
	/* Through the other name, mtime put back. */
	fd2 = open(b, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ne(fd2, -1);
	ck_assert_int_eq(pwrite(fd2, "j", 1, 0), 1);
	ts[1] = st.st_mtim;
	ck_assert_int_eq(futimens(fd2, ts), 0);
	close(fd2);
	ck_assert_ptr_null(cached(fd, hex));
	close(fd);
}
END_TEST

START_TEST(stale_chmod_and_copy)
{
	char hex[HASH_HEX_MAX], val[HCACHE_VALUE_MAX], name[64];
	ssize_t n;
	int fd = file_with("f", "hello"), fd2;

	hash_and_put(fd, hex);
	past_window();
	ck_assert_int_eq(fchmod(fd, 0600), 0);
	ck_assert_ptr_null(cached(fd, hex));

	/* A copy that kept the attribute (cp --preserve=xattr) is another
	 * inode with the same size and mtime. */
	hash_and_put(fd, hex);
	hcache_name(hash_default(), name, sizeof(name));
	n = fgetxattr(fd, name, val, sizeof(val));
	ck_assert_int_gt(n, 0);
	fd2 = file_with("copy", "hello");
	ck_assert_int_eq(fsetxattr(fd2, name, val, (size_t)n, 0), 0);
	ck_assert_ptr_null(cached(fd2, hex));
	close(fd2);
	close(fd);
}
END_TEST

START_TEST(put_refuses_changed)
{
	char hex[HASH_HEX_MAX];
	struct stat before;
	int fd = file_with("f", "hello");

	ck_assert_int_eq(fstat(fd, &before), 0);
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), NULL), 0);
	ck_assert_int_eq(write(fd, "more", 4), 4);	/* while "hashing" */
	ck_assert_int_eq(hcache_put(fd, hash_default(), &before, hex), -1);
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_ptr_null(cached(fd, hex));
	/* A digest of the wrong length for the algorithm. */
	ck_assert_int_eq(fstat(fd, &before), 0);
	ck_assert_int_eq(hcache_put(fd, hash_default(), &before, "abcd"), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

/* Fills buf with a pattern that differs at every offset. */
static void
pattern(unsigned char *buf, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

/* The one-shot digest of n bytes. */
static void
oneshot(const void *data, size_t n, char *hex)
{
	struct hash_ctx *h = hash_begin(hash_default());

	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(hash_update(h, data, n), 0);
	ck_assert_int_eq(hash_end(h, hex, HASH_HEX_MAX), 0);
}

START_TEST(pipe_buffers)
{
	static const size_t sizes[] = { 0, 1, 63, 64, 4096, 65535, 65536,
	    65537, 300000, 1048576 + 7 };
	size_t i, off, piece;
	unsigned char *data;
	char want[HASH_HEX_MAX], got[HASH_HEX_MAX];

	data = malloc(1048576 + 7);
	ck_assert_ptr_nonnull(data);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct hashpipe *hp = hashpipe_new(hash_default(), 3, 65536);

		ck_assert_ptr_nonnull(hp);
		ck_assert_uint_eq(hashpipe_bufsize(hp), 65536);
		pattern(data, sizes[i], (unsigned)i);
		oneshot(data, sizes[i], want);
		/* Pieces of every length up to a whole buffer. */
		for (off = 0, piece = 1; off < sizes[i]; off += piece,
		    piece = piece * 3 % 65536 + 1) {
			void *b = hashpipe_buf(hp);

			if (piece > sizes[i] - off)
				piece = sizes[i] - off;
			memcpy(b, data + off, piece);
			hashpipe_put(hp, piece);
		}
		ck_assert_int_eq(hashpipe_end(hp, got, sizeof(got)), 0);
		ck_assert_msg(strcmp(got, want) == 0, "size %zu", sizes[i]);
	}
	free(data);
}
END_TEST

START_TEST(pipe_file_ranges)
{
	unsigned char *data = malloc(600000);
	char want[HASH_HEX_MAX], got[HASH_HEX_MAX], path[PATH_MAX + 64];
	struct hashpipe *hp;
	int fd;

	ck_assert_ptr_nonnull(data);
	pattern(data, 600000, 9);
	path_of("r", path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, 500000), 500000);

	/* A resume: the kept prefix from the file, then the rest as it
	 * arrives, into one digest. */
	oneshot(data, 600000, want);
	hp = hashpipe_new(hash_default(), 4, 32768);
	ck_assert_ptr_nonnull(hp);
	hashpipe_file(hp, fd, 0, 200000);
	memcpy(hashpipe_buf(hp), data + 200000, 1000);
	hashpipe_put(hp, 1000);
	hashpipe_file(hp, fd, 201000, UINT64_MAX);	/* to its end: 500000 */
	memcpy(hashpipe_buf(hp), data + 500000, 32768);
	hashpipe_put(hp, 32768);
	hashpipe_file(hp, fd, 0, 0);			/* nothing */
	for (size_t off = 532768; off < 600000; off += 32768) {
		size_t n = 600000 - off < 32768 ? 600000 - off : 32768;

		memcpy(hashpipe_buf(hp), data + off, n);
		hashpipe_put(hp, n);
	}
	ck_assert_int_eq(hashpipe_end(hp, got, sizeof(got)), 0);
	ck_assert_str_eq(got, want);

	/* A range the file does not have fails the digest; the pipe still
	 * takes what comes after it. */
	hp = hashpipe_new(hash_default(), 2, 4096);
	ck_assert_ptr_nonnull(hp);
	hashpipe_file(hp, fd, 0, 500001);
	for (int k = 0; k < 10; k++) {
		memset(hashpipe_buf(hp), 'x', 4096);
		hashpipe_put(hp, 4096);
	}
	ck_assert_int_eq(hashpipe_end(hp, got, sizeof(got)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_str_eq(got, "");
	/* A digest that does not fit. */
	hp = hashpipe_new(hash_default(), 2, 4096);
	ck_assert_int_eq(hashpipe_end(hp, got, 10), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	close(fd);
	free(data);
}
END_TEST

START_TEST(pipe_abandon)
{
	char path[PATH_MAX + 64];
	struct hashpipe *hp;
	unsigned char *big = calloc(1, 8 << 20);
	int fd, k;

	ck_assert_ptr_nonnull(big);
	path_of("big", path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_eq(write(fd, big, 8 << 20), 8 << 20);
	/* A long range, then buffers, then given up half-way. */
	hp = hashpipe_new(hash_default(), 2, 4096);
	ck_assert_ptr_nonnull(hp);
	hashpipe_file(hp, fd, 0, UINT64_MAX);
	for (k = 0; k < 3; k++) {
		memset(hashpipe_buf(hp), k, 4096);
		hashpipe_put(hp, 4096);
	}
	hashpipe_abandon(hp);
	hashpipe_abandon(NULL);
	/* Bad arguments. */
	ck_assert_ptr_null(hashpipe_new(hash_default(), 1, 4096));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(hashpipe_new(NULL, 2, 4096));
	ck_assert_ptr_null(hashpipe_new(hash_default(), 2, 0));
	close(fd);
	free(big);
}
END_TEST

static Suite *
hcache_suite(void)
{
	Suite *s = suite_create("hcache");
	TCase *tc;
	int supported;
	char path[PATH_MAX + 64];

	/* Does this file system take user attributes at all? */
	snprintf(path, sizeof(path), "/tmp/check_hcache.probe.%ld",
	    (long)getpid());
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	supported = setxattr(path, "user.burrow.probe", "1", 1, 0) == 0;
	unlink(path);

	tc = tcase_create("value");
	tcase_add_test(tc, value_round_trip);
	tcase_add_test(tc, value_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("fresh");
	tcase_add_checked_fixture(tc, setup, teardown);
	if (supported) {
		tcase_add_test(tc, fresh_untouched);
		tcase_add_test(tc, stale_size);
		tcase_add_test(tc, stale_mtime);
		tcase_add_test(tc, stale_rewritten_in_place);
		tcase_add_test(tc, stale_rename);
		tcase_add_test(tc, stale_hard_link);
		tcase_add_test(tc, stale_chmod_and_copy);
		tcase_add_test(tc, put_refuses_changed);
	} else
		fprintf(stderr, "check_hcache: /tmp takes no user attributes; "
		    "the fresh cases are left out\n");
	suite_add_tcase(s, tc);

	tc = tcase_create("pipe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, pipe_buffers);
	tcase_add_test(tc, pipe_file_ranges);
	tcase_add_test(tc, pipe_abandon);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hcache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
