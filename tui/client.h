/*
 * client: what the batch and full-screen front ends of burrow share: the
 * options from the command line and getting a password.
 */
#ifndef BURROW_CLIENT_H
#define BURROW_CLIENT_H

#include <stddef.h>

#include "tui/ftp.h"
#include "tui/url.h"

struct client_opts {
	struct ftp_opts	 ftp;		/* tls, insecure, cafile, known_hosts,
					   timeout; notice is the front end's */
	unsigned	 parallel;	/* logins moving files at once (a
					   folder's), 1 to XFER_PARALLEL_MAX */
	int		 keepalive_ms;	/* a NOOP on the screen's idle login
					   after this long; 0: none */
};

/*
 * The password for u: from the URL, else BURROW_PASSWORD, else
 * "anonymous@" for an anonymous login, else asked on the terminal without
 * echo. -1 when there is no terminal to ask on.
 */
int	client_password(const struct url *u, char *buf, size_t len);

/*
 * The password for u when it can be had without asking (the URL,
 * BURROW_PASSWORD, "anonymous@" for an anonymous login): 1 with it in buf,
 * else 0.
 */
int	client_known_password(const struct url *u, char *buf, size_t len);

/* Asks on /dev/tty with echo off. -1 without a terminal. */
int	client_read_password(const char *prompt, char *buf, size_t len);

/*
 * The full-screen client (tui/app.c): connects to url (NULL: asks for
 * one), runs until the user quits, and returns the exit status.
 */
int	client_run(const struct client_opts *o, const char *url);

#endif
