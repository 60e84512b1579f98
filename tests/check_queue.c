/*
 * check_queue: unit tests for tui/queue.c, the transfer queue and its
 * worker thread. Both of the worker's "remote" and "local" file systems
 * are local ones (fs_local_new()) rooted in a fresh mkdtemp sandbox, with
 * a "remote" and a "local" folder in it, so no network is needed. Every
 * wait is bounded: the queue is polled every 10 ms for at most 10 s.
 *
 * To cancel a transfer half-way, the cancel tests slow the worker's
 * reads down (a copy of the local fs's ops with a read that sleeps).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "proto/util.h"
#include "tui/fs.h"
#include "tui/queue.h"

#define POLL_MS		10
#define POLL_MAX	1000		/* 10 s */
#define BIG		(64u * 1024 * 1024)
#define SLOW_NS		5000000L	/* per read of a slowed fs: 5 ms */

static char sandbox[PATH_MAX];
static char ldir[PATH_MAX];		/* the "local" side */
static char rdir[PATH_MAX];		/* the "remote" side */

/*
 * The slowed local fs: its ops with read() going through slow_read().
 * Set by the worker in open_fs() before it reads; one queue per test.
 */
static struct fs_ops slow_ops;
static ssize_t (*local_read)(struct fs_file *, void *, size_t, char *,
    size_t);

/* What the test's callbacks share with the worker. */
struct env {
	pthread_mutex_t	 lock;		/* guards everything below */
	struct queue	*q;
	int		 fail_opens;	/* open_fs fails this many times */
	int		 opens;		/* open_fs calls */
	int		 slow;		/* slow the reads down */
	unsigned	 notified;	/* notify calls */
	unsigned	 order[16];	/* the running ids, as they came */
	size_t		 norder;
	int		 overlap;	/* more than one item ran at once */
	unsigned	 parallel;	/* queue_opts.parallel */
	int		 max_opens;	/* logins after this many fail (0:
					   none do) */
	size_t		 max_slots;	/* files in flight at once, seen */
};

/* ---------------------------------------------------------------- sandbox */

static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Also registered with atexit(): a failing test ends before teardown. */
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
	umask(022);
	strcpy(sandbox, "/tmp/check_queue.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	ck_assert_int_lt(snprintf(ldir, sizeof(ldir), "%s/local", sandbox),
	    (int)sizeof(ldir));
	ck_assert_int_lt(snprintf(rdir, sizeof(rdir), "%s/remote", sandbox),
	    (int)sizeof(rdir));
	ck_assert_int_eq(mkdir(ldir, 0755), 0);
	ck_assert_int_eq(mkdir(rdir, 0755), 0);
}

static void
teardown(void)
{
	remove_sandbox();
}

/* dir/name into buf (PATH_MAX bytes); returns buf. */
static char *
at(char *buf, const char *dir, const char *name)
{
	ck_assert_int_lt(snprintf(buf, PATH_MAX, "%s/%s", dir, name),
	    PATH_MAX);
	return buf;
}

static void
put(const char *path, const char *content)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

/* A file of n bytes of a pattern (not all one byte). */
static void
put_pattern(const char *path, size_t n)
{
	char buf[4096];
	size_t i, w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	for (i = 0; i < n; i += w) {
		size_t k;

		w = n - i < sizeof(buf) ? n - i : sizeof(buf);
		for (k = 0; k < w; k++)
			buf[k] = (char)((i + k) * 7 + (i + k) / 251);
		ck_assert_int_eq(write(fd, buf, w), (ssize_t)w);
	}
	close(fd);
}

/* A sparse file of n bytes. */
static void
put_sparse(const char *path, off_t n)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(ftruncate(fd, n), 0);
	close(fd);
}

static void
put_dir(const char *path)
{
	ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s: %s", path,
	    strerror(errno));
}

/* The size of path, -1 when it is not there. */
static long long
size_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (long long)st.st_size;
}

/* Whether files a and b hold the same bytes. */
static int
same_bytes(const char *a, const char *b)
{
	FILE *fa, *fb;
	int ca, cb, same = 1;

	ck_assert_ptr_nonnull(fa = fopen(a, "rb"));
	ck_assert_ptr_nonnull(fb = fopen(b, "rb"));
	do {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			same = 0;
	} while (same && ca != EOF);
	fclose(fa);
	fclose(fb);
	return same;
}

/* Whether path holds exactly content. */
static int
holds(const char *path, const char *content)
{
	char buf[256];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, content) == 0;
}

