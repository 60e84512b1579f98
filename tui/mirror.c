/*
 * mirror: two folders walked and compared, and a plan run; see mirror.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hash.h"
#include "tui/mirror.h"

#define DAY		86400
#define HALF_YEAR	(180 * DAY)	/* ls shows a year past six months */

/* The walk's state, over both sides. */
struct walk {
	struct fs		*fs[2];		/* left, right */
	const char		*top[2];
	const struct mirror_opts *o;
	struct compare_opts	 co;
	const char		*algo;		/* checksum: the algorithm */
	int			 no_mdtm[2];	/* gettime said FS_NOTSUP */
	time_t			 now;
	char			*err;
	size_t			 errlen;
};

static void
set_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* The precision of a listing's time on fs (mirror.h). */
static unsigned
precision(const struct walk *w, int side, const struct listing_entry *e)
{
	if (w->fs[side]->flags & FS_EXACT_TIMES)
		return 1;
	if (e->mtime % DAY == 0 && w->now - e->mtime > HALF_YEAR - DAY)
		return DAY;
	return 60;
}

/* rel under side's top into out. */
static int
side_path(const struct walk *w, int side, const char *rel, char *out,
    size_t len)
{
	if (rel[0] == '\0')
		return snprintf(out, len, "%s", w->top[side]) >= (int)len ?
		    -1 : 0;
	return fs_join(w->top[side], rel, out, len);
}

/*
 * The entries of the folder rel on one side, links followed, into *out
 * (*n of them). FS_NOENT when the folder is not there.
 */
static int
list_side(struct walk *w, int side, const char *rel,
    struct compare_entry **out, size_t *n)
{
	struct listing_entry *v = NULL, st;
	struct compare_entry *c;
	char path[FS_PATH_MAX], child[FS_PATH_MAX], e2[256];
	size_t nv = 0, i, k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (side_path(w, side, rel, path, sizeof(path)) < 0) {
		set_err(w->err, w->errlen, "%s: path too long", rel);
		return FS_ERR;
	}
	if ((rc = fs_list(w->fs[side], path, &v, &nv, w->err,
	    w->errlen)) != FS_OK)
		return rc;
	if ((c = calloc(nv > 0 ? nv : 1, sizeof(*c))) == NULL) {
		free(v);
		set_err(w->err, w->errlen, "%s", "out of memory");
		return FS_ERR;
	}
	for (i = 0; i < nv; i++) {
		struct listing_entry *e = &v[i];

		if (e->type == LISTING_CDIR || e->type == LISTING_PDIR ||
		    strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
			continue;
		if (e->type == LISTING_LINK && fs_join(path, e->name, child,
		    sizeof(child)) == 0 && fs_stat(w->fs[side], child, &st,
		    e2, sizeof(e2)) == FS_OK && st.type == LISTING_FILE) {
			/* Compared as the file a copy would make of it. */
			e->type = LISTING_FILE;
			e->size = st.size;
			e->have_size = st.have_size;
			if (st.have_mtime) {
				e->mtime = st.mtime;
				e->have_mtime = 1;
			}
		}
		compare_entry_from(&c[k], e, precision(w, side, e));
		/* A rough listing's time in the server's zone, into UTC. */
		if (!(w->fs[side]->flags & FS_EXACT_TIMES) && c[k].prec > 0)
			c[k].mtime -= (time_t)w->o->offset;
		k++;
	}
	free(v);
	*out = c;
	*n = k;
	return FS_OK;
}

/* Asks side's MDTM for the time of the file rel, where it helps. */
static void
refine_time(struct walk *w, int side, const char *rel,
    struct compare_entry *e)
{
	char path[FS_PATH_MAX], e2[512];
	time_t t;
	int rc;

