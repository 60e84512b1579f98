/*
 * server: state shared by every session: the per-address connection
 * counts and the users database, which SIGHUP can replace while sessions
 * hold references to the old one.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/addr.h"
#include "proto/tls.h"
#include "proto/util.h"
#include "srv/conf.h"
#include "srv/log.h"
#include "srv/pgsync.h"
#include "srv/quota.h"
#include "srv/rate.h"
#include "srv/server.h"
#include "srv/session.h"
#include "srv/users.h"
#include "srv/verify.h"

int
server_ip_acquire(struct server *srv, const struct sockaddr_storage *addr,
    unsigned max)
{
	struct ip_slot *slot = NULL, *grown;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&srv->ip_lock);
	for (i = 0; i < srv->nips; i++)
		if (addr_same_host(&srv->ips[i].addr, addr))
			slot = &srv->ips[i];
	if (slot == NULL) {
		for (i = 0; i < srv->nips; i++)
			if (srv->ips[i].count == 0)
				slot = &srv->ips[i];
		if (slot == NULL) {
			grown = realloc(srv->ips, (srv->nips + 1) * sizeof(*grown));
			if (grown == NULL) {
				rc = -1;
				goto out;
			}
			srv->ips = grown;
			slot = &srv->ips[srv->nips++];
		}
		slot->addr = *addr;
		slot->count = 0;
	}
	if (max > 0 && slot->count >= max)
		rc = -1;
	else
		slot->count++;
out:
	pthread_mutex_unlock(&srv->ip_lock);
	return rc;
}

void
server_ip_release(struct server *srv, const struct sockaddr_storage *addr)
{
	size_t i;

	pthread_mutex_lock(&srv->ip_lock);
	for (i = 0; i < srv->nips; i++)
		if (srv->ips[i].count > 0 &&
		    addr_same_host(&srv->ips[i].addr, addr)) {
			srv->ips[i].count--;
			break;
		}
	pthread_mutex_unlock(&srv->ip_lock);
}

/* At most this many addresses are tracked; the stalest entry makes room. */
#define BANS_MAX	65536

/* The slot of addr, or a free/stale one for it. Called with ban_lock held. */
static struct ban_slot *
ban_slot(struct server *srv, const struct sockaddr_storage *addr, int make,
    double now)
{
	struct ban_slot *slot = NULL, *free_slot = NULL, *grown;
	double window = srv->cfg->ban_window;
	size_t i;

	for (i = 0; i < srv->nbans; i++) {
		struct ban_slot *b = &srv->bans[i];
		if (addr_same_host(&b->addr, addr))
			return b;
		/* Neither banned nor counting any more: reusable. */
		if (b->until <= now && b->since + window <= now &&
		    (free_slot == NULL || b->since < free_slot->since))
			free_slot = b;
	}
	if (!make)
		return NULL;
	if (free_slot != NULL)
		slot = free_slot;
	else if (srv->nbans < BANS_MAX &&
	    (grown = realloc(srv->bans, (srv->nbans + 1) *
	    sizeof(*grown))) != NULL) {
		srv->bans = grown;
		slot = &srv->bans[srv->nbans++];
	} else {
		/* Full of live entries: the oldest window goes. */
		for (i = 0; i < srv->nbans; i++)
			if (srv->bans[i].until <= now && (slot == NULL ||
			    srv->bans[i].since < slot->since))
				slot = &srv->bans[i];
		if (slot == NULL)
			return NULL;
	}
	memset(slot, 0, sizeof(*slot));
	slot->addr = *addr;
	return slot;
}

void
server_ban_fail(struct server *srv, const struct sockaddr_storage *addr)
{
	const struct srv_config *cfg = srv->cfg;
	struct ban_slot *b;
	double now = now_mono();
	char who[INET6_ADDRSTRLEN];
	int banned = 0;

	if (cfg->ban_after == 0)
		return;
	pthread_mutex_lock(&srv->ban_lock);
	if ((b = ban_slot(srv, addr, 1, now)) != NULL) {
		if (b->fails == 0 || b->since + cfg->ban_window <= now) {
			b->since = now;
			b->fails = 0;
		}
		if (++b->fails >= (unsigned)cfg->ban_after && b->until <= now) {
			b->until = now + cfg->ban_time;
			b->fails = 0;
			banned = 1;
		}
	}
	pthread_mutex_unlock(&srv->ban_lock);
	if (banned) {
		metrics_count(&srv->metrics, MC_BANS);
		addr_ntop(addr, who, sizeof(who));
		log_info("%s: banned for %d s after %d failed logins in %d s",
		    who, cfg->ban_time, cfg->ban_after, cfg->ban_window);
	}
}

