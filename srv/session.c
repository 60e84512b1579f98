/*
 * session: the control loop of one client. The worker that takes a
 * connection from the pool greets it, then reads one command at a time,
 * checks it against the command table, and calls its handler, until QUIT,
 * a timeout, a failed connection or the server's shutdown.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <unistd.h>

#include "proto/reply.h"
#include "proto/addr.h"
#include "proto/util.h"
#include "proto/listing.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/ident.h"
#include "srv/jail.h"
#include "srv/lobby.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/pgdb.h"
#include "srv/pgsessions.h"
#include "srv/pool.h"
#include "srv/prehash.h"
#include "srv/proxied.h"
#include "srv/quota.h"
#include "srv/rate.h"
#include "srv/server.h"
#include "srv/session.h"

/*
 * Before login a client that does not read its replies gets a worker for
 * this long at most.
 */
#define PRELOGIN_WRITE_MS	5000

int
session_idle_ms(const struct session *s)
{
	return s->srv->cfg->idle_timeout * 1000;
}

int
session_data_ms(const struct session *s)
{
	return s->srv->cfg->data_timeout * 1000;
}

int
session_reply(struct session *s, int code, const char *fmt, ...)
{
	char small[1024], *text = small, *out;
	va_list ap;
	size_t cap;
	int n, rc = 0;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	/* Long replies (STAT of a big directory) are built on the heap. */
	if ((size_t)n >= sizeof(small)) {
		if ((text = malloc((size_t)n + 1)) == NULL)
			return -1;
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/*
	 * Each line gains at most a code, a space and CRLF, and each 0xFF
	 * byte a second one.
	 */
	cap = (size_t)n * 3 + 64;
	if ((out = malloc(cap)) == NULL) {
		rc = -1;
		goto done;
	}
	n = reply_format(out, cap, code, text);
	if (n < 0)
		n = (int)strlen(out);
	if (conn_write(&s->ctl, out, (size_t)n, s->state == ST_READY ?
	    session_idle_ms(s) : PRELOGIN_WRITE_MS) == -1)
		rc = -1;
	free(out);
done:
	if (text != small)
		free(text);
	if (rc == -1)
		s->quit = 1;
	return rc;
}

int
session_reply_errno(struct session *s, int code, const char *what, int err)
{
	const char *why;

	switch (err) {
	case ENOENT: why = "No such file or directory"; break;
	case EEXIST: why = "File exists"; break;
	case ENOTDIR: why = "Not a directory"; break;
	case EISDIR: why = "Is a directory"; break;
	case ENOTEMPTY: why = "Directory not empty"; break;
	case EACCES:
	case EPERM: why = "Permission denied"; break;
	case ELOOP: why = "Too many levels of symbolic links"; break;
	case ENAMETOOLONG: why = "File name too long"; break;
	case ENOSPC: why = "No space left on device"; break;
	case EDQUOT: why = "Disk quota exceeded"; break;
	case EXDEV: why = "Not within your home directory"; break;
	case EINVAL: why = "Invalid argument"; break;
	case EBUSY: why = "Resource busy"; break;
	default: why = "Operation failed"; break;
	}
	return session_reply(s, code, "%s: %s.", what, why);
}

int
session_path(struct session *s, const char *arg, char *out, size_t len)
{
	if (arg == NULL || *arg == '\0')
		arg = ".";
	if (jail_normalize(s->cwd, arg, out, len) == -1) {
		session_reply(s, FTP_BADNAME, "Path too long.");
		return -1;
	}
	return 0;
}

void
session_quote(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in != '\0' && o + 2 < len; in++) {
		if (*in == '"')
			out[o++] = '"';
		out[o++] = *in;
	}
	out[o] = '\0';
}

/* Takes the session's row out of burrow_sessions (users_backend pg). */
static void
session_db_leave(struct session *s)
{
	char err[512];
	PGconn *c;

	/* A row left behind stops counting when the node's lease expires. */
	if ((c = pgdb_get(s->srv->pg, err, sizeof(err))) == NULL ||
	    pgsessions_leave(c, s->db_session, err, sizeof(err)) == -1)
		log_warnx("%s: session of %s: %s", s->peer, s->user, err);
	pgdb_put(s->srv->pg, c);
	s->db_session[0] = '\0';
}