	if (e->prec <= 1 || w->no_mdtm[side] ||
	    side_path(w, side, rel, path, sizeof(path)) < 0)
		return;
	rc = fs_gettime(w->fs[side], path, &t, e2, sizeof(e2));
	if (rc == FS_OK) {
		e->mtime = t;
		e->prec = 1;
	} else if (rc == FS_NOTSUP)
		w->no_mdtm[side] = 1;
}

/* Hashes the file rel on side into e->hash. */
static int
hash_side(struct walk *w, int side, const char *rel, struct compare_entry *e)
{
	char path[FS_PATH_MAX];

	if (side_path(w, side, rel, path, sizeof(path)) < 0) {
		set_err(w->err, w->errlen, "%s: path too long", rel);
		return FS_ERR;
	}
	return fs_hash(w->fs[side], path, w->algo, 0, UINT64_MAX, e->hash,
	    sizeof(e->hash), w->err, w->errlen);
}

/* Times and checksums for the items [from, n) that need them. */
static int
look_closer(struct walk *w, struct compare_item *items, size_t from,
    size_t n)
{
	size_t i;
	int rc;

	for (i = from; i < n; i++) {
		struct compare_item *it = &items[i];

		if (!it->in_left || !it->in_right ||
		    it->left.type != LISTING_FILE ||
		    it->right.type != LISTING_FILE ||
		    (it->flags & COMPARE_F_SIZE))
			continue;
		/* Could be the same: the times to the second, if to be had
		 * (MDTM's are UTC already). */
		if (it->left.prec > 1 || it->right.prec > 1) {
			refine_time(w, 0, it->path, &it->left);
			refine_time(w, 1, it->path, &it->right);
			it->kind = compare_pair(&it->left, &it->right, &w->co,
			    &it->flags);
		}
		if (w->algo == NULL || it->kind != COMPARE_SAME)
			continue;
		if ((rc = hash_side(w, 0, it->path, &it->left)) != FS_OK ||
		    (rc = hash_side(w, 1, it->path, &it->right)) != FS_OK)
			return rc;
		it->kind = compare_pair(&it->left, &it->right, &w->co,
		    &it->flags);
	}
	return FS_OK;
}

/*
 * The right top folder whose listing failed: FS_NOENT when it is not there (a
 * server answers LIST of a missing folder with a 550 like any other
 * failure; its stat tells), else rc as it was.
 */
static int
gone(struct walk *w, int side, int rc, const int *missing)
{
	struct listing_entry e;
	char e2[512];

	if (rc == FS_OK || rc == FS_NOENT || missing == NULL)
		return rc;
	return fs_stat(w->fs[side], w->top[side], &e, e2, sizeof(e2)) ==
	    FS_NOENT ? FS_NOENT : rc;
}

/*
 * Compares the folder rel (depth levels down), then its shared folders.
 * missing: at the top, set when the right one is not there.
 */
static int
walk_dir(struct walk *w, const char *rel, unsigned depth,
    struct compare_item **items, size_t *n, int *missing)
{
	struct compare_entry *l = NULL, *r = NULL;
	size_t nl = 0, nr = 0, from = *n, i, end;
	unsigned max = w->o->depth > 0 ? w->o->depth : XFER_DEPTH_MAX;
	char sub[FS_PATH_MAX];
	int rcl, rcr, rc;

	if ((rcl = list_side(w, 0, rel, &l, &nl)) != FS_OK)
		return rcl;
	rcr = gone(w, 1, list_side(w, 1, rel, &r, &nr), missing);
	if (rcr != FS_OK && !(rcr == FS_NOENT && missing != NULL)) {
		free(l);
		return rcr;
	}
	if (missing != NULL)
		*missing = rcr == FS_NOENT;
	rc = compare_lists(rel, l, nl, r, nr, &w->co, items, n);
	free(l);
	free(r);
	if (rc < 0) {
		set_err(w->err, w->errlen, "%s", "out of memory");
		return FS_ERR;
	}
	end = *n;
	if ((rc = look_closer(w, *items, from, end)) != FS_OK)
		return rc;
	if (!w->o->recursive || depth >= max)
		return FS_OK;
	for (i = from; i < end; i++) {
		const struct compare_item *it = &(*items)[i];

		if (!it->in_left || !it->in_right ||
		    it->left.type != LISTING_DIR ||
		    it->right.type != LISTING_DIR)
			continue;
		/* *items moves as it grows: the path is copied first. */
		snprintf(sub, sizeof(sub), "%s", it->path);
		if ((rc = walk_dir(w, sub, depth + 1, items, n, NULL)) !=
		    FS_OK)
			return rc;
	}
	return FS_OK;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct compare_item *)a)->path,
	    ((const struct compare_item *)b)->path);
}

