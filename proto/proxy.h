/*
 * proxy: the PROXY protocol header (HAProxy's doc/proxy-protocol.txt,
 * versions 1 and 2) that a load balancer sends first on a connection to
 * say whom it carries. The parser is pure and incremental: it is given the
 * bytes received so far and says whether they are a complete header (and
 * how long it is, so that the bytes after it are left to the next layer),
 * need more, or cannot be one. It never reads past the header it returns.
 *
 * Version 1 is one text line, "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n",
 * at most 107 bytes. Version 2 is binary: a 12-byte signature, a
 * version/command byte, a family byte, a 16-bit length, the addresses and
 * optional TLVs (skipped).
 */
#ifndef BURROW_PROXY_H
#define BURROW_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

/* The longest version 1 line, CRLF included. */
#define PROXY_V1_MAX	107
/*
 * The longest version 2 header accepted (16 bytes then addresses and
 * TLVs); a longer one is refused as invalid. HAProxy's own headers are a
 * few hundred bytes at most.
 */
#define PROXY_V2_MAX	2048
/* Enough bytes to always decide: a caller's peek buffer. */
#define PROXY_MAX	PROXY_V2_MAX

enum proxy_result {
	PROXY_INVALID = -1,	/* not a header, or a malformed one */
	PROXY_NEED_MORE = 0,	/* a valid beginning: read more */
	PROXY_DONE = 1,		/* a header with the client's addresses */
	PROXY_LOCAL = 2		/* a header that carries no client (v2 LOCAL,
				   v1 UNKNOWN, an unsupported family): the
				   connection's own addresses stand */
};

struct proxy_header {
	int			 version;	/* 1 or 2 */
	size_t			 len;		/* bytes of the header */
	struct sockaddr_storage	 src;		/* the client (PROXY_DONE) */
	struct sockaddr_storage	 dst;		/* the address it connected to */
};

/*
 * Parses the len bytes at buf, the first bytes of a connection. Returns a
 * proxy_result; for PROXY_DONE and PROXY_LOCAL, h->len is the header's
 * length and h->version is set, and for PROXY_DONE h->src and h->dst hold
 * the addresses (AF_INET or AF_INET6, with ports). Any input is safe,
 * including len 0 (need more) and buf NULL when len is 0: this is also the
 * fuzzing entry point.
 */
enum proxy_result proxy_parse(const void *buf, size_t len,
    struct proxy_header *h);

#endif
