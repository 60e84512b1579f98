/*
 * pgquota: the statements behind srv/quota.c when the usage lives in
 * PostgreSQL (schema version 2). burrow_usage.used is each user's bytes on
 * disk plus the bytes uploads hold in reservation; burrow_leases holds,
 * per node and user, how much of that is reserved and not yet written,
 * with an expiry its node renews. Space is reserved with one atomic
 * statement that adds only if the result stays within the limit, so that
 * nodes cannot together pass it; what a node does not write it gives back,
 * and what a node that died held comes back when its lease expires.
 *
 * Every function returns -1 with a message in err when the database fails.
 */
#ifndef BURROW_PGQUOTA_H
#define BURROW_PGQUOTA_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* The user's usage row: *exists 0 if there is none (used untouched). */
int pgquota_used(PGconn *c, const char *name, uint64_t *used, int *exists,
    char *err, size_t errlen);

/* Creates the usage row with used bytes unless another made it first. */
int pgquota_create(PGconn *c, const char *name, uint64_t used, char *err,
    size_t errlen);

/*
 * Reserves n bytes for lease id (node, name) if used + n stays within
 * limit (0: unlimited); with any set, reserves what is left below limit
 * if n does not fit. The lease's reservation becomes held + the bytes
 * reserved, its expiry now + lease seconds, in the same transaction;
 * if the lease had expired meanwhile (held went back to the usage), it
 * holds the new bytes alone and *lost is set. Returns the bytes reserved
 * (0: none fit), or -1 with err.
 */
int64_t pgquota_reserve(PGconn *c, const char *id, const char *node,
    const char *name, uint64_t n, uint64_t limit, int any, uint64_t held,
    int lease, int *lost, char *err, size_t errlen);

/*
 * Takes n bytes off the usage (a file shrank or went), and sets the
 * lease's reservation to held (the row is removed at 0). Returns 0 or -1.
 */
int pgquota_credit(PGconn *c, const char *id, const char *name, uint64_t n,
    uint64_t held, char *err, size_t errlen);

/*
 * The heartbeat of lease id: its reservation is held, its expiry pushed
 * to now + lease. Returns 0, 1 if the lease had expired and been taken
 * back (held is then lost to it), or -1.
 */
int pgquota_renew(PGconn *c, const char *id, uint64_t held, int lease,
    char *err, size_t errlen);

/*
 * Gives the reservations of every expired lease (any node's) back to the
 * usage and removes them, in one statement. Returns how many, or -1.
 */
int pgquota_reap(PGconn *c, char *err, size_t errlen);

/*
 * rescan: sets the usage of name to disk bytes plus what live leases
 * hold, creating the row if need be. *used is the result. Returns 0, 1 if
 * there is no such account, or -1.
 */
int pgquota_rescan(PGconn *c, const char *name, uint64_t disk,
    uint64_t *used, uint64_t *held, char *err, size_t errlen);

#endif
