/*
 * pwread: reading a new password for burrow-passwd (srv/pwread.c).
 */
#ifndef BURROW_PWREAD_H
#define BURROW_PWREAD_H

#include <stddef.h>

#define PWREAD_MAX	1024	/* bytes of a password, with the NUL */

/*
 * Reads the new password of name into buf (len bytes, at most
 * PWREAD_MAX): one line of stdin, or asked twice on the terminal without
 * echo. Refuses an empty one. Returns 0, or -1 (reported) with buf wiped.
 */
int pwread_new(const char *name, int use_stdin, char *buf, size_t len);

#endif
