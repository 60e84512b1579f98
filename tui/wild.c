/*
 * wild: batch mode's wildcards; see wild.h.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/wild.h"

int
wild_has(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int
wild_split(const char *pattern, char *dir, size_t dlen, char *base,
    size_t blen)
{
	size_t end = strlen(pattern), start, d;
	int n;

	while (end > 1 && pattern[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && pattern[start - 1] != '/')
		start--;
	if (start == end)
		return -1;
	d = start;
	while (d > 1 && pattern[d - 1] == '/')
		d--;
	n = snprintf(dir, dlen, "%.*s", (int)d, pattern);
	if (n < 0 || (size_t)n >= dlen)
		return -1;
	n = snprintf(base, blen, "%.*s", (int)(end - start), pattern + start);
	return n < 0 || (size_t)n >= blen ? -1 : 0;
}

int
wild_match(const char *pattern, const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	return fnmatch(pattern, name, FNM_PERIOD) == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->name,
	    ((const struct listing_entry *)b)->name);
}

size_t
wild_select(const char *pattern, struct listing_entry *v, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		if (!wild_match(pattern, v[i].name))
			continue;
		if (kept != i)
			v[kept] = v[i];
		kept++;
	}
	if (kept > 1)
		qsort(v, kept, sizeof(*v), by_name);
	return kept;
}
