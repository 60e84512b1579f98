/*
 * rate: per-user token buckets. The table's lock guards the list and the
 * reference counts, as in srv/quota.c; each record's lock guards its
 * buckets, and is held only for the arithmetic of one charge, never while
 * a session sleeps. The limits are atomics, written under the lock too:
 * an unlimited transfer reads one and takes no lock at all, so the
 * sessions of a user without a limit never contend.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"
#include "srv/rate.h"
#include "srv/users.h"

#define RATE_BURST_MIN	(16.0 * 1024)

struct rate {
	struct rate	*next;		/* table lock */
	unsigned	 refs;		/* table lock */
	char		 user[USER_NAME_MAX + 1];
	/* lock guards bucket, and the writes of limit. */
	pthread_mutex_t	 lock;
	_Atomic uint64_t limit[2];	/* by enum rate_dir; 0: none */
	struct rate_bucket bucket[2];
};

struct rate_table {
	/* lock guards list and every record's next and refs. */
	pthread_mutex_t	 lock;
	struct rate	*list;
};

double
rate_burst(uint64_t rate)
{
	double b = (double)rate / 8;

	return b < RATE_BURST_MIN ? RATE_BURST_MIN : b;
}

size_t
rate_slice(uint64_t rate, size_t max)
{
	uint64_t n = rate / 16;

	if (rate == 0 || n > max)
		return max;
	return n < 4096 ? (max < 4096 ? max : 4096) : (size_t)n;
}

void
rate_bucket_init(struct rate_bucket *b, uint64_t rate, double now)
{
	b->tokens = rate_burst(rate);
	b->last = now;
}

double
rate_bucket_take(struct rate_bucket *b, uint64_t rate, double now, uint64_t n)
{
	double burst = rate_burst(rate);

	if (rate == 0)
		return 0;
	/* A clock that went back refills nothing. */
	if (now > b->last) {
		b->tokens += (now - b->last) * (double)rate;
		b->last = now;
	}
	if (b->tokens > burst)
		b->tokens = burst;
	b->tokens -= (double)n;
	return b->tokens >= 0 ? 0 : -b->tokens / (double)rate;
}

struct rate_table *
rate_table_new(void)
{
	struct rate_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void
rate_table_free(struct rate_table *t)
{
	struct rate *r, *next;

	if (t == NULL)
		return;
	for (r = t->list; r != NULL; r = next) {
		next = r->next;
		pthread_mutex_destroy(&r->lock);
		free(r);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct rate *
find(struct rate_table *t, const char *user)
{
	struct rate *r;

	for (r = t->list; r != NULL; r = r->next)
		if (strcmp(r->user, user) == 0)
			return r;
	return NULL;
}

struct rate *
rate_get(struct rate_table *t, const char *user, uint64_t down, uint64_t up)
{
	struct rate *r;
	double now = now_mono();

	pthread_mutex_lock(&t->lock);
	if ((r = find(t, user)) != NULL) {
		r->refs++;
		pthread_mutex_unlock(&t->lock);
		return r;
	}
	if ((r = calloc(1, sizeof(*r))) != NULL) {
		snprintf(r->user, sizeof(r->user), "%s", user);
		pthread_mutex_init(&r->lock, NULL);
		atomic_init(&r->limit[RATE_DOWN], down);
		atomic_init(&r->limit[RATE_UP], up);
		rate_bucket_init(&r->bucket[RATE_DOWN], down, now);
		rate_bucket_init(&r->bucket[RATE_UP], up, now);
		r->refs = 1;
		r->next = t->list;
		t->list = r;
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

void
rate_put(struct rate_table *t, struct rate *r)
{
	struct rate **pp;

	if (r == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	if (--r->refs == 0) {
		for (pp = &t->list; *pp != NULL; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				break;
			}
	} else
		r = NULL;
	pthread_mutex_unlock(&t->lock);
	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void
rate_set(struct rate_table *t, const char *user, uint64_t down, uint64_t up)
{
	struct rate *r;

	pthread_mutex_lock(&t->lock);
	if ((r = find(t, user)) != NULL) {
		pthread_mutex_lock(&r->lock);
		atomic_store_explicit(&r->limit[RATE_DOWN], down,
		    memory_order_relaxed);
		atomic_store_explicit(&r->limit[RATE_UP], up,
		    memory_order_relaxed);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_unlock(&t->lock);
}

uint64_t
rate_limit(struct rate *r, enum rate_dir dir)
{
	if (r == NULL)
		return 0;
	return atomic_load_explicit(&r->limit[dir], memory_order_relaxed);
}

double
rate_charge(struct rate *r, enum rate_dir dir, uint64_t n)
{
	double wait;

	if (r == NULL || rate_limit(r, dir) == 0)
		return 0;
	pthread_mutex_lock(&r->lock);
	/* Read again under the lock: a reload may have changed it. */
	wait = rate_bucket_take(&r->bucket[dir], rate_limit(r, dir),
	    now_mono(), n);
	pthread_mutex_unlock(&r->lock);
	return wait;
}