int
server_banned(struct server *srv, const struct sockaddr_storage *addr)
{
	struct ban_slot *b;
	int rc = 0;

	if (srv->cfg->ban_after == 0)
		return 0;
	pthread_mutex_lock(&srv->ban_lock);
	if ((b = ban_slot(srv, addr, 0, now_mono())) != NULL)
		rc = b->until > now_mono();
	pthread_mutex_unlock(&srv->ban_lock);
	return rc;
}

unsigned
server_bans_active(struct server *srv)
{
	double now = now_mono();
	unsigned n = 0;
	size_t i;

	pthread_mutex_lock(&srv->ban_lock);
	for (i = 0; i < srv->nbans; i++)
		if (srv->bans[i].until > now)
			n++;
	pthread_mutex_unlock(&srv->ban_lock);
	return n;
}

struct userdb *
server_users(struct server *srv)
{
	struct userdb *db;

	pthread_mutex_lock(&srv->users_lock);
	db = users_ref(srv->users);
	pthread_mutex_unlock(&srv->users_lock);
	return db;
}

static void
wake(int fd)
{
	uint64_t one = 1;

	if (fd != -1 && write(fd, &one, sizeof(one)) == -1)
		log_warn("eventfd write");
}

/*
 * Why the users db no longer allows the logged-in session s: its user is
 * gone or, if the administrator asked, its password changed. REVOKE_NONE
 * if it still does.
 */
static int
revoke_reason(const struct server *srv, const struct userdb *db,
    const struct session *s)
{
	const struct user *u;

	/* PAM accounts are not the users file's to remove. */
	if (conf_uses_pam(srv->cfg))
		return REVOKE_NONE;
	if ((u = users_find(db, s->user)) == NULL)
		return REVOKE_REMOVED;
	if (srv->cfg->end_sessions_on_password_change &&
	    (s->login_hash == NULL || strcmp(u->password, s->login_hash) != 0))
		return REVOKE_PASSWORD;
	return REVOKE_NONE;
}

void
server_session_add(struct server *srv, struct session *s)
{
	int why;

	struct userdb *db;

	pthread_mutex_lock(&srv->sessions_lock);
	s->srv_prev = NULL;
	s->srv_next = srv->sessions;
	if (srv->sessions != NULL)
		srv->sessions->srv_prev = s;
	srv->sessions = s;
	s->listed = 1;
	/* The shutdown sets stopping before it walks the list. */
	if (atomic_load(&srv->stopping))
		wake(s->wake_fd);
	/*
	 * A reload replaces the users before it walks the list: one that
	 * came between this login's check and here is seen now.
	 */
	db = server_users(srv);
	if ((why = revoke_reason(srv, db, s)) != REVOKE_NONE) {
		atomic_store(&s->revoked, why);
		wake(s->wake_fd);
	}
	users_unref(db);
	pthread_mutex_unlock(&srv->sessions_lock);
}

void
server_session_del(struct server *srv, struct session *s)
{
	pthread_mutex_lock(&srv->sessions_lock);
	if (s->listed) {
		if (s->srv_prev != NULL)
			s->srv_prev->srv_next = s->srv_next;
		else
			srv->sessions = s->srv_next;
		if (s->srv_next != NULL)
			s->srv_next->srv_prev = s->srv_prev;
		s->listed = 0;
	}
	pthread_mutex_unlock(&srv->sessions_lock);
}

void
server_wake_sessions(struct server *srv)
{
	struct session *s;

	pthread_mutex_lock(&srv->sessions_lock);
	for (s = srv->sessions; s != NULL; s = s->srv_next)
		wake(s->wake_fd);
	pthread_mutex_unlock(&srv->sessions_lock);
}

/*
 * Ends the sessions the new database no longer allows: their user is gone
 * or, if the administrator asked, their password changed.
 */
