/*
 * pgsessions: the sessions of every node, so that max_sessions_per_user
 * counts a user's sessions wherever they are (schema version 3). Each
 * logged-in session is a row of burrow_sessions with an expiry its node
 * pushes ahead every second; a node that dies stops pushing, and its rows
 * stop counting once they expire (postgresql.lease), and are removed by
 * the next heartbeat of any node.
 */
#ifndef BURROW_PGSESSIONS_H
#define BURROW_PGSESSIONS_H

#include <stddef.h>

#include <libpq-fe.h>

/*
 * Counts the session id of name on node, unless name already has max
 * live sessions (0: no limit). Logins of one user are serialised by a lock
 * on the account's row, so two nodes cannot both take the last place.
 * Returns 0, 1 when there are already max, or -1 with err.
 */
int pgsessions_enter(PGconn *c, const char *id, const char *node,
    const char *name, unsigned max, int lease, char *err, size_t errlen);

/* The session id ends. Returns 0 or -1 with err. */
int pgsessions_leave(PGconn *c, const char *id, char *err, size_t errlen);

/*
 * The heartbeat of node: its sessions live lease seconds more, and the
 * expired sessions of every node go. Returns 0 or -1 with err.
 */
int pgsessions_beat(PGconn *c, const char *node, int lease, char *err,
    size_t errlen);

#endif
