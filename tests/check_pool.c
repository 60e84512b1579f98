/*
 * check_pool: unit tests for srv/pool.c, the worker pool and its queue.
 *
 * Items are slots in a harness that records what the pool did to each one:
 * served, dropped and why, the queue position it was told. serve() can be
 * gated: it then blocks until the test opens the gate or hands out a token,
 * which keeps workers busy for exactly as long as a test needs. Every wait
 * is bounded, and Check's per-test timeout catches a deadlock inside the
 * pool itself.
 *
 * pthread_create() is interposed so that a test can make the nth call fail
 * and count the threads that are still alive afterwards; this needs the
 * test to be linked dynamically, as it is by default.
 */
#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1		/* for RTLD_NEXT */
#endif

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <check.h>

#include "srv/pool.h"

#define MAX_ITEMS	1024
#define WAIT_MS		5000	/* the longest any one wait may take */
#define TEST_TIMEOUT	20	/* seconds, per test */

struct harness;

struct item {
	struct harness	*h;
	unsigned	 id;
	atomic_uint	 served;
	atomic_uint	 dropped;
	atomic_int	 why;		/* reason of the last drop */
	atomic_uint	 position;	/* from queued(), 0 if never queued */
	atomic_uint	 position_at_serve; /* position when serve began */
	atomic_bool	 serving;	/* serve() has begun on it */
};

struct harness {
	struct pool	*pool;		/* set before the first submit */
	bool		 gated;		/* set before the pool is created */

	atomic_uint	 running;	/* serve() calls in progress */
	atomic_uint	 max_running;
	atomic_uint	 queued_calls;
	atomic_uint	 late_queued;	/* queued() after serve() began */
	/* 1 + id of the item whose queued() frees one worker; 0 for none. */
	atomic_uint	 release_on_queued;

	/*
	 * lock guards open, tokens, started, finished, dropped, order,
	 * norder and gate_timed_out; changed is broadcast whenever any of
	 * them changes.
	 */
	pthread_mutex_t	 lock;
	pthread_cond_t	 changed;
	bool		 open;		/* gated serve() calls pass freely */
	unsigned	 tokens;	/* gated serve() calls that may pass */
	unsigned	 started;
	unsigned	 finished;
	unsigned	 dropped[2];	/* indexed by enum pool_drop */
	unsigned	 order[MAX_ITEMS]; /* ids in the order serve() began */
	unsigned	 norder;
	bool		 gate_timed_out;

	struct item	 items[MAX_ITEMS];
};

/* pthread_create() interposition. */

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *,
    void *(*)(void *), void *);

/* Successful calls left before one fails with EAGAIN; -1 for never. */
static atomic_int create_fail_in = -1;
/* Threads started through pthread_create() that have not returned. */
static atomic_int live_threads;

struct trampoline {
	void	*(*fn)(void *);
	void	*arg;
};

static void *
trampoline_run(void *arg)
{
	struct trampoline t = *(struct trampoline *)arg;
	void *ret;

	free(arg);
	ret = t.fn(t.arg);
	atomic_fetch_sub(&live_threads, 1);
	return ret;
}

int
pthread_create(pthread_t *thread, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	create_fn real;
	struct trampoline *t;
	int left, rc;

	left = atomic_load(&create_fail_in);
	while (left >= 0 &&
	    !atomic_compare_exchange_weak(&create_fail_in, &left, left - 1))
		;
	if (left == 0)
		return EAGAIN;

	real = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
	if (real == NULL)
		return ENOSYS;
	if ((t = malloc(sizeof(*t))) == NULL)
		return EAGAIN;
	t->fn = fn;
	t->arg = arg;
	atomic_fetch_add(&live_threads, 1);
	if ((rc = real(thread, attr, trampoline_run, t)) != 0) {
		atomic_fetch_sub(&live_threads, 1);
		free(t);
	}
	return rc;
}

/* Time helpers. */

