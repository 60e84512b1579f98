/*
 * client: what the batch and full-screen front ends of burrow share: the
 * options from the command line and getting a password.
 */
#ifndef BURROW_CLIENT_H
#define BURROW_CLIENT_H

#include <stddef.h>

#include "tui/ftp.h"
#include "tui/pane.h"
#include "tui/settings.h"
#include "tui/url.h"

struct client_opts {
	struct ftp_opts	 ftp;		/* tls, insecure, cafile, known_hosts,
					   timeout; notice is the front end's */
	unsigned	 parallel;	/* logins moving files at once (a
					   folder's), 1 to XFER_PARALLEL_MAX */
	int		 keepalive_ms;	/* a NOOP on the screen's idle login
					   after this long; 0: none */
	int		 parallel_set;	/* parallel came from the command
					   line: it wins over a site's */
	/* The screen's, from burrow.conf (tui/settings.h). */
	int		 confirm_delete;	/* F8 asks first */
	enum pane_sort	 sort;		/* both panes' order at start */
	enum settings_theme theme;
};

/*
 * The password for u: from the URL, else BURROW_PASSWORD, else ~/.netrc
 * (client_netrc_password()), else "anonymous@" for an anonymous login,
 * else asked on the terminal without echo. 0, or -1 with the reason in
 * err: no terminal to ask on, or a ~/.netrc refused.
 */
int	client_password(struct url *u, char *buf, size_t len, char *err,
	    size_t errlen);

/*
 * The password for u when it can be had without asking (the URL,
 * BURROW_PASSWORD, ~/.netrc, "anonymous@" for an anonymous login): 1 with
 * it in buf, 0 when it must be asked for, -1 with the reason in err when
 * ~/.netrc is refused (its mode, a mistake in it).
 */
int	client_known_password(struct url *u, char *buf, size_t len,
	    char *err, size_t errlen);

/*
 * The password for u from ~/.netrc ($NETRC), matched by u's host and, when
 * u names one, its user (tui/netrc.h). 1 with it in buf, and u's user set
 * from the entry's login when u had none; 0 when no entry has a password
 * for it; -1 with the reason in err.
 */
int	client_netrc_password(struct url *u, char *buf, size_t len, char *err,
	    size_t errlen);

/* Asks on /dev/tty with echo off. -1 without a terminal. */
int	client_read_password(const char *prompt, char *buf, size_t len);

/*
 * The full-screen client (tui/app.c): connects to site (tui/sites.h) or
 * to url (both NULL: asks for one), runs until the user quits, and
 * returns the exit status.
 */
struct site;
int	client_run(const struct client_opts *o, const char *url,
	    const struct site *site);

#endif
