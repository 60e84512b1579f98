/*
 * pgsync: lock serialises reloads, so that two of them (the listener's and
 * a login's) cannot install their copies out of order; the copy itself and
 * its generation are the server's, under its users_lock. Lock order:
 * lock, then the quota table's and records' locks (an install sets the
 * limits), then a pool connection; nothing holds a pool connection while
 * it waits for one of those locks.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"
#include "srv/conf.h"
#include "srv/log.h"
#include "srv/pgdb.h"
#include "srv/pgsessions.h"
#include "srv/pgsync.h"
#include "srv/quota.h"
#include "srv/schema.h"
#include "srv/server.h"
#include "srv/users.h"

#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		5000
#define CHECK_MS		1000	/* the generation, should a NOTIFY be lost,
					   and the quota leases' heartbeat */

struct pgsync {
	struct server	*srv;
	pthread_t	 thread;
	int		 started;
	pthread_mutex_t	 lock;		/* held across a reload */
};

struct pgsync *
pgsync_new(struct server *srv)
{
	struct pgsync *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		return NULL;
	ps->srv = srv;
	pthread_mutex_init(&ps->lock, NULL);
	return ps;
}

/*
 * Loads the accounts on c unless the database's generation is the copy's
 * (or always, with force). Sets *db (NULL: the copy is current). The
 * caller holds ps->lock. Returns 0 or -1 with err.
 */
static int
load_on(struct pgsync *ps, PGconn *c, int force, struct userdb **db,
    int64_t *gen, char *err, size_t errlen)
{
	*db = NULL;
	if (!force && (pgdb_generation(c, gen, err, errlen) == -1))
		return -1;
	if (!force && *gen == server_users_generation(ps->srv))
		return 0;
	if ((*db = pgdb_load_users(c, gen, err, errlen)) == NULL)
		return -1;
	return 0;
}

