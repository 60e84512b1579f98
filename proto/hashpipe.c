/*
 * hashpipe: a ring of buffers between the thread that moves bytes and the
 * one that hashes them (see hashpipe.h).
 *
 * Slot i is the mover's while it is empty and the hasher's while it is
 * full; head is the next slot the mover fills, tail the next the hasher
 * takes. Both only ever advance, so the order of the bytes is kept.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hashpipe.h"

struct slot {
	char		*buf;
	size_t		 n;		/* bytes in buf, or */
	int		 fd;		/* >= 0: a file range to read */
	uint64_t	 start, end;
	int		 full;
};

struct hashpipe {
	const struct hash_alg	*alg;
	struct hash_ctx		*ctx;
	size_t			 bufsize;
	unsigned		 nslot;
	struct slot		*slot;
	pthread_t		 thread;

	pthread_mutex_t		 mu;	/* guards every slot's full, head,
					 * tail, done, stop and err */
	pthread_cond_t		 filled;	/* a slot became full, or done */
	pthread_cond_t		 emptied;	/* a slot became empty */
	unsigned		 head, tail;
	int			 done;	/* the mover handed over its last */
	int			 stop;	/* abandon: hash no more */
	int			 err;	/* the first failure, or 0 */
	int			 halt;	/* atomic: abandon stops a file range */
};

static void *
hasher(void *arg)
{
	struct hashpipe *hp = arg;
	struct slot *s;
	int err;

	for (;;) {
		pthread_mutex_lock(&hp->mu);
		while (!hp->slot[hp->tail].full && !hp->done && !hp->stop)
			pthread_cond_wait(&hp->filled, &hp->mu);
		if (hp->stop || !hp->slot[hp->tail].full) {
			pthread_mutex_unlock(&hp->mu);
			return NULL;
		}
		s = &hp->slot[hp->tail];
		err = hp->err;
		pthread_mutex_unlock(&hp->mu);

		/* After a failure the slots are only emptied, so that the
		 * mover never waits for ever. */
		if (err == 0 && s->fd >= 0) {
			if (hash_update_fd(hp->ctx, s->fd, s->start, s->end,
			    s->buf, hp->bufsize, &hp->halt) == -1)
				err = errno;
		} else if (err == 0 && hash_update(hp->ctx, s->buf, s->n) == -1)
			err = errno;

		pthread_mutex_lock(&hp->mu);
		if (hp->err == 0)
			hp->err = err;
		s->full = 0;
		hp->tail = (hp->tail + 1) % hp->nslot;
		pthread_cond_signal(&hp->emptied);
		pthread_mutex_unlock(&hp->mu);
	}
}

static void
destroy(struct hashpipe *hp)
{
	unsigned i;

	for (i = 0; i < hp->nslot; i++)
		free(hp->slot[i].buf);
	free(hp->slot);
	hash_abandon(hp->ctx);
	pthread_mutex_destroy(&hp->mu);
	pthread_cond_destroy(&hp->filled);
	pthread_cond_destroy(&hp->emptied);
	free(hp);
}

struct hashpipe *
hashpipe_new(const struct hash_alg *alg, unsigned nbuf, size_t bufsize)
{
	struct hashpipe *hp;
	unsigned i;
	int rc;

	if (alg == NULL || nbuf < 2 || bufsize == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((hp = calloc(1, sizeof(*hp))) == NULL)
		return NULL;
	hp->alg = alg;
	hp->bufsize = bufsize;
	hp->nslot = nbuf;
	pthread_mutex_init(&hp->mu, NULL);
	pthread_cond_init(&hp->filled, NULL);
	pthread_cond_init(&hp->emptied, NULL);
	if ((hp->slot = calloc(nbuf, sizeof(*hp->slot))) == NULL)
		goto fail;
	for (i = 0; i < nbuf; i++)
		if ((hp->slot[i].buf = malloc(bufsize)) == NULL)
			goto fail;
	if ((hp->ctx = hash_begin(alg)) == NULL)
		goto fail;
	if ((rc = pthread_create(&hp->thread, NULL, hasher, hp)) != 0) {
		errno = rc;
		goto fail;
	}
	return hp;
fail:
	rc = errno != 0 ? errno : ENOMEM;
	destroy(hp);
	errno = rc;
	return NULL;
}

size_t
hashpipe_bufsize(const struct hashpipe *hp)
{
	return hp->bufsize;
}

/* Waits until the slot at head is the mover's; returns it. */
static struct slot *
next_empty(struct hashpipe *hp)
{
	struct slot *s;

	pthread_mutex_lock(&hp->mu);
	while (hp->slot[hp->head].full)
		pthread_cond_wait(&hp->emptied, &hp->mu);
	s = &hp->slot[hp->head];
	pthread_mutex_unlock(&hp->mu);
	return s;
}

static void
hand_over(struct hashpipe *hp, struct slot *s)
{
	pthread_mutex_lock(&hp->mu);
	s->full = 1;
	hp->head = (hp->head + 1) % hp->nslot;
	pthread_cond_signal(&hp->filled);
	pthread_mutex_unlock(&hp->mu);
}

void *
hashpipe_buf(struct hashpipe *hp)
{
	return next_empty(hp)->buf;
}

void
hashpipe_put(struct hashpipe *hp, size_t n)
{
	struct slot *s = next_empty(hp);

	s->fd = -1;
	s->n = n < hp->bufsize ? n : hp->bufsize;
	hand_over(hp, s);
}

void
hashpipe_file(struct hashpipe *hp, int fd, uint64_t start, uint64_t end)
{
	struct slot *s = next_empty(hp);

	s->fd = fd;
	s->start = start;
	s->end = end;
	s->n = 0;
	hand_over(hp, s);
}

/* Tells the hasher no more comes (stop: and to hash no more); joins it. */
static int
finish(struct hashpipe *hp, int stop)
{
	int err;

	if (stop)
		__atomic_store_n(&hp->halt, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&hp->mu);
	hp->done = 1;
	hp->stop = stop;
	pthread_cond_signal(&hp->filled);
	pthread_mutex_unlock(&hp->mu);
	pthread_join(hp->thread, NULL);
	err = hp->err;
	return err;
}

int
hashpipe_end(struct hashpipe *hp, char *hex, size_t hexlen)
{
	int err = finish(hp, 0), rc;

	if (hexlen > 0)
		hex[0] = '\0';
	if (err != 0) {
		destroy(hp);
		errno = err;
		return -1;
	}
	rc = hash_end(hp->ctx, hex, hexlen);
	err = errno;
	hp->ctx = NULL;		/* hash_end() freed it */
	destroy(hp);
	errno = err;
	return rc;
}

void
hashpipe_abandon(struct hashpipe *hp)
{
	if (hp == NULL)
		return;
	(void)finish(hp, 1);
	destroy(hp);
}
