/*
 * remote: an FTP server's file system behind the fs interface (tui/fs.h),
 * over one control connection (tui/ftp.h).
 *
 * Every call that finds the control connection dropped reconnects once,
 * logs in again, returns to the folder it was in and tries the call again;
 * a second failure is reported. A transfer that was running when the
 * connection dropped is not restarted here: the transfer engine sees the
 * error and can resume it.
 *
 * stat() uses MLST where the server has it; elsewhere SIZE tells a file
 * (and its size) and CWD a folder. hash() uses HASH (with OPTS HASH to
 * pick the algorithm and RANG for a part); FS_NOTSUP where the server has
 * none, or refuses RANG. Uploads at an offset use REST + STOR, and APPE
 * when the server refuses REST before STOR.
 */
#ifndef BURROW_REMOTE_H
#define BURROW_REMOTE_H

#include <stddef.h>

#include "tui/fs.h"
#include "tui/ftp.h"
#include "tui/url.h"

/* Connects as ftp_open() does. NULL with the reason in err. */
struct fs	*fs_remote_new(const struct url *u, const char *password,
		    const struct ftp_opts *o, char *err, size_t errlen);

/* The connection under a remote fs, for what only FTP has (AVBL, the
 * server's name, TLS state). NULL for a local fs. */
struct ftp	*fs_remote_ftp(struct fs *fs);

/*
 * Space left for uploads, from AVBL (path NULL: the current folder).
 * FS_NOTSUP when the server has no AVBL.
 */
int		 fs_remote_avbl(struct fs *fs, const char *path,
		    unsigned long long *bytes, char *err, size_t errlen);

#endif
