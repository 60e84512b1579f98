/*
 * metrics: what burrowd counts for Prometheus, and the text it is served
 * as. The counters are atomics that the sessions' hot paths bump without
 * a lock; a scrape copies them into a snapshot, adds the gauges (sessions
 * served and queued, bans in force) and formats the snapshot in the text
 * exposition format, version 0.0.4. Formatting is a pure function of the
 * snapshot, so its exact text is unit-tested.
 *
 * No series carries a user name, a path or a client address: their number
 * would grow without bound and they are not the operator's to publish.
 * The HTTP listener (metrics_listen) is in srv/metrics_http.c.
 */
#ifndef BURROW_METRICS_H
#define BURROW_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Every counter; the names and labels they are served with are in metrics.c. */
enum metrics_counter {
	MC_SESSIONS,			/* control connections given a session */
	MC_LOGINS,			/* successful logins */
	MC_LOGIN_FAIL_PASSWORD,		/* a known user, a wrong password */
	MC_LOGIN_FAIL_UNKNOWN,		/* no such user */
	MC_LOGIN_FAIL_SESSIONS,		/* max_sessions_per_user reached */
	MC_LOGIN_FAIL_UNAVAILABLE,	/* home, database or account changed */
	MC_BANS,			/* addresses banned (ban_after) */
	MC_BYTES_IN,			/* data connection payload received */
	MC_BYTES_OUT,			/* data connection payload sent */
	MC_XFER_OK,			/* RETR, STOR and APPE by result */
	MC_XFER_ABORTED,
	MC_XFER_FAILED,
	MC_XFER_QUOTA,
	MC_QUOTA_REFUSALS,		/* uploads stopped and ALLOs refused */
	MC_TLS_CONTROL_OK,		/* TLS handshakes by channel and result */
	MC_TLS_CONTROL_FAILED,
	MC_TLS_DATA_OK,
	MC_TLS_DATA_FAILED,
	MC_COUNT
};

/* What is measured at the moment of a scrape rather than counted. */
enum metrics_gauge {
	MG_SERVED,			/* logged-in sessions (seats taken) */
	MG_QUEUED,			/* waiting for a seat */
	MG_BANNED,			/* addresses banned now */
	MG_COUNT
};

/* The counters of one server: no lock, every access relaxed. */
struct metrics {
	atomic_uint_least64_t	 c[MC_COUNT];
};

/* One scrape's values, plain numbers. */
struct metrics_snapshot {
	uint64_t		 counter[MC_COUNT];
	uint64_t		 gauge[MG_COUNT];
	const char		*version;	/* burrow_build_info's label */
	int64_t			 start_time;	/* Unix time burrowd started */
};

/* Adds n to counter c of m; m may be NULL (nothing counted). */
static inline void
metrics_add(struct metrics *m, enum metrics_counter c, uint64_t n)
{
	if (m != NULL)
		atomic_fetch_add_explicit(&m->c[c], n, memory_order_relaxed);
}

static inline void
metrics_count(struct metrics *m, enum metrics_counter c)
{
	metrics_add(m, c, 1);
}

/* Copies every counter of m into out (gauges and labels are left alone). */
void metrics_read(struct metrics *m, struct metrics_snapshot *out);

/*
 * Writes snap in the Prometheus text format (version 0.0.4) into buf, NUL
 * terminated. Returns its length, or -1 if len is too small.
 */
int metrics_format(const struct metrics_snapshot *snap, char *buf,
    size_t len);

/* Room metrics_format() needs, with a wide margin for a long version. */
#define METRICS_TEXT_MAX	8192

/*
 * Escapes in as a label value (backslash, double quote and newline get a
 * backslash) into out, NUL terminated. Returns 0, or -1 if it does not fit.
 */
int metrics_escape(const char *in, char *out, size_t len);

/*
 * Parses metrics_listen: "ADDRESS:PORT" with a numeric IPv4 address, or
 * "[ADDRESS]:PORT" with an IPv6 one, port 1-65535. Fills sa and *salen if
 * not NULL. Returns 0, or -1 with a message naming the setting in why.
 */
int metrics_parse_listen(const char *text, struct sockaddr_storage *sa,
    socklen_t *salen, char *why, size_t whylen);

#endif
