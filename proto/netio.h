/*
 * netio: a connection, buffered, with timeouts. Control lines are read and
 * replies written through it; data channels use its read and write too. The
 * socket is non-blocking and every wait is a poll() bounded by a timeout, so
 * a silent peer can never hold a thread forever.
 *
 * Encryption plugs in below this interface (see conn_set_ops): callers read
 * and write a connection without knowing whether it is TLS.
 */
#ifndef BURROW_NETIO_H
#define BURROW_NETIO_H

#include <stddef.h>
#include <sys/types.h>

#define CONN_BUF	8192

/* Results of conn_readline() besides a line length. */
#define CONN_EOF	(-1)	/* peer closed */
#define CONN_ERR	(-2)	/* I/O error, errno set */
#define CONN_TIMEOUT	(-3)	/* nothing arrived in time */
#define CONN_TOOLONG	(-4)	/* line longer than the buffer; skipped */
#define CONN_WAKE	(-5)	/* the wake fd became readable */

/* Byte movers below the buffer: plain sockets by default, TLS when set. */
struct conn_ops {
	/* Like recv/send on a non-blocking socket: -1 with EAGAIN to wait. */
	ssize_t	(*read)(void *impl, void *buf, size_t n, int *want_write);
	ssize_t	(*write)(void *impl, const void *buf, size_t n, int *want_read);
	/* Bytes the layer holds already decrypted (poll can't see them). */
	size_t	(*pending)(void *impl);
};

struct conn {
	int			 fd;
	const struct conn_ops	*ops;	/* NULL for a plain socket */
	void			*impl;
	char			 buf[CONN_BUF];
	size_t			 start, end;	/* unread bytes in buf */
	int			 discarding;	/* inside an overlong line */
};

/* Wraps fd (made non-blocking). The connection does not own fd. */
void conn_init(struct conn *c, int fd);

/* Routes I/O through ops/impl (after a TLS handshake); NULL for plain. */
void conn_set_ops(struct conn *c, const struct conn_ops *ops, void *impl);

/*
 * Reads up to n bytes, buffered bytes first. Waits up to timeout_ms (-1:
 * forever). Returns bytes read, 0 at end of stream, or -1 with errno
 * (ETIMEDOUT when the time ran out).
 */
ssize_t conn_read(struct conn *c, void *buf, size_t n, int timeout_ms);

/*
 * Writes all n bytes, waiting up to timeout_ms for each stretch of
 * progress. Returns 0, or -1 with errno (ETIMEDOUT, EPIPE...).
 */
int conn_write(struct conn *c, const void *buf, size_t n, int timeout_ms);

/*
 * Writes what the connection takes now of n bytes, without waiting.
 * Returns the bytes written (> 0), or -1 with errno: EAGAIN when nothing
 * could go now, *wait (when not NULL) then saying what to poll for
 * (POLLOUT, or POLLIN when TLS must read first); EPIPE and the like.
 */
ssize_t conn_write_some(struct conn *c, const void *buf, size_t n,
    short *wait);

/*
 * Reads one line ending in LF (a CR before it is dropped) into line, NUL
 * terminated, at most max-1 bytes. A partial line stays buffered across a
 * timeout. Waits up to timeout_ms; if wakefd >= 0
 * and becomes readable first, returns CONN_WAKE. Returns the line's length
 * (which may include NUL bytes from the peer), or one of the CONN_*
 * results above.
 */
int conn_readline(struct conn *c, char *line, size_t max, int timeout_ms,
    int wakefd);

/* 1 if a read would return without waiting (buffered or TLS-pending). */
int conn_readable_now(const struct conn *c);

/*
 * Waits until fd is ready for events (POLLIN/POLLOUT) or timeout_ms passes.
 * Returns 1 ready, 0 timeout, -1 error.
 */
int conn_wait_fd(int fd, short events, int timeout_ms);

#endif
