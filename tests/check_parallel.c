/*
 * check_parallel: unit tests for the transfer engine's parallel copies
 * (tui/xfer.c with an xfer_pool), between two local file systems:
 *
 *   split    a tree's files are shared out file by file over the pool's
 *            logins and the caller's: every file arrives, verified, and
 *            more than one login moved some
 *   backoff  a pool whose further logins are refused goes on with those
 *            that worked, says so once, and asks for no more later
 *   none     no further login at all: the caller's moves everything
 *   cancel   the cancel flag stops every login; what was not started is
 *            dropped, and the copy says canceled
 *   parts    the plan of a download in ranges (tui/parts.c): planning,
 *            the file's text both ways, refusals of a damaged one,
 *            splitting, what is done, the file's name
 *
 * Each test works in a fresh temporary folder; the fs's start there.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "tui/fs.h"
#include "tui/parts.h"
#include "tui/xfer.h"

#define FILES_PER_DIR	20
#define DIRS		3

static char root[PATH_MAX];

/* What the callbacks saw, from every login's thread. */
struct seen {
	pthread_mutex_t	 lock;
	unsigned	 opens;		/* open_pair() calls */
	unsigned	 open_ok;	/* how many may succeed (UINT_MAX: all) */
	unsigned	 done;		/* XFER_EV_DONE */
	unsigned	 verified;	/* of which "verified by ..." */
	unsigned	 slots;		/* bit per slot that reported progress */
	unsigned	 notices;
	char		 notice[512];
	volatile int	 cancel;
	unsigned	 cancel_after;	/* raise cancel at this many done, 0 never */
};

static struct seen seen;

