/*
 * addr: PORT/PASV and EPRT/EPSV address syntax.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/addr.h"
#include "proto/util.h"

/* Parses six comma-separated numbers 0..255 at s; sets *end past them. */
static int
six_numbers(const char *s, unsigned char v[6], const char **end)
{
	long long n;
	char tmp[4];
	int i;
	size_t k;

	for (i = 0; i < 6; i++) {
		for (k = 0; isdigit((unsigned char)s[k]) && k < 3; k++)
			tmp[k] = s[k];
		if (k == 0 || isdigit((unsigned char)s[k]))
			return -1;
		tmp[k] = '\0';
		if (parse_num(tmp, 0, 255, &n, NULL) == -1)
			return -1;
		v[i] = (unsigned char)n;
		s += k;
		if (i < 5) {
			if (*s != ',')
				return -1;
			s++;
		}
	}
	*end = s;
	return 0;
}

static void
set_v4(struct sockaddr_storage *out, const unsigned char v[6])
{
	struct sockaddr_in *sin = (struct sockaddr_in *)out;

	memset(out, 0, sizeof(*out));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, v, 4);
	sin->sin_port = htons((uint16_t)(v[4] << 8 | v[5]));
}

int
addr_parse_port(const char *arg, struct sockaddr_storage *out)
{
	unsigned char v[6];
	const char *end;

	if (arg == NULL || six_numbers(arg, v, &end) == -1 || *end != '\0')
		return -1;
	set_v4(out, v);
	return 0;
}

int
addr_parse_pasv_reply(const char *text, struct sockaddr_storage *out)
{
	unsigned char v[6];
	const char *end;

	const char *start = text;

	/* A match starts at a whole number, not inside one. */
	for (; *text != '\0'; text++)
		if (isdigit((unsigned char)*text) && (text == start ||
		    !isdigit((unsigned char)text[-1])) &&
		    six_numbers(text, v, &end) == 0) {
			set_v4(out, v);
			return 0;
		}
	return -1;
}

int
addr_parse_eprt(const char *arg, struct sockaddr_storage *out)
{
	char buf[128], *f[3], *p;
	char d;
	long long proto, port;
	int i;

	if (arg == NULL || strlen(arg) >= sizeof(buf))
		return -1;
	d = arg[0];
	if (d < 33 || d > 126)
		return -1;
	strcpy(buf, arg);
	/* <d><proto><d><address><d><port><d> (RFC 2428 section 2) */
	p = buf + 1;
	for (i = 0; i < 3; i++) {
		f[i] = p;
		if ((p = strchr(p, d)) == NULL)
			return -1;
		*p++ = '\0';
	}
	if (*p != '\0')
		return -1;
	if (parse_num(f[0], 1, 2, &proto, NULL) == -1 ||
	    parse_num(f[2], 1, 65535, &port, NULL) == -1)
		return -1;
	memset(out, 0, sizeof(*out));
	if (proto == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, f[1], &sin->sin_addr) != 1)
			return -1;
		sin->sin_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, f[1], &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_port = htons((uint16_t)port);
	}
	return 0;
}

int
addr_parse_epsv_reply(const char *text)
{
	const char *p = strchr(text, '(');
	long long port;
	char d, num[8];
	size_t k;

	if (p == NULL || (d = p[1]) < 33 || d > 126 || p[2] != d || p[3] != d)
		return -1;
	p += 4;
	for (k = 0; isdigit((unsigned char)p[k]) && k < sizeof(num) - 1; k++)
		num[k] = p[k];
	num[k] = '\0';
	if (p[k] != d || parse_num(num, 1, 65535, &port, NULL) == -1)
		return -1;
	return (int)port;
}

int
addr_format_pasv(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const unsigned char *a = (const unsigned char *)&sin->sin_addr;
	int port, n;

	if (sa->ss_family != AF_INET)
		return -1;
	port = ntohs(sin->sin_port);
	n = snprintf(buf, len, "%u,%u,%u,%u,%d,%d", a[0], a[1], a[2], a[3],
	    port >> 8, port & 0xff);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The IPv4 address inside sa if it is v4 or v4-mapped v6; else NULL. */
static const void *
v4_of(const struct sockaddr_storage *sa)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->ss_family == AF_INET)
		return &((const struct sockaddr_in *)sa)->sin_addr;
	if (sa->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return (const char *)&sin6->sin6_addr + 12;
	return NULL;
}

int
addr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const void *a4 = v4_of(a), *b4 = v4_of(b);

	if (a4 != NULL || b4 != NULL)
		return a4 != NULL && b4 != NULL && memcmp(a4, b4, 4) == 0;
	if (a->ss_family != AF_INET6 || b->ss_family != AF_INET6)
		return 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

int
addr_port(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

void
addr_set_port(struct sockaddr_storage *sa, int port)
{
	if (sa->ss_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons((uint16_t)port);
	else if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons((uint16_t)port);
}

void
addr_ntop(const struct sockaddr_storage *sa, char *buf, size_t len)
{
	const void *a4 = v4_of(sa);

	if (a4 != NULL)
		inet_ntop(AF_INET, a4, buf, (socklen_t)len);
	else if (sa->ss_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
		    (socklen_t)len);
	else
		snprintf(buf, len, "?");
}
