/*
 * pool: a fixed set of worker threads serving items from a bounded queue.
 *
 * The acceptor submits each connection as an opaque item. A worker that is
 * free takes it at once; otherwise it waits in a FIFO queue of at most
 * queue_len items, and the pool tells the owner its place through the
 * queued callback. Items that wait too long, or are still queued when the
 * pool is destroyed, leave through the drop callback.
 */
#ifndef BURROW_POOL_H
#define BURROW_POOL_H

enum pool_drop {
	POOL_EXPIRED,	/* waited longer than pool_expire() allowed */
	POOL_SHUTDOWN	/* still queued when pool_destroy() ran */
};

struct pool_ops {
	/* Runs on a worker thread and owns item from then on. */
	void (*serve)(void *item, void *ctx);
	/*
	 * The item had to wait: position 1 is next in line. Called with the
	 * pool's lock held, before any worker can take the item, so anything
	 * it writes reaches the client before what serve writes. Must not
	 * block and must not call back into the pool. May be NULL.
	 */
	void (*queued)(void *item, unsigned position, void *ctx);
	/* The item leaves unserved; called without the lock; owns item. */
	void (*drop)(void *item, enum pool_drop why, void *ctx);
};

struct pool;

/*
 * Starts workers threads. Returns NULL with errno set if threads cannot be
 * created (none are left running). workers >= 1; queue_len may be 0.
 */
struct pool *pool_create(unsigned workers, unsigned queue_len,
    const struct pool_ops *ops, void *ctx);

/*
 * Hands item to the pool. Returns 0 if a worker took it or it was queued,
 * -1 if the queue is full or the pool is shutting down (the caller still
 * owns item).
 */
int pool_submit(struct pool *pool, void *item);

/*
 * Drops, through ops->drop(POOL_EXPIRED), every queued item that has waited
 * more than max_wait seconds. Returns how many were dropped. The acceptor
 * calls it periodically.
 */
unsigned pool_expire(struct pool *pool, double max_wait);

/* Workers busy serving and items waiting, at one instant. */
void pool_stats(struct pool *pool, unsigned *busy, unsigned *waiting);

/*
 * Stops taking items, drops the queued ones (POOL_SHUTDOWN), waits for
 * every serve call in progress to return, joins the workers and frees the
 * pool.
 */
void pool_destroy(struct pool *pool);

#endif
