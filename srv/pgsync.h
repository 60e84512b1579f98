/*
 * pgsync: keeps a node's copy of the accounts equal to the database
 * (users_backend = "postgresql"). The copy is the same immutable userdb a
 * users file gives, replaced under the same rules as a SIGHUP reload
 * (sessions of removed users end, quotas apply at once, the remembered
 * passwords are forgotten), so that login, verify.c and the revocations
 * work as they do with the file.
 *
 * Two paths bring it up to date. A thread holds a connection of its own
 * LISTENing on SCHEMA_CHANNEL, which burrow-passwd notifies in the same
 * transaction as each change; it reconnects with a growing backoff when
 * the database goes away, and reloads once back, since notifications sent
 * meanwhile are lost. And every login first asks the database for the
 * accounts' generation, reloading if it moved: a change committed before
 * a login is always seen by it, whatever the notification's delay, and a
 * login while the database cannot be reached is refused (421) rather than
 * let in on a copy that may be stale.
 *
 * The same thread beats, about once a second, for the node's quota leases
 * (quota_heartbeat): renews them and takes back the expired ones of any
 * node.
 */
#ifndef BURROW_PGSYNC_H
#define BURROW_PGSYNC_H

#include <stddef.h>

struct server;
struct pgsync;

/* The state for srv (whose pg pool is set). NULL if out of memory. */
struct pgsync *pgsync_new(struct server *srv);

/*
 * Starts the listening thread, which runs until srv->wake_fd is readable
 * (the server is stopping). Returns 0 or -1 with errno.
 */
int pgsync_start(struct pgsync *ps);

/* Waits for the thread to end, and frees ps. */
void pgsync_free(struct pgsync *ps);

/*
 * Brings the node's accounts up to date: reloads them if the database's
 * generation differs from the copy's, or always with force. Returns 0, or
 * -1 with the reason in err if the database cannot be reached or its rows
 * cannot be loaded (the copy in force is kept).
 */
int pgsync_refresh(struct pgsync *ps, int force, char *err, size_t errlen);

#endif
