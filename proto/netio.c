/*
 * netio: buffered, timed I/O on a non-blocking socket, optionally through
 * a byte-moving layer such as TLS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/netio.h"

void
conn_init(struct conn *c, int fd)
{
	int fl;

	c->fd = fd;
	c->ops = NULL;
	c->impl = NULL;
	c->start = c->end = 0;
	c->discarding = 0;
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void
conn_set_ops(struct conn *c, const struct conn_ops *ops, void *impl)
{
	c->ops = ops;
	c->impl = impl;
}

int
conn_wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return n;
	return 1;
}

int
conn_readable_now(const struct conn *c)
{
	if (c->end > c->start)
		return 1;
	return c->ops != NULL && c->ops->pending(c->impl) > 0;
}

/* One read from the layer below the buffer, waiting as needed. */
static ssize_t
raw_read(struct conn *c, void *buf, size_t n, int timeout_ms)
{
	ssize_t r;
	int want_write = 0;

	for (;;) {
		if (c->ops != NULL)
			r = c->ops->read(c->impl, buf, n, &want_write);
		else
			r = recv(c->fd, buf, n, 0);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		switch (conn_wait_fd(c->fd, want_write ? POLLOUT : POLLIN,
		    timeout_ms)) {
		case 0:
			errno = ETIMEDOUT;
			return -1;
		case -1:
			return -1;
		}
	}
}

ssize_t
conn_read(struct conn *c, void *buf, size_t n, int timeout_ms)
{
	size_t have = c->end - c->start;

	if (have > 0) {
		if (n > have)
			n = have;
		memcpy(buf, c->buf + c->start, n);
		c->start += n;
		return (ssize_t)n;
	}
	return raw_read(c, buf, n, timeout_ms);
}

ssize_t
conn_write_some(struct conn *c, const void *buf, size_t n, short *wait)
{
	ssize_t w;
	int want_read = 0;

	do {
		if (c->ops != NULL)
			w = c->ops->write(c->impl, buf, n, &want_read);
		else
			w = send(c->fd, buf, n, MSG_NOSIGNAL);
	} while (w == -1 && errno == EINTR);
	if (w > 0)
		return w;
	if (w == 0) {
		errno = EPIPE;
		return -1;
	}
	if (wait != NULL)
		*wait = want_read ? POLLIN : POLLOUT;
	return -1;
}

int
conn_write(struct conn *c, const void *buf, size_t n, int timeout_ms)
{
	const char *p = buf;
	ssize_t w;
	short wait = POLLOUT;

	while (n > 0) {
		if ((w = conn_write_some(c, p, n, &wait)) > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		switch (conn_wait_fd(c->fd, wait, timeout_ms)) {
		case 0:
			errno = ETIMEDOUT;
			return -1;
		case -1:
			return -1;
		}
	}
	return 0;
}

/* Waits for the control fd or the wake fd. */
static int
wait_line(struct conn *c, int timeout_ms, int wakefd)
{
	struct pollfd pfd[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = wakefd, .events = POLLIN },
	};
	int n;

	do
		n = poll(pfd, wakefd >= 0 ? 2 : 1, timeout_ms);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return CONN_ERR;
	if (n == 0)
		return CONN_TIMEOUT;
	if (wakefd >= 0 && (pfd[1].revents & POLLIN))
		return CONN_WAKE;
	return 0;
}

int
conn_readline(struct conn *c, char *line, size_t max, int timeout_ms,
    int wakefd)
{
	size_t n;
	ssize_t r;
	char *nl;
	int rc;

	for (;;) {
		nl = memchr(c->buf + c->start, '\n', c->end - c->start);
		if (nl != NULL) {
			size_t take = (size_t)(nl - (c->buf + c->start));
			/* The CR before LF is not part of the line. */
			n = take > 0 && nl[-1] == '\r' ? take - 1 : take;
			c->start += take + 1;
			if (c->discarding || n >= max) {
				c->discarding = 0;
				return CONN_TOOLONG;
			}
			memcpy(line, nl - take, n);
			line[n] = '\0';
			return (int)n;
		}
		/* No full line yet: keep the partial one, or drop an overlong one. */
		if (c->discarding || c->end - c->start == sizeof(c->buf)) {
			c->discarding = 1;
			c->start = c->end = 0;
		} else if (c->start > 0) {
			memmove(c->buf, c->buf + c->start, c->end - c->start);
			c->end -= c->start;
			c->start = 0;
		}
		if (!(c->ops != NULL && c->ops->pending(c->impl) > 0) &&
		    (rc = wait_line(c, timeout_ms, wakefd)) != 0)
			return rc;
		r = raw_read(c, c->buf + c->end, sizeof(c->buf) - c->end,
		    timeout_ms);
		if (r == 0)
			return CONN_EOF;
		if (r < 0)
			return errno == ETIMEDOUT ? CONN_TIMEOUT : CONN_ERR;
		c->end += (size_t)r;
	}
}
