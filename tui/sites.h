/*
 * sites: the servers a user keeps by name, in
 * $XDG_CONFIG_HOME/burrow/sites.conf (~/.config/burrow/sites.conf), a
 * libconfig file:
 *
 *   sites = (
 *     { name = "work"; url = "ftps://ftp.example.org"; user = "harry";
 *       remote_dir = "/pub"; local_dir = "~/work"; parallel = 2; },
 *     { name = "mirror"; url = "ftp://mirror.example.net:2121";
 *       tls = true; cafile = "/etc/ssl/mirror-ca.pem"; }
 *   );
 *
 * One table names each setting of a site with its type and limits, so an
 * unknown key, a wrong type, a value out of range, a URL that does not
 * parse or holds a password, a missing name or URL and a second site of
 * the same name are all reported with the file and line. Passwords are
 * never kept here: they are asked for, or come from BURROW_PASSWORD or
 * ~/.netrc. The file is written back whole (a new file, 0600, renamed
 * over it), so a crash leaves the old list or the new one; comments in a
 * hand-written file do not survive a change made from the screen.
 */
#ifndef BURROW_SITES_H
#define BURROW_SITES_H

#include <stddef.h>

#include "tui/url.h"

#define SITE_NAME_MAX	64
#define SITE_URL_MAX	2048
#define SITE_PATH_MAX	1024
#define SITES_MAX	1000	/* sites read at most */

struct site {
	char		 name[SITE_NAME_MAX];
	char		 url[SITE_URL_MAX];	/* as url_parse() reads it,
						   without a password */
	char		 user[URL_USER_MAX];	/* "": the URL's (else
						   anonymous) */
	int		 tls;			/* explicit TLS with ftp:// */
	char		 cafile[SITE_PATH_MAX];	/* "": none beyond the
						   system's */
	char		 remote_dir[SITE_PATH_MAX];	/* "": the URL's path */
	char		 local_dir[SITE_PATH_MAX];	/* "": where burrow
						   started; "~/" is $HOME */
	unsigned	 parallel;		/* 0: burrow's default */
	unsigned	 line;			/* where it was read; 0 when
						   not read from a file */
};

struct sites {
	struct site	*v;
	size_t		 n;
};

/* The file's path into buf, or -1 when neither $XDG_CONFIG_HOME
 * (absolute) nor $HOME is set, or it does not fit. */
int	sites_default_file(char *buf, size_t len);

/*
 * Reads file into s (emptied first). A missing file is an empty list.
 * 0, or -1 with "file:line: reason" in err (s is empty then).
 */
int	sites_load(struct sites *s, const char *file, char *err,
	    size_t errlen);

/*
 * Checks one site as sites_load() would (name, URL, user, paths,
 * parallel). 0, or -1 with the reason in err.
 */
int	sites_check(const struct site *site, char *err, size_t errlen);

/* The site named name (exactly), or NULL. */
const struct site *sites_find(const struct sites *s, const char *name);

/* Appends a copy of site, or replaces the one at index at (at < s->n).
 * -1 with the reason in err when it fails sites_check(), another site
 * has its name, or memory runs out. */
int	sites_put(struct sites *s, const struct site *site, size_t at,
	    char *err, size_t errlen);
#define SITES_NEW	((size_t)-1)	/* sites_put(): append */

/* Removes the site at index i (i < s->n). */
void	sites_remove(struct sites *s, size_t i);

/* Writes s to file (its folders made 0700 when missing; the file 0600).
 * 0, or -1 with the reason in err. */
int	sites_save(const struct sites *s, const char *file, char *err,
	    size_t errlen);

/* The sites' names, ", " between them, into buf ("" for none). */
void	sites_names(const struct sites *s, char *buf, size_t len);

/*
 * The address to log in to for site: its URL, with its user and its
 * remote folder when it has them. 0, or -1 with the reason in err.
 */
int	sites_url(const struct site *site, struct url *u, char *err,
	    size_t errlen);

/* site's local folder with a leading "~/" (or a lone "~") made $HOME's,
 * into buf; "" when it has none. -1 when it does not fit. */
int	sites_local_dir(const struct site *site, char *buf, size_t len);

void	sites_free(struct sites *s);

#endif