/* FS_OK when path on fs is a folder (or, may_miss, not there at all). */
static int
top_is_folder(struct fs *fs, const char *path, int may_miss, char *err,
    size_t errlen)
{
	struct listing_entry e;
	int rc = fs_stat(fs, path, &e, err, errlen);

	if (rc == FS_NOENT && may_miss)
		return FS_OK;
	if (rc != FS_OK)
		return rc;
	if (e.type != LISTING_DIR) {
		set_err(err, errlen, "%s: not a folder", path);
		return FS_ERR;
	}
	return FS_OK;
}

int
mirror_compare(struct fs *left, const char *lpath, struct fs *right,
    const char *rpath, const struct mirror_opts *o,
    struct compare_item **items, size_t *n, char *err, size_t errlen)
{
	struct walk w;
	int missing = 0, rc;

	memset(&w, 0, sizeof(w));
	w.fs[0] = left;
	w.fs[1] = right;
	w.top[0] = lpath;
	w.top[1] = rpath;
	w.o = o;
	w.co.offset = 0;	/* list_side() moves the rough times */
	w.now = time(NULL);
	w.err = err;
	w.errlen = errlen;
	*items = NULL;
	*n = 0;
	if (o->checksum) {
		const struct fs *rem = strcmp(left->kind, "remote") == 0 ?
		    left : right;

		if (!(left->flags & FS_HAS_HASH) ||
		    !(right->flags & FS_HAS_HASH) || rem->hash_algo == NULL ||
		    hash_find(rem->hash_algo) == NULL) {
			set_err(err, errlen, "%s", "checksums asked, but the "
			    "server does not offer HASH");
			return FS_NOTSUP;
		}
		w.algo = rem->hash_algo;
	}
	/* Folders both, or the target not there: a LIST of a file lists
	 * the file, which would pass for a folder holding it. */
	if ((rc = top_is_folder(left, lpath, 0, err, errlen)) != FS_OK ||
	    (rc = top_is_folder(right, rpath, 1, err, errlen)) != FS_OK)
		return rc;
	rc = walk_dir(&w, "", 0, items, n, &missing);
	if (rc != FS_OK) {
		free(*items);
		*items = NULL;
		*n = 0;
		return rc;
	}
	if (*n > 1)
		qsort(*items, *n, sizeof(**items), by_path);
	return FS_OK;
}

void
mirror_count(const struct compare_item *items, size_t n, unsigned *counts)
{
	size_t i;

	memset(counts, 0, COMPARE_NKINDS * sizeof(*counts));
	for (i = 0; i < n; i++)
		if ((unsigned)items[i].kind < COMPARE_NKINDS)
			counts[items[i].kind]++;
}

/* A copy in a mirror overwrites whatever is there: the plan said so. */
static enum xfer_answer
overwrite(void *arg, const char *src, const char *dst,
    const struct listing_entry *src_e, const struct listing_entry *dst_e,
    enum xfer_decision suggested, int prefix, char *newname, size_t len)
{
	(void)arg;
	(void)src;
	(void)dst;
	(void)src_e;
	(void)dst_e;
	(void)suggested;
	(void)prefix;
	(void)newname;
	(void)len;
	return XFER_ANS_OVERWRITE;
}

/* Counts an rmtree()'s entries for the caller's callbacks. */
struct rm_count {
	const struct rmtree_cb	*cb;
	unsigned		 removed;
	char			 first[1024];	/* the first failure */
};

static void
rm_removed(void *arg, const char *path, int folder)
{
	struct rm_count *c = arg;

	c->removed++;
	if (c->cb != NULL && c->cb->removed != NULL)
		c->cb->removed(c->cb->arg, path, folder);
}

static void
rm_failed(void *arg, const char *path, const char *why)
{
	struct rm_count *c = arg;

	if (c->first[0] == '\0')
		snprintf(c->first, sizeof(c->first), "%s: %s", path, why);
	if (c->cb != NULL && c->cb->failed != NULL)
		c->cb->failed(c->cb->arg, path, why);
}

/* One side of a run: the fs and the top folder. */
struct end {
	struct fs	*fs;
	const char	*top;
};

