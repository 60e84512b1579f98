/*
 * server: state shared by every session: the per-address connection
 * counts and the users database, which SIGHUP can replace while sessions
 * hold references to the old one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto/addr.h"
#include "srv/conf.h"
#include "srv/log.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/users.h"

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

struct userdb *
server_users(struct server *srv)
{
	struct userdb *db;

	pthread_mutex_lock(&srv->users_lock);
	db = users_ref(srv->users);
	pthread_mutex_unlock(&srv->users_lock);
	return db;
}

int
server_reload_users(struct server *srv)
{
	struct userdb *db, *old;
	char err[512];

	if ((db = users_load(srv->cfg->users_file, 0, err, sizeof(err))) == NULL) {
		log_warnx("reload failed, keeping the current users: %s", err);
		return -1;
	}
	pthread_mutex_lock(&srv->users_lock);
	old = srv->users;
	srv->users = db;
	pthread_mutex_unlock(&srv->users_lock);
	users_unref(old);
	/* Running sessions see new quotas at once; passwords at next login. */
	for (size_t i = 0; i < users_count(db); i++) {
		const struct user *u = users_at(db, i);
		quota_set_limit(srv->quotas, u->name,
		    u->quota == USER_QUOTA_DEFAULT ? srv->cfg->default_quota :
		    (uint64_t)u->quota);
	}
	log_info("reloaded %s: %zu users", srv->cfg->users_file,
	    users_count(db));
	return 0;
}
