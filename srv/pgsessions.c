/*
 * pgsessions: one transaction per login, one statement per heartbeat.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "srv/pgdb.h"
#include "srv/pgsessions.h"

int
pgsessions_enter(PGconn *c, const char *id, const char *node,
    const char *name, unsigned max, int lease, char *err, size_t errlen)
{
	char m[16], l[16];
	const char *values[5] = { name, id, node, m, l };
	PGresult *r;
	int n;

	snprintf(m, sizeof(m), "%u", max);
	snprintf(l, sizeof(l), "%d", lease);
	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	/* The account's row is the user's lock: one login counts at a time. */
	if ((r = pgdb_run(c, "SELECT 1 FROM burrow_users WHERE name = $1 "
	    "FOR UPDATE", 1, values, PGRES_TUPLES_OK, err, errlen)) == NULL)
		goto fail;
	PQclear(r);
	if ((r = pgdb_run(c, "INSERT INTO burrow_sessions (id, node, name, "
	    "expires) SELECT $2, $3, $1, now() + $5::integer * "
	    "interval '1 second' WHERE $4::integer = 0 OR (SELECT count(*) "
	    "FROM burrow_sessions WHERE name = $1 AND expires >= now()) < "
	    "$4::integer", 5, values, PGRES_COMMAND_OK, err, errlen)) == NULL)
		goto fail;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1)
		goto fail;
	return n == 1 ? 0 : 1;
fail:
	pgdb_rollback(c);
	return -1;
}

int
pgsessions_leave(PGconn *c, const char *id, char *err, size_t errlen)
{
	const char *values[1] = { id };

	return pgdb_command(c, "DELETE FROM burrow_sessions WHERE id = $1", 1,
	    values, err, errlen);
}

int
pgsessions_beat(PGconn *c, const char *node, int lease, char *err,
    size_t errlen)
{
	char l[16];
	const char *values[2] = { node, l };

	snprintf(l, sizeof(l), "%d", lease);
	return pgdb_command(c, "WITH renewed AS (UPDATE burrow_sessions SET "
	    "expires = now() + $2::integer * interval '1 second' WHERE "
	    "node = $1 RETURNING id) DELETE FROM burrow_sessions WHERE "
	    "expires < now() AND node <> $1", 2, values, err, errlen);
}