static void
nap(long ns)
{
	struct timespec ts = { 0, ns };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------ callbacks */

static ssize_t
slow_read(struct fs_file *h, void *buf, size_t n, char *err, size_t errlen)
{
	nap(SLOW_NS);
	return local_read(h, buf, n, err, errlen);
}

/* Several logins open at once: the ops are made once, under a lock. */
static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;

static void
slow_down(struct fs *fs)
{
	pthread_mutex_lock(&slow_lock);
	if (local_read == NULL) {
		local_read = fs->ops->read;
		slow_ops = *fs->ops;
		slow_ops.read = slow_read;
	}
	fs->ops = &slow_ops;
	pthread_mutex_unlock(&slow_lock);
}

static int
open_both(void *arg, struct fs **remote, struct fs **local, char *err,
    size_t errlen)
{
	struct env *e = arg;
	int fail, slow;

	pthread_mutex_lock(&e->lock);
	fail = e->opens < e->fail_opens;
	if (e->max_opens > 0 && e->opens >= e->max_opens)
		fail = 2;
	e->opens++;
	slow = e->slow;
	pthread_mutex_unlock(&e->lock);
	if (fail) {
		snprintf(err, errlen, fail == 2 ? "421 Too many connections." :
		    "530 Login incorrect.");
		return -1;
	}
	if ((*remote = fs_local_new(rdir, err, errlen)) == NULL)
		return -1;
	if ((*local = fs_local_new(ldir, err, errlen)) == NULL) {
		fs_free(*remote);
		*remote = NULL;
		return -1;
	}
	if (slow) {
		slow_down(*local);
		(*remote)->ops = &slow_ops;
	}
	return 0;
}

/* Records the order in which items run, and that they run one by one. */
static void
notified(void *arg)
{
	struct env *e = arg;
	struct queue_status st;

	queue_status(e->q, &st);
	pthread_mutex_lock(&e->lock);
	e->notified++;
	if (st.running > 1)
		e->overlap = 1;
	if (st.nslots > e->max_slots)
		e->max_slots = st.nslots;
	if (st.id != 0 && (e->norder == 0 || e->order[e->norder - 1] !=
	    st.id) && e->norder < sizeof(e->order) / sizeof(e->order[0]))
		e->order[e->norder++] = st.id;
	pthread_mutex_unlock(&e->lock);
}

/* A queue of parallel logins (0: one). */
static struct queue *
new_queue_n(struct env *e, unsigned parallel, int max_opens, int slow)
{
	struct queue_opts o;

	memset(e, 0, sizeof(*e));
	e->parallel = parallel;
	e->max_opens = max_opens;
	e->slow = slow;
	ck_assert_int_eq(pthread_mutex_init(&e->lock, NULL), 0);
	memset(&o, 0, sizeof(o));
	o.open_fs = open_both;
	o.notify = notified;
	o.arg = e;
	o.parallel = parallel;
	ck_assert_ptr_nonnull(e->q = queue_new(&o));
	return e->q;
}

static struct queue *
new_queue(struct env *e)
{
	return new_queue_n(e, 0, 0, 0);
}

static void
free_queue(struct env *e)
{
	queue_free(e->q);
	e->q = NULL;
	pthread_mutex_destroy(&e->lock);
}

/* ----------------------------------------------------------------- waits */

static void
wait_idle(struct queue *q)
{
	int i;

	for (i = 0; i < POLL_MAX && queue_busy(q); i++)
		nap(POLL_MS * 1000000L);
	ck_assert_msg(!queue_busy(q), "the queue is still busy after 10 s");
}

static void
wait_question(struct queue *q, struct queue_question *qq)
{
	int i;

	for (i = 0; i < POLL_MAX && !queue_question(q, qq); i++)
		nap(POLL_MS * 1000000L);
	ck_assert_msg(queue_question(q, qq), "no question after 10 s");
}

/* Waits until item id runs and some of its bytes have moved. */
static void
wait_moving(struct queue *q, unsigned id, struct queue_status *st)
{
	int i;

	for (i = 0; i < POLL_MAX; i++) {
		queue_status(q, st);
		if (st->id == id && st->file_done > 0)
			return;
		nap(POLL_MS * 1000000L);
	}
	ck_abort_msg("item %u did not start moving within 10 s", id);
}

/* The view of item id (malloc'd: free() it). */
static struct queue_item_view *
get(struct queue *q, unsigned id)
{
	struct queue_item_view *v;
	size_t i;

	ck_assert_ptr_nonnull(v = malloc(sizeof(*v)));
	for (i = 0; queue_items(q, v, 1, i) == 1; i++)
		if (v->id == id)
			return v;
	free(v);
	ck_abort_msg("no item %u", id);
	return NULL;
}

static enum queue_state
state_of(struct queue *q, unsigned id)
{
	struct queue_item_view *v = get(q, id);
	enum queue_state s = v->state;

	free(v);
	return s;
}

/* ------------------------------------------------------------ transfers */

START_TEST(test_upload_file)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned id;

	put_pattern(at(src, ldir, "a.bin"), 300000);
	id = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "a.bin"), 300000);
	ck_assert_uint_eq(id, 1);
	wait_idle(q);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_int_eq(v->dir, QUEUE_UPLOAD);
	ck_assert_str_eq(v->src, src);
	ck_assert_str_eq(v->dst, dst);
	ck_assert_uint_eq(v->files, 1);
	ck_assert_uint_eq(v->skipped, 0);
	ck_assert_uint_eq(v->failed, 0);
	ck_assert_uint_eq(v->bytes, 300000);
	ck_assert_int_eq(v->verified, 1);
	ck_assert_str_eq(v->message, "verified by SHA-256");
	free(v);
	ck_assert(same_bytes(src, dst));
	free_queue(&e);
}
END_TEST

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

START_TEST(test_download_folder)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	unsigned id;

	put_dir(at(src, rdir, "dir"));
	put_dir(at(a, rdir, "dir/sub"));
	put_pattern(at(a, rdir, "dir/x"), 1000);
	put_pattern(at(a, rdir, "dir/sub/y"), 2000);
	put_dir(at(a, rdir, "dir/empty"));	/* an empty folder comes too */
	id = queue_add(q, QUEUE_DOWNLOAD, src, at(dst, ldir, "dir"), 0);
	ck_assert_uint_ne(id, 0);
	wait_idle(q);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_uint_eq(v->files, 2);
	ck_assert_uint_eq(v->bytes, 3000);
	ck_assert_int_eq(v->verified, 1);
	ck_assert_str_eq(v->message, "verified by SHA-256");
	free(v);
	ck_assert(same_bytes(at(a, rdir, "dir/x"), at(b, ldir, "dir/x")));
	ck_assert(same_bytes(at(a, rdir, "dir/sub/y"),
	    at(b, ldir, "dir/sub/y")));
	ck_assert(is_dir(at(b, ldir, "dir/empty")));
	free_queue(&e);
}
END_TEST

/* The overall bar counts a folder's files (it came without a size) and
 * only the batch of work since the queue was last idle. */
