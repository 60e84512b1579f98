/*
 * lcfile: a user's libconfig file read into a config_t, for the client's
 * own files (sites.conf, burrow.conf).
 */
#ifndef BURROW_LCFILE_H
#define BURROW_LCFILE_H

#include <stddef.h>

#include <libconfig.h>

/*
 * Reads file into lc (config_init()ed here). 1 when read: the caller
 * config_destroy()s lc. 0 when there is no such file (nothing to destroy).
 * -1 with "FILE: why" or "FILE:LINE: why" in err (lc destroyed): not a
 * regular file (libconfig's scanner exits on a folder), unreadable, or a
 * syntax error.
 */
int	lc_load(config_t *lc, const char *file, char *err, size_t errlen);

#endif
