/*
 * proxied: reading a PROXY protocol header (proto/proxy.h) off a socket
 * without ever reading a byte past it, so that what follows (FTP commands,
 * a TLS hello, upload data) stays for the next layer. Each step peeks at
 * what has arrived; bytes known to belong to an unfinished header are
 * taken into the buffer, so that a level-triggered poll on the socket
 * means new bytes, never the same ones again.
 */
#ifndef BURROW_PROXIED_H
#define BURROW_PROXIED_H

#include <stddef.h>

#include "proto/proxy.h"

struct proxied {
	unsigned char	buf[PROXY_MAX];	/* header bytes taken so far */
	size_t		len;
};

#define PROXIED_FAILED	(-2)	/* EOF or a socket error (errno; 0 for EOF) */

/*
 * One step on the non-blocking read of fd: returns PROXY_NEED_MORE (wait
 * for fd to be readable and call again), PROXY_DONE or PROXY_LOCAL (h
 * filled, the header consumed and nothing more), PROXY_INVALID, or
 * PROXIED_FAILED.
 */
int proxied_step(int fd, struct proxied *p, struct proxy_header *h);

/*
 * Reads a header from fd, waiting at most ms milliseconds in all. Returns
 * as proxied_step(); PROXY_NEED_MORE means it timed out.
 */
int proxied_read(int fd, struct proxy_header *h, int ms);

#endif
