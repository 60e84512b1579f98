/*
 * wild: the wildcards of batch mode's get, put and rm ("put *.txt",
 * "get logs/app-*.log", "rm *.tm?"). A pattern follows fnmatch(3): '*',
 * '?' and '[...]' (with '!' to negate), a backslash that reaches it (one
 * inside single quotes, or doubled outside them) takes the next byte as
 * it is, and a leading '.' is matched only by a '.' written in the
 * pattern, as in the shell, so "*" leaves dot-files alone. "." and ".."
 * are never matched.
 *
 * Only the last component of a path may hold wildcards; it is matched
 * against a listing of the folder before it, so the caller lists that
 * folder (on either side) and hands the entries here. Pure string work.
 *
 * A word whose last component is the name of an entry of that folder as it
 * is ("a*b" when a file is called that) is the caller's to take as it is,
 * before any matching: so a name with a '*' in it stays reachable however
 * it was quoted.
 */
#ifndef BURROW_WILD_H
#define BURROW_WILD_H

#include <stddef.h>

#include "proto/listing.h"

/* Nonzero when s holds a wildcard ('*', '?' or '['). */
int	wild_has(const char *s);

/*
 * Splits pattern at its last '/' (trailing ones dropped) into the folder
 * before it (dir: "" when there is none, "/" for the root) and the last
 * component (base). Returns 0, or -1 when either does not fit (dlen,
 * blen bytes) or the pattern has no last component ("", "/").
 */
int	wild_split(const char *pattern, char *dir, size_t dlen, char *base,
	    size_t blen);

/* Nonzero when name (one component) matches pattern. */
int	wild_match(const char *pattern, const char *name);

/*
 * Keeps the entries of v (n of them) whose names match pattern, moved to
 * the front of v in name order (strcmp), and returns how many.
 */
size_t	wild_select(const char *pattern, struct listing_entry *v, size_t n);

#endif
