/*
 * pool: the worker threads that serve sessions, and the line in front of
 * them.
 *
 * One FIFO holds every submitted item that no worker has started on yet.
 * Its first entries are promised to idle workers that have not woken up to
 * take them; everything behind those is waiting. Only waiting items count
 * against queue_len, hear their position, expire, or are dropped at
 * shutdown. A promised item is served even if the pool is being destroyed,
 * because pool_submit() told its owner that a worker took it.
 *
 * Workers always take the head, so promised entries stay at the front, and
 * a worker that comes back from serve() inherits the first waiting item
 * just by taking the head. The number of promised entries is therefore
 * never stored: it is min(entries, idle workers), recomputed under the lock.
 *
 * The FIFO is a ring of workers + queue_len slots allocated up front, so
 * submitting never allocates. The drop callback runs without the lock; the
 * items it receives are first cut out of the ring under the lock.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "srv/pool.h"

/* How many expired items pool_expire() cuts out per trip through the lock. */
#define POOL_EXPIRE_BATCH	32

struct pool_entry {
	void		*item;
	struct timespec	 since;		/* submitted, CLOCK_MONOTONIC */
};

struct pool {
	/* Set by pool_create() and never changed until pool_destroy(). */
	struct pool_ops		 ops;
	void			*ctx;
	unsigned		 queue_len;
	unsigned		 cap;		/* ring slots */
	struct pool_entry	*ring;
	pthread_t		*threads;
	unsigned		 nthreads;	/* started, so to be joined */

	/*
	 * lock guards head, count, busy, stopping and the ring slots from
	 * head to head + count (mod cap).
	 */
	pthread_mutex_t		 lock;
	/* Signalled when an item is promised to an idle worker or on stop. */
	pthread_cond_t		 work;
	unsigned		 head;		/* ring index of the oldest */
	unsigned		 count;		/* entries in the ring */
	unsigned		 busy;		/* workers inside serve() */
	bool			 stopping;	/* submissions are refused */
};

/* The slot i places after ring index from, written so it cannot overflow. */
static struct pool_entry *
pool_ring_at(struct pool *pool, unsigned from, unsigned i)
{
	unsigned to_end = pool->cap - from;

	return &pool->ring[i < to_end ? from + i : i - to_end];
}

/* The entry i places behind the head. Needs the lock. */
static struct pool_entry *
pool_slot(struct pool *pool, unsigned i)
{
	return pool_ring_at(pool, pool->head, i);
}

/* Workers not inside serve(), asleep or about to look at the ring. */
static unsigned
pool_idle(const struct pool *pool)
{
	return pool->nthreads - pool->busy;
}

/* Entries at the head that idle workers will take. Needs the lock. */
static unsigned
pool_promised(const struct pool *pool)
{
	unsigned idle = pool_idle(pool);

	return pool->count < idle ? pool->count : idle;
}

/* Seconds from since to now; negative if since is later. */
static double
pool_age(const struct timespec *since, const struct timespec *now)
{
	return (double)(now->tv_sec - since->tv_sec) +
	    (double)(now->tv_nsec - since->tv_nsec) / 1e9;
}

static void *
pool_worker(void *arg)
{
	struct pool *pool = arg;
	void *item;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (pool->count == 0 && !pool->stopping)
			pthread_cond_wait(&pool->work, &pool->lock);
		/* When stopping, promised entries are still served first. */
		if (pool->count == 0)
			break;
		item = pool->ring[pool->head].item;
		pool->head = (pool->head + 1) % pool->cap;
		pool->count--;
		pool->busy++;
		pthread_mutex_unlock(&pool->lock);

		pool->ops.serve(item, pool->ctx);

		pthread_mutex_lock(&pool->lock);
		pool->busy--;
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/*
 * Tells the workers to finish, joins them and frees everything. Workers
 * leave once the ring is empty, so the caller has already emptied it of
 * whatever is not to be served.
 */
static void
pool_free(struct pool *pool)
{
	unsigned i;

	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);

	for (i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);

	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->lock);
	free(pool->threads);
	free(pool->ring);
	free(pool);
}