/* A refresh on the listener's own connection c. */
static int
refresh_on(struct pgsync *ps, PGconn *c, char *err, size_t errlen)
{
	struct userdb *db;
	int64_t gen;
	int rc;

	pthread_mutex_lock(&ps->lock);
	if ((rc = load_on(ps, c, 0, &db, &gen, err, errlen)) == 0 &&
	    db != NULL)
		server_install_users(ps->srv, db, gen, "the database");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

/*
 * Runs load_on (or, without db, only reads the generation) on a
 * connection of the pool, once more on a new one if an idle connection
 * turns out to have died (the database restarted). The connection goes
 * back before the caller installs anything: installing takes the quota
 * records' locks, whose holders may be waiting for a connection.
 */
static int
on_pool(struct pgsync *ps, int force, struct userdb **db, int64_t *gen,
    char *err, size_t errlen)
{
	PGconn *c;
	int rc = -1, tries;

	for (tries = 0; tries < 2 && rc == -1; tries++) {
		if ((c = pgdb_get(ps->srv->pg, err, errlen)) == NULL)
			break;
		if (db != NULL)
			rc = load_on(ps, c, force, db, gen, err, errlen);
		else
			rc = pgdb_generation(c, gen, err, errlen);
		if (rc == -1 && PQstatus(c) == CONNECTION_OK)
			tries = 2;	/* the database answered: no retry */
		pgdb_put(ps->srv->pg, c);
	}
	return rc;
}

int
pgsync_refresh(struct pgsync *ps, int force, char *err, size_t errlen)
{
	struct userdb *db;
	int64_t gen;
	int rc;

	/*
	 * The usual case, a copy that is current, takes no lock, so that
	 * logins do not queue behind each other's queries.
	 */
	if (!force) {
		if (on_pool(ps, 0, NULL, &gen, err, errlen) == -1)
			return -1;
		if (gen == server_users_generation(ps->srv))
			return 0;
	}
	pthread_mutex_lock(&ps->lock);
	if ((rc = on_pool(ps, force, &db, &gen, err, errlen)) == 0 &&
	    db != NULL)
		server_install_users(ps->srv, db, gen, "the database");
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

/* Waits ms for the server to stop; returns 1 if it is stopping. */
static int
stopping_within(struct server *srv, int ms)
{
	struct pollfd pfd = { .fd = srv->wake_fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
		log_warn("poll");
	return atomic_load(&srv->stopping) != 0;
}

/*
 * Serves one connection: LISTEN, reload, then every notification until
 * the connection breaks (returns 0) or the server stops (returns 1).
 */
static int
listen_on(struct pgsync *ps, PGconn *c)
{
	struct server *srv = ps->srv;
	struct pollfd pfd[2];
	PGnotify *n;
	PGresult *r;
	char err[512];
	double next_beat = 0;
	int changed;

	r = PQexec(c, "LISTEN " SCHEMA_CHANNEL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		pgdb_error(c, "LISTEN", err, sizeof(err));
		log_warnx("%s", err);
		return 0;
	}
	PQclear(r);
	/* Whatever changed while we were not listening. */
	if (refresh_on(ps, c, err, sizeof(err)) == -1)
		log_warnx("loading the accounts: %s", err);
	for (;;) {
		pfd[0].fd = PQsocket(c);
		pfd[0].events = POLLIN;
		pfd[1].fd = srv->wake_fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, CHECK_MS) == -1 && errno != EINTR) {
			log_warn("poll");
			return 0;
		}
		if (atomic_load(&srv->stopping))
			return 1;
		if (now_mono() >= next_beat) {
			quota_heartbeat(srv->quotas);
			if (pgsessions_beat(c, srv->node, srv->cfg->pg_lease,
			    err, sizeof(err)) == -1)
				log_warnx("sessions heartbeat: %s", err);
			next_beat = now_mono() + CHECK_MS / 1000.0;
		}
		changed = 0;
		if (pfd[0].revents != 0) {
			if (PQconsumeInput(c) == 0)
				return 0;
			while ((n = PQnotifies(c)) != NULL) {
				changed = 1;
				PQfreemem(n);
			}
		}
		/* Without news, the cheap check still catches a lost one. */
		if (refresh_on(ps, c, err, sizeof(err)) == -1 && changed)
			log_warnx("reloading the accounts: %s", err);
		if (PQstatus(c) != CONNECTION_OK)
			return 0;
	}
}

static void *
listener(void *arg)
{
	struct pgsync *ps = arg;
	struct server *srv = ps->srv;
	char err[512];
	PGconn *c;
	int backoff = 0, done = 0;

	while (!done) {
		if ((c = pgdb_connect(srv->cfg->pg_conninfo, err,
		    sizeof(err))) == NULL) {
			if (backoff == 0)
				log_warnx("%s; retrying, logins get 421 until it "
				    "is back", err);
			backoff = backoff == 0 ? BACKOFF_FIRST_MS :
			    backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			    backoff * 2;
			done = stopping_within(srv, backoff);
			continue;
		}
		if (backoff != 0) {
			log_info("the database is back");
			pgdb_back(srv->pg);
		}
		backoff = 0;
		done = listen_on(ps, c);
		if (!done) {
			log_warnx("lost the database connection: %.*s",
			    (int)strcspn(PQerrorMessage(c), "\n"),
			    PQerrorMessage(c));
			pgdb_drop_idle(srv->pg);
		}
		PQfinish(c);
		if (!done) {
			backoff = BACKOFF_FIRST_MS;
			done = stopping_within(srv, backoff);
		}
	}
	return NULL;
}

int
pgsync_start(struct pgsync *ps)
{
	int rc;

	if ((rc = pthread_create(&ps->thread, NULL, listener, ps)) != 0) {
		errno = rc;
		return -1;
	}
	ps->started = 1;
	return 0;
}

void
pgsync_free(struct pgsync *ps)
{
	if (ps == NULL)
		return;
	if (ps->started)
		pthread_join(ps->thread, NULL);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
}
