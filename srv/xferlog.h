/*
 * xferlog: the transfer log in the wu-ftpd xferlog format that log
 * analysers read, one line per completed or interrupted transfer:
 *
 *   Sun Nov 22 06:40:00 2026 1 127.0.0.1 1234 /srv/home/harry/a.txt b _ i r harry ftp 0 * c
 *
 * (time, seconds, host, bytes, file, type a|b, special action, direction
 * o|i, access mode r, user, service, authentication method, user id,
 * completion c|i). Whitespace and control characters in file names are
 * written as '_' so that every line keeps its fields.
 */
#ifndef BURROW_XFERLOG_H
#define BURROW_XFERLOG_H

#include <stdint.h>

struct xferlog;

/* Opens path for appending. Returns NULL with errno on failure. */
struct xferlog *xferlog_open(const char *path);

/* Reopens the file after rotation; keeps the old one if that fails. */
void xferlog_reopen(struct xferlog *x);

void xferlog_close(struct xferlog *x);

/*
 * Writes one line. incoming: an upload; ascii: TYPE A; complete: the
 * transfer ended with 226. Safe from any thread; x may be NULL (no log).
 */
void xferlog_write(struct xferlog *x, const char *host, const char *user,
    const char *file, uint64_t bytes, double seconds, int incoming,
    int ascii, int complete);

#endif