START_TEST(test_batch_totals)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_status st;
	char src[PATH_MAX], dst[PATH_MAX], a[PATH_MAX], s2[PATH_MAX];
	char d2[PATH_MAX];
	unsigned id;

	e.slow = 1;
	put_dir(at(src, ldir, "dir"));
	put_dir(at(a, ldir, "dir/sub"));
	put_pattern(at(a, ldir, "dir/x"), 1000);
	put_sparse(at(a, ldir, "dir/sub/big"), BIG);
	put(at(s2, ldir, "small"), "small");
	id = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "dir"), 0);
	(void)queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir, "small"), 5);
	wait_moving(q, id, &st);
	ck_assert_uint_eq(st.overall_total, BIG + 1000 + 5);
	ck_assert_uint_gt(st.overall_done, 0);
	ck_assert_uint_lt(st.overall_done, BIG + 1000);
	ck_assert_uint_eq(st.batch_items, 2);
	ck_assert_uint_eq(st.batch_ended, 0);
	ck_assert_int_eq(queue_cancel_current(q), 1);
	wait_idle(q);
	queue_status(q, &st);
	ck_assert_uint_eq(st.batch_items, 2);
	ck_assert_uint_eq(st.batch_ended, 2);
	ck_assert_uint_eq(st.overall_total, 5);	/* the canceled one is out */
	ck_assert_uint_eq(st.overall_done, 5);

	/* New work on an idle queue is a new batch: the old items stay in
	 * the list but not in the bar. */
	e.slow = 0;
	put(at(s2, ldir, "late"), "seven b");
	(void)queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir, "late"), 7);
	wait_idle(q);
	queue_status(q, &st);
	ck_assert_uint_eq(st.items, 3);
	ck_assert_uint_eq(st.batch_items, 1);
	ck_assert_uint_eq(st.batch_ended, 1);
	ck_assert_uint_eq(st.overall_total, 7);
	ck_assert_uint_eq(st.overall_done, 7);
	free_queue(&e);
}
END_TEST

START_TEST(test_order)
{
	struct env e;
	struct queue *q = new_queue(&e);
	char src[PATH_MAX], dst[PATH_MAX];
	const char *names[] = { "one", "two", "three" };
	unsigned ids[3];
	size_t i;

	for (i = 0; i < 3; i++)
		put_pattern(at(src, ldir, names[i]), 1000 * (i + 1));
	for (i = 0; i < 3; i++)
		ids[i] = queue_add(q, QUEUE_UPLOAD, at(src, ldir, names[i]),
		    at(dst, rdir, names[i]), 1000 * (i + 1));
	ck_assert_uint_eq(ids[0], 1);
	ck_assert_uint_eq(ids[1], 2);
	ck_assert_uint_eq(ids[2], 3);
	wait_idle(q);
	pthread_mutex_lock(&e.lock);
	ck_assert_uint_eq(e.norder, 3);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(e.order[i], ids[i]);
	ck_assert_int_eq(e.overlap, 0);
	ck_assert_int_eq(e.opens, 1);	/* opened once, kept */
	pthread_mutex_unlock(&e.lock);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(state_of(q, ids[i]), QUEUE_DONE);
		ck_assert_int_eq(size_of(at(dst, rdir, names[i])),
		    1000 * (long long)(i + 1));
	}
	free_queue(&e);
}
END_TEST

START_TEST(test_failed_item)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned bad, good;

	bad = queue_add(q, QUEUE_UPLOAD, at(src, ldir, "missing"),
	    at(dst, rdir, "missing"), 10);
	put(at(src, ldir, "here"), "here");
	good = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "here"), 4);
	wait_idle(q);
	v = get(q, bad);
	ck_assert_int_eq(v->state, QUEUE_FAILED);
	ck_assert_uint_eq(v->failed, 1);
	ck_assert_uint_eq(v->files, 0);
	ck_assert_msg(strstr(v->message, "No such file") != NULL,
	    "message: %s", v->message);
	free(v);
	ck_assert_int_eq(state_of(q, good), QUEUE_DONE);
	ck_assert(holds(at(dst, rdir, "here"), "here"));
	ck_assert_int_eq(size_of(at(dst, rdir, "missing")), -1);
	free_queue(&e);
}
END_TEST

START_TEST(test_open_fails)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned first, second;

	e.fail_opens = 1;		/* before the worker exists */
	put(at(src, ldir, "f"), "data");
	first = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "f1"), 4);
	second = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "f2"), 4);
	wait_idle(q);
	v = get(q, first);
	ck_assert_int_eq(v->state, QUEUE_FAILED);
	ck_assert_str_eq(v->message, "530 Login incorrect.");
	free(v);
	ck_assert_int_eq(state_of(q, second), QUEUE_DONE);
	ck_assert_int_eq(size_of(at(dst, rdir, "f1")), -1);
	ck_assert(holds(at(dst, rdir, "f2"), "data"));
	pthread_mutex_lock(&e.lock);
	ck_assert_int_eq(e.opens, 2);
	pthread_mutex_unlock(&e.lock);
	free_queue(&e);
}
END_TEST

START_TEST(test_bad_add)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_opts o;
	struct queue_status st;
	char longp[FS_PATH_MAX + 8];

	memset(&o, 0, sizeof(o));
	ck_assert_ptr_null(queue_new(NULL));
	ck_assert_ptr_null(queue_new(&o));	/* no open_fs */
	queue_free(NULL);
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, "rel", "/x", 0), 0);
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, "/x", "rel", 0), 0);
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, NULL, "/x", 0), 0);
	ck_assert_uint_eq(queue_add(q, (enum queue_dir)7, "/x", "/y", 0), 0);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, longp, "/y", 0), 0);
	ck_assert_uint_eq(queue_add(NULL, QUEUE_UPLOAD, "/x", "/y", 0), 0);
	queue_status(q, &st);
	ck_assert_uint_eq(st.items, 0);
	ck_assert_int_eq(queue_busy(q), 0);
	ck_assert_int_eq(queue_cancel_current(q), 0);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_SKIP, 0, NULL), -1);
	free_queue(&e);		/* no worker was started */
}
END_TEST

/* --------------------------------------------------------------- cancel */

