/*
 * schema: the tables of the PostgreSQL backend and how a database moves
 * from one version of them to the next. Every version is one step of SQL
 * that upgrades the one before it; the version a database is at lives in
 * the table burrow_schema, so a later release adds a step and init-db
 * migrates what is there. A database newer than the program is never
 * touched: its tables mean something this program does not know.
 *
 * Nothing here talks to a database (srv/pgdb.c does); this is the plan.
 */
#ifndef BURROW_SCHEMA_H
#define BURROW_SCHEMA_H

#include <stddef.h>

/* The version this program reads and writes. */
#define SCHEMA_VERSION	4

/* The channel burrow-passwd notifies and every burrowd listens on. */
#define SCHEMA_CHANNEL	"burrow_users"

/*
 * The SQL that takes a database from version to - 1 to version to
 * (1 <= to <= SCHEMA_VERSION), or NULL for any other to.
 */
const char *schema_step(int to);

/* What init-db does with a database at version have. */
enum schema_action {
	SCHEMA_CREATE,		/* no tables: create them (have 0) */
	SCHEMA_UPGRADE,		/* apply the steps have+1 .. SCHEMA_VERSION */
	SCHEMA_CURRENT,		/* nothing to do */
	SCHEMA_TOO_NEW,		/* refuse: a newer program made it */
	SCHEMA_INVALID		/* have is negative */
};

enum schema_action schema_plan(int have);

/*
 * Whether burrowd and the account commands may use a database at version
 * have: 0 if so, else -1 with the reason (what to do) in err.
 */
int schema_usable(int have, char *err, size_t errlen);

#endif