void
session_enter(struct session *s, enum session_state st)
{
	if (st == ST_USER) {
		/* Only the worker that put the identity on serves s now. */
		if (s->ident_on) {
			ident_leave();
			s->ident_on = 0;
		}
		if (s->quota != NULL) {
			quota_put(s->srv->quotas, s->quota);
			s->quota = NULL;
		}
		if (s->rate != NULL) {
			rate_put(s->srv->rates, s->rate);
			s->rate = NULL;
		}
		if (s->db_session[0] != '\0')
			session_db_leave(s);
		s->user[0] = '\0';
		if (s->rootfd != -1) {
			close(s->rootfd);
			s->rootfd = -1;
		}
	}
	s->state = st;
}

/* Runs one command line. Returns -1 when the session must end. */
static int
session_command(struct session *s, char *line, size_t len)
{
	const struct command *c;
	char *verb, *arg;
	int rc;

	len = cmd_telnet_strip(line, len);
	if (memchr(line, '\0', len) != NULL)
		return session_reply(s, FTP_BADCMD,
		    "Command contains a NUL byte.");
	if (cmd_split(line, &verb, &arg) == -1)
		return session_reply(s, FTP_BADCMD, "Syntax error, command "
		    "unrecognized.");
	if (s->state != ST_READY && strcasecmp(verb, "PROXY") == 0) {
		/* Only a trusted balancer's header is read (before 220). */
		log_warnx("%s: refused: PROXY header from an address not in "
		    "proxy_protocol.trusted", s->peer);
		session_reply(s, FTP_TOOMANY, "PROXY header not accepted "
		    "from your address.");
		return -1;
	}
	if ((c = commands_find(verb)) == NULL)
		return session_reply(s, FTP_BADCMD, "Unknown command %s.", verb);
	if ((c->flags & CMD_NEEDLOGIN) && s->state != ST_READY)
		return session_reply(s, FTP_NOTLOGGED,
		    "Please log in with USER and PASS.");
	if ((c->flags & CMD_NEEDARG) && (arg == NULL || *arg == '\0'))
		return session_reply(s, FTP_BADARG, "%s needs an argument.",
		    verb);
	if (!(c->flags & CMD_KEEPRNFR))
		s->rnfr[0] = '\0';
	rc = c->fn(s, arg);
	if (!(c->flags & CMD_KEEPREST))
		s->rest = 0;
	return rc;
}

/* At most this many commands wait for a transfer to end. */
#define HELD_MAX	32
#define HELD_TOOLONG	0xffff

int
session_hold_full(const struct session *s)
{
	return s->held_n >= HELD_MAX ||
	    s->held_len + 2 + CMD_LINE_MAX > sizeof(s->held);
}

int
session_hold(struct session *s, const char *line, int n)
{
	size_t len = n < 0 ? 0 : (size_t)n;
	unsigned tag = n < 0 ? HELD_TOOLONG : (unsigned)n;

	if (session_hold_full(s) || len >= CMD_LINE_MAX)
		return -1;
	s->held[s->held_len++] = (char)(tag >> 8);
	s->held[s->held_len++] = (char)(tag & 0xff);
	memcpy(s->held + s->held_len, line, len);
	s->held_len += len;
	s->held_n++;
	return 0;
}

/*
 * The next held command into s->line: its length, or CONN_TOOLONG.
 * Only while held_n > 0.
 */
static int
held_pop(struct session *s)
{
	const unsigned char *p = (const unsigned char *)s->held + s->held_off;
	unsigned tag = (unsigned)p[0] << 8 | p[1];
	size_t len = tag == HELD_TOOLONG ? 0 : tag;

	memcpy(s->line, p + 2, len);
	s->line[len] = '\0';
	s->held_off += 2 + len;
	if (--s->held_n == 0)
		s->held_len = s->held_off = 0;
	return tag == HELD_TOOLONG ? CONN_TOOLONG : (int)len;
}

