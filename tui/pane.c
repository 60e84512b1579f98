/*
 * pane: one side of the file manager as data (see tui/pane.h). The
 * entries stay where they were given; the view is an array of pointers
 * to the visible ones (and to the pane's own ".."), rebuilt and sorted
 * whenever the listing, the filter or the order changes. A mark is a
 * flag beside its entry, so it follows the entry through any re-sort.
 */
#include "config.h"

#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"
#include "tui/pane.h"

static int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Without regard to ASCII case, then byte for byte. */
static int
name_cmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	int d;

	for (;; x++, y++) {
		d = ascii_lower(*x) - ascii_lower(*y);
		if (d != 0 || *x == '\0')
			break;
	}
	return d != 0 ? d : strcmp(a, b);
}

/* ".." first, then folders, then the rest. */
static int
group(const struct listing_entry *e)
{
	if (strcmp(e->name, "..") == 0)
		return 0;
	return e->type == LISTING_DIR ? 1 : 2;
}

/*
 * The display order of two view entries (pointers to pointers, as qsort
 * gives them) for key. The last word when all else is equal (a server
 * listing a name twice) is the order given, so that a sort is the same
 * every time.
 */
static int
compare(const void *va, const void *vb, enum pane_sort key)
{
	const struct listing_entry *a = *(struct listing_entry *const *)va;
	const struct listing_entry *b = *(struct listing_entry *const *)vb;
	uint64_t sa = a->have_size ? a->size : 0;
	uint64_t sb = b->have_size ? b->size : 0;
	time_t ta = a->have_mtime ? a->mtime : 0;
	time_t tb = b->have_mtime ? b->mtime : 0;
	int d;

	if ((d = group(a) - group(b)) != 0)
		return d;
	if (key == PANE_SORT_SIZE && sa != sb)
		return sa > sb ? -1 : 1;
	if (key == PANE_SORT_TIME && ta != tb)
		return ta > tb ? -1 : 1;
	if ((d = name_cmp(a->name, b->name)) != 0)
		return d;
	return a < b ? -1 : a > b;
}

static int
by_name(const void *a, const void *b)
{
	return compare(a, b, PANE_SORT_NAME);
}

static int
by_size(const void *a, const void *b)
{
	return compare(a, b, PANE_SORT_SIZE);
}

static int
by_time(const void *a, const void *b)
{
	return compare(a, b, PANE_SORT_TIME);
}

/* By enum pane_sort. */
static const struct {
	const char	*name;
	int		(*cmp)(const void *, const void *);
	enum pane_sort	 next;
} sorts[] = {
	{ "name", by_name, PANE_SORT_SIZE },
	{ "size", by_size, PANE_SORT_TIME },
	{ "time", by_time, PANE_SORT_NAME },
};

/* Whether name contains needle, without regard to ASCII case. */
static int
matches(const char *name, const char *needle)
{
	size_t i;

	if (needle[0] == '\0')
		return 1;
	for (; *name != '\0'; name++) {
		for (i = 0; needle[i] != '\0'; i++)
			if (ascii_lower((unsigned char)name[i]) !=
			    ascii_lower((unsigned char)needle[i]))
				break;
		if (needle[i] == '\0')
			return 1;
	}
	return 0;
}

static int
has_up(const struct pane *p)
{
	return p->path[0] != '\0' && strcmp(p->path, "/") != 0;
}

static size_t
index_of(const struct pane *p, const struct listing_entry *e)
{
	return (size_t)(e - p->ents);
}

static void
clamp_cursor(struct pane *p)
{
	if (p->nview == 0)
		p->cursor = 0;
	else if (p->cursor >= p->nview)
		p->cursor = p->nview - 1;
}

/* Puts the cursor on e when it is visible, else clamps it. */
static void
cursor_to(struct pane *p, const struct listing_entry *e)
{
	size_t i;

	for (i = 0; e != NULL && i < p->nview; i++)
		if (p->view[i] == e) {
			p->cursor = i;
			return;
		}
	clamp_cursor(p);
}

/*
 * Fills the view from the entries, the filter and the order, and drops
 * the marks of entries it hides. Needs no memory: the view has room for
 * every entry and "..".
 */