static void
make_tree(void)
{
	char path[PATH_MAX + 64], buf[3000];
	int d, f, fd;

	snprintf(path, sizeof(path), "%s/src", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (d = 0; d < DIRS; d++) {
		snprintf(path, sizeof(path), "%s/src/d%d", root, d);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		for (f = 0; f < FILES_PER_DIR; f++) {
			snprintf(path, sizeof(path), "%s/src/d%d/f%02d", root,
			    d, f);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
			ck_assert_int_ge(fd, 0);
			memset(buf, 'a' + d, sizeof(buf));
			snprintf(buf, sizeof(buf), "file %d/%d", d, f);
			ck_assert_int_eq(write(fd, buf, 1000 + 97 * f),
			    1000 + 97 * f);
			close(fd);
		}
	}
}

/* 1 when every file of the tree is at dst with the same bytes. */
static int
same_tree(const char *dst, unsigned *count)
{
	char a[PATH_MAX + 64], b[PATH_MAX + 64], x[4096], y[4096];
	int d, f, ok = 1;
	FILE *fa, *fb;
	size_t na, nb;

	*count = 0;
	for (d = 0; d < DIRS; d++)
		for (f = 0; f < FILES_PER_DIR; f++) {
			snprintf(a, sizeof(a), "%s/src/d%d/f%02d", root, d, f);
			snprintf(b, sizeof(b), "%s/%s/d%d/f%02d", root, dst, d,
			    f);
			if ((fb = fopen(b, "rb")) == NULL) {
				ok = 0;
				continue;
			}
			fa = fopen(a, "rb");
			ck_assert_ptr_nonnull(fa);
			na = fread(x, 1, sizeof(x), fa);
			nb = fread(y, 1, sizeof(y), fb);
			if (na != nb || memcmp(x, y, na) != 0)
				ok = 0;
			else
				(*count)++;
			fclose(fa);
			fclose(fb);
		}
	return ok;
}

static int
open_pair(void *arg, struct fs **remote, struct fs **local, char *err,
    size_t errlen)
{
	struct seen *s = arg;
	int refuse;

	pthread_mutex_lock(&s->lock);
	refuse = s->opens++ >= s->open_ok;
	pthread_mutex_unlock(&s->lock);
	if (refuse) {
		snprintf(err, errlen, "421 Too many connections");
		return -1;
	}
	/* Both sides local: the engine needs no server for its logic. */
	*remote = fs_local_new(root, err, errlen);
	*local = fs_local_new(root, err, errlen);
	ck_assert_ptr_nonnull(*remote);
	ck_assert_ptr_nonnull(*local);
	return 0;
}

static void
on_event(void *arg, enum xfer_event ev, const char *src, const char *dst,
    const char *msg)
{
	struct seen *s = arg;

	(void)src;
	(void)dst;
	if (ev != XFER_EV_DONE)
		return;
	pthread_mutex_lock(&s->lock);
	s->done++;
	if (strncmp(msg, "verified by ", 12) == 0)
		s->verified++;
	if (s->cancel_after != 0 && s->done >= s->cancel_after)
		__atomic_store_n(&s->cancel, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->lock);
}

static void
on_progress(void *arg, const struct xfer_progress *p)
{
	struct seen *s = arg;

	ck_assert_uint_lt(p->slot, XFER_PARALLEL_MAX);
	pthread_mutex_lock(&s->lock);
	s->slots |= 1u << p->slot;
	pthread_mutex_unlock(&s->lock);
}

static void
on_notice(void *arg, const char *msg)
{
	struct seen *s = arg;

	pthread_mutex_lock(&s->lock);
	s->notices++;
	snprintf(s->notice, sizeof(s->notice), "%s", msg);
	pthread_mutex_unlock(&s->lock);
}

static int
copy(struct xfer_pool *pool, const char *dst, struct xfer_stats *st)
{
	struct fs *a, *b;
	struct xfer_opts o;
	char err[1024];
	int rc;

	a = fs_local_new(root, err, sizeof(err));
	b = fs_local_new(root, err, sizeof(err));
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	a->cancel = b->cancel = &seen.cancel;
	memset(&o, 0, sizeof(o));
	o.resume_flags = RESUME_ALLOW;
	o.verify = 1;
	o.event = on_event;
	o.progress = on_progress;
	o.notice = on_notice;
	o.pool = pool;
	o.arg = &seen;
	memset(st, 0, sizeof(*st));
	/* Relative paths: every login must find them from its own folder. */
	rc = xfer_copy(a, "src", b, dst, &o, st, err, sizeof(err));
	fs_free(a);
	fs_free(b);
	return rc;
}

static void
setup(void)
{
	snprintf(root, sizeof(root), "%s/check_parallel.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(root));
	memset(&seen, 0, sizeof(seen));
	pthread_mutex_init(&seen.lock, NULL);
	seen.open_ok = UINT_MAX;
	make_tree();
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	pthread_mutex_destroy(&seen.lock);
}

START_TEST(test_split)
{
	struct xfer_pool *pool = xfer_pool_new(4, open_pair, &seen);
	struct xfer_stats st;
	unsigned n;

	ck_assert_ptr_nonnull(pool);
	ck_assert_uint_eq(xfer_pool_size(pool), 4);
	ck_assert_int_eq(copy(pool, "dst", &st), FS_OK);
	ck_assert(same_tree("dst", &n));
	ck_assert_uint_eq(n, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(st.files, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(st.verified, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(seen.done, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(seen.verified, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(seen.opens, 3);
	/* The files went to more than one login. */
	ck_assert_msg(__builtin_popcount(seen.slots) >= 2, "slots %#x",
	    seen.slots);
	ck_assert_uint_eq(seen.notices, 0);
	/* A second copy reuses the logins: no new ones, and every file
	 * found identical. */
	seen.done = 0;
	ck_assert_int_eq(copy(pool, "dst", &st), FS_OK);
	ck_assert_uint_eq(seen.opens, 3);
	ck_assert_uint_eq(st.skipped, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(st.files, 0);
	xfer_pool_free(pool);
}
END_TEST

START_TEST(test_backoff)
{
	struct xfer_pool *pool = xfer_pool_new(4, open_pair, &seen);
	struct xfer_stats st;
	unsigned n, opens;

	seen.open_ok = 1;		/* the second further login is refused */
	ck_assert_int_eq(copy(pool, "dst", &st), FS_OK);
	ck_assert(same_tree("dst", &n));
	ck_assert_uint_eq(st.files, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(seen.notices, 1);
	ck_assert_msg(strstr(seen.notice, "took 2 of the 4") != NULL &&
	    strstr(seen.notice, "421 Too many") != NULL &&
	    strstr(seen.notice, "going on with 2") != NULL, "%s", seen.notice);
	ck_assert_uint_eq(xfer_pool_size(pool), 2);
	/* Later copies ask for no more logins and say nothing again. */
	opens = seen.opens;
	ck_assert_int_eq(copy(pool, "dst2", &st), FS_OK);
	ck_assert(same_tree("dst2", &n));
	ck_assert_uint_eq(seen.opens, opens);
	ck_assert_uint_eq(seen.notices, 1);
	xfer_pool_free(pool);
}
END_TEST

START_TEST(test_none)
{
	struct xfer_pool *pool = xfer_pool_new(3, open_pair, &seen);
	struct xfer_stats st;
	unsigned n;

	seen.open_ok = 0;
	ck_assert_int_eq(copy(pool, "dst", &st), FS_OK);
	ck_assert(same_tree("dst", &n));
	ck_assert_uint_eq(st.files, DIRS * FILES_PER_DIR);
	ck_assert_uint_eq(seen.slots, 1);	/* the caller's alone */
	ck_assert_uint_eq(seen.notices, 1);
	ck_assert_msg(strstr(seen.notice, "took 1 of the 3") != NULL, "%s",
	    seen.notice);
	ck_assert_uint_eq(xfer_pool_size(pool), 1);
	xfer_pool_free(pool);
}
END_TEST

START_TEST(test_cancel)
{
	struct xfer_pool *pool = xfer_pool_new(4, open_pair, &seen);
	struct xfer_stats st;
	unsigned n;

	seen.cancel_after = 5;
	ck_assert_int_eq(copy(pool, "dst", &st), FS_CANCELED);
	(void)same_tree("dst", &n);
	/* Those already under way when the flag rose may end; no more. */
	ck_assert_uint_ge(n, 5);
	ck_assert_uint_le(n, 5 + 4);
	ck_assert_uint_lt(st.files, DIRS * FILES_PER_DIR);
	xfer_pool_free(pool);
}
END_TEST

START_TEST(test_pool_args)
{
	ck_assert_ptr_null(xfer_pool_new(0, open_pair, NULL));
	ck_assert_ptr_null(xfer_pool_new(XFER_PARALLEL_MAX + 1, open_pair,
	    NULL));
	ck_assert_ptr_null(xfer_pool_new(2, NULL, NULL));
	ck_assert_uint_eq(xfer_pool_size(NULL), 1);
	xfer_pool_free(NULL);
}
END_TEST

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* An open function that only asks the gate, as a held login would. */
static struct xfer_pool *gate_pool;
static int gate_said[XFER_PARALLEL_MAX], gate_asked;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;

static int
open_gated(void *arg, struct fs **remote, struct fs **local, char *err,
    size_t errlen)
{
	int r = xfer_pool_gate(gate_pool);

	(void)arg;
	pthread_mutex_lock(&gate_lock);
	gate_said[gate_asked++] = r;
	pthread_mutex_unlock(&gate_lock);
	*remote = *local = NULL;
	if (r != 0) {
		snprintf(err, errlen, "gated %d", r);
		return -1;
	}
	*remote = fs_local_new(root, err, errlen);
	*local = fs_local_new(root, err, errlen);
	ck_assert_ptr_nonnull(*remote);
	ck_assert_ptr_nonnull(*local);
	return 0;
}

static int
gate_count(void)
{
	int n;

	pthread_mutex_lock(&gate_lock);
	n = gate_asked;
	pthread_mutex_unlock(&gate_lock);
	return n;
}

START_TEST(test_pool_gate)
{
	int i;

	/* Connected ahead, never wanted: every held login is told -1. */
	gate_asked = 0;
	ck_assert_ptr_nonnull(gate_pool = xfer_pool_new(4, open_gated, NULL));
	xfer_pool_connect(gate_pool);
	nap_ms(50);
	ck_assert_int_eq(gate_count(), 0);	/* all held */
	xfer_pool_free(gate_pool);
	ck_assert_int_eq(gate_asked, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(gate_said[i], -1);
	/* Wanted: each goes on (0). */
	gate_asked = 0;
	ck_assert_ptr_nonnull(gate_pool = xfer_pool_new(4, open_gated, NULL));
	xfer_pool_connect(gate_pool);
	xfer_pool_warm(gate_pool);
	for (i = 0; i < 1000 && gate_count() < 3; i++)
		nap_ms(10);
	ck_assert_uint_eq(xfer_pool_size(gate_pool), 4);
	xfer_pool_free(gate_pool);
	ck_assert_int_eq(gate_asked, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(gate_said[i], 0);
	/* A pool never connected ahead has its gate open. */
	ck_assert_ptr_nonnull(gate_pool = xfer_pool_new(2, open_gated, NULL));
	ck_assert_int_eq(xfer_pool_gate(gate_pool), 0);
	xfer_pool_free(gate_pool);
}
END_TEST

START_TEST(test_parts_plan)
{
	struct parts p;
	unsigned i;

	ck_assert_int_eq(parts_plan(&p, 1000, 77, 4), 0);
	ck_assert_uint_eq(p.n, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(p.r[i].start, 250 * i);
		ck_assert_uint_eq(p.r[i].end, 250 * (i + 1));
		ck_assert_uint_eq(p.r[i].done, 0);
	}
	/* An uneven size: the last range takes the rest. */
	ck_assert_int_eq(parts_plan(&p, 1003, 0, 4), 0);
	ck_assert_uint_eq(p.r[3].start, 750);
	ck_assert_uint_eq(p.r[3].end, 1003);
	/* Fewer bytes than ranges: one byte each. */
	ck_assert_int_eq(parts_plan(&p, 3, 0, 8), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(p.r[2].end, 3);
	ck_assert_int_eq(parts_plan(&p, 0, 0, 4), -1);
	ck_assert_int_eq(parts_plan(&p, 10, 0, 0), -1);
	ck_assert_int_eq(parts_plan(&p, 10, 0, PARTS_MAX + 1), -1);
}
END_TEST

START_TEST(test_parts_text)
{
	struct parts p, q;
	char buf[PARTS_TEXT_MAX];
	int n;

	ck_assert_int_eq(parts_plan(&p, 268435456, 1764772800, 4), 0);
	p.r[1].done = 12345;
	p.r[3].done = p.r[3].end - p.r[3].start;
	n = parts_format(&p, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "burrow-parts 1\nsize 268435456\n"
	    "mtime 1764772800\nrange 0 67108864 0\n"
	    "range 67108864 134217728 12345\n"
	    "range 134217728 201326592 0\n"
	    "range 201326592 268435456 67108864\n");
	ck_assert_int_eq(parts_parse(buf, &q), 0);
	ck_assert_uint_eq(q.n, 4);
	ck_assert_uint_eq(q.size, p.size);
	ck_assert_int_eq(q.mtime, p.mtime);
	ck_assert_uint_eq(q.r[1].done, 12345);
	ck_assert_uint_eq(parts_done(&q), 12345 + 67108864ULL);
	ck_assert(!parts_complete(&q));
	ck_assert_int_eq(parts_format(&p, buf, 40), -1);
}
END_TEST

START_TEST(test_parts_refused)
{
	static const char *bad[] = {
		"",
		"burrow-parts 2\nsize 10\nmtime 0\nrange 0 10 0\n",
		"burrow-parts 1\nsize 0\nmtime 0\n",
		"burrow-parts 1\nsize 10\nmtime 0\n",		/* no range */
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0 5 0\n",	/* gap */
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0 5 0\n"
		    "range 4 10 0\n",				/* overlap */
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0 10 11\n",
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0 10 0",	/* cut */
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0 12 0\n",
		"burrow-parts 1\nsize 10\nmtime 0\nrange 0  10 0\n",
		"burrow-parts 1\nsize 99999999999999999999\nmtime 0\n"
		    "range 0 10 0\n",
		"burrow-parts 1\nsize 10\nmtime -1\nrange 0 10 0\n",
		"burrow-parts 1\nsize 10\nmtime 0\nrange 5 10 0\n"
		    "range 0 5 0\n",				/* out of order */
	};
	struct parts p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parts_parse(bad[i], &p) == -1, "text %zu taken",
		    i);
	ck_assert_int_eq(parts_parse("burrow-parts 1\nsize 10\nmtime 0\n"
	    "range 0 10 10\n", &p), 0);
	ck_assert(parts_complete(&p));
}
END_TEST

START_TEST(test_parts_split)
{
	struct parts p, q;
	char buf[PARTS_TEXT_MAX];
	int k;

	ck_assert_int_eq(parts_plan(&p, 1000, 0, 2), 0);
	p.r[0].done = 100;
	/* What is left of range 0 is [100, 500): halves of 200. */
	k = parts_split(&p, 0, 150);
	ck_assert_int_eq(k, 2);
	ck_assert_uint_eq(p.r[0].end, 300);
	ck_assert_uint_eq(p.r[2].start, 300);
	ck_assert_uint_eq(p.r[2].end, 500);
	ck_assert_uint_eq(p.r[2].done, 0);
	/* Too short to split again at this minimum. */
	ck_assert_int_eq(parts_split(&p, 0, 150), -1);
	/* Kept in any order, written in order, read back whole. */
	ck_assert_int_gt(parts_format(&p, buf, sizeof(buf)), 0);
	ck_assert_int_eq(parts_parse(buf, &q), 0);
	ck_assert_uint_eq(q.n, 3);
	ck_assert_uint_eq(q.r[1].start, 300);
	ck_assert_uint_eq(parts_done(&q), 100);
	/* A full plan splits no more. */
	ck_assert_int_eq(parts_plan(&p, 1 << 20, 0, PARTS_MAX), 0);
	ck_assert_int_eq(parts_split(&p, 0, 1), -1);
}
END_TEST

START_TEST(test_parts_path)
{
	char out[64];

	ck_assert_int_eq(parts_path("/a/b/big.iso", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/a/b/.big.iso.burrow-parts");
	ck_assert_int_eq(parts_path("big", out, sizeof(out)), 0);
	ck_assert_str_eq(out, ".big.burrow-parts");
	ck_assert_int_eq(parts_path("/a/", out, sizeof(out)), -1);
	ck_assert_int_eq(parts_path("/a/b/big.iso", out, 10), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parallel");
	TCase *tc = tcase_create("pool");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_pool_args);
	tcase_add_test(tc, test_pool_gate);
	suite_add_tcase(s, tc);
	tc = tcase_create("parts");
	tcase_add_test(tc, test_parts_plan);
	tcase_add_test(tc, test_parts_text);
	tcase_add_test(tc, test_parts_refused);
	tcase_add_test(tc, test_parts_split);
	tcase_add_test(tc, test_parts_path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
