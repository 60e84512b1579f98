/*
 * xlog: the transfer log of the full-screen client, every file's result
 * as one line of text ("12:03:04 down FAIL /pub/a.iso -> /home/u/a.iso:
 * why"), for the screen's log view. A model with no screen and no lock
 * (the queue holds its own around it).
 *
 * It keeps the last XLOG_MAX lines, but a failure goes only when nothing
 * else is left to drop: the failures and their reasons are what the user
 * comes to read, after a night of transfers as after one file.
 */
#ifndef BURROW_XLOG_H
#define BURROW_XLOG_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#define XLOG_MAX	2000	/* lines kept */

enum xlog_kind {
	XLOG_DONE,
	XLOG_SKIPPED,
	XLOG_FAILED,
	XLOG_CANCELED,
};

struct xlog_line {
	char		*text;
	enum xlog_kind	 kind;
};

struct xlog {
	pthread_mutex_t	 lock;		/* guards the rest */
	struct xlog_line *v;		/* oldest first */
	size_t		 n;
	size_t		 cap;		/* XLOG_MAX, or less in the tests */
	unsigned long	 added;		/* ever */
	unsigned long	 failed;	/* ever */
	unsigned long	 dropped;	/* ever: the oldest lines let go */
};

/* An empty log keeping at most cap lines (0: XLOG_MAX). */
void	xlog_init(struct xlog *l, size_t cap);

/* Frees what l holds (l is not used again but to be inited anew). */
void	xlog_free(struct xlog *l);

/* The counts: lines ever added and failures ever added. */
void	xlog_counts(struct xlog *l, unsigned long *added,
	    unsigned long *failed);

/*
 * Adds the line for a file that ended as kind at time when: upload (1)
 * or download (0), its source and target, and the engine's message
 * (why it failed, how it was verified or skipped; may be NULL). Control
 * bytes become '?'. 0, or -1 when out of memory (the line is lost).
 */
int	xlog_add(struct xlog *l, time_t when, enum xlog_kind kind, int upload,
	    const char *src, const char *dst, const char *msg);

/*
 * Copies the lines of l (only the failures with failed_only set), oldest
 * first, into *out (malloc'd, each text too; free with xlog_lines_free).
 * Returns how many, or -1 when out of memory.
 */
long	xlog_copy(struct xlog *l, int failed_only,
	    struct xlog_line **out);

void	xlog_lines_free(struct xlog_line *v, size_t n);

#endif
