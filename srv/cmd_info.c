/*
 * cmd_info: commands about the session rather than files: NOOP, SYST,
 * FEAT, OPTS, STAT, TYPE, MODE, STRU, ALLO.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/hash.h"
#include "proto/listing.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/rate.h"
#include "srv/server.h"
#include "srv/session.h"

int
cmd_noop(struct session *s, char *arg)
{
	return session_reply(s, FTP_NOOPOK, "NOOP ok.");
}

int
cmd_syst(struct session *s, char *arg)
{
	return session_reply(s, FTP_SYST, "UNIX Type: L8");
}

int
cmd_feat(struct session *s, char *arg)
{
	char facts[128], hashes[64];

	listing_feat_facts(s->mlst_facts, facts, sizeof(facts));
	hash_feat(s->hash_alg, hashes, sizeof(hashes));
	return session_reply(s, FTP_FEAT, "Features:\n%s"
	    " AVBL\n EPRT\n EPSV\n HASH %s\n MDTM\n MFMT\n MLST %s\n PASV\n"
	    " PIPELINING\n REST STREAM\n SIZE\n TVFS\n UTF8\nEnd", s->srv->tls_on ?
	    " AUTH TLS\n PBSZ\n PROT\n" : "", hashes, facts);
}

int
cmd_opts(struct session *s, char *arg)
{
	char *sp = strchr(arg, ' '), facts[128];
	const char *rest = sp != NULL ? sp + 1 : "";
	size_t n = sp != NULL ? (size_t)(sp - arg) : strlen(arg);

	if (n == 4 && strncasecmp(arg, "UTF8", 4) == 0) {
		if (strcasecmp(rest, "ON") == 0 || *rest == '\0') {
			s->utf8 = 1;
			return session_reply(s, FTP_OK, "UTF8 mode on.");
		}
		if (strcasecmp(rest, "OFF") == 0) {
			s->utf8 = 0;
			return session_reply(s, FTP_OK, "UTF8 mode off.");
		}
		return session_reply(s, FTP_BADARG, "OPTS UTF8 takes ON or OFF.");
	}
	if (n == 4 && strncasecmp(arg, "MLST", 4) == 0) {
		s->mlst_facts = listing_parse_factlist(rest, facts,
		    sizeof(facts));
		return session_reply(s, FTP_OK, "MLST OPTS %s", facts);
	}
	if (n == 4 && strncasecmp(arg, "HASH", 4) == 0)
		return hash_opts(s, rest);
	return session_reply(s, FTP_BADARG, "Option not understood.");
}

/* " Bandwidth: down 2.0 MiB/s, up no limit\n" for STAT, shared per user. */
static void
describe_rates(struct session *s, char *buf, size_t len)
{
	uint64_t v[2] = { rate_limit(s->rate, RATE_DOWN),
	    rate_limit(s->rate, RATE_UP) };
	char text[2][32];
	int i;

	for (i = 0; i < 2; i++) {
		if (v[i] == 0)
			snprintf(text[i], sizeof(text[i]), "no limit");
		else {
			format_size(v[i], text[i], sizeof(text[i]));
			strncat(text[i], "/s", sizeof(text[i]) - strlen(text[i]) -
			    1);
		}
	}
	snprintf(buf, len, " Bandwidth: down %s, up %s\n", text[0], text[1]);
}

int
cmd_stat(struct session *s, char *arg)
{
	char vpath[VPATH_MAX], *text, rates[96] = "";
	size_t len;
	int rc;

	if (arg == NULL || *arg == '\0') {
		if (s->state == ST_READY)
			describe_rates(s, rates, sizeof(rates));
		return session_reply(s, FTP_STATOK, "Burrow FTP server status:\n"
		    " Connected from %s\n %s%s\n%s TYPE: %s, STRU: File, "
		    "MODE: Stream\n No data connection\nEnd of status",
		    s->peer, s->state == ST_READY ? "Logged in as " :
		    "Not logged in", s->state == ST_READY ? s->user : "", rates,
		    s->ascii ? "ASCII" : "BINARY");
	}
	if (s->state != ST_READY)
		return session_reply(s, FTP_NOTLOGGED,
		    "Please log in with USER and PASS.");
	if (session_path(s, arg, vpath, sizeof(vpath)) == -1)
		return 0;
	if ((text = list_build(s, vpath, LIST_LONG, &len)) == NULL)
		return session_reply_errno(s, FTP_FILEFAIL, "Cannot list",
		    errno);
	/* The listing's CRLFs become the reply's line breaks. */
	{
		char *o = text;
		for (char *p = text; *p != '\0'; p++)
			if (*p != '\r')
				*o++ = *p;
		*o = '\0';
	}
	rc = session_reply(s, FTP_STATFILE, "Status of %s:\n%sEnd of status",
	    vpath, text);
	free(text);
	return rc;
}

int
cmd_type(struct session *s, char *arg)
{
	char t = (char)toupper((unsigned char)arg[0]);
	const char *rest = arg + 1;

	if (t == 'I' && *rest == '\0') {
		s->ascii = 0;
		return session_reply(s, FTP_OK, "Switching to Binary mode.");
	}
	if (t == 'L' && strcmp(rest, " 8") == 0) {
		s->ascii = 0;
		return session_reply(s, FTP_OK, "Switching to Binary mode.");
	}
	if (t == 'A' && (*rest == '\0' || strcasecmp(rest, " N") == 0)) {
		s->ascii = 1;
		return session_reply(s, FTP_OK, "Switching to ASCII mode.");
	}
	return session_reply(s, FTP_BADPARAM, "Type %s not supported.", arg);
}

int
cmd_mode(struct session *s, char *arg)
{
	if (strcasecmp(arg, "S") == 0)
		return session_reply(s, FTP_OK, "Mode set to S.");
	return session_reply(s, FTP_BADPARAM, "Only stream mode (S) is "
	    "supported.");
}

int
cmd_stru(struct session *s, char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		return session_reply(s, FTP_OK, "Structure set to F.");
	return session_reply(s, FTP_BADPARAM, "Only file structure (F) is "
	    "supported.");
}
