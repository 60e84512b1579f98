/*
 * recent: the servers the full-screen client connected to, newest first,
 * for F2 to offer (Up and Down walk them). One address a line in
 * $XDG_STATE_HOME/burrow/recent (~/.local/state/burrow/recent), written
 * by url_format(): never a password. The file is 0600 in a 0700 folder
 * and replaced whole (a new file renamed over it), so a crash leaves the
 * old list or the new one.
 */
#ifndef BURROW_RECENT_H
#define BURROW_RECENT_H

#include <stddef.h>

#define RECENT_MAX	20	/* addresses kept */
#define RECENT_LINE_MAX	1024	/* a longer line is not an address of ours */

struct recent {
	char	*v[RECENT_MAX];		/* newest first */
	size_t	 n;
};

/* The file's path into buf, or -1 when neither $XDG_STATE_HOME (absolute)
 * nor $HOME is set, or it does not fit. */
int	recent_default_file(char *buf, size_t len);

/*
 * Reads file into r (emptied first). A missing file is an empty list.
 * Lines that url_parse() refuses, that hold a password, that are longer
 * than RECENT_LINE_MAX or repeat an earlier one are left out (the file
 * is the user's to edit). 0, or -1 with the reason in err (unreadable;
 * r is empty then).
 */
int	recent_load(struct recent *r, const char *file, char *err,
	    size_t errlen);

/* Puts url first, dropping its older place and the oldest beyond
 * RECENT_MAX. 0, or -1 when out of memory (r unchanged). */
int	recent_add(struct recent *r, const char *url);

/* Writes r to file (its folders made 0700 when missing). 0, or -1 with
 * the reason in err. */
int	recent_save(const struct recent *r, const char *file, char *err,
	    size_t errlen);

void	recent_free(struct recent *r);

#endif
