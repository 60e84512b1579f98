/*
 * parts: see parts.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/parts.h"

int
parts_plan(struct parts *p, uint64_t size, int64_t mtime, unsigned n)
{
	uint64_t step, at = 0;
	unsigned i;

	if (size == 0 || n < 1 || n > PARTS_MAX)
		return -1;
	if (n > size)
		n = (unsigned)size;
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->mtime = mtime;
	p->n = n;
	step = size / n;
	for (i = 0; i < n; i++) {
		p->r[i].start = at;
		at = i + 1 == n ? size : at + step;
		p->r[i].end = at;
	}
	return 0;
}

static int
by_start(const void *a, const void *b)
{
	const struct parts_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int
parts_format(const struct parts *p, char *buf, size_t len)
{
	struct parts_range r[PARTS_MAX];
	size_t used;
	unsigned i;
	int n;

	n = snprintf(buf, len, "burrow-parts 1\nsize %" PRIu64 "\nmtime %"
	    PRId64 "\n", p->size, p->mtime);
	if (n < 0 || (size_t)n >= len)
		return -1;
	used = (size_t)n;
	memcpy(r, p->r, p->n * sizeof(r[0]));
	qsort(r, p->n, sizeof(r[0]), by_start);
	for (i = 0; i < p->n; i++) {
		n = snprintf(buf + used, len - used, "range %" PRIu64 " %"
		    PRIu64 " %" PRIu64 "\n", r[i].start, r[i].end, r[i].done);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return (int)used;
}

/* A decimal number up to the end of its word; -1 when there is none. */
static int
number(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*out = v;
	return 0;
}

/* Expects word and one space at *s, then a number. */
static int
field(const char **s, const char *word, uint64_t *out)
{
	size_t n = strlen(word);

	if (strncmp(*s, word, n) != 0 || (*s)[n] != ' ')
		return -1;
	*s += n + 1;
	return number(s, out);
}

static int
eol(const char **s)
{
	if (**s != '\n')
		return -1;
	(*s)++;
	return 0;
}

int
parts_parse(const char *text, struct parts *p)
{
	const char *s = text;
	uint64_t v, at = 0;
	struct parts_range *r;

	memset(p, 0, sizeof(*p));
	if (field(&s, "burrow-parts", &v) < 0 || v != 1 || eol(&s) < 0 ||
	    field(&s, "size", &p->size) < 0 || eol(&s) < 0 ||
	    field(&s, "mtime", &v) < 0 || v > INT64_MAX || eol(&s) < 0 ||
	    p->size == 0)
		return -1;
	p->mtime = (int64_t)v;
	while (*s != '\0') {
		if (p->n == PARTS_MAX)
			return -1;
		r = &p->r[p->n++];
		if (field(&s, "range", &r->start) < 0 || *s++ != ' ' ||
		    number(&s, &r->end) < 0 || *s++ != ' ' ||
		    number(&s, &r->done) < 0 || eol(&s) < 0)
			return -1;
		if (r->start != at || r->end <= r->start ||
		    r->end > p->size || r->done > r->end - r->start)
			return -1;
		at = r->end;
	}
	return p->n > 0 && at == p->size ? 0 : -1;
}

int
parts_split(struct parts *p, unsigned i, uint64_t min)
{
	struct parts_range *r = &p->r[i], *t;
	uint64_t at, left, mid;

	if (i >= p->n || p->n == PARTS_MAX)
		return -1;
	at = r->start + r->done;
	left = r->end - at;
	if (left < 2 * min)
		return -1;
	mid = at + left / 2;
	t = &p->r[p->n];
	t->start = mid;
	t->end = r->end;
	t->done = 0;
	r->end = mid;
	return (int)p->n++;
}

uint64_t
parts_done(const struct parts *p)
{
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < p->n; i++)
		sum += p->r[i].done;
	return sum;
}

int
parts_complete(const struct parts *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (p->r[i].done != p->r[i].end - p->r[i].start)
			return 0;
	return p->n > 0;
}

int
parts_path(const char *target, char *out, size_t len)
{
	const char *slash = strrchr(target, '/');
	int dir = slash != NULL ? (int)(slash - target + 1) : 0;
	int n;

	n = snprintf(out, len, "%.*s.%s.burrow-parts", dir, target,
	    target + dir);
	return n < 0 || (size_t)n >= len || target[dir] == '\0' ? -1 : 0;
}
