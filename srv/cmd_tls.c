/*
 * cmd_tls: FTP over TLS on the control connection (RFC 4217): AUTH TLS
 * upgrades the connection, PBSZ 0 and PROT P/C choose whether data
 * connections are protected. Each session has its own TLS session-id
 * context, shared with its data connections only, so that a protected data
 * connection can resume this control connection's TLS session and nobody
 * else's. With tls.require, USER and PASS are refused in clear: a password
 * sent before AUTH TLS never reaches the authentication code.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/reply.h"
#include "proto/util.h"
#include "proto/tls.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/server.h"
#include "srv/session.h"

int
session_tls_begin(struct session *s)
{
	char err[256];

	tls_sid_new(&s->sid);
	/* Kept to the end: a reload does not change a running session's. */
	if (s->tls_ctx == NULL && (s->tls_ctx = server_tls(s->srv)) == NULL) {
		log_warnx("%s: TLS is not available", s->peer);
		return -1;
	}
	s->tls = tls_accept_begin(s->tls_ctx, &s->ctl, &s->sid, err,
	    sizeof(err));
	if (s->tls == NULL) {
		metrics_count(&s->srv->metrics, MC_TLS_CONTROL_FAILED);
		log_warnx("%s: TLS handshake failed: %s", s->peer, err);
		return -1;
	}
	s->handshaking = 1;
	/* As long as a data connection may stall, within the login's time. */
	s->handshake_by = now_mono() + s->srv->cfg->data_timeout;
	if (s->handshake_by > s->login_by)
		s->handshake_by = s->login_by;
	return 0;
}

int
cmd_auth(struct session *s, char *arg)
{
	if (!s->srv->tls_on)
		return session_reply(s, FTP_NOTIMPL, "AUTH TLS is not available: "
		    "the server has no certificate.");
	if (strcasecmp(arg, "TLS") != 0 && strcasecmp(arg, "TLS-C") != 0 &&
	    strcasecmp(arg, "SSL") != 0)
		return session_reply(s, FTP_BADPARAM, "AUTH %s is not supported; "
		    "use AUTH TLS.", arg);
	if (s->tls != NULL)
		return session_reply(s, FTP_BADSEQ, "TLS is already on.");
	if (s->state == ST_READY)
		return session_reply(s, FTP_BADSEQ, "AUTH TLS must come before "
		    "login.");
	if (session_reply(s, FTP_AUTHOK, "Proceed with TLS negotiation.") == -1)
		return -1;
	/*
	 * The handshake runs in steps before login (session.c), so that a
	 * client that goes silent in it holds no worker. A failed one leaves
	 * the connection in an unknown state: it ends.
	 */
	if (session_tls_begin(s) == -1)
		return -1;
	session_enter(s, ST_USER);
	return 0;
}

/* PBSZ and PROT on a server without TLS: not offered at all. */
static int
no_tls(struct session *s, const char *verb)
{
	return session_reply(s, FTP_NOTIMPL, "%s is not available: the server "
	    "has no certificate.", verb);
}

int
cmd_pbsz(struct session *s, char *arg)
{
	if (!s->srv->tls_on)
		return no_tls(s, "PBSZ");
	if (s->tls == NULL)
		return session_reply(s, FTP_BADSEQ, "PBSZ needs AUTH TLS first.");
	s->pbsz = 1;
	/* RFC 4217 section 8: for TLS the only buffer size is 0. */
	return session_reply(s, FTP_OK, "PBSZ=0");
}

int
cmd_prot(struct session *s, char *arg)
{
	if (!s->srv->tls_on)
		return no_tls(s, "PROT");
	if (s->tls == NULL || !s->pbsz)
		return session_reply(s, FTP_BADSEQ, "PROT needs AUTH TLS and "
		    "PBSZ first.");
	switch (arg[0] == '\0' || arg[1] != '\0' ? '?' : arg[0] | 0x20) {
	case 'p':
		s->prot_p = 1;
		return session_reply(s, FTP_OK, "PROT now Private.");
	case 'c':
		if (s->srv->cfg->tls_require)
			return session_reply(s, FTP_NEEDENCRYPT, "PROT C refused: "
			    "this server requires protected data connections.");
		s->prot_p = 0;
		return session_reply(s, FTP_OK, "PROT now Clear.");
	case 's':
	case 'e':
		return session_reply(s, FTP_PROTNOTSUP, "PROT %s is not "
		    "supported; use P or C.", arg);
	default:
		return session_reply(s, FTP_BADPARAM, "PROT takes C or P.");
	}
}

int
session_tls_refuses_login(struct session *s)
{
	if (!s->srv->cfg->tls_require || s->tls != NULL)
		return 0;
	return 1;
}