static struct timespec
deadline_in(unsigned ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static bool
past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec ==
	    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The harness and the pool callbacks. */

static struct harness *
harness_new(bool gated)
{
	struct harness *h;
	pthread_condattr_t ca;
	unsigned i;

	h = calloc(1, sizeof(*h));
	ck_assert_ptr_nonnull(h);
	h->gated = gated;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->changed, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < MAX_ITEMS; i++) {
		h->items[i].h = h;
		h->items[i].id = i;
	}
	return h;
}

static void
harness_free(struct harness *h)
{
	pthread_cond_destroy(&h->changed);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* Lets n gated serve() calls return, or all of them if n is 0. */
static void
gate_release(struct harness *h, unsigned n)
{
	pthread_mutex_lock(&h->lock);
	if (n == 0)
		h->open = true;
	else
		h->tokens += n;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
}

static void
t_serve(void *arg, void *ctx)
{
	struct item *it = arg;
	struct harness *h = ctx;
	struct timespec deadline = deadline_in(WAIT_MS);
	unsigned now, max;

	atomic_store(&it->serving, true);
	atomic_store(&it->position_at_serve, atomic_load(&it->position));

	now = atomic_fetch_add(&h->running, 1) + 1;
	max = atomic_load(&h->max_running);
	while (now > max &&
	    !atomic_compare_exchange_weak(&h->max_running, &max, now))
		;

	pthread_mutex_lock(&h->lock);
	if (h->norder < MAX_ITEMS)
		h->order[h->norder++] = it->id;
	h->started++;
	pthread_cond_broadcast(&h->changed);
	while (h->gated && !h->open && h->tokens == 0) {
		if (pthread_cond_timedwait(&h->changed, &h->lock,
		    &deadline) == ETIMEDOUT) {
			h->gate_timed_out = true;
			break;
		}
	}
	if (h->gated && !h->open && h->tokens > 0)
		h->tokens--;
	pthread_mutex_unlock(&h->lock);

	atomic_fetch_sub(&h->running, 1);
	atomic_fetch_add(&it->served, 1);

	pthread_mutex_lock(&h->lock);
	h->finished++;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
}

static void
t_queued(void *arg, unsigned position, void *ctx)
{
	struct item *it = arg;
	struct harness *h = ctx;

	if (atomic_load(&h->release_on_queued) == it->id + 1) {
		/*
		 * A worker finishes now, and has ample time to start on this
		 * item unless the pool still holds its lock as it should.
		 */
		gate_release(h, 1);
		sleep_ms(100);
	}
	atomic_store(&it->position, position);
	atomic_fetch_add(&h->queued_calls, 1);
	if (atomic_load(&it->serving))
		atomic_fetch_add(&h->late_queued, 1);
}

static void
t_drop(void *arg, enum pool_drop why, void *ctx)
{
	struct item *it = arg;
	struct harness *h = ctx;
	unsigned busy, waiting;

	/* The pool's lock is not recursive: this hangs if drop holds it. */
	pool_stats(h->pool, &busy, &waiting);

	atomic_store(&it->why, (int)why);
	atomic_fetch_add(&it->dropped, 1);
	pthread_mutex_lock(&h->lock);
	h->dropped[why]++;
	pthread_cond_broadcast(&h->changed);
	pthread_mutex_unlock(&h->lock);
}

static const struct pool_ops t_ops = {
	.serve = t_serve,
	.queued = t_queued,
	.drop = t_drop,
};

static struct pool *
harness_pool(struct harness *h, unsigned workers, unsigned queue_len)
{
	h->pool = pool_create(workers, queue_len, &t_ops, h);
	ck_assert_ptr_nonnull(h->pool);
	return h->pool;
}

static int
submit(struct harness *h, unsigned id)
{
	return pool_submit(h->pool, &h->items[id]);
}

/* What happened to item id, read for assertions with readable messages. */

static unsigned
late_queued(struct harness *h)
{
	return atomic_load(&h->late_queued);
}

static unsigned
item_served(struct harness *h, unsigned id)
{
	return atomic_load(&h->items[id].served);
}

static unsigned
item_dropped(struct harness *h, unsigned id)
{
	return atomic_load(&h->items[id].dropped);
}

static int
item_why(struct harness *h, unsigned id)
{
	return atomic_load(&h->items[id].why);
}

static unsigned
item_position(struct harness *h, unsigned id)
{
	return atomic_load(&h->items[id].position);
}

static unsigned
item_position_at_serve(struct harness *h, unsigned id)
{
	return atomic_load(&h->items[id].position_at_serve);
}

/* Waits until the counter, guarded by h->lock, reaches want. */
static bool
wait_count(struct harness *h, const unsigned *counter, unsigned want)
{
	struct timespec deadline = deadline_in(WAIT_MS);
	bool reached;

	pthread_mutex_lock(&h->lock);
	while (*counter < want && pthread_cond_timedwait(&h->changed,
	    &h->lock, &deadline) != ETIMEDOUT)
		;
	reached = *counter >= want;
	pthread_mutex_unlock(&h->lock);
	return reached;
}

static unsigned
read_count(struct harness *h, const unsigned *counter)
{
	unsigned v;

	pthread_mutex_lock(&h->lock);
	v = *counter;
	pthread_mutex_unlock(&h->lock);
	return v;
}

/* Polls until at most busy workers are inside serve(). */
static bool
wait_busy_at_most(struct pool *pool, unsigned busy)
{
	struct timespec deadline = deadline_in(WAIT_MS);
	unsigned b, w;

	for (;;) {
		pool_stats(pool, &b, &w);
		if (b <= busy)
			return true;
		if (past(&deadline))
			return false;
		sleep_ms(1);
	}
}

static void
assert_stats(struct pool *pool, unsigned busy, unsigned waiting)
{
	unsigned b, w;

	pool_stats(pool, &b, &w);
	ck_assert_uint_eq(b, busy);
	ck_assert_uint_eq(w, waiting);
}

/* The gate never timed out, and no item heard its position too late. */
static void
assert_clean(struct harness *h)
{
	pthread_mutex_lock(&h->lock);
	ck_assert(!h->gate_timed_out);
	pthread_mutex_unlock(&h->lock);
	ck_assert_uint_eq(late_queued(h), 0);
}

/* Every item is served exactly once, with many threads submitting. */

#define SUBMITTERS	4
#define PER_SUBMITTER	200
#define STRESS_WORKERS	4
#define STRESS_QUEUE	8

struct submitter {
	struct harness	*h;
	pthread_t	 tid;
	unsigned	 first;
	unsigned	 rejected;	/* submits refused, queue full */
	bool		 gave_up;	/* the pool stayed full too long */
};

static void *
submitter_run(void *arg)
{
	struct submitter *s = arg;
	struct timespec deadline = deadline_in(WAIT_MS);
	struct timespec pause = { 0, 20000 };
	unsigned i;

	for (i = s->first; i < s->first + PER_SUBMITTER; i++) {
		while (submit(s->h, i) != 0) {
			s->rejected++;
			if (past(&deadline)) {
				s->gave_up = true;
				return NULL;
			}
			nanosleep(&pause, NULL);
		}
	}
	return NULL;
}

START_TEST(test_serve_all_many_submitters)
{
	struct harness *h = harness_new(false);
	struct submitter subs[SUBMITTERS];
	unsigned i, total = SUBMITTERS * PER_SUBMITTER, pos;

	harness_pool(h, STRESS_WORKERS, STRESS_QUEUE);
	for (i = 0; i < SUBMITTERS; i++) {
		subs[i] = (struct submitter){ .h = h,
		    .first = i * PER_SUBMITTER };
		ck_assert_int_eq(pthread_create(&subs[i].tid, NULL,
		    submitter_run, &subs[i]), 0);
	}
	for (i = 0; i < SUBMITTERS; i++) {
		pthread_join(subs[i].tid, NULL);
		ck_assert(!subs[i].gave_up);
	}

	ck_assert(wait_count(h, &h->finished, total));
	ck_assert(wait_busy_at_most(h->pool, 0));
	assert_stats(h->pool, 0, 0);
	pool_destroy(h->pool);

	for (i = 0; i < total; i++) {
		ck_assert_uint_eq(item_served(h, i), 1);
		ck_assert_uint_eq(item_dropped(h, i), 0);
		pos = item_position(h, i);
		ck_assert_uint_le(pos, STRESS_QUEUE);
	}
	ck_assert_uint_eq(read_count(h, &h->finished), total);
	ck_assert_uint_le(atomic_load(&h->max_running), STRESS_WORKERS);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* Queue positions, FIFO order, and queued() always before serve(). */

START_TEST(test_positions_single_worker_fifo)
{
	struct harness *h = harness_new(true);
	unsigned i;

	harness_pool(h, 1, 3);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(submit(h, i), 0);
	ck_assert_int_eq(submit(h, 4), -1);

	/* The first went straight to the idle worker; the rest queued. */
	ck_assert_uint_eq(item_position(h, 0), 0);
	for (i = 1; i < 4; i++)
		ck_assert_uint_eq(item_position(h, i), i);
	ck_assert_uint_eq(atomic_load(&h->queued_calls), 3);

	ck_assert(wait_count(h, &h->started, 1));
	assert_stats(h->pool, 1, 3);

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 4));
	pthread_mutex_lock(&h->lock);
	ck_assert_uint_eq(h->norder, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(h->order[i], i);
	pthread_mutex_unlock(&h->lock);
	for (i = 1; i < 4; i++)
		ck_assert_uint_eq(
		    item_position_at_serve(h, i), i);

	pool_destroy(h->pool);
	assert_clean(h);
	harness_free(h);
}
END_TEST

START_TEST(test_positions_before_workers_wake)
{
	struct harness *h = harness_new(true);
	unsigned i;

	/*
	 * Seven submits in a row, probably before any worker wakes: the first
	 * three are promised to the three idle workers, whatever they are
	 * doing, and the next four wait at positions 1 to 4.
	 */
	harness_pool(h, 3, 4);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(submit(h, i), 0);
	ck_assert_int_eq(submit(h, 7), -1);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(item_position(h, i), 0);
	for (i = 3; i < 7; i++)
		ck_assert_uint_eq(item_position(h, i), i - 2);
	ck_assert_uint_eq(atomic_load(&h->queued_calls), 4);

	ck_assert(wait_count(h, &h->started, 3));
	assert_stats(h->pool, 3, 4);

	/* Free one worker at a time: the next in line is always served. */
	for (i = 3; i < 7; i++) {
		gate_release(h, 1);
		ck_assert(wait_count(h, &h->started, i + 1));
		pthread_mutex_lock(&h->lock);
		ck_assert_uint_eq(h->order[i], i);
		pthread_mutex_unlock(&h->lock);
		ck_assert_uint_eq(
		    item_position_at_serve(h, i), i - 2);
		assert_stats(h->pool, 3, 6 - i);
	}

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 7));
	pool_destroy(h->pool);
	assert_clean(h);
	harness_free(h);
}
END_TEST