static void
rebuild(struct pane *p)
{
	size_t i;

	p->nview = 0;
	if (p->view == NULL)
		return;
	if (has_up(p))
		p->view[p->nview++] = &p->up;
	for (i = 0; i < p->n; i++) {
		if (matches(p->ents[i].name, p->filter))
			p->view[p->nview++] = &p->ents[i];
		else
			p->marked[i] = 0;
	}
	qsort(p->view, p->nview, sizeof(p->view[0]), sorts[p->sort].cmp);
	clamp_cursor(p);
}

/* Drops what a pane never shows from a listing; returns the new count. */
static size_t
clean(struct listing_entry *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		v[i].name[sizeof(v[i].name) - 1] = '\0';
		v[i].link_target[sizeof(v[i].link_target) - 1] = '\0';
		if (v[i].type == LISTING_CDIR || v[i].type == LISTING_PDIR ||
		    v[i].name[0] == '\0' || strcmp(v[i].name, ".") == 0 ||
		    strcmp(v[i].name, "..") == 0)
			continue;
		if (k != i)
			v[k] = v[i];
		k++;
	}
	return k;
}

/*
 * When path is an ancestor of old, writes into out the name of old's
 * component just below it ("/a" in "/a/b/c": "b"). 0, or -1 when path is
 * no ancestor or the name does not fit.
 */
static int
child_of(const char *old, const char *path, char *out, size_t len)
{
	size_t pl = strlen(path), cl;

	while (pl > 0 && path[pl - 1] == '/')
		pl--;
	if (strncmp(old, path, pl) != 0 || old[pl] != '/')
		return -1;
	old += pl;
	while (*old == '/')
		old++;
	cl = strcspn(old, "/");
	if (cl == 0 || cl >= len)
		return -1;
	memcpy(out, old, cl);
	out[cl] = '\0';
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Sets the marks of the new entries whose names are marked in p. -1 when
 * memory runs out.
 */
static int
carry_marks(const struct pane *p, const struct listing_entry *v, size_t n,
    unsigned char *marked)
{
	const char **names, *key;
	size_t i, m = 0;

	for (i = 0; i < p->n; i++)
		m += p->marked[i] != 0;
	if (m == 0)
		return 0;
	if ((names = calloc(m, sizeof(*names))) == NULL)
		return -1;
	for (i = 0, m = 0; i < p->n; i++)
		if (p->marked[i])
			names[m++] = p->ents[i].name;
	qsort(names, m, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		key = v[i].name;
		marked[i] = bsearch(&key, names, m, sizeof(*names),
		    cmp_str) != NULL;
	}
	free(names);
	return 0;
}

void
pane_init(struct pane *p)
{
	memset(p, 0, sizeof(*p));
}

void
pane_free(struct pane *p)
{
	free(p->ents);
	free(p->marked);
	free(p->view);
	pane_init(p);
}

int
pane_set_entries(struct pane *p, const char *path,
    struct listing_entry *entries, size_t n)
{
	struct listing_entry **view = NULL;
	unsigned char *marked = NULL;
	char cur[LISTING_NAME_MAX], child[LISTING_NAME_MAX];
	size_t oldcur = p->cursor;
	int same, have_cur = 0, have_child = 0;

	if (entries == NULL)
		n = 0;
	n = clean(entries, n);
	if (strlen(path) >= sizeof(p->path) || n >= SIZE_MAX / sizeof(*view))
		goto fail;
	if ((view = calloc(n + 1, sizeof(*view))) == NULL ||
	    (marked = calloc(n + 1, 1)) == NULL)
		goto fail;

	same = strcmp(path, p->path) == 0;
	if (same) {
		if (carry_marks(p, entries, n, marked) == -1)
			goto fail;
		if (pane_current(p) != NULL) {
			/* both arrays have LISTING_NAME_MAX bytes */
			memcpy(cur, pane_current(p)->name, sizeof(cur));
			have_cur = 1;
		}
	} else {
		have_child = child_of(p->path, path, child,
		    sizeof(child)) == 0;
		p->filter[0] = '\0';
		p->cursor = 0;
		p->top = 0;
	}

	free(p->ents);
	free(p->marked);
	free(p->view);
	p->ents = entries;
	p->n = n;
	p->marked = marked;
	p->view = view;
	memmove(p->path, path, strlen(path) + 1);
	memset(&p->up, 0, sizeof(p->up));
	memcpy(p->up.name, "..", sizeof(".."));
	p->up.type = LISTING_DIR;
	rebuild(p);

	if (have_cur && pane_set_cursor_name(p, cur) == 0)
		return 0;
	if (have_child && pane_set_cursor_name(p, child) == 0)
		return 0;
	p->cursor = same ? oldcur : 0;
	clamp_cursor(p);
	return 0;

 fail:
	free(view);
	free(marked);
	free(entries);
	return -1;
}

int
pane_load(struct pane *p, struct fs *fs, char *err, size_t errlen)
{
	struct listing_entry *v = NULL;
	const char *cwd;
	size_t n = 0;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if ((r = fs->ops->list(fs, NULL, &v, &n, err, errlen)) != FS_OK)
		return r;
	if ((cwd = fs->ops->cwd(fs)) == NULL || cwd[0] != '/') {
		free(v);
		set_err(err, errlen, "%s", "no current folder");
		return FS_ERR;
	}
	if (pane_set_entries(p, cwd, v, n) == -1) {
		set_err(err, errlen, "%s", strlen(cwd) >= sizeof(p->path) ?
		    "folder name too long" : "out of memory");
		return FS_ERR;
	}
	return FS_OK;
}

int
pane_chdir(struct pane *p, struct fs *fs, const char *name, char *err,
    size_t errlen)
{
	char back[128];
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if ((r = fs->ops->chdir(fs, name, err, errlen)) != FS_OK)
		return r;
	if ((r = pane_load(p, fs, err, errlen)) != FS_OK && p->path[0] != '\0')
		(void)fs->ops->chdir(fs, p->path, back, sizeof(back));
	return r;
}

const char *
pane_path(const struct pane *p)
{
	return p->path;
}

size_t
pane_count(const struct pane *p)
{
	return p->nview;
}

const struct listing_entry *
pane_entry(const struct pane *p, size_t i)
{
	return i < p->nview ? p->view[i] : NULL;
}

ssize_t
pane_find(const struct pane *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nview; i++)
		if (strcmp(p->view[i]->name, name) == 0)
			return (ssize_t)i;
	return -1;
}

