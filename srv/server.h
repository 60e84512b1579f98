/*
 * server: what all sessions of one burrowd share, and the accepted
 * connection that travels from the acceptor through the pool to a worker.
 */
#ifndef BURROW_SERVER_H
#define BURROW_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include "srv/metrics.h"

struct srv_config;
struct userdb;
struct pool;
struct lobby;
struct verifier;
struct session;
struct quota_table;
struct rate_table;
struct tls_ctx;
struct xferlog;
struct pgdb;
struct pgsync;

struct ip_slot {
	struct sockaddr_storage	addr;
	unsigned		count;
};

struct server {
	struct srv_config	*cfg;
	int			 home_root_fd;	/* O_DIRECTORY on home_root */
	int			 wake_fd;	/* eventfd: readable once stopping */
	atomic_int		 stopping;
	int			 ncpu;		/* online CPUs, at start */
	atomic_int		 prehashing;	/* digests beside downloads */
	double			 stop_deadline;	/* now_mono() when grace ends */
	struct pool		*pool;
	struct lobby		*lobby;		/* sessions not logged in */
	struct verifier		*verifier;	/* password checks, own locks */
	struct quota_table	*quotas;	/* per-user usage, own locks */
	struct rate_table	*rates;		/* per-user bandwidth, own locks */
	int			 tls_on;	/* a certificate: AUTH TLS offered */
	struct xferlog		*xferlog;	/* NULL without xfer_log */
	struct pgdb		*pg;		/* users_backend "postgresql" */
	struct pgsync		*pgsync;	/* keeps users equal to pg */
	char			 node[64];	/* pg: this process, in rows */
	atomic_uint		 serial;	/* pg: numbers session rows */
	struct metrics		 metrics;	/* counters, atomics: no lock */

	/*
	 * tls_lock guards tls, the context new sessions take (NULL without
	 * a certificate); a reload replaces it (server_tls()).
	 */
	pthread_mutex_t		 tls_lock;
	struct tls_ctx		*tls;

	/* users_lock guards users and users_gen. */
	pthread_mutex_t		 users_lock;
	struct userdb		*users;
	int64_t			 users_gen;	/* pg's generation; -1 none */

	/* sessions_lock guards the list of logged-in sessions. */
	pthread_mutex_t		 sessions_lock;
	struct session		*sessions;

	/* ban_lock guards bans and nbans. */
	pthread_mutex_t		 ban_lock;
	struct ban_slot		*bans;
	size_t			 nbans;

	/* ip_lock guards ips and nips. */
	pthread_mutex_t		 ip_lock;
	struct ip_slot		*ips;
	size_t			 nips;
};

/* Failed logins of one address, and its ban. */
struct ban_slot {
	struct sockaddr_storage	addr;
	double			since;		/* the window's first failure */
	unsigned		fails;		/* in the window */
	double			until;		/* banned until then; 0 if not */
};

/* An accepted control connection: the pool's item. */
struct client {
	struct server		*srv;
	int			 fd;
	struct sockaddr_storage	 peer;
	struct sockaddr_storage	 local;
	int			 implicit_tls;	/* came in on tls.implicit_port */
	/*
	 * From a trusted balancer (proxy_protocol.trusted): proxy is its
	 * address and peer becomes the client's once the PROXY header is
	 * read (a LOCAL header leaves the balancer's).
	 */
	int			 via_proxy;
	struct sockaddr_storage	 proxy;
};

/*
 * Counts a connection from addr against max_per_ip. Returns 0, or -1 when
 * the address already holds max (0: no limit, still counted).
 */
int server_ip_acquire(struct server *srv, const struct sockaddr_storage *addr,
    unsigned max);
void server_ip_release(struct server *srv, const struct sockaddr_storage *addr);

/*
 * Lists a session that has just logged in (s->wake_fd set), so that a
 * reload or the shutdown can reach it; one that logs in after the shutdown
 * began is woken at once. server_session_del() takes it off (if listed).
 */
void server_session_add(struct server *srv, struct session *s);
void server_session_del(struct server *srv, struct session *s);

/* Wakes every logged-in session: the server is stopping. */
void server_wake_sessions(struct server *srv);

/*
 * Counts a failed login from addr; after ban_after of them within
 * ban_window seconds the address is banned for ban_time (logged).
 * server_banned() is 1 while addr is banned. A success elsewhere changes
 * nothing here.
 */
void server_ban_fail(struct server *srv, const struct sockaddr_storage *addr);
int server_banned(struct server *srv, const struct sockaddr_storage *addr);

/* How many addresses are banned now (for the metrics). */
unsigned server_bans_active(struct server *srv);

/* A reference to the current users database; users_unref() it after use. */
struct userdb *server_users(struct server *srv);

/*
 * Re-reads the users file. On error logs "FILE:LINE: message" and keeps the
 * database in force. Sessions of users no longer in it end at once (421),
 * transfers included, and with end_sessions_on_password_change so do those
 * logged in with a password that has changed. Returns 0 or -1.
 */
int server_reload_users(struct server *srv);

/*
 * Puts db (whose reference it takes) in force as a reload does, with the
 * database's generation gen; from names its source for the log.
 */
void server_install_users(struct server *srv, struct userdb *db,
    int64_t gen, const char *from);

/*
 * A reference to the TLS context new sessions use (NULL without a
 * certificate); tls_ctx_free() it. A session keeps the one it began with
 * for all its data connections: they resume the control connection's
 * TLS session, which lives in that context.
 */
struct tls_ctx *server_tls(struct server *srv);

/*
 * SIGHUP: re-reads tls.cert and tls.key into a new context for new
 * sessions; running sessions keep theirs. A pair that cannot be loaded
 * (unreadable, broken, a key that is not the certificate's) is logged
 * with its file names and the current one stays. Nothing without TLS.
 * Returns 0 or -1.
 */
int server_reload_tls(struct server *srv);

/* The generation of the accounts in force (-1: none from a database). */
int64_t server_users_generation(struct server *srv);

#endif
