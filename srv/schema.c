/*
 * schema: version 1 holds the accounts and a generation number that every
 * change of them raises in the same transaction as its NOTIFY, so that a
 * node can tell by one cheap query whether its copy is current. Version 2
 * adds each user's quota usage (one row, bytes on disk plus what uploads
 * have reserved) and the leases that hold those reservations: a row per
 * node and user, with an expiry its node renews; an expired lease's bytes
 * go back to the usage (srv/pgquota.c). Version 3 adds the logged-in
 * sessions of every node, each with an expiry (srv/pgsessions.c). The tables
 * carry CHECK constraints matching what burrow-passwd validates, so that a
 * row written by hand cannot hold what a node would refuse to load.
 */
#include "config.h"

#include <stdio.h>

#include "srv/schema.h"

static const char *const steps[SCHEMA_VERSION] = {
	/* 1: accounts. */
	"CREATE TABLE burrow_schema ("
	" one boolean PRIMARY KEY DEFAULT true CHECK (one),"
	" version integer NOT NULL,"
	" users_generation bigint NOT NULL DEFAULT 0);"
	"INSERT INTO burrow_schema (version) VALUES (0);"
	"CREATE TABLE burrow_users ("
	" name text PRIMARY KEY"
	"  CHECK (name ~ '^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$'),"
	" password text NOT NULL CHECK (password LIKE '$pbkdf2-sha256$%'),"
	" quota bigint NOT NULL DEFAULT -1 CHECK (quota >= -1));",
	/* 2: quota usage and reservations. */
	"CREATE TABLE burrow_usage ("
	" name text PRIMARY KEY"
	"  REFERENCES burrow_users (name) ON DELETE CASCADE,"
	" used bigint NOT NULL DEFAULT 0 CHECK (used >= 0));"
	"CREATE TABLE burrow_leases ("
	" id text PRIMARY KEY,"
	" node text NOT NULL,"
	" name text NOT NULL,"
	" reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),"
	" expires timestamptz NOT NULL);"
	"CREATE INDEX burrow_leases_expires ON burrow_leases (expires);",
	/* 3: sessions. */
	"CREATE TABLE burrow_sessions ("
	" id text PRIMARY KEY,"
	" node text NOT NULL,"
	" name text NOT NULL,"
	" expires timestamptz NOT NULL);"
	"CREATE INDEX burrow_sessions_name ON burrow_sessions (name);"
	"CREATE INDEX burrow_sessions_node ON burrow_sessions (node);",
	/* 4: bandwidth limits per user, -1 for burrowd.conf's. */
	"ALTER TABLE burrow_users"
	" ADD COLUMN rate_down bigint NOT NULL DEFAULT -1"
	"  CHECK (rate_down >= -1),"
	" ADD COLUMN rate_up bigint NOT NULL DEFAULT -1"
	"  CHECK (rate_up >= -1);",
};

const char *
schema_step(int to)
{
	if (to < 1 || to > SCHEMA_VERSION)
		return NULL;
	return steps[to - 1];
}

enum schema_action
schema_plan(int have)
{
	if (have < 0)
		return SCHEMA_INVALID;
	if (have == 0)
		return SCHEMA_CREATE;
	if (have < SCHEMA_VERSION)
		return SCHEMA_UPGRADE;
	if (have == SCHEMA_VERSION)
		return SCHEMA_CURRENT;
	return SCHEMA_TOO_NEW;
}

int
schema_usable(int have, char *err, size_t errlen)
{
	switch (schema_plan(have)) {
	case SCHEMA_CURRENT:
		return 0;
	case SCHEMA_CREATE:
		snprintf(err, errlen, "the database has no Burrow tables: run "
		    "burrow-passwd init-db");
		return -1;
	case SCHEMA_UPGRADE:
		snprintf(err, errlen, "the database schema is at version %d, "
		    "this program needs %d: run burrow-passwd init-db", have,
		    SCHEMA_VERSION);
		return -1;
	case SCHEMA_TOO_NEW:
		snprintf(err, errlen, "the database schema is at version %d, "
		    "newer than this program's %d: upgrade Burrow", have,
		    SCHEMA_VERSION);
		return -1;
	case SCHEMA_INVALID:
		break;
	}
	snprintf(err, errlen, "the database schema version %d is invalid",
	    have);
	return -1;
}
