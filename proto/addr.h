/*
 * addr: the address forms of data connections: PORT and PASV's
 * "h1,h2,h3,h4,p1,p2" (RFC 959) and EPRT/EPSV's "|proto|addr|port|"
 * (RFC 2428).
 */
#ifndef BURROW_ADDR_H
#define BURROW_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* Parses "h1,h2,h3,h4,p1,p2" (PORT's argument) into an IPv4 address. */
int addr_parse_port(const char *arg, struct sockaddr_storage *out);

/* Parses EPRT's "|1|1.2.3.4|5000|" or "|2|::1|5000|" (any delimiter 33-126). */
int addr_parse_eprt(const char *arg, struct sockaddr_storage *out);

/*
 * Formats an IPv4 address and port as PASV's "h1,h2,h3,h4,p1,p2". Returns 0,
 * or -1 if sa is not IPv4 or buf is too small.
 */
int addr_format_pasv(const struct sockaddr_storage *sa, char *buf, size_t len);

/*
 * Finds "h1,h2,h3,h4,p1,p2" anywhere in a 227 reply's text. Returns 0 or -1.
 */
int addr_parse_pasv_reply(const char *text, struct sockaddr_storage *out);

/* Finds "(|||port|)" in a 229 reply's text. Returns the port or -1. */
int addr_parse_epsv_reply(const char *text);

/* 1 if a and b hold the same IP address (ports and v4-mapped forms aside). */
int addr_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b);

/* Port of sa, host order. */
int addr_port(const struct sockaddr_storage *sa);
void addr_set_port(struct sockaddr_storage *sa, int port);

/* Numeric text form of sa's address (no port) into buf. */
void addr_ntop(const struct sockaddr_storage *sa, char *buf, size_t len);

#endif