enum pane_sort
pane_sort_key(const struct pane *p)
{
	return p->sort;
}

void
pane_set_sort(struct pane *p, enum pane_sort key)
{
	const struct listing_entry *cur = pane_current(p);

	p->sort = (size_t)key < sizeof(sorts) / sizeof(sorts[0]) ? key :
	    PANE_SORT_NAME;
	rebuild(p);
	cursor_to(p, cur);
}

enum pane_sort
pane_sort_cycle(struct pane *p)
{
	pane_set_sort(p, sorts[p->sort].next);
	return p->sort;
}

const char *
pane_sort_name(enum pane_sort key)
{
	if ((size_t)key >= sizeof(sorts) / sizeof(sorts[0]))
		key = PANE_SORT_NAME;
	return sorts[key].name;
}

int
pane_set_filter(struct pane *p, const char *filter)
{
	const struct listing_entry *cur = pane_current(p);
	size_t len;

	if (filter == NULL)
		filter = "";
	if ((len = strlen(filter)) >= sizeof(p->filter))
		return -1;
	memmove(p->filter, filter, len + 1);
	rebuild(p);
	cursor_to(p, cur);
	return 0;
}

const char *
pane_filter(const struct pane *p)
{
	return p->filter;
}

size_t
pane_cursor(const struct pane *p)
{
	return p->cursor;
}

const struct listing_entry *
pane_current(const struct pane *p)
{
	return pane_entry(p, p->cursor);
}

void
pane_move(struct pane *p, long delta)
{
	size_t d;

	if (delta < 0) {
		d = (size_t)-(delta + 1) + 1;
		p->cursor = d > p->cursor ? 0 : p->cursor - d;
	} else {
		d = (size_t)delta;
		p->cursor = d > SIZE_MAX - p->cursor ? SIZE_MAX :
		    p->cursor + d;
	}
	clamp_cursor(p);
}

void
pane_page(struct pane *p, int dir, size_t rows)
{
	size_t maxtop;

	if (rows == 0)
		rows = 1;
	if (rows > LONG_MAX)
		rows = LONG_MAX;
	maxtop = p->nview > rows ? p->nview - rows : 0;
	if (dir > 0) {
		p->top = p->top >= maxtop || rows >= maxtop - p->top ? maxtop :
		    p->top + rows;
		pane_move(p, (long)rows);
	} else if (dir < 0) {
		p->top = rows > p->top ? 0 : p->top - rows;
		pane_move(p, -(long)rows);
	}
}