struct pool *
pool_create(unsigned workers, unsigned queue_len, const struct pool_ops *ops,
    void *ctx)
{
	struct pool *pool;
	int rc;

	if (workers == 0 || ops == NULL || ops->serve == NULL ||
	    ops->drop == NULL || queue_len > UINT_MAX - workers) {
		errno = EINVAL;
		return NULL;
	}

	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return NULL;
	pool->ops = *ops;
	pool->ctx = ctx;
	pool->queue_len = queue_len;
	pool->cap = workers + queue_len;
	if ((pool->ring = calloc(pool->cap, sizeof(*pool->ring))) == NULL ||
	    (pool->threads = calloc(workers, sizeof(*pool->threads))) == NULL) {
		rc = errno;
		goto fail_alloc;
	}
	if ((rc = pthread_mutex_init(&pool->lock, NULL)) != 0)
		goto fail_alloc;
	if ((rc = pthread_cond_init(&pool->work, NULL)) != 0) {
		pthread_mutex_destroy(&pool->lock);
		goto fail_alloc;
	}

	/*
	 * Workers inherit the caller's signal mask. nthreads only grows here,
	 * before any item can be submitted, so workers never see it change.
	 */
	for (; pool->nthreads < workers; pool->nthreads++) {
		rc = pthread_create(&pool->threads[pool->nthreads], NULL,
		    pool_worker, pool);
		if (rc != 0) {
			/* The ring is empty: the started workers just leave. */
			pool_free(pool);
			errno = rc;
			return NULL;
		}
	}
	return pool;

fail_alloc:
	free(pool->threads);
	free(pool->ring);
	free(pool);
	errno = rc;
	return NULL;
}

int
pool_submit(struct pool *pool, void *item)
{
	struct pool_entry *e;
	struct timespec now;
	unsigned waiting;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &now);

	pthread_mutex_lock(&pool->lock);
	if (pool->stopping)
		goto out;
	if (pool->count < pool_idle(pool)) {
		/* Some idle worker is not yet promised to an earlier entry. */
		e = pool_slot(pool, pool->count++);
		e->item = item;
		e->since = now;
		pthread_cond_signal(&pool->work);
	} else {
		waiting = pool->count - pool_idle(pool);
		if (waiting >= pool->queue_len)
			goto out;
		e = pool_slot(pool, pool->count++);
		e->item = item;
		e->since = now;
		/* Still under the lock, so no worker can have taken it. */
		if (pool->ops.queued != NULL)
			pool->ops.queued(item, waiting + 1, pool->ctx);
	}
	rc = 0;
out:
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

unsigned
pool_expire(struct pool *pool, double max_wait)
{
	void *batch[POOL_EXPIRE_BATCH];
	struct pool_entry *e;
	struct timespec now;
	unsigned dropped = 0, n, i, kept;

	/*
	 * One cut-off for the whole call, never in the future, so items
	 * submitted meanwhile cannot keep the loop below going.
	 */
	if (max_wait < 0)
		max_wait = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);

	do {
		n = 0;
		pthread_mutex_lock(&pool->lock);
		kept = pool_promised(pool);
		for (i = kept; i < pool->count; i++) {
			e = pool_slot(pool, i);
			if (n < POOL_EXPIRE_BATCH &&
			    pool_age(&e->since, &now) > max_wait)
				batch[n++] = e->item;
			else if (kept++ != i)
				*pool_slot(pool, kept - 1) = *e;
		}
		pool->count = kept;
		pthread_mutex_unlock(&pool->lock);

		for (i = 0; i < n; i++)
			pool->ops.drop(batch[i], POOL_EXPIRED, pool->ctx);
		dropped += n;
	} while (n == POOL_EXPIRE_BATCH);

	return dropped;
}

void
pool_stats(struct pool *pool, unsigned *busy, unsigned *waiting)
{
	pthread_mutex_lock(&pool->lock);
	if (busy != NULL)
		*busy = pool->busy;
	if (waiting != NULL)
		*waiting = pool->count - pool_promised(pool);
	pthread_mutex_unlock(&pool->lock);
}

void
pool_destroy(struct pool *pool)
{
	unsigned head, kept, n, i;

	/*
	 * Cut the waiting entries off the end of the ring. Their slots are not
	 * written again: submissions are refused from here on, and workers
	 * only take from the head of what is left, the promised entries.
	 */
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	kept = pool_promised(pool);
	n = pool->count - kept;
	pool->count = kept;
	head = pool->head;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);

	for (i = 0; i < n; i++)
		pool->ops.drop(pool_ring_at(pool, head, kept + i)->item,
		    POOL_SHUTDOWN, pool->ctx);

	pool_free(pool);
}