START_TEST(test_queued_before_serve)
{
	struct harness *h = harness_new(true);

	harness_pool(h, 1, 1);
	atomic_store(&h->release_on_queued, 1 + 1);
	ck_assert_int_eq(submit(h, 0), 0);
	ck_assert(wait_count(h, &h->started, 1));
	ck_assert_int_eq(submit(h, 1), 0);
	ck_assert_uint_eq(late_queued(h), 0);

	ck_assert(wait_count(h, &h->started, 2));
	ck_assert_uint_eq(item_position_at_serve(h, 1), 1);
	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 2));
	pool_destroy(h->pool);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* A full queue refuses the item and leaves it with the caller. */

START_TEST(test_queue_full)
{
	struct harness *h = harness_new(true);

	harness_pool(h, 1, 2);
	ck_assert_int_eq(submit(h, 0), 0);
	ck_assert_int_eq(submit(h, 1), 0);
	ck_assert_int_eq(submit(h, 2), 0);
	ck_assert_int_eq(submit(h, 3), -1);
	ck_assert_int_eq(submit(h, 3), -1);
	ck_assert(wait_count(h, &h->started, 1));
	assert_stats(h->pool, 1, 2);

	/* Item 1 moves to the worker, which makes room for one more. */
	gate_release(h, 1);
	ck_assert(wait_count(h, &h->started, 2));
	ck_assert_int_eq(submit(h, 3), 0);
	ck_assert_uint_eq(item_position(h, 3), 2);
	ck_assert_int_eq(submit(h, 4), -1);

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 4));
	pool_destroy(h->pool);

	ck_assert_uint_eq(item_served(h, 4), 0);
	ck_assert_uint_eq(item_dropped(h, 4), 0);
	ck_assert_uint_eq(item_position(h, 4), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* N workers never run more than N serve() calls at once. */

START_TEST(test_max_concurrency)
{
	struct harness *h = harness_new(true);
	unsigned i, n = 50;

	harness_pool(h, 3, 64);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(submit(h, i), 0);
	ck_assert(wait_count(h, &h->started, 3));

	/* Give a fourth serve() the chance to start wrongly. */
	sleep_ms(50);
	ck_assert_uint_eq(read_count(h, &h->started), 3);
	ck_assert_uint_eq(atomic_load(&h->running), 3);
	assert_stats(h->pool, 3, n - 3);

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, n));
	pool_destroy(h->pool);
	ck_assert_uint_eq(atomic_load(&h->max_running), 3);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* Expiry drops only items that waited too long, without the lock held. */