void
pane_home(struct pane *p)
{
	p->cursor = 0;
}

void
pane_end(struct pane *p)
{
	p->cursor = p->nview > 0 ? p->nview - 1 : 0;
}

int
pane_set_cursor_name(struct pane *p, const char *name)
{
	ssize_t i = pane_find(p, name);

	if (i == -1)
		return -1;
	p->cursor = (size_t)i;
	return 0;
}

size_t
pane_scroll(struct pane *p, size_t rows)
{
	if (rows == 0)
		rows = 1;
	clamp_cursor(p);
	if (p->cursor < p->top)
		p->top = p->cursor;
	else if (p->cursor - p->top >= rows)
		p->top = p->cursor - rows + 1;
	if (p->nview <= rows)
		p->top = 0;
	else if (p->top > p->nview - rows)
		p->top = p->nview - rows;
	return p->top;
}

int
pane_toggle_mark(struct pane *p)
{
	const struct listing_entry *e = pane_current(p);
	int r = -1;
	size_t i;

	if (e != NULL && e != &p->up) {
		i = index_of(p, e);
		p->marked[i] = !p->marked[i];
		r = p->marked[i];
	}
	pane_move(p, 1);
	return r;
}

void
pane_mark_all(struct pane *p)
{
	size_t i;

	for (i = 0; i < p->nview; i++)
		if (p->view[i] != &p->up)
			p->marked[index_of(p, p->view[i])] = 1;
}

void
pane_unmark_all(struct pane *p)
{
	if (p->marked != NULL)
		memset(p->marked, 0, p->n);
}

int
pane_is_marked(const struct pane *p, size_t i)
{
	if (i >= p->nview || p->view[i] == &p->up)
		return 0;
	return p->marked[index_of(p, p->view[i])];
}

int
pane_set_mark_name(struct pane *p, const char *name, int on)
{
	ssize_t i = pane_find(p, name);

	if (i < 0 || p->view[i] == &p->up)
		return -1;
	p->marked[index_of(p, p->view[i])] = on != 0;
	return 0;
}

size_t
pane_marked_count(const struct pane *p)
{
	size_t i, m = 0;

	for (i = 0; i < p->nview; i++)
		m += pane_is_marked(p, i) != 0;
	return m;
}

void
pane_invert_marks(struct pane *p)
{
	size_t i;

	for (i = 0; i < p->nview; i++)
		if (p->view[i] != &p->up)
			p->marked[index_of(p, p->view[i])] ^= 1;
}

size_t
pane_mark_matching(struct pane *p, const char *pattern, int on)
{
	size_t i, k, changed = 0;

	for (i = 0; i < p->nview; i++) {
		if (p->view[i] == &p->up ||
		    fnmatch(pattern, p->view[i]->name, FNM_PERIOD) != 0)
			continue;
		k = index_of(p, p->view[i]);
		changed += p->marked[k] != (on != 0);
		p->marked[k] = on != 0;
	}
	return changed;
}

uint64_t
pane_marked_bytes(const struct pane *p)
{
	uint64_t sum = 0, n;
	size_t i;

	for (i = 0; i < p->nview; i++) {
		if (!pane_is_marked(p, i) || p->view[i]->type == LISTING_DIR ||
		    !p->view[i]->have_size)
			continue;
		n = p->view[i]->size;
		sum = sum + n < sum ? UINT64_MAX : sum + n;
	}
	return sum;
}

int
pane_selection(const struct pane *p, const struct listing_entry ***out,
    size_t *n)
{
	const struct listing_entry **v, *cur = pane_current(p);
	size_t i, k = 0, m = pane_marked_count(p);

	*out = NULL;
	*n = 0;
	if (m == 0 && (cur == NULL || cur == &p->up))
		return 0;
	if ((v = calloc(m > 0 ? m : 1, sizeof(*v))) == NULL)
		return -1;
	if (m == 0)
		v[k++] = cur;
	for (i = 0; i < p->nview && m > 0; i++)
		if (pane_is_marked(p, i))
			v[k++] = p->view[i];
	*out = v;
	*n = k;
	return 0;
}
