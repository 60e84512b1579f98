/*
 * pgdb: the pool's lock guards its idle connections, how many are open,
 * and the backoff. Statements run outside the lock, each connection used
 * by the one thread that took it (libpq connections are not shared).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"
#include "srv/pgdb.h"
#include "srv/schema.h"
#include "srv/users.h"

#define BACKOFF_FIRST	0.1	/* seconds before the first retry */
#define BACKOFF_MAX	2.0

/* An arbitrary key for the advisory lock that serialises init-db. */
#define INIT_LOCK_KEY	"7316452091"

struct pgdb {
	char		*conninfo;
	unsigned	 max;
	/* lock guards idle, nidle, nopen, backoff and retry_at. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 given;		/* a connection came back or closed */
	PGconn		**idle;
	unsigned	 nidle;
	unsigned	 nopen;		/* idle and taken */
	double		 backoff;	/* 0 while the database answers */
	double		 retry_at;	/* now_mono() of the next attempt */
};

void
pgdb_error(PGconn *c, const char *what, char *err, size_t errlen)
{
	const char *msg = c != NULL ? PQerrorMessage(c) : "out of memory";
	size_t n = strcspn(msg, "\n");

	if (n == 0)
		msg = "connection lost", n = strlen(msg);
	snprintf(err, errlen, "%s: %.*s", what, (int)n, msg);
}

/* Server notices (a NOTICE from a statement) are not ours to print. */
static void
quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *
pgdb_connect(const char *conninfo, char *err, size_t errlen)
{
	/* The conninfo, expanded last, overrides the defaults before it. */
	const char *const keys[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *const values[] = { "5", "burrow", conninfo, NULL };
	PGconn *c;

	c = PQconnectdbParams(keys, values, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		pgdb_error(c, "cannot connect to the database", err, errlen);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	return c;
}

struct pgdb *
pgdb_new(const char *conninfo, unsigned max)
{
	struct pgdb *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->conninfo = strdup(conninfo)) == NULL ||
	    (p->idle = calloc(max, sizeof(*p->idle))) == NULL) {
		free(p->conninfo);
		free(p);
		return NULL;
	}
	p->max = max;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->given, NULL);
	return p;
}

void
pgdb_free(struct pgdb *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nidle; i++)
		PQfinish(p->idle[i]);
	pthread_cond_destroy(&p->given);
	pthread_mutex_destroy(&p->lock);
	free(p->idle);
	free(p->conninfo);
	free(p);
}

PGconn *
pgdb_get(struct pgdb *p, char *err, size_t errlen)
{
	PGconn *c;
	double now;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		if (p->nidle > 0) {
			c = p->idle[--p->nidle];
			pthread_mutex_unlock(&p->lock);
			return c;
		}
		if (p->nopen < p->max)
			break;
		pthread_cond_wait(&p->given, &p->lock);
	}
	now = now_mono();
	if (p->backoff > 0 && now < p->retry_at) {
		pthread_mutex_unlock(&p->lock);
		snprintf(err, errlen, "the database cannot be reached (next "
		    "attempt in %.1f s)", p->retry_at - now);
		return NULL;
	}
	p->nopen++;
	pthread_mutex_unlock(&p->lock);

	c = pgdb_connect(p->conninfo, err, errlen);

	pthread_mutex_lock(&p->lock);
	if (c == NULL) {
		p->nopen--;
		p->backoff = p->backoff == 0 ? BACKOFF_FIRST :
		    p->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : p->backoff * 2;
		p->retry_at = now_mono() + p->backoff;
		pthread_cond_signal(&p->given);
	} else
		p->backoff = 0;
	pthread_mutex_unlock(&p->lock);
	return c;
}

void
pgdb_put(struct pgdb *p, PGconn *c)
{
	int usable;

	if (c == NULL)
		return;
	usable = PQstatus(c) == CONNECTION_OK &&
	    PQtransactionStatus(c) == PQTRANS_IDLE;
	if (!usable)
		PQfinish(c);
	pthread_mutex_lock(&p->lock);
	if (usable)
		p->idle[p->nidle++] = c;
	else
		p->nopen--;
	pthread_cond_signal(&p->given);
	pthread_mutex_unlock(&p->lock);
}

void
pgdb_drop_idle(struct pgdb *p)
{
	PGconn *idle[64];
	unsigned i, n;

	pthread_mutex_lock(&p->lock);
	n = p->nidle < 64 ? p->nidle : 64;
	for (i = 0; i < n; i++)
		idle[i] = p->idle[--p->nidle];
	p->nopen -= n;
	pthread_cond_broadcast(&p->given);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++)
		PQfinish(idle[i]);
}

void
pgdb_back(struct pgdb *p)
{
	pthread_mutex_lock(&p->lock);
	p->backoff = 0;
	pthread_mutex_unlock(&p->lock);
}

/*
 * Runs sql with n text parameters. Returns the result when its status is
 * want, else NULL with err (the result cleared).
 */