/* A logged-in session: served on this worker until it ends. */
static void
session_loop(struct session *s)
{
	int n;

	while (!s->quit) {
		/* What came during a transfer is answered first, in order. */
		if (s->held_n > 0)
			n = held_pop(s);
		else
			n = conn_readline(&s->ctl, s->line, sizeof(s->line),
			    session_idle_ms(s), s->wake_fd);
		if (n >= 0) {
			if (session_command(s, s->line, (size_t)n) == -1)
				break;
			continue;
		}
		switch (n) {
		case CONN_TOOLONG:
			if (session_reply(s, FTP_BADCMD, "Command too long.") == -1)
				return;
			continue;
		case CONN_TIMEOUT:
			log_info("%s: idle timeout", s->peer);
			session_reply(s, FTP_IDLE, "Timeout: closing control "
			    "connection.");
			return;
		case CONN_WAKE:
			if (atomic_load(&s->revoked) != REVOKE_NONE) {
				session_reply(s, FTP_TOOMANY, "%s",
				    session_revoke_text(atomic_load(&s->revoked)));
				return;
			}
			session_reply(s, FTP_TOOMANY, "Server shutting down.");
			return;
		case CONN_EOF:
			return;
		default:
			log_warn("%s: control connection", s->peer);
			return;
		}
	}
}

const char *
session_revoke_text(int why)
{
	return why == REVOKE_PASSWORD ? "Your password has changed: log in "
	    "again." : "Your account has been removed.";
}

/*
 * Replies not yet read by a client that has not logged in: past this it
 * is not reading them, and is closed rather than let a worker wait on it.
 */
#define PRELOGIN_UNREAD	8192
/* Commands served in a row before login before others get their turn. */
#define PRELOGIN_BURST	16

/*
 * Advances a TLS handshake without waiting. Returns 1 done, 0 parked
 * (the lobby has s), -1 failed (logged).
 */
static int
handshake_step(struct session *s)
{
	char err[256], desc[96];
	short want = POLLIN;
	int r;

	if (now_mono() >= s->handshake_by) {
		snprintf(err, sizeof(err), "TLS handshake: timed out");
		tls_close(s->tls, 0);
		r = -1;
	} else
		r = tls_accept_step(s->tls, 0, &want, err, sizeof(err));
	if (r == 0) {
		lobby_park(s->srv->lobby, s, want, s->handshake_by);
		return 0;
	}
	s->handshaking = 0;
	if (r == -1) {
		s->tls = NULL;	/* freed by tls_accept_step */
		metrics_count(&s->srv->metrics, MC_TLS_CONTROL_FAILED);
		log_warnx("%s: TLS handshake failed: %s", s->peer, err);
		return -1;
	}
	metrics_count(&s->srv->metrics, MC_TLS_CONTROL_OK);
	log_info("%s: TLS on the control connection, %s", s->peer,
	    tls_describe(s->tls, desc, sizeof(desc)));
	return 1;
}

/*
 * Reads the PROXY header a trusted balancer sends first, without waiting.
 * Returns 1 done (s->cl->peer and s->peer are the client's now), 0 parked
 * (the lobby has s), -1 refused (logged).
 */
