/*
 * cmd_login: USER, PASS and QUIT. A wrong password and an unknown user take
 * the same path and the same time: the unknown user is checked against a
 * dummy hash, and every failure waits before its reply, longer after each
 * failure, until max_login_attempts closes the connection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/reply.h"
#include "proto/util.h"
#include "srv/auth.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/lobby.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/pgdb.h"
#include "srv/pgsessions.h"
#include "srv/pgsync.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/session.h"
#include "srv/users.h"
#include "srv/verify.h"

#define LOGIN_DELAY_MS	500	/* per failure so far */

int
cmd_user(struct session *s, char *arg)
{
	if (s->state == ST_READY)
		return session_reply(s, FTP_NOTLOGGED, "Already logged in.");
	if (session_tls_refuses_login(s))
		return session_reply(s, FTP_NOTLOGGED, "This server requires "
		    "TLS: send AUTH TLS before USER.");
	/* Any name is accepted here so that names cannot be probed. */
	snprintf(s->user, sizeof(s->user), "%s", arg);
	if (strlen(arg) >= sizeof(s->user))
		s->user[0] = '\0';
	session_enter(s, ST_PASS);
	return session_reply(s, FTP_GIVEPWORD, "Please specify the password.");
}

/* Opens (creating if needed) the home of s->user. */
static int
open_home(struct session *s)
{
	int fd, flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	fd = openat(s->srv->home_root_fd, s->user, flags);
	if (fd == -1 && errno == ENOENT) {
		if (mkdirat(s->srv->home_root_fd, s->user, 0750) == -1 &&
		    errno != EEXIST) {
			log_warn("%s: mkdirat home of %s", s->peer, s->user);
			return -1;
		}
		log_info("created home directory of %s", s->user);
		fd = openat(s->srv->home_root_fd, s->user, flags);
	}
	if (fd == -1)
		log_warn("%s: open home of %s", s->peer, s->user);
	return fd;
}

/*
 * users_backend pg: counts the session in burrow_sessions, where
 * max_sessions_per_user sees every node's. Returns 0, 1 if the user has
 * max already, or -1 (logged) if the database fails.
 */
static int
enter_everywhere(struct session *s, unsigned max)
{
	struct server *srv = s->srv;
	char err[512];
	PGconn *c;
	int rc = -1;

	snprintf(s->db_session, sizeof(s->db_session), "%s/%u", srv->node,
	    atomic_fetch_add(&srv->serial, 1));
	if ((c = pgdb_get(srv->pg, err, sizeof(err))) != NULL)
		rc = pgsessions_enter(c, s->db_session, srv->node, s->user, max,
		    srv->cfg->pg_lease, err, sizeof(err));
	pgdb_put(srv->pg, c);
	if (rc != 0)
		s->db_session[0] = '\0';
	if (rc == -1)
		log_warnx("%s: login of %s: %s", s->peer, s->user, err);
	return rc;
}