START_TEST(test_expire_old_only)
{
	struct harness *h = harness_new(true);
	unsigned i;

	harness_pool(h, 1, 4);
	ck_assert_int_eq(submit(h, 0), 0);
	ck_assert_int_eq(submit(h, 1), 0);
	ck_assert_int_eq(submit(h, 2), 0);
	ck_assert(wait_count(h, &h->started, 1));
	sleep_ms(400);
	ck_assert_int_eq(submit(h, 3), 0);

	/* t_drop calls pool_stats, so this hangs if drop runs locked. */
	ck_assert_uint_eq(pool_expire(h->pool, 0.2), 2);
	ck_assert_uint_eq(read_count(h, &h->dropped[POOL_EXPIRED]), 2);
	for (i = 1; i <= 2; i++) {
		ck_assert_uint_eq(item_dropped(h, i), 1);
		ck_assert_int_eq(item_why(h, i), POOL_EXPIRED);
	}
	assert_stats(h->pool, 1, 1);
	ck_assert_uint_eq(pool_expire(h->pool, 0.2), 0);

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 2));
	pool_destroy(h->pool);

	ck_assert_uint_eq(item_served(h, 0), 1);
	ck_assert_uint_eq(item_served(h, 3), 1);
	ck_assert_uint_eq(item_dropped(h, 0), 0);
	ck_assert_uint_eq(item_dropped(h, 3), 0);
	for (i = 1; i <= 2; i++)
		ck_assert_uint_eq(item_served(h, i), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

START_TEST(test_expire_many)
{
	struct harness *h = harness_new(true);
	unsigned i, n = 100;

	/* More expired items than one batch inside pool_expire() holds. */
	harness_pool(h, 1, n);
	for (i = 0; i <= n; i++)
		ck_assert_int_eq(submit(h, i), 0);
	ck_assert(wait_count(h, &h->started, 1));
	sleep_ms(300);
	ck_assert_int_eq(submit(h, n + 1), -1);	/* still full */

	ck_assert_uint_eq(pool_expire(h->pool, 0.1), n);
	assert_stats(h->pool, 1, 0);
	for (i = 1; i <= n; i++) {
		ck_assert_uint_eq(item_dropped(h, i), 1);
		ck_assert_int_eq(item_why(h, i), POOL_EXPIRED);
	}

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 1));
	pool_destroy(h->pool);
	for (i = 1; i <= n; i++)
		ck_assert_uint_eq(item_served(h, i), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

START_TEST(test_expire_spares_promised)
{
	struct harness *h = harness_new(false);
	unsigned round, i;

	/*
	 * Items handed to idle workers never expire, even in the instant
	 * before a worker wakes to take them and even with no wait allowed.
	 */
	harness_pool(h, 4, 0);
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 4; i++)
			ck_assert_int_eq(submit(h, round * 4 + i), 0);
		ck_assert_uint_eq(pool_expire(h->pool, 0), 0);
		ck_assert_uint_eq(pool_expire(h->pool, -1), 0);
		ck_assert(wait_count(h, &h->finished, (round + 1) * 4));
		ck_assert(wait_busy_at_most(h->pool, 0));
	}
	pool_destroy(h->pool);
	for (i = 0; i < 200; i++)
		ck_assert_uint_eq(item_served(h, i), 1);
	ck_assert_uint_eq(read_count(h, &h->dropped[POOL_EXPIRED]), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* Destroy drops the queue and waits for serve() calls in progress. */

struct destroyer {
	struct harness	*h;
	pthread_t	 tid;
	atomic_bool	 done;
	unsigned	 finished_at_return;
};

static void *
destroyer_run(void *arg)
{
	struct destroyer *d = arg;

	pool_destroy(d->h->pool);
	d->finished_at_return = read_count(d->h, &d->h->finished);
	atomic_store(&d->done, true);
	return NULL;
}

START_TEST(test_destroy_drops_and_waits)
{
	struct harness *h = harness_new(true);
	struct destroyer d = { .h = h };
	unsigned i;

	harness_pool(h, 2, 3);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(submit(h, i), 0);
	ck_assert(wait_count(h, &h->started, 2));

	ck_assert_int_eq(pthread_create(&d.tid, NULL, destroyer_run, &d), 0);
	ck_assert(wait_count(h, &h->dropped[POOL_SHUTDOWN], 3));

	/* Two serve() calls are still blocked, so destroy has not returned. */
	sleep_ms(50);
	ck_assert(!atomic_load(&d.done));
	ck_assert_int_eq(submit(h, 5), -1);

	gate_release(h, 0);
	pthread_join(d.tid, NULL);
	ck_assert(atomic_load(&d.done));
	ck_assert_uint_eq(d.finished_at_return, 2);

	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(item_served(h, i), 1);
		ck_assert_uint_eq(item_dropped(h, i), 0);
	}
	for (i = 2; i < 5; i++) {
		ck_assert_uint_eq(item_served(h, i), 0);
		ck_assert_uint_eq(item_dropped(h, i), 1);
		ck_assert_int_eq(item_why(h, i), POOL_SHUTDOWN);
	}
	ck_assert_uint_eq(item_served(h, 5), 0);
	ck_assert_uint_eq(item_dropped(h, 5), 0);
	ck_assert_uint_eq(read_count(h, &h->dropped[POOL_EXPIRED]), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

START_TEST(test_destroy_serves_promised)
{
	struct harness *h;
	unsigned round, i;

	/* Items a worker took are served even if destroy comes first. */
	for (round = 0; round < 50; round++) {
		h = harness_new(false);
		harness_pool(h, 2, 1);
		for (i = 0; i < 3; i++)
			ck_assert_int_eq(submit(h, i), 0);
		pool_destroy(h->pool);
		for (i = 0; i < 2; i++) {
			ck_assert_uint_eq(item_served(h, i), 1);
			ck_assert_uint_eq(item_dropped(h, i), 0);
		}
		/* The third waited or was served, never both or neither. */
		ck_assert_uint_eq(item_served(h, 2) +
		    item_dropped(h, 2), 1);
		assert_clean(h);
		harness_free(h);
	}
}
END_TEST

START_TEST(test_destroy_idle)
{
	struct harness *h = harness_new(false);

	harness_pool(h, 8, 8);
	pool_destroy(h->pool);
	ck_assert_uint_eq(read_count(h, &h->started), 0);
	ck_assert_int_eq(atomic_load(&live_threads), 0);
	harness_free(h);
}
END_TEST

/* With queue_len 0 only idle workers take items; nothing ever waits. */

START_TEST(test_queue_len_zero)
{
	struct harness *h = harness_new(true);

	harness_pool(h, 2, 0);
	ck_assert_int_eq(submit(h, 0), 0);
	ck_assert_int_eq(submit(h, 1), 0);
	ck_assert_int_eq(submit(h, 2), -1);
	ck_assert(wait_count(h, &h->started, 2));
	ck_assert_int_eq(submit(h, 2), -1);
	assert_stats(h->pool, 2, 0);
	ck_assert_uint_eq(pool_expire(h->pool, 0), 0);

	gate_release(h, 1);
	ck_assert(wait_count(h, &h->finished, 1));
	ck_assert(wait_busy_at_most(h->pool, 1));
	ck_assert_int_eq(submit(h, 2), 0);
	ck_assert_int_eq(submit(h, 3), -1);

	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 3));
	pool_destroy(h->pool);
	ck_assert_uint_eq(atomic_load(&h->queued_calls), 0);
	ck_assert_uint_eq(read_count(h, &h->dropped[POOL_SHUTDOWN]), 0);
	ck_assert_uint_eq(item_served(h, 3), 0);
	assert_clean(h);
	harness_free(h);
}
END_TEST