static int
proxy_step(struct session *s)
{
	struct proxy_header h;
	char who[INET6_ADDRSTRLEN];
	int r;

	if (s->proxied == NULL && (s->proxied = calloc(1,
	    sizeof(*s->proxied))) == NULL) {
		log_warn("%s: calloc", s->peer);
		return -1;
	}
	r = proxied_step(s->ctl.fd, s->proxied, &h);
	if (r == PROXY_NEED_MORE) {
		if (now_mono() < s->proxy_by) {
			lobby_park(s->srv->lobby, s, POLLIN, s->proxy_by);
			return 0;
		}
		log_warnx("%s: refused: no PROXY header within %d seconds",
		    s->peer, s->srv->cfg->proxy_timeout);
		return -1;
	}
	free(s->proxied);
	s->proxied = NULL;
	if (r == PROXIED_FAILED) {
		if (errno != 0)
			log_warn("%s: reading the PROXY header", s->peer);
		return -1;
	}
	if (r == PROXY_INVALID) {
		log_warnx("%s: refused: malformed PROXY header", s->peer);
		return -1;
	}
	s->cl->proxy = s->cl->peer;
	if (r == PROXY_LOCAL) {
		log_info("%s: PROXY LOCAL: the balancer's own connection",
		    s->peer);
		return 1;
	}
	addr_ntop(&h.src, who, sizeof(who));
	if (server_banned(s->srv, &h.src)) {
		log_info("%s: refused %s: banned after failed logins", s->peer,
		    who);
		session_reply(s, FTP_TOOMANY, "Too many failed logins from "
		    "your address; try again later.");
		return -1;
	}
	/* max_per_ip counts the client now, not the balancer. */
	if (server_ip_acquire(s->srv, &h.src,
	    (unsigned)s->srv->cfg->max_per_ip) == -1) {
		log_info("%s: refused %s: more than %d sessions from this "
		    "address", s->peer, who, s->srv->cfg->max_per_ip);
		session_reply(s, FTP_TOOMANY, "Too many connections from "
		    "your address.");
		return -1;
	}
	server_ip_release(s->srv, &s->cl->peer);
	s->cl->peer = h.src;
	log_info("%s: client %s (PROXY v%d)", s->peer, who, h.version);
	snprintf(s->peer, sizeof(s->peer), "%s", who);
	return 1;
}

/*
 * Serves a session that has not logged in yet, for as long as it has
 * something to do without waiting. Returns 1 when it has logged in, 0 when
 * it has been handed to the lobby or the pool, -1 when it must end.
 */
static int
session_prelogin(struct session *s)
{
	int n, burst = PRELOGIN_BURST, unread;

	for (;;) {
		if (s->quit)
			return -1;
		if (s->state == ST_READY)
			return 1;
		if (atomic_load(&s->srv->stopping)) {
			session_reply(s, FTP_TOOMANY, "Server shutting down.");
			return -1;
		}
		if (now_mono() >= s->login_by) {
			log_info("%s: login timeout", s->peer);
			session_reply(s, FTP_IDLE, "Login timeout: closing "
			    "control connection.");
			return -1;
		}
		if (now_mono() >= s->idle_by) {
			log_info("%s: idle timeout", s->peer);
			session_reply(s, FTP_IDLE, "Timeout: closing control "
			    "connection.");
			return -1;
		}
		/* A trusted balancer's header comes before TLS and 220. */
		if (s->cl->via_proxy && s->proxy_by == 0)
			s->proxy_by = now_mono() + s->srv->cfg->proxy_timeout;
		if (s->cl->via_proxy && s->cl->proxy.ss_family == 0 &&
		    (n = proxy_step(s)) != 1)
			return n;
		/* Implicit FTPS: TLS from the first byte, data protected. */
		if (s->cl->implicit_tls && s->tls == NULL) {
			if (session_tls_begin(s) == -1)
				return -1;
			s->pbsz = s->prot_p = 1;
		}
		if (s->handshaking && (n = handshake_step(s)) != 1)
			return n;
		if (!s->greeted) {
			s->greeted = 1;
			if (session_reply(s, FTP_GREET, "Burrow FTP server "
			    "ready.") == -1)
				return -1;
		}
		if (s->delayed != 0) {
			if (now_mono() < s->delay_until) {
				lobby_park(s->srv->lobby, s, 0, s->delay_until);
				return 0;
			}
			if (cmd_pass_delayed(s) == -1)
				return -1;
			continue;
		}
		if (s->held_login) {
			if (lobby_seat_take(s->srv->lobby, s) == -1) {
				lobby_wait_seat(s->srv->lobby, s);
				return 0;
			}
			if (cmd_pass_seated(s) == -1)
				return -1;
			continue;
		}
		if (ioctl(s->ctl.fd, SIOCOUTQ, &unread) == 0 &&
		    unread > PRELOGIN_UNREAD) {
			log_info("%s: not reading its replies: closing", s->peer);
			return -1;
		}
		if (burst-- == 0) {
			if (pool_submit(s->srv->pool, s) == -1)
				return -1;
			return 0;
		}
		n = conn_readline(&s->ctl, s->line, sizeof(s->line), 0,
		    s->srv->wake_fd);
		if (n >= 0 || n == CONN_TOOLONG)
			s->idle_by = now_mono() + s->srv->cfg->idle_timeout;
		if (n >= 0) {
			if (session_command(s, s->line, (size_t)n) == -1)
				return -1;
			continue;
		}
		switch (n) {
		case CONN_TOOLONG:
			if (session_reply(s, FTP_BADCMD, "Command too long.") == -1)
				return -1;
			continue;
		case CONN_TIMEOUT:
			lobby_park(s->srv->lobby, s, POLLIN, s->idle_by <
			    s->login_by ? s->idle_by : s->login_by);
			return 0;
		case CONN_WAKE:
			continue;	/* says 421 above */
		case CONN_EOF:
			return -1;
		default:
			log_warn("%s: control connection", s->peer);
			return -1;
		}
	}
}