/* Opens the home and takes the user's quota record: the session begins. */
static int
login(struct session *s, uint64_t limit)
{
	unsigned max = (unsigned)s->srv->cfg->max_sessions_per_user;
	int shared = s->srv->pg != NULL, rc;

	/* How a reload or the shutdown reaches the session once logged in. */
	if (s->wake_fd == -1 &&
	    (s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("%s: eventfd", s->peer);
		metrics_count(&s->srv->metrics, MC_LOGIN_FAIL_UNAVAILABLE);
		return session_reply(s, FTP_NOTLOGGED, "Out of resources; try "
		    "again later.");
	}
	if ((s->rootfd = open_home(s)) == -1) {
		metrics_count(&s->srv->metrics, MC_LOGIN_FAIL_UNAVAILABLE);
		return session_reply(s, FTP_NOTLOGGED,
		    "Home directory unavailable.");
	}
	/* Shared, the database counts the sessions of every node. */
	s->quota = quota_get_limited(s->srv->quotas, s->user, limit, s->rootfd,
	    shared ? 0 : max);
	if (s->quota == NULL) {
		int err = errno;
		if (err == EUSERS)
			log_info("%s: refused %s: already %u sessions", s->peer,
			    s->user, max);
		else {
			errno = err;
			log_warn("%s: measuring the home of %s", s->peer,
			    s->user);
		}
		session_enter(s, ST_USER);
		metrics_count(&s->srv->metrics, err == EUSERS ?
		    MC_LOGIN_FAIL_SESSIONS : MC_LOGIN_FAIL_UNAVAILABLE);
		if (err == EUSERS) {
			session_reply(s, FTP_TOOMANY, "Too many sessions for this "
			    "user (at most %u).", max);
			return -1;
		}
		return session_reply(s, FTP_NOTLOGGED,
		    "Home directory unavailable.");
	}
	if (shared && (rc = enter_everywhere(s, max)) != 0) {
		session_enter(s, ST_USER);
		metrics_count(&s->srv->metrics, rc == 1 ?
		    MC_LOGIN_FAIL_SESSIONS : MC_LOGIN_FAIL_UNAVAILABLE);
		if (rc == 1) {
			log_info("%s: refused %s: already %u sessions on all "
			    "nodes", s->peer, s->user, max);
			session_reply(s, FTP_TOOMANY, "Too many sessions for this "
			    "user (at most %u).", max);
		} else
			session_reply(s, FTP_CLOSING, "Service not available: the "
			    "accounts database cannot be reached; try again "
			    "later.");
		return -1;
	}
	snprintf(s->cwd, sizeof(s->cwd), "/");
	session_enter(s, ST_READY);
	lobby_logged_in(s->srv->lobby, s);
	server_session_add(s->srv, s);
	metrics_count(&s->srv->metrics, MC_LOGINS);
	log_info("%s: login %s%s", s->peer, s->user, s->login_cached ?
	    " (password remembered)" : "");
	return session_reply(s, FTP_LOGINOK, "Login successful.");
}

int
cmd_pass(struct session *s, char *arg)
{
	struct userdb *db;
	const struct user *u = NULL;
	const char *pw = arg != NULL ? arg : "";
	uint64_t limit = 0;
	char why[512];
	int ok, known;

	if (session_tls_refuses_login(s)) {
		/* A password sent in clear goes no further than this. */
		wipe(arg, arg != NULL ? strlen(arg) : 0);
		return session_reply(s, FTP_NOTLOGGED, "This server requires "
		    "TLS: send AUTH TLS before PASS.");
	}
	if (s->state == ST_READY)
		return session_reply(s, FTP_LOGINOK, "Already logged in.");
	if (s->state != ST_PASS)
		return session_reply(s, FTP_BADSEQ, "Log in with USER first.");
	/*
	 * With the accounts in PostgreSQL, this login sees every change
	 * committed before it, and none is let in while the database cannot
	 * say whether the account still stands.
	 */
	if (s->srv->pgsync != NULL &&
	    pgsync_refresh(s->srv->pgsync, 0, why, sizeof(why)) == -1) {
		wipe(arg, arg != NULL ? strlen(arg) : 0);
		metrics_count(&s->srv->metrics, MC_LOGIN_FAIL_UNAVAILABLE);
		log_warnx("%s: login of \"%s\" refused: %s", s->peer, s->user,
		    why);
		session_reply(s, FTP_CLOSING, "Service not available: the "
		    "accounts database cannot be reached; try again later.");
		return -1;
	}
	db = server_users(s->srv);
	if (s->user[0] != '\0' && users_valid_name(s->user))
		u = users_find(db, s->user);
	known = u != NULL;
	/*
	 * An unknown user costs the same as a known one: the password is
	 * checked against another account's hash (same iteration count as
	 * the accounts around it) and the result thrown away.
	 */
	if (u != NULL)
		ok = verifier_check(s->srv->verifier, u->name, u->password, pw,
		    &s->login_cached);
	else
		ok = verifier_dummy(s->srv->verifier, users_count(db) > 0 ?
		    users_at(db, 0)->password : NULL, pw);
	wipe(arg, arg != NULL ? strlen(arg) : 0);
	if (ok) {
		limit = u->quota == USER_QUOTA_DEFAULT ?
		    s->srv->cfg->default_quota : (uint64_t)u->quota;
		free(s->login_hash);
		if ((s->login_hash = strdup(u->password)) == NULL)
			ok = 0;
	}
	users_unref(db);

	if (ok) {
		/*
		 * Every place taken: the login waits, unanswered, for one to
		 * free (session.c, lobby.c), and completes then.
		 */
		s->held_limit = limit;
		if (lobby_seat_take(s->srv->lobby, s) == -1) {
			s->held_login = 1;
			return 0;
		}
		return cmd_pass_seated(s);
	}

	s->failed_logins++;
	/* The client cannot tell these apart; the operator may. */
	metrics_count(&s->srv->metrics, known ? MC_LOGIN_FAIL_PASSWORD :
	    MC_LOGIN_FAIL_UNKNOWN);
	server_ban_fail(s->srv, &s->cl->peer);
	log_info("%s: failed login for \"%s\" (attempt %d)", s->peer,
	    s->user, s->failed_logins);
	session_enter(s, ST_USER);
	/*
	 * The reply waits, longer after each failure; the session waits in
	 * the lobby meanwhile, not on a worker (cmd_pass_delayed).
	 */
	s->delay_until = now_mono() + LOGIN_DELAY_MS *
	    s->failed_logins / 1000.0;
	s->delayed = s->failed_logins >= s->srv->cfg->max_login_attempts ?
	    2 : 1;
	return 0;
}

/*
 * 1 if s->user is still an account, with the password hash the login was
 * checked against: a login that waited for a seat may find the users
 * file reloaded since.
 */
static int
still_valid(struct session *s)
{
	struct userdb *db = server_users(s->srv);
	const struct user *u = users_find(db, s->user);
	int ok;

	ok = u != NULL && s->login_hash != NULL &&
	    strcmp(u->password, s->login_hash) == 0;
	users_unref(db);
	return ok;
}

int
cmd_pass_seated(struct session *s)
{
	s->held_login = 0;
	if (!still_valid(s)) {
		log_info("%s: login of %s refused: the account changed while "
		    "it waited for a seat", s->peer, s->user);
		metrics_count(&s->srv->metrics, MC_LOGIN_FAIL_UNAVAILABLE);
		session_enter(s, ST_USER);
		lobby_seat_give(s->srv->lobby, s);
		return session_reply(s, FTP_NOTLOGGED, "Login incorrect.");
	}
	if (login(s, s->held_limit) == -1)
		return -1;
	if (s->state != ST_READY)
		lobby_seat_give(s->srv->lobby, s);
	return 0;
}

int
cmd_pass_delayed(struct session *s)
{
	int last = s->delayed == 2;

	s->delayed = 0;
	if (last) {
		log_info("%s: too many failed logins, closing", s->peer);
		session_reply(s, FTP_NOTLOGGED, "Login incorrect.");
		session_reply(s, FTP_TOOMANY, "Too many failed logins.");
		return -1;
	}
	return session_reply(s, FTP_NOTLOGGED, "Login incorrect.");
}

int
cmd_quit(struct session *s, char *arg)
{
	s->quit = 1;
	return session_reply(s, FTP_GOODBYE, "Goodbye.");
}
