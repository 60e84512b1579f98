/*
 * compare: two folders' entries paired by name and classified, and the
 * plan that makes one side like the other; see compare.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/compare.h"

void
compare_entry_from(struct compare_entry *e, const struct listing_entry *l,
    unsigned prec)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->name, l->name, sizeof(e->name));
	e->type = l->type;
	e->size = l->size;
	e->have_size = l->have_size;
	e->mtime = l->mtime;
	e->prec = l->have_mtime ? (prec == 0 ? 1 : prec) : 0;
	memcpy(e->link_target, l->link_target, sizeof(e->link_target));
}

/* floor(t / p), for negative times too. */
static long long
step(long long t, long long p)
{
	return t >= 0 ? t / p : -((-t + p - 1) / p);
}

int
compare_same_time(time_t l, unsigned lprec, time_t r, unsigned rprec,
    long offset)
{
	long long p = lprec > rprec ? lprec : rprec;
	long long rt = (long long)r - offset;

	if (p < 1)
		p = 1;
	return step((long long)l, p) == step(rt, p);
}

/* The type a comparison tells apart: folders, links, and the rest. */
static int
kind_of(int type)
{
	switch (type) {
	case LISTING_DIR:
	case LISTING_CDIR:
	case LISTING_PDIR:
		return LISTING_DIR;
	case LISTING_LINK:
		return LISTING_LINK;
	default:
		return LISTING_FILE;
	}
}

enum compare_kind
compare_pair(const struct compare_entry *l, const struct compare_entry *r,
    const struct compare_opts *o, unsigned *flags)
{
	unsigned f = 0;
	long off = o != NULL ? o->offset : 0;
	int t = kind_of(l->type);

	*flags = 0;
	if (t != kind_of(r->type))
		return COMPARE_TYPE;
	if (t == LISTING_DIR)
		return COMPARE_SAME;
	if (t == LISTING_LINK) {
		if (l->link_target[0] != '\0' && r->link_target[0] != '\0' &&
		    strcmp(l->link_target, r->link_target) != 0) {
			*flags = COMPARE_F_CONTENT;
			return COMPARE_CONTENT;
		}
		return COMPARE_SAME;
	}
	if (l->have_size && r->have_size && l->size != r->size)
		f |= COMPARE_F_SIZE;
	if (l->prec > 0 && r->prec > 0 &&
	    !compare_same_time(l->mtime, l->prec, r->mtime, r->prec, off))
		f |= COMPARE_F_TIME;
	if (!(f & COMPARE_F_SIZE) && l->hash[0] != '\0' &&
	    r->hash[0] != '\0' && strcasecmp(l->hash, r->hash) != 0)
		f |= COMPARE_F_CONTENT;
	*flags = f;
	if (f & COMPARE_F_TIME)
		return (long long)l->mtime > (long long)r->mtime - off ?
		    COMPARE_NEWER_LEFT : COMPARE_NEWER_RIGHT;
	if (f & COMPARE_F_SIZE)
		return COMPARE_SIZE;
	if (f & COMPARE_F_CONTENT)
		return COMPARE_CONTENT;
	return COMPARE_SAME;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp((*(const struct compare_entry *const *)a)->name,
	    (*(const struct compare_entry *const *)b)->name);
}

