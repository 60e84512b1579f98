/*
 * pgdb: the PostgreSQL backend's connections and statements. A pool holds
 * up to a fixed number of connections, opened when first wanted; a thread
 * takes one for a few statements and gives it back. A connection found
 * broken is closed and the next taker opens a new one; while the database
 * cannot be reached, openings are spaced by a growing backoff and takers
 * are refused at once, so that a login gets its 421 without waiting.
 *
 * Every statement that carries a value from outside (a name, a hash, a
 * size) passes it as a parameter: no SQL is built from user input.
 */
#ifndef BURROW_PGDB_H
#define BURROW_PGDB_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct userdb;
struct pgdb;

/*
 * Opens a connection to conninfo (a libpq connection string; connect_timeout
 * 5 unless it says otherwise). Returns it, or NULL with the reason in err.
 */
PGconn *pgdb_connect(const char *conninfo, char *err, size_t errlen);

/* A pool of at most max connections to conninfo; NULL if out of memory. */
struct pgdb *pgdb_new(const char *conninfo, unsigned max);
void pgdb_free(struct pgdb *p);

/*
 * A connection of the pool, waiting for one to be given back if all are
 * taken. Returns NULL with the reason in err if the database cannot be
 * reached (now, or recently: the backoff).
 */
PGconn *pgdb_get(struct pgdb *p, char *err, size_t errlen);

/* Gives c back; a connection that is no longer usable is closed. */
void pgdb_put(struct pgdb *p, PGconn *c);

/*
 * Closes the idle connections: the database went away (the listener saw
 * its own connection drop), so theirs are dead too, though libpq only
 * finds out at their next statement. Taken ones close when given back
 * broken.
 */
void pgdb_drop_idle(struct pgdb *p);

/* The database answers again (the listener is back): no more backoff. */
void pgdb_back(struct pgdb *p);

/*
 * The version of the Burrow tables in the database (0: none). Returns 0,
 * or -1 with err.
 */
int pgdb_schema_version(PGconn *c, int *version, char *err, size_t errlen);

/*
 * init-db: creates or upgrades the tables to SCHEMA_VERSION in one
 * transaction, under a lock so that two at once cannot both create.
 * *from is the version found. Returns 0, or -1 with err (a newer schema
 * included, which is left untouched).
 */
int pgdb_init(PGconn *c, int *from, char *err, size_t errlen);

/* users_generation: raised by every change of the accounts. */
int pgdb_generation(PGconn *c, int64_t *gen, char *err, size_t errlen);

/*
 * Every account, and the generation they belong to, read in one statement
 * (one snapshot). Returns a new database, or NULL with err; a row that the
 * users file would refuse fails the whole load.
 */
struct userdb *pgdb_load_users(PGconn *c, int64_t *gen, char *err,
    size_t errlen);

/*
 * Changes of one account, each a transaction that also raises the
 * generation and notifies SCHEMA_CHANNEL. Return 0, 1 when the account
 * already exists (add) or does not (the others), or -1 with err.
 * pgdb_user_set changes the password unless it is NULL and the quota
 * unless set_quota is 0; pgdb_user_set_rates the bandwidth limits (bytes
 * per second, 0 none, USER_RATE_DEFAULT for burrowd.conf's).
 */
int pgdb_user_add(PGconn *c, const char *name, const char *password,
    int64_t quota, char *err, size_t errlen);
int pgdb_user_set(PGconn *c, const char *name, const char *password,
    int set_quota, int64_t quota, char *err, size_t errlen);
int pgdb_user_set_rates(PGconn *c, const char *name, int64_t down,
    int64_t up, char *err, size_t errlen);
int pgdb_user_del(PGconn *c, const char *name, char *err, size_t errlen);

/*
 * Runs sql with n text parameters. Returns the result when its status is
 * want, else NULL with err (the result cleared).
 */
PGresult *pgdb_run(PGconn *c, const char *sql, int n,
    const char *const *values, ExecStatusType want, char *err, size_t errlen);

/* pgdb_run of a statement without rows: returns 0 or -1 with err. */
int pgdb_command(PGconn *c, const char *sql, int n,
    const char *const *values, char *err, size_t errlen);

/* Ends a failed transaction; the connection stays usable if it can. */
void pgdb_rollback(PGconn *c);

/* Reads a NOT NULL integer column; returns 0 or -1. */
int pgdb_int64(const PGresult *r, int row, int col, int64_t *out);

/*
 * The first line of the connection's last error, for a message (libpq's
 * end in a newline and may hold several lines).
 */
void pgdb_error(PGconn *c, const char *what, char *err, size_t errlen);

#endif
