/*
 * batch: `burrow --batch URL`, commands from a stream, one per line, for
 * scripts:
 *
 *   ls [path]            the remote folder: "TYPE SIZE DATE TIME NAME"
 *   pwd, lpwd            the remote, local current folder
 *   cd path, lcd path    change them
 *   mkdir, rmdir, rm     make, remove a remote folder; remove a file
 *   rm -r path           remove a remote folder tree, depth first, each
 *                        entry said; links removed, never followed; "/",
 *                        "." and "..", the current folder and those above
 *                        it refused (tui/rmtree.h)
 *   rename from to       on the server
 *   get remote [local]   download a file or folder (resumed, skipped or
 *                        verified as tui/xfer.h says)
 *   put local [remote]   upload likewise
 *   hash path            the server's checksum of a file
 *   chmod mode path      set a remote file's or folder's permission bits
 *                        (octal, "644"; SITE CHMOD), lchmod a local one's;
 *                        a symbolic link is not followed
 *   quota                the space left for uploads (AVBL)
 *   help                 the list of commands
 *   exit                 stop reading (so does the end of the input)
 *
 * get, put, rm, chmod and lchmod take wildcards ('*', '?', '[...]', as in
 * the shell; a leading '.' only matched by a '.') in the last component of
 * their path (the first one of get and put), expanded against a listing
 * of its folder on the side the files come from (tui/wild.h): each match
 * in name order, with its own result line ("PATH: removed" for rm, "PATH:
 * mode 0644" for chmod), a failure not stopping the others; no
 * match is an error, and several matches need a folder as the target. A
 * word that names an entry as it is (a name with a '*' in it) is taken as
 * it is.
 *
 * Words are split at blanks; "double" or 'single' quotes keep blanks in a
 * word and a backslash keeps the next byte as it is. Blank lines and lines
 * starting with '#' are skipped. A failing command prints the reason (the
 * server's reply) on the error stream and the next one runs.
 */
#ifndef BURROW_BATCH_H
#define BURROW_BATCH_H

#include <stdio.h>

#include "tui/fs.h"
#include "tui/xfer.h"

#define BATCH_ARGS_MAX	12

/*
 * Splits line into at most max words, written one after the other (each
 * NUL-terminated) into buf (len bytes) and pointed to by argv. Returns the
 * number of words, or -1 with a reason in *why: an unclosed quote, a
 * backslash at the end, more than max words, or no room in buf.
 */
int	batch_split(const char *line, char **argv, int max, char *buf,
	    size_t len, const char **why);

/*
 * Runs the commands read from in against remote and local, printing
 * results on out and errors on err; a progress bar goes to err when
 * progress is nonzero. pool (may be NULL) gives get and put of a folder
 * more logins, to move several files at once (tui/xfer.h). Returns the
 * number of commands that failed.
 */
int	batch_run(struct fs *remote, struct fs *local, FILE *in, FILE *out,
	    FILE *err, int progress, struct xfer_pool *pool);

#endif
