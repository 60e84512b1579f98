/*
 * rate: bandwidth limits (rate_down, rate_up), one pair of token buckets
 * per user shared by all of that user's sessions, so that a user's
 * sessions together move at most the limit, however many there are.
 *
 * A transfer moves a slice (rate_slice()), then charges it with
 * rate_charge() and sleeps for the time that returns. The bucket may go
 * into debt: a charge takes its bytes at once and says how long until the
 * debt is paid, so the next session to charge waits behind it. Sessions
 * therefore get their slices in the order they ask, and share the rate
 * evenly. A full bucket lets rate_burst() bytes through without waiting.
 *
 * The bucket arithmetic (rate_bucket_*) is pure, with the clock passed in,
 * for the unit tests; the records take now_mono() under their own lock.
 */
#ifndef BURROW_RATE_H
#define BURROW_RATE_H

#include <stddef.h>
#include <stdint.h>

/* A token bucket: tokens may be negative (debt). */
struct rate_bucket {
	double	tokens;		/* bytes that may go now */
	double	last;		/* clock of the last refill */
};

/* Bytes a full bucket holds at rate: an eighth of a second, 16 KiB at least. */
double	rate_burst(uint64_t rate);

/* Bytes to move between two charges at rate (0: no limit gives max). */
size_t	rate_slice(uint64_t rate, size_t max);

/* A full bucket at time now. */
void	rate_bucket_init(struct rate_bucket *b, uint64_t rate, double now);

/*
 * Charges n bytes at time now (seconds, any monotonic clock) against rate
 * bytes per second: refills for the time since the last charge (up to
 * rate_burst()), takes n. Returns the seconds the caller must wait before
 * it moves more, 0 if none; rate 0 is no limit (always 0).
 */
double	rate_bucket_take(struct rate_bucket *b, uint64_t rate, double now,
	    uint64_t n);

enum rate_dir { RATE_DOWN, RATE_UP };

struct rate;
struct rate_table;

struct rate_table *rate_table_new(void);
void	rate_table_free(struct rate_table *t);

/*
 * The record of user, created on first use with limits down and up
 * (bytes per second, 0: none); an existing one keeps its own (rate_set()
 * changes them on reload). Holds a reference: give it back with
 * rate_put(). NULL if out of memory.
 */
struct rate *rate_get(struct rate_table *t, const char *user, uint64_t down,
    uint64_t up);
void	rate_put(struct rate_table *t, struct rate *r);

/* Sets the limits of user's record if there is one (users reloaded). */
void	rate_set(struct rate_table *t, const char *user, uint64_t down,
	    uint64_t up);

/* The limit in force in direction dir (0: none). NULL r: none. */
uint64_t rate_limit(struct rate *r, enum rate_dir dir);

/*
 * Charges n bytes moved in direction dir now. Returns the seconds to
 * wait before moving more (0 without a limit). NULL r: 0.
 */
double	rate_charge(struct rate *r, enum rate_dir dir, uint64_t n);

#endif
