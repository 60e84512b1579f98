/*
 * commands: the verb table and HELP, which is generated from it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proto/reply.h"
#include "srv/commands.h"
#include "srv/data.h"
#include "srv/session.h"

#define L	CMD_NEEDLOGIN
#define A	CMD_NEEDARG

static const struct command table[] = {
	{ "ABOR", CMD_KEEPREST, cmd_abor, "ABOR" },
	{ "ALLO", L | A | CMD_KEEPREST, cmd_allo, "ALLO <size>" },
	{ "APPE", L | A, cmd_appe, "APPE <path>" },
	{ "AUTH", A, cmd_auth, "AUTH TLS" },
	{ "AVBL", L, cmd_avbl, "AVBL [<path>]" },
	{ "CDUP", L, cmd_cdup, "CDUP" },
	{ "CWD", L, cmd_cwd, "CWD <path>" },
	{ "DELE", L | A, cmd_dele, "DELE <path>" },
	{ "EPRT", L | A | CMD_KEEPREST, cmd_eprt, "EPRT |<af>|<addr>|<port>|" },
	{ "EPSV", L | CMD_KEEPREST, cmd_epsv, "EPSV [<af>|ALL]" },
	{ "FEAT", CMD_KEEPREST, cmd_feat, "FEAT" },
	{ "HASH", L | A, cmd_hash, "HASH <path>" },
	{ "HELP", CMD_KEEPREST, cmd_help, "HELP [<verb>]" },
	{ "LIST", L, cmd_list, "LIST [<path>]" },
	{ "MDTM", L | A, cmd_mdtm, "MDTM <path>" },
	{ "MFMT", L | A, cmd_mfmt, "MFMT YYYYMMDDHHMMSS[.sss] <path>" },
	{ "MKD", L | A, cmd_mkd, "MKD <path>" },
	{ "MLSD", L, cmd_mlsd, "MLSD [<path>]" },
	{ "MLST", L, cmd_mlst, "MLST [<path>]" },
	{ "MODE", A, cmd_mode, "MODE S" },
	{ "NLST", L, cmd_nlst, "NLST [<path>]" },
	{ "NOOP", CMD_KEEPRNFR | CMD_KEEPREST, cmd_noop, "NOOP" },
	{ "OPTS", A, cmd_opts, "OPTS UTF8 ON | OPTS MLST <facts> | OPTS HASH [<alg>]" },
	{ "PASS", 0, cmd_pass, "PASS <password>" },
	{ "PASV", L | CMD_KEEPREST, cmd_pasv, "PASV" },
	{ "PBSZ", A, cmd_pbsz, "PBSZ 0" },
	{ "PORT", L | A | CMD_KEEPREST, cmd_port, "PORT h1,h2,h3,h4,p1,p2" },
	{ "PROT", A, cmd_prot, "PROT P | PROT C" },
	{ "PWD", L, cmd_pwd, "PWD" },
	{ "QUIT", CMD_KEEPRNFR, cmd_quit, "QUIT" },
	{ "RANG", L | A, cmd_rang, "RANG <start> <end>" },
	{ "REST", L | A | CMD_KEEPREST, cmd_rest, "REST <offset>" },
	{ "RETR", L | A, cmd_retr, "RETR <path>" },
	{ "RMD", L | A, cmd_rmd, "RMD <path>" },
	{ "RNFR", L | A | CMD_KEEPRNFR, cmd_rnfr, "RNFR <path>" },
	{ "RNTO", L | A | CMD_KEEPRNFR, cmd_rnto, "RNTO <path>" },
	{ "SITE", L | A, cmd_site,
	  "SITE QUOTA | SITE CHMOD <octal mode> <path> | SITE HELP" },
	{ "SIZE", L | A, cmd_size, "SIZE <path>" },
	{ "STAT", CMD_KEEPREST, cmd_stat, "STAT [<path>]" },
	{ "STOR", L | A, cmd_stor, "STOR <path>" },
	{ "STRU", A, cmd_stru, "STRU F" },
	{ "SYST", 0, cmd_syst, "SYST" },
	{ "TYPE", A | CMD_KEEPREST, cmd_type, "TYPE A | TYPE I" },
	{ "USER", A, cmd_user, "USER <name>" },
	{ "XCUP", L, cmd_cdup, "XCUP" },
	{ "XCWD", L, cmd_cwd, "XCWD <path>" },
	{ "XMKD", L | A, cmd_mkd, "XMKD <path>" },
	{ "XPWD", L, cmd_pwd, "XPWD" },
	{ "XRMD", L | A, cmd_rmd, "XRMD <path>" },
};

#undef L
#undef A

#define NCMDS (sizeof(table) / sizeof(table[0]))

const struct command *
commands_find(const char *verb)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(table[i].verb, verb) == 0)
			return &table[i];
	return NULL;
}

int
cmd_help(struct session *s, char *arg)
{
	const struct command *c;
	char text[1024];
	size_t i, pos;

	if (arg != NULL && *arg != '\0') {
		char verb[CMD_VERB_MAX + 1];
		for (i = 0; i < CMD_VERB_MAX && arg[i] != '\0' && arg[i] != ' ';
		    i++)
			verb[i] = (char)(arg[i] >= 'a' && arg[i] <= 'z' ?
			    arg[i] - 32 : arg[i]);
		verb[i] = '\0';
		if ((c = commands_find(verb)) == NULL)
			return session_reply(s, FTP_BADARG,
			    "Unknown command %s.", verb);
		return session_reply(s, FTP_HELP, "Syntax: %s", c->help);
	}
	pos = (size_t)snprintf(text, sizeof(text),
	    "The following commands are recognized.");
	for (i = 0; i < NCMDS && pos < sizeof(text); i++)
		pos += (size_t)snprintf(text + pos, sizeof(text) - pos, "%s%s",
		    i % 8 == 0 ? "\n " : " ", table[i].verb);
	if (pos < sizeof(text))
		snprintf(text + pos, sizeof(text) - pos, "\nHelp OK.");
	return session_reply(s, FTP_HELP, "%s", text);
}
