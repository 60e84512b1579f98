/*
 * check_journal: the queue's journal (tui/journal.c): records round trip;
 * ended items drop out; a torn last record is ignored at every byte it
 * can be cut at, and a flipped byte anywhere stops the reading there
 * (nothing after it trusted); an open cuts the torn tail so new records
 * follow good ones; reset empties; the file is 0600 in 0700 folders, and
 * locked against a second opener; long paths; the XDG path.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/journal.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static char err[512];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/state/burrow/queue-x", dir);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Appends a record to buf at *at. */
static void
put(unsigned char *buf, size_t len, size_t *at, unsigned id, int up,
    uint64_t size, const char *src, const char *dst)
{
	int n = journal_record(buf + *at, len - *at, id, up, size, src, dst);

	ck_assert_int_gt(n, 0);
	*at += (size_t)n;
}

/* Three added, the second ended: items 1 and 3 remain. */
static size_t
sample(unsigned char *buf, size_t len, size_t *ends)
{
	size_t at = 0;

	put(buf, len, &at, 1, 1, 100, "/l/a b.txt", "/r/a b.txt");
	ends[0] = at;
	put(buf, len, &at, 2, 0, 0, "/r/tree", "/l/tree");
	ends[1] = at;
	put(buf, len, &at, 3, 0, 1ULL << 40, "/r/big", "/l/big");
	ends[2] = at;
	put(buf, len, &at, 2, 0, 0, NULL, NULL);
	ends[3] = at;
	return at;
}

START_TEST(test_round_trip)
{
	unsigned char buf[4096];
	struct journal_item *v;
	size_t n, good, ends[4], len = sample(buf, sizeof(buf), ends);

	ck_assert_int_eq(journal_parse(buf, len, &v, &n, &good), 0);
	ck_assert_uint_eq(good, len);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[0].id, 1);
	ck_assert_int_eq(v[0].upload, 1);
	ck_assert_uint_eq(v[0].size, 100);
	ck_assert_str_eq(v[0].src, "/l/a b.txt");
	ck_assert_str_eq(v[0].dst, "/r/a b.txt");
	ck_assert_uint_eq(v[1].id, 3);
	ck_assert_int_eq(v[1].upload, 0);
	ck_assert_uint_eq(v[1].size, 1ULL << 40);
	ck_assert_str_eq(v[1].dst, "/l/big");
	journal_items_free(v, n);
	/* Nothing at all. */
	ck_assert_int_eq(journal_parse(buf, 0, &v, &n, &good), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(good, 0);
	journal_items_free(v, n);
}
END_TEST

/* Cut at every byte: what is read is the whole records before the cut. */
START_TEST(test_torn_everywhere)
{
	unsigned char buf[4096];
	struct journal_item *v;
	size_t n, good, ends[4], len = sample(buf, sizeof(buf), ends), cut;
	size_t want_n, want_good;

	for (cut = 0; cut <= len; cut++) {
		ck_assert_int_eq(journal_parse(buf, cut, &v, &n, &good), 0);
		if (cut < ends[0])
			want_n = 0, want_good = 0;
		else if (cut < ends[1])
			want_n = 1, want_good = ends[0];
		else if (cut < ends[2])
			want_n = 2, want_good = ends[1];
		else if (cut < ends[3])
			want_n = 3, want_good = ends[2];
		else
			want_n = 2, want_good = ends[3];
		ck_assert_msg(n == want_n && good == want_good,
		    "cut at %zu: %zu items, %zu good", cut, n, good);
		journal_items_free(v, n);
	}
}
END_TEST

/* A flipped byte in a record: the reading stops before that record. */
START_TEST(test_flipped_byte)
{
	unsigned char buf[4096];
	struct journal_item *v;
	size_t n, good, ends[4], len = sample(buf, sizeof(buf), ends), i, r;

	for (i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		ck_assert_int_eq(journal_parse(buf, len, &v, &n, &good), 0);
		for (r = 0; r < 4 && ends[r] <= i; r++)
			;
		ck_assert_msg(good == (r == 0 ? 0 : ends[r - 1]),
		    "flip at %zu: %zu good", i, good);
		ck_assert_uint_lt(good, len);
		journal_items_free(v, n);
		buf[i] ^= 0x20;
	}
}
END_TEST