/* pool_create() validates its arguments and cleans up after failures. */

START_TEST(test_create_bad_args)
{
	struct pool_ops ops = t_ops;

	errno = 0;
	ck_assert_ptr_null(pool_create(0, 4, &t_ops, NULL));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(pool_create(1, 4, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(pool_create(2, UINT_MAX - 1, &t_ops, NULL));
	ck_assert_int_eq(errno, EINVAL);

	ops.serve = NULL;
	errno = 0;
	ck_assert_ptr_null(pool_create(1, 4, &ops, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ops = t_ops;
	ops.drop = NULL;
	errno = 0;
	ck_assert_ptr_null(pool_create(1, 4, &ops, NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_create_thread_failure)
{
	struct harness *h = harness_new(false);
	int fail_at;

	/* Thread fail_at of four fails; the ones before it must be joined. */
	for (fail_at = 0; fail_at < 4; fail_at++) {
		ck_assert_int_eq(atomic_load(&live_threads), 0);
		atomic_store(&create_fail_in, fail_at);
		errno = 0;
		ck_assert_ptr_null(pool_create(4, 2, &t_ops, h));
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert_int_eq(atomic_load(&create_fail_in), -1);
		ck_assert_int_eq(atomic_load(&live_threads), 0);
	}
	atomic_store(&create_fail_in, -1);
	ck_assert_uint_eq(read_count(h, &h->started), 0);
	harness_free(h);
}
END_TEST

START_TEST(test_queued_callback_optional)
{
	struct harness *h = harness_new(true);
	struct pool_ops ops = t_ops;

	ops.queued = NULL;
	h->pool = pool_create(1, 1, &ops, h);
	ck_assert_ptr_nonnull(h->pool);
	ck_assert_int_eq(submit(h, 0), 0);
	ck_assert_int_eq(submit(h, 1), 0);
	ck_assert_int_eq(submit(h, 2), -1);
	gate_release(h, 0);
	ck_assert(wait_count(h, &h->finished, 2));
	pool_destroy(h->pool);
	ck_assert_uint_eq(atomic_load(&h->queued_calls), 0);
	harness_free(h);
}
END_TEST

/* A test case with the per-test timeout set, added to s. */
static TCase *
add_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, TEST_TIMEOUT);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc;

	tc = add_tcase(s, "serve_all");
	tcase_add_test(tc, test_serve_all_many_submitters);

	tc = add_tcase(s, "positions");
	tcase_add_test(tc, test_positions_single_worker_fifo);
	tcase_add_test(tc, test_positions_before_workers_wake);
	tcase_add_test(tc, test_queued_before_serve);

	tc = add_tcase(s, "queue_full");
	tcase_add_test(tc, test_queue_full);

	tc = add_tcase(s, "concurrency");
	tcase_add_test(tc, test_max_concurrency);

	tc = add_tcase(s, "expire");
	tcase_add_test(tc, test_expire_old_only);
	tcase_add_test(tc, test_expire_many);
	tcase_add_test(tc, test_expire_spares_promised);

	tc = add_tcase(s, "destroy");
	tcase_add_test(tc, test_destroy_drops_and_waits);
	tcase_add_test(tc, test_destroy_serves_promised);
	tcase_add_test(tc, test_destroy_idle);

	tc = add_tcase(s, "queue_len_zero");
	tcase_add_test(tc, test_queue_len_zero);

	tc = add_tcase(s, "create");
	tcase_add_test(tc, test_create_bad_args);
	tcase_add_test(tc, test_create_thread_failure);
	tcase_add_test(tc, test_queued_callback_optional);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