PGresult *
pgdb_run(PGconn *c, const char *sql, int n, const char *const *values,
    ExecStatusType want, char *err, size_t errlen)
{
	PGresult *r;

	r = PQexecParams(c, sql, n, NULL, values, NULL, NULL, 0);
	if (r != NULL && PQresultStatus(r) == want)
		return r;
	if (r != NULL && PQresultErrorMessage(r)[0] != '\0') {
		const char *msg = PQresultErrorMessage(r);
		snprintf(err, errlen, "database: %.*s", (int)strcspn(msg, "\n"),
		    msg);
	} else
		pgdb_error(c, "database", err, errlen);
	PQclear(r);
	return NULL;
}

/* A statement without rows: returns 0 or -1 with err. */
int
pgdb_command(PGconn *c, const char *sql, int n, const char *const *values,
    char *err, size_t errlen)
{
	PGresult *r;

	if ((r = pgdb_run(c, sql, n, values, PGRES_COMMAND_OK, err, errlen)) == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Ends a failed transaction; the connection stays usable if it can. */
void
pgdb_rollback(PGconn *c)
{
	PQclear(PQexec(c, "ROLLBACK"));
}

/* Reads an integer column that the schema keeps NOT NULL. */
int
pgdb_int64(const PGresult *r, int row, int col, int64_t *out)
{
	long long v;

	if (PQgetisnull(r, row, col) || parse_num(PQgetvalue(r, row, col),
	    INT64_MIN, INT64_MAX, &v, NULL) == -1)
		return -1;
	*out = v;
	return 0;
}

int
pgdb_schema_version(PGconn *c, int *version, char *err, size_t errlen)
{
	PGresult *r;
	int64_t v;

	if ((r = pgdb_run(c, "SELECT to_regclass('burrow_schema') IS NOT NULL", 0,
	    NULL, PGRES_TUPLES_OK, err, errlen)) == NULL)
		return -1;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		*version = 0;
		return 0;
	}
	PQclear(r);
	if ((r = pgdb_run(c, "SELECT version FROM burrow_schema", 0, NULL,
	    PGRES_TUPLES_OK, err, errlen)) == NULL)
		return -1;
	if (PQntuples(r) != 1 || pgdb_int64(r, 0, 0, &v) == -1 || v < 0 ||
	    v > INT32_MAX) {
		snprintf(err, errlen, "database: burrow_schema must hold one "
		    "row with a version");
		PQclear(r);
		return -1;
	}
	PQclear(r);
	*version = (int)v;
	return 0;
}

int
pgdb_init(PGconn *c, int *from, char *err, size_t errlen)
{
	char version[16];
	const char *values[1] = { version };
	PGresult *r;
	int have, v;

	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	if ((r = pgdb_run(c, "SELECT pg_advisory_xact_lock(" INIT_LOCK_KEY ")", 0,
	    NULL, PGRES_TUPLES_OK, err, errlen)) == NULL)
		goto fail;
	PQclear(r);
	if (pgdb_schema_version(c, &have, err, errlen) == -1)
		goto fail;
	*from = have;
	switch (schema_plan(have)) {
	case SCHEMA_CURRENT:
		pgdb_rollback(c);
		return 0;
	case SCHEMA_TOO_NEW:
	case SCHEMA_INVALID:
		(void)schema_usable(have, err, errlen);
		goto fail;
	case SCHEMA_CREATE:
	case SCHEMA_UPGRADE:
		break;
	}
	for (v = have + 1; v <= SCHEMA_VERSION; v++) {
		/* Our own constant SQL, several statements: the simple protocol. */
		r = PQexec(c, schema_step(v));
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			pgdb_error(c, "creating the tables", err, errlen);
			goto fail;
		}
		PQclear(r);
	}
	snprintf(version, sizeof(version), "%d", SCHEMA_VERSION);
	if (pgdb_command(c, "UPDATE burrow_schema SET version = $1::integer", 1,
	    values, err, errlen) == -1 ||
	    pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	pgdb_rollback(c);
	return -1;
}

int
pgdb_generation(PGconn *c, int64_t *gen, char *err, size_t errlen)
{
	PGresult *r;
	int rc = 0;

	if ((r = pgdb_run(c, "SELECT users_generation FROM burrow_schema", 0, NULL,
	    PGRES_TUPLES_OK, err, errlen)) == NULL)
		return -1;
	if (PQntuples(r) != 1 || pgdb_int64(r, 0, 0, gen) == -1) {
		snprintf(err, errlen, "database: burrow_schema must hold one "
		    "row");
		rc = -1;
	}
	PQclear(r);
	return rc;
}

struct userdb *
pgdb_load_users(PGconn *c, int64_t *gen, char *err, size_t errlen)
{
	struct userdb *db;
	PGresult *r;
	const char *name;
	int64_t quota, down, up;
	int i, n;

	/* One statement: the generation and the rows of one snapshot. */
	if ((r = pgdb_run(c, "SELECT s.users_generation, u.name, u.password, "
	    "u.quota, u.rate_down, u.rate_up FROM burrow_schema s "
	    "LEFT JOIN burrow_users u ON true "
	    "ORDER BY u.name", 0, NULL, PGRES_TUPLES_OK, err, errlen)) == NULL)
		return NULL;
	if ((db = users_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n = PQntuples(r);
	if (n == 0 || pgdb_int64(r, 0, 0, gen) == -1) {
		snprintf(err, errlen, "database: burrow_schema must hold one "
		    "row");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (PQgetisnull(r, i, 1))
			continue;	/* no accounts at all */
		name = PQgetvalue(r, i, 1);
		if (pgdb_int64(r, i, 3, &quota) == -1 ||
		    pgdb_int64(r, i, 4, &down) == -1 ||
		    pgdb_int64(r, i, 5, &up) == -1 ||
		    users_find(db, name) != NULL ||
		    users_put(db, name, PQgetvalue(r, i, 2), quota) == -1 ||
		    users_set_rates(db, name, down, up) == -1) {
			snprintf(err, errlen, "database: burrow_users: the row "
			    "of \"%.*s\" is not a valid account", USER_NAME_MAX,
			    name);
			goto fail;
		}
	}
	PQclear(r);
	return db;
fail:
	PQclear(r);
	users_unref(db);
	return NULL;
}

/*
 * Ends a change of the accounts: raises the generation, notifies every
 * node (delivered at COMMIT, so never before the change is visible) and
 * commits. Returns 0 or -1 with err, the transaction rolled back.
 */
static int
change_commit(PGconn *c, const char *name, char *err, size_t errlen)
{
	const char *values[2] = { SCHEMA_CHANNEL, name };
	PGresult *r;

	if (pgdb_command(c, "UPDATE burrow_schema SET users_generation = "
	    "users_generation + 1", 0, NULL, err, errlen) == -1)
		goto fail;
	if ((r = pgdb_run(c, "SELECT pg_notify($1, $2)", 2, values,
	    PGRES_TUPLES_OK, err, errlen)) == NULL)
		goto fail;
	PQclear(r);
	if (pgdb_command(c, "COMMIT", 0, NULL, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	pgdb_rollback(c);
	return -1;
}

/* Runs one change statement in a new transaction; its row count in *n. */
static int
change(PGconn *c, const char *sql, int nparams, const char *const *values,
    int *n, char *err, size_t errlen)
{
	PGresult *r;

	if (pgdb_command(c, "BEGIN", 0, NULL, err, errlen) == -1)
		return -1;
	if ((r = pgdb_run(c, sql, nparams, values, PGRES_COMMAND_OK, err,
	    errlen)) == NULL) {
		pgdb_rollback(c);
		return -1;
	}
	*n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (*n == 0)
		pgdb_rollback(c);
	return 0;
}

int
pgdb_user_add(PGconn *c, const char *name, const char *password,
    int64_t quota, char *err, size_t errlen)
{
	char q[24];
	const char *values[3] = { name, password, q };
	int n;

	snprintf(q, sizeof(q), "%" PRId64, quota);
	if (change(c, "INSERT INTO burrow_users (name, password, quota) "
	    "VALUES ($1, $2, $3::bigint) ON CONFLICT (name) DO NOTHING", 3,
	    values, &n, err, errlen) == -1)
		return -1;
	if (n == 0)
		return 1;
	return change_commit(c, name, err, errlen);
}

int
pgdb_user_set(PGconn *c, const char *name, const char *password,
    int set_quota, int64_t quota, char *err, size_t errlen)
{
	char q[24];
	const char *values[4] = { name, password, set_quota ? "t" : "f", q };
	int n;

	snprintf(q, sizeof(q), "%" PRId64, quota);
	if (change(c, "UPDATE burrow_users SET "
	    "password = COALESCE($2, password), "
	    "quota = CASE WHEN $3::boolean THEN $4::bigint ELSE quota END "
	    "WHERE name = $1", 4, values, &n, err, errlen) == -1)
		return -1;
	if (n == 0)
		return 1;
	return change_commit(c, name, err, errlen);
}

int
pgdb_user_set_rates(PGconn *c, const char *name, int64_t down, int64_t up,
    char *err, size_t errlen)
{
	char d[24], u[24];
	const char *values[3] = { name, d, u };
	int n;

	snprintf(d, sizeof(d), "%" PRId64, down);
	snprintf(u, sizeof(u), "%" PRId64, up);
	if (change(c, "UPDATE burrow_users SET rate_down = $2::bigint, "
	    "rate_up = $3::bigint WHERE name = $1", 3, values, &n, err,
	    errlen) == -1)
		return -1;
	if (n == 0)
		return 1;
	return change_commit(c, name, err, errlen);
}

int
pgdb_user_del(PGconn *c, const char *name, char *err, size_t errlen)
{
	const char *values[1] = { name };
	int n;

	if (change(c, "DELETE FROM burrow_users WHERE name = $1", 1, values,
	    &n, err, errlen) == -1)
		return -1;
	if (n == 0)
		return 1;
	return change_commit(c, name, err, errlen);
}