/* Pointers to v's entries, sorted by name; NULL when memory runs out. */
static const struct compare_entry **
sorted(const struct compare_entry *v, size_t n)
{
	const struct compare_entry **p;
	size_t i;

	if ((p = calloc(n + 1, sizeof(*p))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = &v[i];
	if (n > 1)
		qsort(p, n, sizeof(*p), by_name);
	return p;
}

/* Appends one item for l and/or r (either may be NULL). */
static int
append(const char *dir, const struct compare_entry *l,
    const struct compare_entry *r, const struct compare_opts *o,
    struct compare_item **items, size_t *n)
{
	struct compare_item *it, *v;
	const char *name = l != NULL ? l->name : r->name;
	int w;

	if ((v = realloc(*items, (*n + 1) * sizeof(*v))) == NULL)
		return -1;
	*items = v;
	it = &v[*n];
	memset(it, 0, sizeof(*it));
	if (dir[0] != '\0')
		w = snprintf(it->path, sizeof(it->path), "%s/%s", dir, name);
	else
		w = snprintf(it->path, sizeof(it->path), "%s", name);
	if (w < 0 || (size_t)w >= sizeof(it->path))
		return -1;
	if (l != NULL) {
		it->in_left = 1;
		it->left = *l;
	}
	if (r != NULL) {
		it->in_right = 1;
		it->right = *r;
	}
	if (l != NULL && r != NULL)
		it->kind = compare_pair(l, r, o, &it->flags);
	else
		it->kind = l != NULL ? COMPARE_ONLY_LEFT : COMPARE_ONLY_RIGHT;
	(*n)++;
	return 0;
}

int
compare_lists(const char *dir, const struct compare_entry *left, size_t nl,
    const struct compare_entry *right, size_t nr,
    const struct compare_opts *o, struct compare_item **items, size_t *n)
{
	const struct compare_entry **a, **b;
	size_t i = 0, j = 0;
	int c, rc = 0;

	a = sorted(left, nl);
	b = sorted(right, nr);
	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return -1;
	}
	while (rc == 0 && (i < nl || j < nr)) {
		if (i == nl)
			c = 1;
		else if (j == nr)
			c = -1;
		else
			c = strcmp(a[i]->name, b[j]->name);
		if (c < 0)
			rc = append(dir, a[i++], NULL, o, items, n);
		else if (c > 0)
			rc = append(dir, NULL, b[j++], o, items, n);
		else
			rc = append(dir, a[i++], b[j++], o, items, n);
	}
	free(a);
	free(b);
	return rc;
}

const char *
compare_kind_name(enum compare_kind k)
{
	static const char *const names[COMPARE_NKINDS] = {
		"same", "only-left", "only-right", "newer-left",
		"newer-right", "size-differs", "content-differs",
		"type-differs",
	};

	return (unsigned)k < COMPARE_NKINDS ? names[k] : "?";
}

/* Whether item is on side s. */
static int
on_side(const struct compare_item *it, enum plan_side s)
{
	return s == PLAN_LEFT ? it->in_left : it->in_right;
}

size_t
plan_make(const struct compare_item *items, size_t n, enum plan_side from,
    unsigned flags, struct plan_action *out)
{
	enum plan_side to = from == PLAN_LEFT ? PLAN_RIGHT : PLAN_LEFT;
	size_t i, k = 0;
	enum plan_op op;

	for (i = 0; i < n; i++) {
		const struct compare_item *it = &items[i];

		if (it->kind == COMPARE_SAME)
			continue;
		if (!on_side(it, from)) {
			if (!(flags & PLAN_DELETE_OK))
				continue;
			op = PLAN_DELETE;
		} else if (!on_side(it, to))
			op = PLAN_COPY;
		else if (it->kind == COMPARE_TYPE)
			op = flags & PLAN_DELETE_OK ? PLAN_REPLACE :
			    PLAN_CONFLICT;
		else
			op = PLAN_COPY;
		out[k].item = it;
		out[k].op = op;
		out[k].from = from;
		out[k].on = 1;
		k++;
	}
	return k;
}

size_t
plan_make_both(const struct compare_item *items, size_t n,
    struct plan_action *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct compare_item *it = &items[i];

		if (it->kind == COMPARE_SAME)
			continue;
		out[k].item = it;
		out[k].from = it->kind == COMPARE_ONLY_RIGHT ||
		    it->kind == COMPARE_NEWER_RIGHT ? PLAN_RIGHT : PLAN_LEFT;
		out[k].op = it->kind == COMPARE_TYPE ? PLAN_REPLACE :
		    PLAN_COPY;
		out[k].on = it->kind != COMPARE_TYPE;
		k++;
	}
	return k;
}

void
plan_flip(struct plan_action *a)
{
	const struct compare_item *it = a->item;

	a->from = a->from == PLAN_LEFT ? PLAN_RIGHT : PLAN_LEFT;
	if (!it->in_left || !it->in_right) {
		/* The entry is on one side: copy it there or delete it. */
		a->op = on_side(it, a->from) ? PLAN_COPY : PLAN_DELETE;
		return;
	}
	/* On both sides: a copy stays a copy, a replace a replace. */
}

const char *
plan_op_name(enum plan_op op)
{
	switch (op) {
	case PLAN_COPY:
		return "copy";
	case PLAN_DELETE:
		return "delete";
	case PLAN_REPLACE:
		return "replace";
	case PLAN_CONFLICT:
		return "conflict";
	}
	return "?";
}
