/*
 * users: the users file (libconfig), a list of accounts:
 *
 *   users = ( { name = "harry"; password = "$pbkdf2-sha256$..."; quota = "20M"; },
 *             { name = "beal";  password = "$pbkdf2-sha256$...";
 *               rate_down = "2M"; rate_up = "512K"; } );
 *
 * A loaded database is immutable and reference-counted so that a reload can
 * replace it while sessions still hold the old one.
 */
#ifndef BURROW_USERS_H
#define BURROW_USERS_H

#include <stddef.h>
#include <stdint.h>

#define USER_NAME_MAX	32
#define USER_QUOTA_DEFAULT	(-1)	/* use the server's default_quota */
#define USER_RATE_DEFAULT	(-1)	/* use the server's rate_down/rate_up */

struct user {
	char	*name;
	char	*password;	/* encoded hash, see auth.h */
	int64_t	 quota;		/* bytes; 0 unlimited; USER_QUOTA_DEFAULT */
	int64_t	 rate_down;	/* bytes/s; 0 unlimited; USER_RATE_DEFAULT */
	int64_t	 rate_up;	/* likewise for uploads */
};

struct userdb;

/*
 * Loads path. On any error (unreadable file, syntax error, unknown key,
 * wrong type, bad name, duplicate name, malformed hash, bad quota) returns
 * NULL and writes "FILE:LINE: message" into err. Only a regular file is
 * read: anything else (a directory, a FIFO) is refused at once, never
 * waited on. A missing file is an error unless missing_ok, which gives an
 * empty db.
 */
struct userdb *users_load(const char *path, int missing_ok, char *err,
    size_t errlen);

/* An empty database (for burrow-passwd on a new file). */
struct userdb *users_new(void);

/* The account named name, or NULL. Valid while the caller holds db. */
const struct user *users_find(const struct userdb *db, const char *name);
size_t users_count(const struct userdb *db);
const struct user *users_at(const struct userdb *db, size_t i);

/* Adds or replaces an account (burrow-passwd). Returns 0 or -1 (ENOMEM). */
int users_put(struct userdb *db, const char *name, const char *password,
    int64_t quota);
/*
 * Sets the bandwidth limits of an existing account (bytes per second, 0
 * unlimited, USER_RATE_DEFAULT). A new account from users_put() has the
 * defaults. Returns 0, or -1 (EINVAL: no such account or a bad value).
 */
int users_set_rates(struct userdb *db, const char *name, int64_t down,
    int64_t up);

/* The limits in force for u, given the server's rate_down and rate_up. */
uint64_t users_rate_down(const struct user *u, uint64_t dflt);
uint64_t users_rate_up(const struct user *u, uint64_t dflt);

/* Removes an account. Returns 0, or -1 if there is none by that name. */
int users_del(struct userdb *db, const char *name);

/*
 * Writes db to path atomically (a temporary file renamed over it), mode
 * 0600. Returns 0, or -1 with a message in err.
 */
int users_save(const struct userdb *db, const char *path, char *err,
    size_t errlen);

/* Reference counting; users_load/users_new return a db with one reference. */
struct userdb *users_ref(struct userdb *db);
void users_unref(struct userdb *db);

/*
 * 1 if name is a valid account name: 1..USER_NAME_MAX bytes of
 * [A-Za-z0-9._-], not starting with '.' or '-'. It becomes a directory name.
 */
int users_valid_name(const char *name);

#endif