struct session *
session_new(struct client *cl)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("session: calloc");
		server_ip_release(cl->srv, &cl->peer);
		close(cl->fd);
		free(cl);
		return NULL;
	}
	s->srv = cl->srv;
	s->cl = cl;
	metrics_count(&s->srv->metrics, MC_SESSIONS);
	s->rootfd = -1;
	s->wake_fd = -1;
	s->mlst_facts = FACT_TYPE | FACT_SIZE | FACT_MODIFY | FACT_PERM;
	snprintf(s->cwd, sizeof(s->cwd), "/");
	addr_ntop(&cl->peer, s->peer, sizeof(s->peer));
	conn_init(&s->ctl, cl->fd);
	data_init(&s->data);
	session_enter(s, ST_USER);
	s->login_by = now_mono() + s->srv->cfg->login_timeout;
	s->idle_by = now_mono() + s->srv->cfg->idle_timeout;
	return s;
}

void
session_say(struct session *s, const char *text)
{
	ssize_t r = send(s->ctl.fd, text, strlen(text),
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)r;
}

/* Frees the session; wait_ms bounds the TLS goodbye. */
static void
session_free(struct session *s, int wait_ms)
{
	struct client *cl = s->cl;

	data_reset(&s->data);
	prehash_stop(s);
	/*
	 * Off the server's list before session_enter() clears the user: a
	 * reload walking the list reads it (a data race, and a session
	 * "of" nobody revoked as removed).
	 */
	server_session_del(s->srv, s);
	session_enter(s, ST_USER);
	if (s->tls != NULL)
		tls_close(s->tls, s->handshaking ? 0 : wait_ms);
	tls_ctx_free(s->tls_ctx);
	/*
	 * Said before the seat is given up, so the log never shows the next
	 * session's login ahead of this one's end (the log is how operators
	 * and the tests count sessions at once).
	 */
	log_info("%s: disconnected", s->peer);
	lobby_gone(s->srv->lobby, s);
	if (s->wake_fd != -1)
		close(s->wake_fd);
	free(s->login_hash);
	free(s->proxied);
	free(s);
	server_ip_release(cl->srv, &cl->peer);
	close(cl->fd);
	free(cl);
}

void
session_end(struct session *s, const char *bye)
{
	char text[256];
	int n;

	if (bye != NULL && !s->handshaking &&
	    (!s->cl->implicit_tls || s->tls != NULL)) {
		n = snprintf(text, sizeof(text), "%d %s\r\n", FTP_TOOMANY, bye);
		(void)conn_write(&s->ctl, text, (size_t)n, 0);
	}
	session_free(s, 0);
}

/* No worker goes on to another session as an account. */
static void
worker_check_ident(void)
{
	if (ident_active()) {
		log_warnx("a worker still acted as an account after its "
		    "session: reset");
		ident_leave();
	}
}

void
session_serve(void *item, void *ctx)
{
	struct session *s = item;
	(void)ctx;

	switch (session_prelogin(s)) {
	case 0:
		worker_check_ident();
		return;		/* waits in the lobby or the pool */
	case 1:
		session_loop(s);
		break;
	}
	session_free(s, 1000);
	worker_check_ident();
}