int
mirror_run(struct fs *left, const char *lpath, struct fs *right,
    const char *rpath, const struct plan_action *a, size_t na,
    const struct xfer_opts *o, const struct rmtree_cb *rm,
    struct mirror_stats *st, char *err, size_t errlen)
{
	const struct end ends[2] = { { left, lpath }, { right, rpath } };
	struct rm_count rc_count;
	const struct rmtree_cb cb = { rm_removed, rm_failed, &rc_count };
	struct xfer_opts xo = *o;
	struct listing_entry e;
	char *paths = NULL, e2[512];
	const char **srcs = NULL, **dsts = NULL;
	size_t i, nc, side, made[2] = { 0, 0 };
	int rc = FS_OK, r;

	memset(st, 0, sizeof(*st));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&rc_count, 0, sizeof(rc_count));
	rc_count.cb = rm;
	/* Deletions first, each action's own entry alone. */
	for (i = 0; i < na; i++) {
		const struct end *t = &ends[a[i].from == PLAN_LEFT ? 1 : 0];
		char path[FS_PATH_MAX];

		if (!a[i].on)
			continue;
		if (a[i].op == PLAN_CONFLICT) {
			st->conflicts++;
			continue;
		}
		if (a[i].op != PLAN_DELETE && a[i].op != PLAN_REPLACE)
			continue;
		if (fs_join(t->top, a[i].item->path, path, sizeof(path)) < 0) {
			st->failed++;
			continue;
		}
		rc_count.first[0] = '\0';
		if (rmtree(t->fs, path, &cb) == 0) {
			if (a[i].op == PLAN_DELETE)
				st->deleted++;
			continue;
		}
		st->failed++;
		if (rc == FS_OK) {
			rc = FS_ERR;
			set_err(err, errlen, "%s", rc_count.first);
		}
	}
	/* Then the copies, each direction in one xfer_copy_list(). */
	nc = na > 0 ? na : 1;
	if ((paths = malloc(2 * nc * FS_PATH_MAX)) == NULL ||
	    (srcs = calloc(nc, sizeof(*srcs))) == NULL ||
	    (dsts = calloc(nc, sizeof(*dsts))) == NULL) {
		free(paths);
		free(srcs);
		set_err(err, errlen, "%s", "out of memory");
		return FS_ERR;
	}
	xo.conflict = overwrite;
	for (side = 0; side < 2; side++) {
		const struct end *s = &ends[side], *t = &ends[1 - side];
		size_t k = 0;

		for (i = 0; i < na; i++) {
			char *sp = paths + 2 * k * FS_PATH_MAX;
			char *dp = sp + FS_PATH_MAX;

			if (!a[i].on || (a[i].op != PLAN_COPY &&
			    a[i].op != PLAN_REPLACE) ||
			    (a[i].from == PLAN_LEFT) != (side == 0))
				continue;
			if (fs_join(s->top, a[i].item->path, sp,
			    FS_PATH_MAX) < 0 || fs_join(t->top,
			    a[i].item->path, dp, FS_PATH_MAX) < 0) {
				st->failed++;
				continue;
			}
			srcs[k] = sp;
			dsts[k] = dp;
			k++;
		}
		if (k == 0)
			continue;
		/* A target top folder yet to be made. */
		if (fs_stat(t->fs, t->top, &e, e2, sizeof(e2)) == FS_NOENT &&
		    fs_mkdir(t->fs, t->top, e2, sizeof(e2)) != FS_OK) {
			st->failed += (unsigned)k;
			if (rc == FS_OK) {
				rc = FS_ERR;
				set_err(err, errlen, "%s", e2);
			}
			continue;
		}
		made[side] = k;
		r = xfer_copy_list(s->fs, k, srcs, t->fs, dsts, &xo,
		    &st->xfer, rc == FS_OK ? err : e2, rc == FS_OK ? errlen :
		    sizeof(e2));
		if (r != FS_OK && rc == FS_OK)
			rc = r;
	}
	/* The actions whose copies failed are not known one by one here;
	 * the files are: each failed file counts as one failed action. */
	st->failed += st->xfer.failed;
	st->copied = (unsigned)(made[0] + made[1]);
	st->copied = st->copied > st->xfer.failed ? st->copied -
	    st->xfer.failed : 0;
	free(paths);
	free(srcs);
	free(dsts);
	return rc;
}
