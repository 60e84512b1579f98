/*
 * cmd_site: SITE and its sub-commands, named once in a table of their
 * own: QUOTA (cmd_quota.c), CHMOD (cmd_fs.c) and HELP, which lists the
 * table. A sub-command the configuration turns off is left out of SITE
 * HELP and answered 502.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/reply.h"
#include "srv/commands.h"
#include "srv/conf.h"
#include "srv/server.h"
#include "srv/session.h"

#define SITE_NEEDARG	0x01	/* 501 without an argument */
#define SITE_NOARG	0x02	/* 501 with one */

struct site_command {
	const char	*name;
	unsigned	 flags;
	cmd_fn		 fn;
	const char	*usage;		/* "CHMOD <mode> <path>" */
	const char	*help;		/* what SITE HELP says it does */
	/* Offered by this server's configuration; NULL: always. */
	int		(*offered)(const struct session *s);
};

static int
chmod_offered(const struct session *s)
{
	return s->srv->cfg->site_chmod;
}

static const struct site_command table[] = {
	{ "CHMOD", SITE_NEEDARG, site_chmod, "CHMOD <octal mode> <path>",
	  "set the permission bits of a file or folder", chmod_offered },
	{ "HELP", SITE_NOARG, NULL, "HELP", "this list", NULL },
	{ "QUOTA", SITE_NOARG, site_quota, "QUOTA",
	  "your disk usage and limit", NULL },
};

#define NSITE (sizeof(table) / sizeof(table[0]))

static int
site_help(struct session *s)
{
	char text[1024];
	size_t i, pos;

	pos = (size_t)snprintf(text, sizeof(text), "SITE commands:");
	for (i = 0; i < NSITE && pos < sizeof(text); i++)
		if (table[i].offered == NULL || table[i].offered(s))
			pos += (size_t)snprintf(text + pos, sizeof(text) - pos,
			    "\n %-26s %s", table[i].usage, table[i].help);
	if (pos < sizeof(text))
		snprintf(text + pos, sizeof(text) - pos, "\nEnd");
	return session_reply(s, FTP_HELP, "%s", text);
}

int
cmd_site(struct session *s, char *arg)
{
	const struct site_command *c = NULL;
	size_t len = strcspn(arg, " "), i;
	char *rest = arg[len] == ' ' ? arg + len + 1 : arg + len;

	for (i = 0; i < NSITE; i++)
		if (strlen(table[i].name) == len &&
		    strncasecmp(table[i].name, arg, len) == 0)
			c = &table[i];
	if (c == NULL)
		return session_reply(s, FTP_BADARG, "Unknown SITE command; try "
		    "SITE HELP.");
	if (c->offered != NULL && !c->offered(s))
		return session_reply(s, FTP_NOTIMPL, "SITE %s is not enabled "
		    "on this server.", c->name);
	if ((c->flags & SITE_NEEDARG) && *rest == '\0')
		return session_reply(s, FTP_BADARG, "Syntax: SITE %s.",
		    c->usage);
	if ((c->flags & SITE_NOARG) && arg[len] != '\0')
		return session_reply(s, FTP_BADARG, "Syntax: SITE %s.",
		    c->usage);
	if (c->fn == NULL)
		return site_help(s);
	return c->fn(s, rest);
}
