/*
 * proxy: parsing of the PROXY protocol header, versions 1 and 2 (see
 * proxy.h). Nothing here reads a socket: the caller peeks at what has
 * arrived and asks again with more until the answer is not NEED_MORE.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "proto/proxy.h"

static const unsigned char v2_sig[12] = {
	0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
};
static const char v1_sig[] = "PROXY ";

#define V2_HEAD		16	/* signature, version/command, family, length */
#define V2_INET_LEN	12	/* 2 x 4 bytes, 2 x 2 bytes */
#define V2_INET6_LEN	36	/* 2 x 16 bytes, 2 x 2 bytes */

/* 1 if the first n bytes of buf are the first n of sig. */
static int
prefix_of(const unsigned char *buf, size_t n, const void *sig, size_t siglen)
{
	return memcmp(buf, sig, n < siglen ? n : siglen) == 0;
}

/* A v1 port: 1 to 5 digits, at most 65535. Returns it or -1. */
static long
v1_port(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 65535 ? v : -1;
}

/* Fills sa with the text address a (n bytes) of family af and port. */
static int
v1_addr(int af, const char *a, size_t n, long port,
    struct sockaddr_storage *sa)
{
	char text[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, a, n);
	text[n] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)sa;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return inet_pton(AF_INET, text, &in->sin_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)sa;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons((uint16_t)port);
	return inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 ? 0 : -1;
}

/*
 * "PROXY TCP4|TCP6 SRC DST SPORT DPORT" (line, n bytes, no CRLF) or
 * "PROXY UNKNOWN ...".
 */
static enum proxy_result
v1_line(const char *line, size_t n, struct proxy_header *h)
{
	const char *tok[6];
	size_t toklen[6], i, t = 0, start = 0;
	long sport, dport;
	int af;

	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			return PROXY_INVALID;
	if (n >= 13 && memcmp(line, "PROXY UNKNOWN", 13) == 0 &&
	    (n == 13 || line[13] == ' '))
		return PROXY_LOCAL;
	for (i = 0; i <= n; i++) {
		if (i < n && line[i] != ' ')
			continue;
		if (t == 6 || i == start)
			return PROXY_INVALID;	/* too many, or two spaces */
		tok[t] = line + start;
		toklen[t++] = i - start;
		start = i + 1;
	}
	if (t != 6)
		return PROXY_INVALID;
	if (toklen[1] == 4 && memcmp(tok[1], "TCP4", 4) == 0)
		af = AF_INET;
	else if (toklen[1] == 4 && memcmp(tok[1], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return PROXY_INVALID;
	if ((sport = v1_port(tok[4], toklen[4])) == -1 ||
	    (dport = v1_port(tok[5], toklen[5])) == -1)
		return PROXY_INVALID;
	if (v1_addr(af, tok[2], toklen[2], sport, &h->src) == -1 ||
	    v1_addr(af, tok[3], toklen[3], dport, &h->dst) == -1)
		return PROXY_INVALID;
	return PROXY_DONE;
}

static enum proxy_result
parse_v1(const unsigned char *buf, size_t len, struct proxy_header *h)
{
	size_t i, n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n')
			return PROXY_INVALID;	/* LF without CR */
		if (buf[i] != '\r')
			continue;
		if (i + 1 == len)
			return PROXY_NEED_MORE;
		if (buf[i + 1] != '\n')
			return PROXY_INVALID;
		h->version = 1;
		h->len = i + 2;
		if (h->len > PROXY_V1_MAX)
			return PROXY_INVALID;
		return v1_line((const char *)buf, i, h);
	}
	return len >= PROXY_V1_MAX ? PROXY_INVALID : PROXY_NEED_MORE;
}

static enum proxy_result
parse_v2(const unsigned char *buf, size_t len, struct proxy_header *h)
{
	size_t alen, total;
	int cmd, fam, proto;

	if (len > 12 && (buf[12] >> 4) != 2)
		return PROXY_INVALID;
	if (len > 12 && (buf[12] & 0x0f) > 1)
		return PROXY_INVALID;
	if (len < V2_HEAD)
		return PROXY_NEED_MORE;
	cmd = buf[12] & 0x0f;
	fam = buf[13] >> 4;
	proto = buf[13] & 0x0f;
	alen = (size_t)buf[14] << 8 | buf[15];
	total = V2_HEAD + alen;
	if (total > PROXY_V2_MAX)
		return PROXY_INVALID;
	if (len < total)
		return PROXY_NEED_MORE;
	h->version = 2;
	h->len = total;
	if (cmd == 0)
		return PROXY_LOCAL;	/* health check: no client */
	switch (fam) {
	case 0:			/* AF_UNSPEC: nothing to use */
	case 3:			/* AF_UNIX: not an address we can check */
		return PROXY_LOCAL;
	case 1:
		if (proto != 1 || alen < V2_INET_LEN)
			return PROXY_INVALID;
		{
			struct sockaddr_in *s4 = (void *)&h->src;
			struct sockaddr_in *d4 = (void *)&h->dst;
			memset(&h->src, 0, sizeof(h->src));
			memset(&h->dst, 0, sizeof(h->dst));
			s4->sin_family = d4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, buf + 16, 4);
			memcpy(&d4->sin_addr, buf + 20, 4);
			memcpy(&s4->sin_port, buf + 24, 2);
			memcpy(&d4->sin_port, buf + 26, 2);
		}
		return PROXY_DONE;
	case 2:
		if (proto != 1 || alen < V2_INET6_LEN)
			return PROXY_INVALID;
		{
			struct sockaddr_in6 *s6 = (void *)&h->src;
			struct sockaddr_in6 *d6 = (void *)&h->dst;
			memset(&h->src, 0, sizeof(h->src));
			memset(&h->dst, 0, sizeof(h->dst));
			s6->sin6_family = d6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, buf + 16, 16);
			memcpy(&d6->sin6_addr, buf + 32, 16);
			memcpy(&s6->sin6_port, buf + 48, 2);
			memcpy(&d6->sin6_port, buf + 50, 2);
		}
		return PROXY_DONE;
	}
	return PROXY_INVALID;
}

enum proxy_result
proxy_parse(const void *data, size_t len, struct proxy_header *h)
{
	const unsigned char *buf = data;

	memset(h, 0, sizeof(*h));
	if (len == 0)
		return PROXY_NEED_MORE;
	if (prefix_of(buf, len, v2_sig, sizeof(v2_sig)))
		return len < sizeof(v2_sig) ? PROXY_NEED_MORE :
		    parse_v2(buf, len, h);
	if (prefix_of(buf, len, v1_sig, sizeof(v1_sig) - 1))
		return len < sizeof(v1_sig) - 1 ? PROXY_NEED_MORE :
		    parse_v1(buf, len, h);
	return PROXY_INVALID;
}
