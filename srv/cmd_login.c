/*
 * cmd_login: USER, PASS and QUIT. A wrong password and an unknown user take
 * the same path and the same time: the unknown user is checked against a
 * dummy hash, and every failure waits before its reply, longer after each
 * failure, until max_login_attempts closes the connection.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "srv/ident.h"
#include "srv/lobby.h"
#include "srv/log.h"
#include "srv/pamauth.h"
#include "srv/metrics.h"
#include "srv/pgdb.h"
#include "srv/pgsessions.h"
#include "srv/pgsync.h"
#include "srv/quota.h"
#include "srv/rate.h"
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

/*
 * Opens (creating if needed) home_root/s->user. A home it creates is
 * given to owner (a PAM account, when root) unless owner is NULL.
 */
static int
open_root_home(struct session *s, const struct ident *owner)
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
		if (fd != -1 && owner != NULL &&
		    fchown(fd, owner->uid, owner->gid) == -1) {
			log_warn("%s: fchown home of %s", s->peer, s->user);
			close(fd);
			return -1;
		}
	}
	if (fd == -1)
		log_warn("%s: open home of %s", s->peer, s->user);
	return fd;
}

/*
 * auth = "pam": the account's own home (pam_home = "account") or
 * home_root/NAME. Run as root, the worker acts as the account from here
 * on (s->ident_on), the home is opened as the account, and a failure
 * leaves the worker as it was. Returns the home's fd or -1 (logged).
 */
