/*
 * pgquota: each function is one transaction (or one statement), so that a
 * node dying between two of them leaves the usage and the leases agreeing:
 * used always counts what is on disk plus what the leases hold.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "srv/pgdb.h"
#include "srv/pgquota.h"

#define NUM(buf, v)	snprintf((buf), sizeof(buf), "%" PRIu64, (uint64_t)(v))

/* Reads a non-negative bigint result; -1 if it is not one. */
static int
get_u64(const PGresult *r, int row, int col, uint64_t *out)
{
	int64_t v;

	if (pgdb_int64(r, row, col, &v) == -1 || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
pgquota_used(PGconn *c, const char *name, uint64_t *used, int *exists,
    char *err, size_t errlen)
{
	const char *values[1] = { name };
	PGresult *r;
	int rc = 0;

	if ((r = pgdb_run(c, "SELECT used FROM burrow_usage WHERE name = $1",
	    1, values, PGRES_TUPLES_OK, err, errlen)) == NULL)
		return -1;
	*exists = PQntuples(r) == 1;
	if (*exists && get_u64(r, 0, 0, used) == -1) {
		snprintf(err, errlen, "database: bad usage of %s", name);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int
pgquota_create(PGconn *c, const char *name, uint64_t used, char *err,
    size_t errlen)
{
	char u[24];
	const char *values[2] = { name, u };

	NUM(u, used);
	return pgdb_command(c, "INSERT INTO burrow_usage (name, used) "
	    "SELECT $1, $2::bigint WHERE EXISTS (SELECT 1 FROM burrow_users "
	    "WHERE name = $1) ON CONFLICT (name) DO NOTHING", 2, values, err,
	    errlen);
}

/*
 * Adds got to the lease, which held before, and pushes its expiry. A
 * lease that is gone though it held something expired meanwhile (its
 * bytes went back to the usage): it starts again with got alone, and
 * *lost says so. Returns 0 or -1.
 */
static int
add_to_lease(PGconn *c, const char *id, const char *node, const char *name,
    uint64_t held, uint64_t got, int lease, int *lost, char *err,
    size_t errlen)
{
	char h[24], l[16];
	const char *values[5] = { id, node, name, h, l };
	PGresult *r;
	int n;

	NUM(h, held + got);
	snprintf(l, sizeof(l), "%d", lease);
	if ((r = pgdb_run(c, "UPDATE burrow_leases SET reserved = $4::bigint, "
	    "expires = now() + $5::integer * interval '1 second' WHERE id = $1 "
	    "AND node = $2 AND name = $3", 5, values, PGRES_COMMAND_OK, err,
	    errlen)) == NULL)
		return -1;
	n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n == 1)
		return 0;
	*lost = held > 0;
	NUM(h, got);
	return pgdb_command(c, "INSERT INTO burrow_leases "
	    "(id, node, name, reserved, expires) VALUES ($1, $2, $3, "
	    "$4::bigint, now() + $5::integer * interval '1 second')", 5, values,
	    err, errlen);
}

int64_t
pgquota_reserve(PGconn *c, const char *id, const char *node,
    const char *name, uint64_t n, uint64_t limit, int any, uint64_t held,
    int lease, int *lost, char *err, size_t errlen)
{
	char nb[24], lb[24];
	const char *values[3] = { name, nb, lb };
	uint64_t got = 0, used;
	PGresult *r;

	NUM(nb, n);
	NUM(lb, limit);
	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	/* The check and the addition are one statement: no node can slip in. */
	if ((r = pgdb_run(c, "UPDATE burrow_usage SET used = used + $2::bigint "
	    "WHERE name = $1 AND ($3::bigint = 0 OR "
	    "used + $2::bigint <= $3::bigint) RETURNING used", 3, values,
	    PGRES_TUPLES_OK, err, errlen)) == NULL)
		goto fail;
	if (PQntuples(r) == 1)
		got = n;
	PQclear(r);
	if (got == 0 && any && limit != 0) {
		/* What is left: read and raised under the row's lock. */
		if ((r = pgdb_run(c, "SELECT used FROM burrow_usage WHERE "
		    "name = $1 FOR UPDATE", 1, values, PGRES_TUPLES_OK, err,
		    errlen)) == NULL)
			goto fail;
		if (PQntuples(r) == 1 && get_u64(r, 0, 0, &used) == 0 &&
		    used < limit)
			got = limit - used < n ? limit - used : n;
		PQclear(r);
		if (got > 0) {
			NUM(nb, got);
			if (pgdb_command(c, "UPDATE burrow_usage SET used = used "
			    "+ $2::bigint WHERE name = $1", 2, values, err,
			    errlen) == -1)
				goto fail;
		}
	}
	if (got == 0) {
		pgdb_rollback(c);
		return 0;
	}
	*lost = 0;
	if (add_to_lease(c, id, node, name, held, got, lease, lost, err,
	    errlen) == -1 || pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1)
		goto fail;
	return (int64_t)got;
fail:
	pgdb_rollback(c);
	return -1;
}

int
pgquota_credit(PGconn *c, const char *id, const char *name, uint64_t n,
    uint64_t held, char *err, size_t errlen)
{
	char nb[24], h[24];
	const char *values[2] = { name, nb };
	const char *lv[2] = { id, h };

	NUM(nb, n);
	NUM(h, held);
	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	if ((n > 0 && pgdb_command(c, "UPDATE burrow_usage SET used = "
	    "GREATEST(used - $2::bigint, 0) WHERE name = $1", 2, values, err,
	    errlen) == -1) ||
	    (held == 0 && pgdb_command(c, "DELETE FROM burrow_leases WHERE "
	    "id = $1", 1, lv, err, errlen) == -1) ||
	    (held > 0 && pgdb_command(c, "UPDATE burrow_leases SET reserved = "
	    "$2::bigint WHERE id = $1", 2, lv, err, errlen) == -1) ||
	    pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1) {
		pgdb_rollback(c);
		return -1;
	}
	return 0;
}

int
pgquota_renew(PGconn *c, const char *id, uint64_t held, int lease,
    char *err, size_t errlen)
{
	char h[24], l[16];
	const char *values[3] = { id, h, l };
	PGresult *r;
	int gone;

	NUM(h, held);
	snprintf(l, sizeof(l), "%d", lease);
	if ((r = pgdb_run(c, "UPDATE burrow_leases SET reserved = $2::bigint, "
	    "expires = now() + $3::integer * interval '1 second' WHERE id = $1",
	    3, values, PGRES_COMMAND_OK, err, errlen)) == NULL)
		return -1;
	gone = atoi(PQcmdTuples(r)) == 0;
	PQclear(r);
	return gone && held > 0;
}

int
pgquota_reap(PGconn *c, char *err, size_t errlen)
{
	PGresult *r;
	int n;

	/* One statement: the leases go and their bytes come back together. */
	if ((r = pgdb_run(c, "WITH dead AS (DELETE FROM burrow_leases WHERE "
	    "expires < now() RETURNING name, reserved), "
	    "gone AS (SELECT name, sum(reserved) AS total FROM dead "
	    "GROUP BY name), "
	    "back AS (UPDATE burrow_usage u SET used = "
	    "GREATEST(u.used - g.total, 0) FROM gone g WHERE u.name = g.name "
	    "RETURNING u.name) "
	    "SELECT count(*) FROM dead", 0, NULL, PGRES_TUPLES_OK, err,
	    errlen)) == NULL)
		return -1;
	n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

int
pgquota_rescan(PGconn *c, const char *name, uint64_t disk, uint64_t *used,
    uint64_t *held, char *err, size_t errlen)
{
	char d[24];
	const char *values[2] = { name, d };
	PGresult *r;

	NUM(d, disk);
	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	/* The row's lock keeps reservations out while it is set. */
	if ((r = pgdb_run(c, "INSERT INTO burrow_usage (name, used) SELECT $1, 0 "
	    "WHERE EXISTS (SELECT 1 FROM burrow_users WHERE name = $1) "
	    "ON CONFLICT (name) DO UPDATE SET used = burrow_usage.used "
	    "RETURNING used", 1, values, PGRES_TUPLES_OK, err, errlen)) == NULL)
		goto fail;
	if (PQntuples(r) == 0) {
		PQclear(r);
		pgdb_rollback(c);
		return 1;
	}
	PQclear(r);
	if ((r = pgdb_run(c, "UPDATE burrow_usage SET used = $2::bigint + "
	    "(SELECT COALESCE(sum(reserved), 0) FROM burrow_leases WHERE "
	    "name = $1 AND expires >= now()) WHERE name = $1 RETURNING used, "
	    "used - $2::bigint", 2, values, PGRES_TUPLES_OK, err,
	    errlen)) == NULL)
		goto fail;
	if (PQntuples(r) != 1 || get_u64(r, 0, 0, used) == -1 ||
	    get_u64(r, 0, 1, held) == -1) {
		PQclear(r);
		snprintf(err, errlen, "database: rescan of %s failed", name);
		goto fail;
	}
	PQclear(r);
	if (pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	pgdb_rollback(c);
	return -1;
}
