/*
 * hashpipe: a digest computed on a thread of its own, beside the loop that
 * moves the bytes, so that a verified transfer takes no longer than an
 * unverified one on a machine with a core to spare.
 *
 * The mover fills the pipe's buffers in turn: hashpipe_buf() lends the
 * next free one (waiting while the hashing thread still has every buffer),
 * the mover reads into it, uses the bytes (writes them to the file or the
 * network) and hands them over with hashpipe_put(); it must not touch the
 * buffer after that. A range of a file can be queued too
 * (hashpipe_file(), the part a resume keeps), and is hashed in its place
 * in the order. hashpipe_end() waits for the last byte and gives the
 * digest of everything queued, in order.
 *
 * One mover per pipe: the functions are not to be called from two threads
 * at once. The hashing thread reads only what was handed over.
 */
#ifndef BURROW_HASHPIPE_H
#define BURROW_HASHPIPE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hash.h"

struct hashpipe;

/*
 * Starts a pipe for alg with nbuf buffers of bufsize bytes (nbuf >= 2).
 * Returns NULL with errno (EINVAL, ENOSYS, ENOMEM, or pthread_create()'s).
 */
struct hashpipe	*hashpipe_new(const struct hash_alg *alg, unsigned nbuf,
		    size_t bufsize);

/* The size of each buffer hashpipe_buf() lends. */
size_t		 hashpipe_bufsize(const struct hashpipe *hp);

/*
 * The next free buffer (hashpipe_bufsize() bytes), waiting until the
 * hashing thread is done with it. It stays the mover's until handed over;
 * one not handed over is lent again by the next call.
 */
void		*hashpipe_buf(struct hashpipe *hp);

/* Hands over the first n bytes of the buffer hashpipe_buf() lent. */
void		 hashpipe_put(struct hashpipe *hp, size_t n);

/*
 * Queues the bytes [start, end) of fd (end UINT64_MAX: to its end, which
 * must then not move while it is hashed) to be hashed in their place in
 * the order, read with pread(). fd must stay open until hashpipe_end() or
 * hashpipe_abandon() returns.
 */
void		 hashpipe_file(struct hashpipe *hp, int fd, uint64_t start,
		    uint64_t end);

/*
 * Waits for everything handed over, writes the digest into hex (hexlen >=
 * 2 * alg->size + 1) and frees the pipe. Returns 0, or -1 with errno (a
 * pread() error, ERANGE for a queued range the file no longer has,
 * ENOBUFS) and hex "".
 */
int		 hashpipe_end(struct hashpipe *hp, char *hex, size_t hexlen);

/* Stops the hashing (also of a queued file range, between two pieces)
 * and frees the pipe without a digest (NULL is fine). */
void		 hashpipe_abandon(struct hashpipe *hp);

#endif
