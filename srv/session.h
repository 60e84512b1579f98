/*
 * session: one client's control connection, from greeting to goodbye, on
 * one worker thread. It reads commands, checks them against the command
 * table and calls their handlers; the handlers (cmd_*.c) reply through
 * session_reply().
 */
#ifndef BURROW_SESSION_H
#define BURROW_SESSION_H

#include <limits.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/cmd.h"
#include "proto/netio.h"
#include "proto/tls.h"
#include "srv/data.h"
#include "srv/ident.h"
#include "srv/lobby.h"
#include "srv/users.h"

struct hash_alg;
struct prehash;
struct proxied;
struct quota;
struct rate;

#define VPATH_MAX	4096

enum session_state {
	ST_USER,	/* waiting for USER */
	ST_PASS,	/* USER given, waiting for PASS */
	ST_READY	/* logged in */
};

struct session {
	struct server		*srv;
	struct client		*cl;
	struct conn		 ctl;
	struct tls		*tls;		/* control TLS, NULL in clear */
	struct tls_ctx		*tls_ctx;	/* the context it began with */
	struct tls_sid		 sid;		/* shared with our data connections */
	int			 pbsz;		/* PBSZ seen */
	int			 prot_p;	/* PROT P: protect data connections */
	char			 peer[INET6_ADDRSTRLEN];
	enum session_state	 state;
	char			 user[USER_NAME_MAX + 1];
	int			 failed_logins;
	int			 rootfd;	/* the home, -1 before login */
	struct quota		*quota;		/* the user's record, once logged in */
	struct rate		*rate;		/* the user's bandwidth, likewise */
	char			 cwd[VPATH_MAX];
	char			 rnfr[VPATH_MAX];	/* "" when none pending */
	off_t			 rest;		/* REST offset for the next transfer */
	int			 ascii;		/* TYPE A */
	int			 utf8;
	unsigned		 mlst_facts;
	int			 epsv_all;
	int			 quit;		/* close after this command */
	const struct hash_alg	*hash_alg;	/* OPTS HASH; NULL: SHA-256 */
	uint64_t		 rang_start, rang_end;	/* RANG, inclusive */
	int			 rang_set;	/* a RANG waits for the next HASH */
	struct prehash		*prehash;	/* srv/prehash.h; NULL: none */
	struct data		 data;
	char			 line[CMD_LINE_MAX];

	/*
	 * Commands that came during a transfer (other than ABOR and STAT),
	 * answered in order once it is over: each a 2-byte length and its
	 * bytes, HELD_TOOLONG for a line that was too long.
	 */
	char			 held[2 * CMD_LINE_MAX + 64];
	size_t			 held_len, held_off;
	unsigned		 held_n;

	/* Before login (see srv/lobby.h): served in steps between waits. */
	double			 login_by;	/* now_mono() of the login timeout */
	double			 idle_by;	/* of the idle timeout */
	int			 greeted;	/* the 220 has gone out */
	struct proxied		*proxied;	/* a PROXY header being read */
	double			 proxy_by;	/* when it must be complete */
	int			 handshaking;	/* tls is set up, not yet done */
	double			 handshake_by;	/* when it must be done */
	double			 delay_until;	/* a failed login's reply waits */
	int			 delayed;	/* 1: 530 due, 2: 530 and 421 */
	int			 held_login;	/* a right PASS waits for a seat */
	uint64_t		 held_limit;	/* its quota */
	int			 login_cached;	/* the password check was remembered */

	/* The lobby's, under its lock. */
	enum lobby_where	 lobby_where;
	struct session		*lobby_next, *lobby_prev;
	double			 lobby_until;	/* parked: served again by then */
	double			 lobby_since;	/* queued: since when */
	int			 lobby_epoll;	/* parked: its socket is watched */
	int			 seated;	/* holds one of max_clients seats */
	int			 pending;	/* counts against max_pending */

	/*
	 * Logged in: the server's list of sessions (srv/server.c, under its
	 * sessions_lock), through which a reload or the shutdown reaches
	 * this one by writing wake_fd.
	 */
	struct session		*srv_next, *srv_prev;
	int			 listed;
	int			 wake_fd;	/* eventfd, -1 before login */
	atomic_int		 revoked;	/* enum session_revoke */
	char			*login_hash;	/* the password hash it logged in with */
	char			 db_session[96];	/* its burrow_sessions row; "" none */

	/*
	 * auth = "pam" as root: the account this session's worker acts as
	 * (srv/ident.h), from login to the session's end.
	 */
	struct ident		 ident;
	int			 ident_on;	/* put on the serving thread */
};

/* Why a reload ends a logged-in session. */
enum session_revoke {
	REVOKE_NONE,
	REVOKE_REMOVED,		/* the account is gone from the users */
	REVOKE_PASSWORD		/* its password changed (end_sessions_on_password_change) */
};

/* The reply that ends a revoked session ("Your account ..."). */
const char *session_revoke_text(int why);

/*
 * A session for a freshly accepted connection, not yet greeted; it owns
 * cl. NULL (cl closed and freed) if out of memory.
 */
struct session *session_new(struct client *cl);

/*
 * The pool's serve callback: serves the session until it must wait
 * before login (it is parked in the lobby), or to its end.
 */
void session_serve(void *item, void *ctx);

/*
 * Ends a session that no worker is serving: says 421 bye (if not NULL),
 * without waiting, and frees everything.
 */
void session_end(struct session *s, const char *bye);

/* Sends text on a clear connection without waiting (a 120). */
void session_say(struct session *s, const char *text);

/*
 * Sends a reply; fmt may contain '\n' for a multi-line reply. Returns 0, or
 * -1 if the control connection failed (the session then ends).
 */
int session_reply(struct session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Turns a client path argument into a virtual path: normalised against cwd
 * inside the jail. arg NULL or "" means cwd. Replies 553 and returns -1 if
 * it is too long or holds a NUL byte.
 */
int session_path(struct session *s, const char *arg, char *out, size_t len);

/* Replies code with "text: strerror(err)" for a failed file operation. */
int session_reply_errno(struct session *s, int code, const char *what, int err);

/* Changes state; the only place state is written. */
void session_enter(struct session *s, enum session_state st);

/* The time for one control-line wait, in ms (idle_timeout). */
int session_idle_ms(const struct session *s);
int session_data_ms(const struct session *s);

/*
 * Starts TLS on the control connection (after AUTH TLS, or at once for
 * implicit FTPS): s->tls is set up and s->handshaking set; the session's
 * loop completes the handshake. Returns 0, or -1 (logged).
 */
int session_tls_begin(struct session *s);

/* 1 if tls.require forbids logging in on this still-clear connection. */
int session_tls_refuses_login(struct session *s);

/*
 * Keeps a command line that came during a transfer for after it (n its
 * length, or CONN_TOOLONG). Returns 0, or -1 when full (then the caller
 * stops reading the control connection until the transfer ends).
 */
int session_hold(struct session *s, const char *line, int n);
/* 1 if no further line can be held. */
int session_hold_full(const struct session *s);

/* Quotes a path for a 257 reply: '"' doubled (RFC 959). */
void session_quote(const char *in, char *out, size_t len);

#endif