START_TEST(test_cancel_current)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_status st;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX], s2[PATH_MAX], d2[PATH_MAX];
	long long got;
	unsigned big, next;

	e.slow = 1;
	put_sparse(at(src, ldir, "big"), BIG);
	put(at(s2, ldir, "small"), "small");
	big = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "big"), BIG);
	next = queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir, "small"), 5);
	wait_moving(q, big, &st);
	/* what the screen sees of a running transfer */
	ck_assert_uint_eq(st.running, 1);
	ck_assert_uint_eq(st.waiting, 1);
	ck_assert_int_eq(st.dir, QUEUE_UPLOAD);
	ck_assert_str_eq(st.src, src);
	ck_assert_str_eq(st.file, src);
	ck_assert_uint_eq(st.file_total, BIG);
	ck_assert_uint_lt(st.file_done, BIG);
	ck_assert_uint_eq(st.overall_total, BIG + 5);
	ck_assert_uint_eq(st.overall_done, st.file_done);
	ck_assert_int_eq(state_of(q, big), QUEUE_RUNNING);
	ck_assert_int_eq(queue_cancel_current(q), 1);
	wait_idle(q);
	v = get(q, big);
	ck_assert_int_eq(v->state, QUEUE_CANCELED);
	ck_assert_str_eq(v->message, "canceled");
	ck_assert_uint_eq(v->files, 0);
	free(v);
	got = size_of(dst);		/* the partial file stays */
	ck_assert_int_gt(got, 0);
	ck_assert_int_lt(got, BIG);
	ck_assert_int_eq(state_of(q, next), QUEUE_DONE);
	ck_assert(holds(d2, "small"));
	ck_assert_uint_eq(queue_changed(q), QUEUE_CHANGED_REMOTE);
	queue_status(q, &st);
	ck_assert_uint_eq(st.canceled, 1);
	ck_assert_uint_eq(st.done, 1);
	ck_assert_uint_eq(st.overall_total, 5);
	ck_assert_uint_eq(st.overall_done, 5);
	free_queue(&e);
}
END_TEST

START_TEST(test_cancel_all)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_status st;
	char src[PATH_MAX], dst[PATH_MAX], s2[PATH_MAX], d2[PATH_MAX];
	char d3[PATH_MAX];
	unsigned big, w1, w2, after;

	e.slow = 1;
	put_sparse(at(src, ldir, "big"), BIG);
	put(at(s2, ldir, "small"), "small");
	big = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "big"), BIG);
	w1 = queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir, "w1"), 5);
	w2 = queue_add(q, QUEUE_UPLOAD, s2, at(d3, rdir, "w2"), 5);
	wait_moving(q, big, &st);
	queue_cancel_all(q);
	ck_assert_int_eq(state_of(q, w1), QUEUE_CANCELED);
	ck_assert_int_eq(state_of(q, w2), QUEUE_CANCELED);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, big), QUEUE_CANCELED);
	ck_assert_int_eq(size_of(d2), -1);
	ck_assert_int_eq(size_of(d3), -1);
	queue_status(q, &st);
	ck_assert_uint_eq(st.canceled, 3);
	ck_assert_uint_eq(st.overall_total, 0);
	/* the flag came down: what is added afterwards runs */
	after = queue_add(q, QUEUE_UPLOAD, s2, d2, 5);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, after), QUEUE_DONE);
	ck_assert(holds(d2, "small"));
	free_queue(&e);
}
END_TEST

START_TEST(test_cancel_question)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "old");
	id = queue_add(q, QUEUE_UPLOAD, src, dst, 11);
	wait_question(q, &qq);
	ck_assert_int_eq(queue_cancel_current(q), 1);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, id), QUEUE_CANCELED);
	ck_assert_int_eq(queue_question(q, &qq), 0);
	ck_assert(holds(dst, "old"));
	free_queue(&e);
}
END_TEST

/* ------------------------------------------------------------ conflicts */

START_TEST(test_conflict_skip)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	struct queue_status st;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "old");
	id = queue_add(q, QUEUE_UPLOAD, src, dst, 11);
	wait_question(q, &qq);
	ck_assert_uint_eq(qq.id, id);
	ck_assert_int_eq(qq.dir, QUEUE_UPLOAD);
	ck_assert_str_eq(qq.dst, dst);
	ck_assert_str_eq(qq.src_entry.name, "a.txt");
	ck_assert_uint_eq(qq.src_entry.size, 11);
	ck_assert_uint_eq(qq.dst_entry.size, 3);
	/* Shorter, but "old" is not how "new content" begins: no resume. */
	ck_assert_int_eq(qq.suggested, XFER_DECIDE_OVERWRITE);
	ck_assert_int_eq(qq.prefix, XFER_PREFIX_DIFFERS);
	queue_status(q, &st);
	ck_assert_int_eq(st.asking, 1);
	/* a bad name is refused and the question stays */
	ck_assert_int_eq(queue_answer(q, XFER_ANS_RENAME, 0, "x/y"), -1);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_RENAME, 0, ".."), -1);
	ck_assert_int_eq(queue_question(q, &qq), 1);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_SKIP, 0, NULL), 0);
	wait_idle(q);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_SKIPPED);
	ck_assert_uint_eq(v->skipped, 1);
	ck_assert_uint_eq(v->files, 0);
	ck_assert_int_eq(v->verified, 0);
	ck_assert_str_eq(v->message, "skipped: the target exists");
	free(v);
	ck_assert(holds(dst, "old"));
	ck_assert_int_eq(queue_question(q, &qq), 0);
	ck_assert_uint_eq(queue_changed(q), 0);
	free_queue(&e);
}
END_TEST

START_TEST(test_conflict_overwrite)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "an older and longer content");
	id = queue_add(q, QUEUE_UPLOAD, src, dst, 11);
	wait_question(q, &qq);
	ck_assert_str_eq(qq.dst, dst);
	ck_assert_int_eq(qq.suggested, XFER_DECIDE_OVERWRITE);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_OVERWRITE, 0, NULL), 0);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_OVERWRITE, 0, NULL), -1);
	wait_idle(q);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_str_eq(v->message, "verified by SHA-256");
	free(v);
	ck_assert(holds(dst, "new content"));
	free_queue(&e);
}
END_TEST

