/*
 * netrc: logins and passwords from ~/.netrc, the file ftp, curl and lftp
 * read, so that a site or a URL without a password needs no prompt and
 * the password is kept where those tools already keep it.
 *
 * The file is a sequence of tokens separated by blanks and newlines:
 * "machine NAME" starts an entry for a host, "default" one for any host;
 * "login NAME", "password WORD" and "account WORD" belong to the entry
 * before them; "macdef NAME" starts a macro that runs to the next empty
 * line and is skipped. A line whose first non-blank is '#' is a comment.
 * A token may be quoted as curl reads it: "..." with \" \\ \n \r \t
 * inside (any other escaped byte stands for itself). Anything else is an
 * error, reported with the file and line.
 */
#ifndef BURROW_NETRC_H
#define BURROW_NETRC_H

#include <stddef.h>

#define NETRC_FIELD_MAX	256	/* a longer login or password is refused */
#define NETRC_FILE_MAX	(1024 * 1024)	/* bytes read at most */

struct netrc_entry {
	int		 is_default;	/* the "default" entry matched */
	unsigned	 line;		/* of its machine or default token */
	int		 have_login;
	char		 login[NETRC_FIELD_MAX];
	int		 have_password;
	char		 password[NETRC_FIELD_MAX];
	int		 have_account;
	char		 account[NETRC_FIELD_MAX];
};

/*
 * Looks for host in the len bytes of text (file names it in errors). The
 * first machine entry whose name equals host (without regard to case)
 * and, when login is not NULL, whose login is login or absent, wins;
 * without one, the default entry does under the same rule for login.
 * The whole text is read, so a mistake is reported wherever it is.
 * Returns 1 with the entry in e, 0 when nothing matches, -1 with
 * "file:line: reason" in err. e is wiped unless 1 is returned.
 */
int	netrc_parse(const char *text, size_t len, const char *file,
	    const char *host, const char *login, struct netrc_entry *e,
	    char *err, size_t errlen);

/* The file's path into buf: $NETRC when set, else $HOME/.netrc. -1 when
 * neither is set or it does not fit. */
int	netrc_default_file(char *buf, size_t len);

/*
 * Reads file and looks host up as netrc_parse() does. A missing file is
 * 0 (nothing matches). Refused with -1, before anything is read from it,
 * when it is not a regular file or is readable or writable by its group
 * or others (as ftp and lftp refuse it): the reason names the file and
 * the chmod that mends it.
 */
int	netrc_lookup(const char *file, const char *host, const char *login,
	    struct netrc_entry *e, char *err, size_t errlen);

/* Overwrites what e holds. */
void	netrc_wipe(struct netrc_entry *e);

#endif