/* Well-framed records that make no sense stop the reading too. */
START_TEST(test_nonsense)
{
	unsigned char buf[512];
	struct journal_item *v;
	size_t n, good, at = 0;

	/* The same item added twice. */
	put(buf, sizeof(buf), &at, 1, 1, 5, "/a", "/b");
	put(buf, sizeof(buf), &at, 1, 1, 5, "/a", "/b");	/* same id */
	ck_assert_int_eq(journal_parse(buf, at, &v, &n, &good), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_lt(good, at);
	journal_items_free(v, n);
	/* A relative path. */
	at = 0;
	put(buf, sizeof(buf), &at, 4, 1, 5, "relative", "/b");
	ck_assert_int_eq(journal_parse(buf, at, &v, &n, &good), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(good, 0);
	journal_items_free(v, n);
	/* An end for an item never added is no harm. */
	at = 0;
	put(buf, sizeof(buf), &at, 9, 0, 0, NULL, NULL);
	ck_assert_int_eq(journal_parse(buf, at, &v, &n, &good), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(good, at);
	journal_items_free(v, n);
	/* One path without the other cannot be formatted. */
	ck_assert_int_eq(journal_record(buf, sizeof(buf), 1, 0, 0, "/a",
	    NULL), -1);
}
END_TEST

START_TEST(test_file)
{
	struct journal *j, *k;
	struct journal_item *v;
	struct stat st;
	char d[PATH_MAX + 32];
	size_t n;
	int damaged, fd;

	/* No file: no items. */
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(damaged, 0);
	ck_assert_ptr_nonnull(j = journal_open(file, err, sizeof(err)));
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(d, sizeof(d), "%s/state/burrow", dir);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	/* A second opener is turned away. */
	ck_assert_ptr_null(k = journal_open(file, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "in use by another burrow"));
	ck_assert_int_eq(journal_added(j, 1, 1, 10, "/l/a", "/r/a"), 0);
	ck_assert_int_eq(journal_added(j, 2, 0, 20, "/r/b", "/l/b"), 0);
	ck_assert_int_eq(journal_ended(j, 1), 0);
	ck_assert_int_eq(journal_sync(j), 0);
	ck_assert_int_eq(journal_sync(j), 0);	/* nothing new: no harm */
	journal_close(j);
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].src, "/r/b");
	ck_assert_int_eq(damaged, 0);
	journal_items_free(v, n);
	/* A torn tail (half a record): seen as damage, then cut by the next
	 * open so that new records follow the good ones. */
	ck_assert_int_ge(fd = open(file, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, "\x30\x00\x00\x00garbage", 11), 11);
	close(fd);
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(damaged, 1);
	journal_items_free(v, n);
	ck_assert_ptr_nonnull(j = journal_open(file, err, sizeof(err)));
	ck_assert_int_eq(journal_added(j, 3, 1, 30, "/l/c", "/r/c"), 0);
	journal_close(j);
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[1].id, 3);
	ck_assert_int_eq(damaged, 0);
	journal_items_free(v, n);
	/* Reset: empty. */
	ck_assert_ptr_nonnull(j = journal_open(file, err, sizeof(err)));
	ck_assert_int_eq(journal_reset(j), 0);
	ck_assert_int_eq(journal_added(j, 4, 1, 1, "/l/d", "/r/d"), 0);
	journal_close(j);
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].id, 4);
	journal_items_free(v, n);
	/* A link in its place is not followed. */
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_eq(symlink("/etc/passwd", file), 0);
	ck_assert_ptr_null(journal_open(file, err, sizeof(err)));
	ck_assert_int_eq(journal_load(file, &v, &n, &damaged, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_long_paths)
{
	unsigned char buf[2 * 4096 + 128];
	char *src = malloc(4096), *dst = malloc(4096);
	struct journal_item *v;
	size_t n, good;
	int len;

	memset(src, 'a', 4095);
	src[0] = '/';
	src[4095] = '\0';
	memset(dst, 'b', 4095);
	dst[0] = '/';
	dst[4095] = '\0';
	len = journal_record(buf, sizeof(buf), 7, 1, 1, src, dst);
	ck_assert_int_gt(len, 8190);
	ck_assert_int_eq(journal_parse(buf, (size_t)len, &v, &n, &good), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].src, src);
	ck_assert_str_eq(v[0].dst, dst);
	journal_items_free(v, n);
	/* No room: refused, not cut. */
	ck_assert_int_eq(journal_record(buf, 100, 7, 1, 1, src, dst), -1);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_path)
{
	char p[PATH_MAX];

	setenv("XDG_STATE_HOME", "/x/state", 1);
	ck_assert_int_eq(journal_path("harry@127.0.0.1:2121", p, sizeof(p)),
	    0);
	ck_assert_str_eq(p, "/x/state/burrow/queue-harry@127.0.0.1%3A2121");
	ck_assert_int_eq(journal_path("a/../b c", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/state/burrow/queue-a%2F..%2Fb%20c");
	ck_assert_int_eq(journal_path("", p, sizeof(p)), -1);
	ck_assert_int_eq(journal_path("abc", p, 20), -1);
	setenv("XDG_STATE_HOME", "relative", 1);
	setenv("HOME", "/home/h", 1);
	ck_assert_int_eq(journal_path("s", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/h/.local/state/burrow/queue-s");
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	ck_assert_int_eq(journal_path("s", p, sizeof(p)), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("journal");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_torn_everywhere);
	tcase_add_test(tc, test_flipped_byte);
	tcase_add_test(tc, test_nonsense);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_long_paths);
	tcase_add_test(tc, test_path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