/* A sync plan's item overwrites without asking, even a target of the
 * same size that the rules would skip. */
START_TEST(test_replacing)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "old content");	/* same size */
	id = queue_add_replacing(q, QUEUE_UPLOAD, src, dst, 11);
	wait_idle(q);
	ck_assert_int_eq(queue_question(q, &qq), 0);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_uint_eq(v->files, 1);
	free(v);
	ck_assert(holds(dst, "new content"));
	free_queue(&e);
}
END_TEST

START_TEST(test_conflict_rename)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	char src[PATH_MAX], dst[PATH_MAX], other[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "old");
	id = queue_add(q, QUEUE_DOWNLOAD, dst, src, 3);
	wait_question(q, &qq);
	ck_assert_int_eq(qq.dir, QUEUE_DOWNLOAD);
	ck_assert_str_eq(qq.dst, src);
	ck_assert_int_eq(qq.suggested, XFER_DECIDE_OVERWRITE);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_RENAME, 0, "b.txt"), 0);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, id), QUEUE_DONE);
	ck_assert(holds(src, "new content"));
	ck_assert(holds(at(other, ldir, "b.txt"), "old"));
	ck_assert(holds(dst, "old"));
	ck_assert_uint_eq(queue_changed(q), QUEUE_CHANGED_LOCAL);
	free_queue(&e);
}
END_TEST

START_TEST(test_for_all)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX], p[PATH_MAX], z[PATH_MAX];
	char zd[PATH_MAX];
	unsigned dir, single, later;

	put_dir(at(src, ldir, "dir"));
	put(at(p, ldir, "dir/x"), "new x");
	put(at(p, ldir, "dir/y"), "new y");
	put_dir(at(dst, rdir, "dir"));
	put(at(p, rdir, "dir/x"), "old x!");
	put(at(p, rdir, "dir/y"), "old y!");
	put(at(z, ldir, "z"), "new z");
	put(at(zd, rdir, "z"), "old z!");
	dir = queue_add(q, QUEUE_UPLOAD, src, dst, 0);
	single = queue_add(q, QUEUE_UPLOAD, z, zd, 5);
	wait_question(q, &qq);
	ck_assert_str_eq(qq.dst, at(p, rdir, "dir/x"));
	ck_assert_int_eq(queue_answer(q, XFER_ANS_OVERWRITE, 1, NULL), 0);
	/* dir/y and z are not asked about: idle without another answer */
	wait_idle(q);
	v = get(q, dir);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_uint_eq(v->files, 2);
	free(v);
	ck_assert_int_eq(state_of(q, single), QUEUE_DONE);
	ck_assert(holds(at(p, rdir, "dir/x"), "new x"));
	ck_assert(holds(at(p, rdir, "dir/y"), "new y"));
	ck_assert(holds(zd, "new z"));
	/* the queue ran dry: the next conflict is asked about again */
	put(zd, "old z!");
	later = queue_add(q, QUEUE_UPLOAD, z, zd, 5);
	wait_question(q, &qq);
	ck_assert_uint_eq(qq.id, later);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_SKIP, 0, NULL), 0);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, later), QUEUE_SKIPPED);
	ck_assert(holds(zd, "old z!"));
	free_queue(&e);
}
END_TEST

START_TEST(test_rename_for_all)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	char src[PATH_MAX], dst[PATH_MAX], p[PATH_MAX], b[PATH_MAX];
	char bd[PATH_MAX];
	unsigned a, bi;

	put(at(src, ldir, "a.txt"), "new a");
	put(at(dst, rdir, "a.txt"), "old a");
	put(at(p, rdir, "a (1).txt"), "old a1");
	put(at(b, ldir, "b"), "new b");
	put(at(bd, rdir, "b"), "old b");
	a = queue_add(q, QUEUE_UPLOAD, src, dst, 5);
	bi = queue_add(q, QUEUE_UPLOAD, b, bd, 5);
	wait_question(q, &qq);
	ck_assert_str_eq(qq.dst, dst);
	/* no name: one is made, "a (1).txt" is taken, so "a (2).txt" */
	ck_assert_int_eq(queue_answer(q, XFER_ANS_RENAME, 1, NULL), 0);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, a), QUEUE_DONE);
	ck_assert_int_eq(state_of(q, bi), QUEUE_DONE);
	ck_assert(holds(dst, "old a"));
	ck_assert(holds(at(p, rdir, "a (1).txt"), "old a1"));
	ck_assert(holds(at(p, rdir, "a (2).txt"), "new a"));
	ck_assert(holds(bd, "old b"));
	ck_assert(holds(at(p, rdir, "b (1)"), "new b"));
	free_queue(&e);
}
END_TEST

START_TEST(test_free_while_asking)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	char src[PATH_MAX], dst[PATH_MAX], s2[PATH_MAX], d2[PATH_MAX];
	double t0;

	put(at(src, ldir, "a.txt"), "new content");
	put(at(dst, rdir, "a.txt"), "old");
	put(at(s2, ldir, "b.txt"), "b");
	ck_assert_uint_ne(queue_add(q, QUEUE_UPLOAD, src, dst, 11), 0);
	ck_assert_uint_ne(queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir,
	    "b.txt"), 1), 0);
	wait_question(q, &qq);
	t0 = now_mono();
	free_queue(&e);
	ck_assert_msg(now_mono() - t0 < 2.0, "queue_free took %.1f s",
	    now_mono() - t0);
	ck_assert(holds(dst, "old"));
	ck_assert_int_eq(size_of(d2), -1);	/* never ran */
}
END_TEST

/* ----------------------------------------------------------- observation */

