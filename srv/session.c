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
#include <unistd.h>

#include "proto/reply.h"
#include "proto/addr.h"
#include "proto/util.h"
#include "proto/listing.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/jail.h"
#include "srv/log.h"
#include "srv/quota.h"
#include "srv/server.h"
#include "srv/session.h"

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
	/* Each line gains at most a code, a space and CRLF. */
	cap = (size_t)n * 2 + 64;
	if ((out = malloc(cap)) == NULL) {
		rc = -1;
		goto done;
	}
	n = reply_format(out, cap, code, text);
	if (n < 0)
		n = (int)strlen(out);
	if (conn_write(&s->ctl, out, (size_t)n, session_idle_ms(s)) == -1)
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

void
session_enter(struct session *s, enum session_state st)
{
	if (st == ST_USER) {
		if (s->quota != NULL) {
			quota_put(s->srv->quotas, s->quota);
			s->quota = NULL;
		}
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
	if (rc == 0 && s->quit_after_transfer)
		return cmd_quit(s, NULL);
	return rc;
}

static void
session_loop(struct session *s)
{
	double login_by = now_mono() + s->srv->cfg->login_timeout;
	int n, wait;

	while (!s->quit) {
		/* Until logged in, the login deadline bounds every wait. */
		wait = session_idle_ms(s);
		if (s->state != ST_READY) {
			double left = login_by - now_mono();
			if (left <= 0) {
				log_info("%s: login timeout", s->peer);
				session_reply(s, FTP_IDLE, "Login timeout: closing "
				    "control connection.");
				return;
			}
			if (left * 1000 < wait)
				wait = (int)(left * 1000) + 1;
		}
		n = conn_readline(&s->ctl, s->line, sizeof(s->line), wait,
		    s->srv->wake_fd);
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
			if (s->state != ST_READY && now_mono() >= login_by)
				continue;	/* the login deadline, handled above */
			log_info("%s: idle timeout", s->peer);
			session_reply(s, FTP_IDLE, "Timeout: closing control "
			    "connection.");
			return;
		case CONN_WAKE:
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

void
session_serve(void *item, void *ctx)
{
	struct client *cl = item;
	struct session *s;
	(void)ctx;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("session: calloc");
		goto out;
	}
	s->srv = cl->srv;
	s->cl = cl;
	s->rootfd = -1;
	s->mlst_facts = FACT_TYPE | FACT_SIZE | FACT_MODIFY | FACT_PERM;
	snprintf(s->cwd, sizeof(s->cwd), "/");
	addr_ntop(&cl->peer, s->peer, sizeof(s->peer));
	conn_init(&s->ctl, cl->fd);
	data_init(&s->data);
	session_enter(s, ST_USER);

	/* Implicit FTPS: TLS from the first byte, data protected. */
	if (cl->implicit_tls) {
		if (session_tls_start(s) == -1)
			goto done;
		s->pbsz = s->prot_p = 1;
	}
	if (atomic_load(&s->srv->stopping))
		session_reply(s, FTP_TOOMANY, "Server shutting down.");
	else if (session_reply(s, FTP_GREET, "Burrow FTP server ready.") == 0)
		session_loop(s);
done:
	data_reset(&s->data);
	session_enter(s, ST_USER);
	if (s->tls != NULL)
		tls_close(s->tls, 1000);
	log_info("%s: disconnected", s->peer);
	free(s);
out:
	server_ip_release(cl->srv, &cl->peer);
	close(cl->fd);
	free(cl);
}