static int
open_pam_home(struct session *s)
{
	int as_account = geteuid() == 0, fd = -1;
	int in_root = strcmp(s->srv->cfg->pam_home, "home_root") == 0;
	char home[PATH_MAX];

	if (ident_lookup(s->user, &s->ident, home, sizeof(home)) == -1) {
		if (errno == ENOENT)
			log_warnx("%s: %s has no account any more "
			    "(getpwnam)", s->peer, s->user);
		else
			log_warn("%s: looking up the account %s", s->peer,
			    s->user);
		return -1;
	}
	if (s->ident.uid == 0) {
		log_warnx("%s: refused %s: uid 0 is not served", s->peer,
		    s->user);
		return -1;
	}
	if (in_root && (fd = open_root_home(s, as_account ? &s->ident :
	    NULL)) == -1)
		return -1;
	if (as_account) {
		if (ident_enter(&s->ident) == -1) {
			log_warn("%s: acting as %s (uid %ld)", s->peer, s->user,
			    (long)s->ident.uid);
			if (fd != -1)
				close(fd);
			return -1;
		}
		s->ident_on = 1;
	}
	if (!in_root && (fd = open(home, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		log_warn("%s: open home %s of %s", s->peer, home, s->user);
	if (fd == -1 && s->ident_on) {
		ident_leave();
		s->ident_on = 0;
	}
	if (fd != -1 && s->ident_on)
		log_info("%s: %s acts as uid %ld gid %ld (%d groups) on "
		    "thread %ld", s->peer, s->user, (long)s->ident.uid,
		    (long)s->ident.gid, s->ident.ngroups, (long)gettid());
	return fd;
}

/* Opens the home of s->user, as the accounts are kept. */
static int
open_home(struct session *s)
{
	if (conf_uses_pam(s->srv->cfg))
		return open_pam_home(s);
	return open_root_home(s, NULL);
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

/*
 * Takes the user's bandwidth record, with the limits of the accounts in
 * force now (a user gone meanwhile gets the defaults; the reload that
 * removed it ends the session anyway).
 */
static struct rate *
user_rate(struct session *s)
{
	const struct srv_config *cfg = s->srv->cfg;
	struct userdb *db = server_users(s->srv);
	const struct user *u = users_find(db, s->user);
	uint64_t down = cfg->rate_down, up = cfg->rate_up;
	struct rate *r;

	if (u != NULL) {
		down = users_rate_down(u, down);
		up = users_rate_up(u, up);
	}
	r = rate_get(s->srv->rates, s->user, down, up);
	users_unref(db);
	return r;
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
	if (s->srv->rates != NULL && (s->rate = user_rate(s)) == NULL) {
		log_warn("%s: rate record of %s", s->peer, s->user);
		session_enter(s, ST_USER);
		return session_reply(s, FTP_NOTLOGGED, "Out of resources; try "
		    "again later.");
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

/*
 * A failed PASS: counted (bans too), and answered 530 after a delay that
 * grows with each failure.
 */
static int
login_failed(struct session *s, enum metrics_counter mc)
{
	s->failed_logins++;
	/* The client cannot tell the reasons apart; the operator may. */
	metrics_count(&s->srv->metrics, mc);
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

/* Waits for a seat if none is free, else logs in at once. */
static int
seat_and_login(struct session *s, uint64_t limit)
{
	/*
	 * Every place taken: the login waits, unanswered, for one to free
	 * (session.c, lobby.c), and completes then.
	 */
	s->held_limit = limit;
	if (lobby_seat_take(s->srv->lobby, s) == -1) {
		s->held_login = 1;
		return 0;
	}
	return cmd_pass_seated(s);
}

/*
 * PASS with auth = "pam". Every name goes to PAM, even one burrowd would
 * not serve, so that it costs what a wrong password costs and gets the
 * same reply after the same delay. The quota is the users file's for the
 * name, if it has one, else default_quota.
 */
static int
pass_pam(struct session *s, char *arg)
{
	struct userdb *db;
	const struct user *u;
	uint64_t limit;
	char why[256], home[PATH_MAX];
	int ok;

	ok = pamauth_check(s->srv->verifier, s->srv->cfg->pam_service,
	    s->user[0] != '\0' ? s->user : "-", arg != NULL ? arg : "",
	    s->peer, why, sizeof(why));
	wipe(arg, arg != NULL ? strlen(arg) : 0);
	if (ok == 1 && !users_valid_name(s->user)) {
		ok = 0;
		snprintf(why, sizeof(why), "not a name burrowd serves");
	}
	/*
	 * Refused here, after the same delay as a wrong password, rather
	 * than when the home is opened: an immediate 530 after PAM's yes
	 * would tell that the password was right.
	 */
	if (ok == 1 && ident_lookup(s->user, &s->ident, home,
	    sizeof(home)) == -1) {
		ok = 0;
		snprintf(why, sizeof(why), "no such account (getpwnam%s%s)",
		    errno == ENOENT ? "" : ": ", errno == ENOENT ? "" :
		    strerror(errno));
	}
	if (ok == 1 && s->ident.uid == 0) {
		ok = 0;
		snprintf(why, sizeof(why), "uid 0 is not served");
	}
	if (ok != 1) {
		if (ok == -1)
			log_warnx("%s: PAM: %s", s->peer, why);
		else
			log_info("%s: PAM refused \"%s\": %s", s->peer,
			    s->user, why);
		/* PAM does not say whether the name or the password was
		 * wrong; neither does the count. */
		return login_failed(s, MC_LOGIN_FAIL_PASSWORD);
	}
	db = server_users(s->srv);
	u = users_find(db, s->user);
	limit = u == NULL || u->quota == USER_QUOTA_DEFAULT ?
	    s->srv->cfg->default_quota : (uint64_t)u->quota;
	users_unref(db);
	free(s->login_hash);
	s->login_hash = NULL;
	s->login_cached = 0;
	return seat_and_login(s, limit);
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
	if (conf_uses_pam(s->srv->cfg))
		return pass_pam(s, arg);
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

	if (ok)
		return seat_and_login(s, limit);

	return login_failed(s, known ? MC_LOGIN_FAIL_PASSWORD :
	    MC_LOGIN_FAIL_UNKNOWN);
}

/*
 * 1 if s->user is still an account, with the password hash the login was
 * checked against: a login that waited for a seat may find the users
 * file reloaded since.
 */
static int
still_valid(struct session *s)
{
	struct userdb *db;
	const struct user *u;
	int ok;

	/* PAM has just said yes; the users file only gives quotas. */
	if (conf_uses_pam(s->srv->cfg))
		return 1;
	db = server_users(s->srv);
	u = users_find(db, s->user);
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