START_TEST(test_changed)
{
	struct env e;
	struct queue *q = new_queue(&e);
	char src[PATH_MAX], dst[PATH_MAX];

	ck_assert_uint_eq(queue_changed(q), 0);
	put(at(src, ldir, "up"), "up");
	queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "up"), 2);
	wait_idle(q);
	ck_assert_uint_eq(queue_changed(q), QUEUE_CHANGED_REMOTE);
	ck_assert_uint_eq(queue_changed(q), 0);
	put(at(src, rdir, "down"), "down");
	queue_add(q, QUEUE_DOWNLOAD, src, at(dst, ldir, "down"), 4);
	wait_idle(q);
	ck_assert_uint_eq(queue_changed(q), QUEUE_CHANGED_LOCAL);
	/* both sides, read at once */
	put(at(src, ldir, "up2"), "up2");
	queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "up2"), 3);
	put(at(src, rdir, "down2"), "down2");
	queue_add(q, QUEUE_DOWNLOAD, src, at(dst, ldir, "down2"), 5);
	wait_idle(q);
	ck_assert_uint_eq(queue_changed(q), QUEUE_CHANGED_LOCAL |
	    QUEUE_CHANGED_REMOTE);
	/* an item that wrote nothing changes nothing */
	queue_add(q, QUEUE_UPLOAD, at(src, ldir, "nothing"),
	    at(dst, rdir, "nothing"), 0);
	wait_idle(q);
	ck_assert_uint_eq(queue_changed(q), 0);
	free_queue(&e);
}
END_TEST

START_TEST(test_generation)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_status st;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX];
	unsigned g0, g1, g2, g3, a, b;

	g0 = queue_generation(q);
	put(at(src, ldir, "a"), "aaaa");
	a = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "a"), 4);
	g1 = queue_generation(q);
	ck_assert_uint_gt(g1, g0);
	put(at(src, ldir, "b"), "bbbbbb");
	b = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "b"), 6);
	wait_idle(q);
	g2 = queue_generation(q);
	ck_assert_uint_gt(g2, g1);
	pthread_mutex_lock(&e.lock);
	ck_assert_uint_gt(e.notified, 0);
	pthread_mutex_unlock(&e.lock);
	ck_assert_uint_eq(queue_generation(q), g2);	/* nothing moved */
	queue_status(q, &st);
	ck_assert_uint_eq(st.items, 2);
	ck_assert_uint_eq(st.done, 2);
	ck_assert_uint_eq(st.id, 0);
	/* b is a batch of its own when a had ended before it came. */
	ck_assert(st.overall_total == 10 || st.overall_total == 6);
	ck_assert_uint_eq(st.overall_done, st.overall_total);
	ck_assert_ptr_nonnull(v = calloc(4, sizeof(*v)));
	ck_assert_uint_eq(queue_items(q, v, 4, 0), 2);
	ck_assert_uint_eq(v[0].id, a);
	ck_assert_uint_eq(v[1].id, b);
	ck_assert_uint_eq(queue_items(q, v, 4, 1), 1);
	ck_assert_uint_eq(v[0].id, b);
	ck_assert_uint_eq(queue_items(q, v, 4, 2), 0);
	ck_assert_uint_eq(queue_items(q, v, 0, 0), 0);
	queue_clear_finished(q);
	g3 = queue_generation(q);
	ck_assert_uint_gt(g3, g2);
	ck_assert_uint_eq(queue_items(q, v, 4, 0), 0);
	queue_status(q, &st);
	ck_assert_uint_eq(st.items, 0);
	ck_assert_uint_eq(st.overall_total, 0);
	/* the list is usable after clearing, and ids are not reused */
	ck_assert_uint_eq(queue_add(q, QUEUE_UPLOAD, src, dst, 6), b + 1);
	wait_idle(q);
	ck_assert_uint_eq(queue_items(q, v, 4, 0), 1);
	ck_assert_int_eq(v[0].state, QUEUE_SKIPPED);	/* identical */
	ck_assert_str_eq(v[0].message, "identical (same size and checksum)");
	free(v);
	free_queue(&e);
}
END_TEST

/* ---------------------------------------------------------------- names */

