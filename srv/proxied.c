/*
 * proxied: a PROXY header read from a socket in steps (see proxied.h).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "proto/netio.h"
#include "proto/util.h"
#include "srv/proxied.h"

/* Takes exactly n bytes that a peek has shown to be there. */
static int
take(int fd, unsigned char *dst, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = recv(fd, dst, n, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		dst += r;
		n -= (size_t)r;
	}
	return 0;
}

int
proxied_step(int fd, struct proxied *p, struct proxy_header *h)
{
	ssize_t n;
	int r;

	do
		n = recv(fd, p->buf + p->len, sizeof(p->buf) - p->len,
		    MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		errno = 0;
		return PROXIED_FAILED;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return PROXIED_FAILED;
		n = 0;
	}
	r = proxy_parse(p->buf, p->len + (size_t)n, h);
	switch (r) {
	case PROXY_NEED_MORE:
		/* Every byte of an unfinished header is a header byte. */
		if (n > 0 && take(fd, p->buf + p->len, (size_t)n) == -1)
			return PROXIED_FAILED;
		p->len += (size_t)n;
		if (p->len == sizeof(p->buf))
			return PROXY_INVALID;	/* cannot happen: bounded */
		return PROXY_NEED_MORE;
	case PROXY_DONE:
	case PROXY_LOCAL:
		if (take(fd, p->buf + p->len, h->len - p->len) == -1)
			return PROXIED_FAILED;
		p->len = h->len;
		return r;
	}
	return PROXY_INVALID;
}

int
proxied_read(int fd, struct proxy_header *h, int ms)
{
	struct proxied *p;
	double until = now_mono() + ms / 1000.0;
	int r, left;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return PROXIED_FAILED;
	for (;;) {
		r = proxied_step(fd, p, h);
		if (r != PROXY_NEED_MORE)
			break;
		left = (int)((until - now_mono()) * 1000);
		if (left <= 0 || conn_wait_fd(fd, POLLIN, left) != 1)
			break;
	}
	free(p);
	return r;
}