static void
revoke_sessions(struct server *srv, const struct userdb *db)
{
	struct session *s;
	unsigned removed = 0, changed = 0;
	int why;

	pthread_mutex_lock(&srv->sessions_lock);
	for (s = srv->sessions; s != NULL; s = s->srv_next) {
		if (atomic_load(&s->revoked) != REVOKE_NONE)
			continue;
		if ((why = revoke_reason(srv, db, s)) == REVOKE_NONE)
			continue;
		log_info("%s: ending the session of %s: %s", s->peer, s->user,
		    why == REVOKE_REMOVED ? "account removed" :
		    "password changed");
		atomic_store(&s->revoked, why);
		wake(s->wake_fd);
		if (why == REVOKE_REMOVED)
			removed++;
		else
			changed++;
	}
	pthread_mutex_unlock(&srv->sessions_lock);
	if (removed + changed > 0)
		log_info("reload ended %u sessions of removed users, %u with a "
		    "changed password", removed, changed);
}

struct tls_ctx *
server_tls(struct server *srv)
{
	struct tls_ctx *ctx;

	pthread_mutex_lock(&srv->tls_lock);
	ctx = srv->tls != NULL ? tls_ctx_ref(srv->tls) : NULL;
	pthread_mutex_unlock(&srv->tls_lock);
	return ctx;
}

int
server_reload_tls(struct server *srv)
{
	struct tls_ctx *ctx, *old;
	char err[1024], fp[TLS_FP_LEN];

	if (!srv->tls_on)
		return 0;
	/* Built outside the lock: new sessions go on with the old one. */
	if ((ctx = tls_server_ctx(srv->cfg->tls_cert, srv->cfg->tls_key, err,
	    sizeof(err))) == NULL) {
		log_warnx("TLS reload failed, keeping the current certificate: "
		    "%s", err);
		return -1;
	}
	pthread_mutex_lock(&srv->tls_lock);
	old = srv->tls;
	srv->tls = ctx;
	pthread_mutex_unlock(&srv->tls_lock);
	/* Sessions holding the old one keep it until they end. */
	tls_ctx_free(old);
	if (tls_ctx_fingerprint(ctx, fp, sizeof(fp)) == -1)
		snprintf(fp, sizeof(fp), "?");
	log_info("reloaded TLS certificate %s (SHA-256 %s)", srv->cfg->tls_cert,
	    fp);
	return 0;
}

int64_t
server_users_generation(struct server *srv)
{
	int64_t gen;

	pthread_mutex_lock(&srv->users_lock);
	gen = srv->users_gen;
	pthread_mutex_unlock(&srv->users_lock);
	return gen;
}

int
server_reload_users(struct server *srv)
{
	struct userdb *db;
	char err[512];

	if (srv->pgsync != NULL) {
		if (pgsync_refresh(srv->pgsync, 1, err, sizeof(err)) == -1) {
			log_warnx("reload failed, keeping the current users: %s",
			    err);
			return -1;
		}
		return 0;
	}
	/* With PAM the users file only gives quotas, and may be absent. */
	if ((db = users_load(srv->cfg->users_file, conf_uses_pam(srv->cfg),
	    err, sizeof(err))) == NULL) {
		log_warnx("reload failed, keeping the current users: %s", err);
		return -1;
	}
	server_install_users(srv, db, -1, srv->cfg->users_file);
	return 0;
}

void
server_install_users(struct server *srv, struct userdb *db, int64_t gen,
    const char *from)
{
	struct userdb *old;

	pthread_mutex_lock(&srv->users_lock);
	old = srv->users;
	srv->users = db;
	srv->users_gen = gen;
	pthread_mutex_unlock(&srv->users_lock);
	users_unref(old);
	if (srv->verifier != NULL)
		verifier_forget(srv->verifier);
	revoke_sessions(srv, db);
	/* Running sessions see new quotas at once. */
	for (size_t i = 0; srv->quotas != NULL && i < users_count(db); i++) {
		const struct user *u = users_at(db, i);
		quota_set_limit(srv->quotas, u->name,
		    u->quota == USER_QUOTA_DEFAULT ? srv->cfg->default_quota :
		    (uint64_t)u->quota);
	}
	/* And new bandwidth limits, shared by all of a user's sessions. */
	for (size_t i = 0; srv->rates != NULL && i < users_count(db); i++) {
		const struct user *u = users_at(db, i);
		rate_set(srv->rates, u->name,
		    users_rate_down(u, srv->cfg->rate_down),
		    users_rate_up(u, srv->cfg->rate_up));
	}
	log_info("reloaded %s: %zu users", from, users_count(db));
}