START_TEST(test_next_name)
{
	char out[64];

	ck_assert_int_eq(queue_next_name("a.txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a (1).txt");
	ck_assert_int_eq(queue_next_name("a (1).txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a (2).txt");
	ck_assert_int_eq(queue_next_name("a (9).txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a (10).txt");
	ck_assert_int_eq(queue_next_name("noext", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "noext (1)");
	ck_assert_int_eq(queue_next_name("noext (41)", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "noext (42)");
	ck_assert_int_eq(queue_next_name(".hidden", out, sizeof(out)), 0);
	ck_assert_str_eq(out, ".hidden (1)");
	ck_assert_int_eq(queue_next_name(".hidden (1)", out, sizeof(out)), 0);
	ck_assert_str_eq(out, ".hidden (2)");
	ck_assert_int_eq(queue_next_name("a.tar.gz", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a.tar (1).gz");
	/* not a counter: no blank before, not digits, too many digits */
	ck_assert_int_eq(queue_next_name("a(1).txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a(1) (1).txt");
	ck_assert_int_eq(queue_next_name("a (x).txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a (x) (1).txt");
	ck_assert_int_eq(queue_next_name("a ().txt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a () (1).txt");
	ck_assert_int_eq(queue_next_name("a (1234567890)", out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "a (1234567890) (1)");
	ck_assert_int_eq(queue_next_name("a (999999999)", out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "a (1000000000)");
}
END_TEST

START_TEST(test_next_name_fails)
{
	char out[16];

	/* "a (1).txt" is 9 bytes: it needs 10 */
	ck_assert_int_eq(queue_next_name("a.txt", out, 10), 0);
	ck_assert_str_eq(out, "a (1).txt");
	ck_assert_int_eq(queue_next_name("a.txt", out, 9), -1);
	ck_assert_int_eq(queue_next_name("a.txt", out, 0), -1);
	ck_assert_int_eq(queue_next_name("", out, sizeof(out)), -1);
	ck_assert_int_eq(queue_next_name(NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(queue_next_name("a/b", out, sizeof(out)), -1);
	ck_assert_int_eq(queue_next_name("a long name.txt", out,
	    sizeof(out)), -1);
}
END_TEST

/* ------------------------------------------------------------- parallel */

/* n files of size bytes named pre%02d in dir (under ldir), queued as
 * uploads one item each; their ids into ids. */
static void
queue_files(struct queue *q, const char *pre, int n, size_t size,
    unsigned *ids)
{
	char src[PATH_MAX], dst[PATH_MAX], name[64];
	int i;

	/* All written first: under valgrind the writing is slow enough
	 * for the queue to finish the first items before the last is
	 * queued. */
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%02d", pre, i);
		put_pattern(at(src, ldir, name), size);
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%02d", pre, i);
		ids[i] = queue_add(q, QUEUE_UPLOAD, at(src, ldir, name),
		    at(dst, rdir, name), size);
		ck_assert_uint_ne(ids[i], 0);
	}
}

START_TEST(test_parallel_items_and_folder)
{
	struct env e;
	struct queue *q = new_queue_n(&e, 3, 0, 1);
	struct queue_status st;
	struct queue_item_view *v;
	char p[PATH_MAX], d[PATH_MAX], name[64];
	unsigned ids[12], dir;
	int i;

	ck_assert_int_eq(mkdir(at(p, ldir, "tree"), 0755), 0);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "tree/t%d", i);
		put_pattern(at(p, ldir, name), 30000 + (size_t)i);
	}
	queue_files(q, "f", 12, 40000, ids);
	dir = queue_add(q, QUEUE_UPLOAD, at(p, ldir, "tree"),
	    at(d, rdir, "tree"), 0);
	wait_idle(q);
	for (i = 0; i < 12; i++) {
		v = get(q, ids[i]);
		ck_assert_int_eq(v->state, QUEUE_DONE);
		ck_assert_uint_eq(v->files, 1);
		ck_assert_uint_eq(v->bytes, 40000);
		ck_assert_str_eq(v->message, "verified by SHA-256");
		snprintf(name, sizeof(name), "f%02d", i);
		ck_assert(same_bytes(at(p, ldir, name), at(d, rdir, name)));
		free(v);
	}
	v = get(q, dir);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_uint_eq(v->files, 8);
	ck_assert_int_eq(v->verified, 1);
	free(v);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "tree/t%d", i);
		ck_assert(same_bytes(at(p, ldir, name), at(d, rdir, name)));
	}
	/* Three logins, moving files side by side; nothing left in flight
	 * and the bar full. */
	pthread_mutex_lock(&e.lock);
	ck_assert_int_eq(e.opens, 3);
	ck_assert_uint_ge(e.max_slots, 2);
	ck_assert_uint_le(e.max_slots, 3);
	pthread_mutex_unlock(&e.lock);
	queue_status(q, &st);
	ck_assert_uint_eq(st.nslots, 0);
	ck_assert_uint_eq(st.done, 13);
	ck_assert_uint_eq(st.overall_done, st.overall_total);
	ck_assert_uint_eq(st.overall_total, 12 * 40000 + 8 * 30000 + 28);
	free_queue(&e);
}
END_TEST

START_TEST(test_parallel_cancel_run)
{
	struct env e;
	struct queue *q = new_queue_n(&e, 2, 0, 1);
	struct queue_status st;
	unsigned ids[6];
	int i, canceled = 0, done = 0;
	enum queue_state s;

	queue_files(q, "c", 6, 4000000, ids);
	wait_moving(q, ids[0], &st);
	ck_assert_int_eq(queue_cancel_current(q), 1);
	pthread_mutex_lock(&e.lock);
	e.slow = 0;		/* (the logins already open stay slow) */
	pthread_mutex_unlock(&e.lock);
	wait_idle(q);
	/* What ran is canceled; what had not begun waited again and ran. */
	for (i = 0; i < 6; i++) {
		s = state_of(q, ids[i]);
		ck_assert(s == QUEUE_CANCELED || s == QUEUE_DONE);
		canceled += s == QUEUE_CANCELED;
		done += s == QUEUE_DONE;
	}
	ck_assert_int_eq(state_of(q, ids[0]), QUEUE_CANCELED);
	ck_assert_int_ge(canceled, 1);
	ck_assert_int_le(canceled, 2);
	ck_assert_int_ge(done, 4);
	queue_cancel_all(q);
	free_queue(&e);
}
END_TEST

START_TEST(test_parallel_refused_login)
{
	struct env e;
	struct queue *q = new_queue_n(&e, 4, 2, 0);
	struct queue_status st;
	unsigned ids[8];
	int i;

	queue_files(q, "r", 8, 20000, ids);
	wait_idle(q);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(state_of(q, ids[i]), QUEUE_DONE);
	queue_status(q, &st);
	/* Said once, and no login asked for after the refusal. */
	ck_assert_ptr_nonnull(strstr(st.notice, "took 2 of the 4"));
	ck_assert_ptr_nonnull(strstr(st.notice, "421 Too many"));
	ck_assert_uint_eq(st.notice_gen, 1);
	pthread_mutex_lock(&e.lock);
	ck_assert_int_eq(e.opens, 3);
	pthread_mutex_unlock(&e.lock);
	queue_files(q, "s", 3, 100, ids);
	wait_idle(q);
	queue_status(q, &st);
	ck_assert_uint_eq(st.notice_gen, 1);
	free_queue(&e);
}
END_TEST

/* Items added under a hold go into one run: all the logins move them,
 * rather than the first alone while the others are being added. */
START_TEST(test_hold_makes_one_run)
{
	struct env e;
	struct queue *q = new_queue_n(&e, 3, 0, 1);
	struct queue_status st;
	unsigned ids[6];
	int i;

	queue_hold(q);
	queue_hold(q);			/* holds nest */
	queue_files(q, "h", 6, 400000, ids);
	nap(100 * 1000000L);
	queue_status(q, &st);
	ck_assert_uint_eq(st.running, 0);
	ck_assert_uint_eq(st.waiting, 6);
	queue_release(q);
	nap(50 * 1000000L);
	queue_status(q, &st);
	ck_assert_uint_eq(st.running, 0);	/* one hold is left */
	queue_release(q);
	queue_release(q);		/* one too many: no harm */
	wait_idle(q);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(state_of(q, ids[i]), QUEUE_DONE);
	pthread_mutex_lock(&e.lock);
	ck_assert_int_eq(e.max_slots, 3);
	pthread_mutex_unlock(&e.lock);
	free_queue(&e);
}
END_TEST

/* The journal's unfinished items, their count; damaged must be 0. */
static size_t
journal_left(const char *path, struct journal_item **v)
{
	char err[512];
	size_t n;
	int damaged;

	ck_assert_int_eq(journal_load(path, v, &n, &damaged, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(damaged, 0);
	return n;
}

START_TEST(test_journal_kept)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_status st;
	struct journal *j;
	struct journal_item *v;
	char path[PATH_MAX + 16], err[512], src[PATH_MAX], dst[PATH_MAX];
	char s2[PATH_MAX], d2[PATH_MAX];
	unsigned big, small;
	int i;

	snprintf(path, sizeof(path), "%s/journal", sandbox);
	ck_assert_ptr_nonnull(j = journal_open(path, err, sizeof(err)));
	queue_journal(q, j);
	/* Done items leave nothing behind once the queue is dry. */
	put(at(s2, ldir, "small"), "small");
	small = queue_add(q, QUEUE_UPLOAD, s2, at(d2, rdir, "small"), 5);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, small), QUEUE_DONE);
	for (i = 0; i < POLL_MAX && journal_left(path, &v) > 0; i++) {
		journal_items_free(v, 1);
		nap(POLL_MS * 1000000L);
	}
	ck_assert_uint_eq(journal_left(path, &v), 0);
	journal_items_free(v, 0);
	/* Quitting: the journal let go first, so what runs and waits stays
	 * in it, as added. */
	e.slow = 1;
	put_sparse(at(src, ldir, "big"), BIG);
	big = queue_add(q, QUEUE_UPLOAD, src, at(dst, rdir, "big"), BIG);
	ck_assert_uint_ne(queue_add(q, QUEUE_UPLOAD, s2, d2, 5), 0);
	wait_moving(q, big, &st);
	queue_journal(q, NULL);
	queue_cancel_all(q);
	wait_idle(q);
	ck_assert_uint_eq(journal_left(path, &v), 2);
	ck_assert_str_eq(v[0].src, src);
	ck_assert_str_eq(v[0].dst, dst);
	ck_assert_int_eq(v[0].upload, 1);
	ck_assert_uint_eq(v[0].size, BIG);
	ck_assert_str_eq(v[1].dst, d2);
	journal_items_free(v, 2);
	/* A cancel the user asked for is an end, recorded. */
	queue_journal(q, j);
	ck_assert_uint_ne(queue_add(q, QUEUE_UPLOAD, src, dst, BIG), 0);
	queue_cancel_all(q);
	wait_idle(q);
	ck_assert_uint_eq(journal_left(path, &v), 2);
	journal_items_free(v, 2);
	queue_journal(q, NULL);
	journal_close(j);
	free_queue(&e);
}
END_TEST

/* An item taken back from the journal resumes its partial target with
 * no question; a target that is not the source's beginning still asks. */
START_TEST(test_journal_resumed)
{
	struct env e;
	struct queue *q = new_queue(&e);
	struct queue_question qq;
	struct queue_item_view *v;
	char src[PATH_MAX], dst[PATH_MAX], s2[PATH_MAX], d2[PATH_MAX];
	unsigned id;

	put(at(src, ldir, "a.txt"), "the whole content");
	put(at(dst, rdir, "a.txt"), "the who");
	id = queue_add_resumed(q, QUEUE_UPLOAD, src, dst, 17);
	wait_idle(q);
	v = get(q, id);
	ck_assert_int_eq(v->state, QUEUE_DONE);
	ck_assert_str_eq(v->message, "resumed, verified by SHA-256");
	free(v);
	ck_assert(holds(dst, "the whole content"));
	put(at(s2, ldir, "b.txt"), "the whole content");
	put(at(d2, rdir, "b.txt"), "another");
	id = queue_add_resumed(q, QUEUE_UPLOAD, s2, d2, 17);
	wait_question(q, &qq);
	ck_assert_int_eq(queue_answer(q, XFER_ANS_OVERWRITE, 0, NULL), 0);
	wait_idle(q);
	ck_assert_int_eq(state_of(q, id), QUEUE_DONE);
	ck_assert(holds(d2, "the whole content"));
	free_queue(&e);
}
END_TEST

static Suite *
queue_suite(void)
{
	Suite *s = suite_create("queue");
	const struct {
		const char	*name;
		const TTest	*test;
	} cases[] = {
		{ "upload_file", test_upload_file },
		{ "download_folder", test_download_folder },
		{ "batch_totals", test_batch_totals },
		{ "order", test_order },
		{ "failed_item", test_failed_item },
		{ "open_fails", test_open_fails },
		{ "bad_add", test_bad_add },
		{ "cancel_current", test_cancel_current },
		{ "cancel_all", test_cancel_all },
		{ "cancel_question", test_cancel_question },
		{ "conflict_skip", test_conflict_skip },
		{ "conflict_overwrite", test_conflict_overwrite },
		{ "replacing", test_replacing },
		{ "conflict_rename", test_conflict_rename },
		{ "for_all", test_for_all },
		{ "rename_for_all", test_rename_for_all },
		{ "free_while_asking", test_free_while_asking },
		{ "changed", test_changed },
		{ "generation", test_generation },
		{ "next_name", test_next_name },
		{ "next_name_fails", test_next_name_fails },
		{ "parallel_items_and_folder",
		    test_parallel_items_and_folder },
		{ "parallel_cancel_run", test_parallel_cancel_run },
		{ "parallel_refused_login", test_parallel_refused_login },
		{ "hold_makes_one_run", test_hold_makes_one_run },
		{ "journal_kept", test_journal_kept },
		{ "journal_resumed", test_journal_resumed },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(queue_suite());
	int failed;

	atexit(remove_sandbox);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
