/*
 * check_pane: unit tests for tui/pane.c, the model of one side of the
 * file manager: order, filter, cursor and scrolling, marks and the
 * selection, replacing the listing, and loading it through a small fake
 * file system (struct fakefs below) that keeps its folders in a table.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/pane.h"

/* One entry to make: name, type, size (-1: unknown), mtime (0: unknown). */
struct spec {
	const char	*name;
	int		 type;
	long long	 size;
	time_t		 mtime;
};

#define F(n)		{ (n), LISTING_FILE, 0, 0 }
#define D(n)		{ (n), LISTING_DIR, 0, 0 }
#define END		{ NULL, 0, 0, 0 }

/* A malloc'd listing of the specs up to END; its length in *n. */
static struct listing_entry *
mk(const struct spec *s, size_t *n)
{
	struct listing_entry *v;
	size_t i, k;

	for (k = 0; s[k].name != NULL; k++)
		;
	v = calloc(k + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < k; i++) {
		ck_assert_uint_lt(strlen(s[i].name), sizeof(v[i].name));
		memcpy(v[i].name, s[i].name, strlen(s[i].name) + 1);
		v[i].type = s[i].type;
		v[i].have_size = s[i].size >= 0;
		v[i].size = s[i].size >= 0 ? (uint64_t)s[i].size : 0;
		v[i].have_mtime = s[i].mtime != 0;
		v[i].mtime = s[i].mtime;
	}
	*n = k;
	return v;
}

static void
set(struct pane *p, const char *path, const struct spec *s)
{
	struct listing_entry *v;
	size_t n;

	v = mk(s, &n);
	ck_assert_int_eq(pane_set_entries(p, path, v, n), 0);
}

/* The visible names joined by ' ', to compare with one string. */
static const char *
names(const struct pane *p, char *buf, size_t len)
{
	size_t i, off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < pane_count(p); i++) {
		w = snprintf(buf + off, len - off, "%s%s", i ? " " : "",
		    pane_entry(p, i)->name);
		ck_assert(w >= 0 && (size_t)w < len - off);
		off += (size_t)w;
	}
	return buf;
}

#define ck_names(p, want) do {						\
	char nb_[1024];							\
	ck_assert_str_eq(names((p), nb_, sizeof(nb_)), (want));		\
} while (0)

static const char *
cur_name(const struct pane *p)
{
	const struct listing_entry *e = pane_current(p);

	return e != NULL ? e->name : "(none)";
}

/* count files "f00", "f01" ... in /many. */
static void
set_many(struct pane *p, size_t count)
{
	struct listing_entry *v;
	size_t i;

	v = calloc(count + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < count; i++) {
		snprintf(v[i].name, sizeof(v[i].name), "f%02zu", i);
		v[i].type = LISTING_FILE;
	}
	ck_assert_int_eq(pane_set_entries(p, "/many", v, count), 0);
}

/* ------------------------------------------------------------ fake fs */

struct folder {
	const char		*path;
	const struct spec	*ents;
	int			 unlistable;	/* list() fails here */
};

static const struct spec root_ents[] = {
	{ ".", LISTING_CDIR, 0, 0 }, { "..", LISTING_PDIR, 0, 0 },
	F("a.txt"), D("docs"), D("locked"), END
};
static const struct spec docs_ents[] = { D("b"), F("notes.txt"), END };
static const struct spec b_ents[] = { F("x.bin"), END };

static const struct folder tree[] = {
	{ "/", root_ents, 0 },
	{ "/docs", docs_ents, 0 },
	{ "/docs/b", b_ents, 0 },
	{ "/locked", b_ents, 1 },
};

struct fakefs {
	struct fs	 fs;		/* first: a struct fs * is a fakefs * */
	char		 cwd[FS_PATH_MAX];
	int		 chdirs;	/* calls, to see the way back */
};

static const struct folder *
lookup(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		if (strcmp(tree[i].path, path) == 0)
			return &tree[i];
	return NULL;
}

static int
fake_list(struct fs *fs, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct fakefs *f = (struct fakefs *)fs;
	const struct folder *d;

	ck_assert(path == NULL || path[0] == '\0');
	d = lookup(f->cwd);
	ck_assert_ptr_nonnull(d);
	if (d->unlistable) {
		snprintf(err, errlen, "550 Permission denied");
		return FS_ERR;
	}
	*out = mk(d->ents, n);
	return FS_OK;
}

static int
fake_chdir(struct fs *fs, const char *path, char *err, size_t errlen)
{
	struct fakefs *f = (struct fakefs *)fs;
	char next[FS_PATH_MAX];
	char *slash;
	int w;

	f->chdirs++;
	if (strcmp(path, "..") == 0) {
		w = snprintf(next, sizeof(next), "%s", f->cwd);
		slash = strrchr(next, '/');
		ck_assert_ptr_nonnull(slash);
		slash[slash == next] = '\0';
	} else if (path[0] == '/')
		w = snprintf(next, sizeof(next), "%s", path);
	else
		w = snprintf(next, sizeof(next), "%s%s%s", f->cwd,
		    strcmp(f->cwd, "/") == 0 ? "" : "/", path);
	if (w < 0 || (size_t)w >= sizeof(next) || lookup(next) == NULL) {
		snprintf(err, errlen, "550 No such file or directory");
		return FS_NOENT;
	}
	memcpy(f->cwd, next, sizeof(next));
	return FS_OK;
}

static const char *
fake_cwd(struct fs *fs)
{
	return ((struct fakefs *)fs)->cwd;
}

static const struct fs_ops fake_ops = {
	.list = fake_list,
	.chdir = fake_chdir,
	.cwd = fake_cwd,
};

static void
fake_init(struct fakefs *f, const char *cwd)
{
	memset(f, 0, sizeof(*f));
	f->fs.ops = &fake_ops;
	f->fs.kind = "fake";
	snprintf(f->cwd, sizeof(f->cwd), "%s", cwd);
}

/* ---------------------------------------------------------------- order */

START_TEST(test_sort_name)
{
	static const struct spec s[] = {
		F("b.txt"), F("a"), { "link", LISTING_LINK, 0, 0 }, D("zdir"),
		F("A"), D("Cdir"), F("B"), { "fifo", LISTING_OTHER, 0, 0 },
		D("adir"), END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	ck_assert_int_eq(pane_sort_key(&p), PANE_SORT_NAME);
	ck_names(&p, ".. adir Cdir zdir A a B b.txt fifo link");
	pane_free(&p);
}
END_TEST

START_TEST(test_sort_size)
{
	static const struct spec s[] = {
		{ "small", LISTING_FILE, 10, 0 },
		{ "big", LISTING_FILE, 9000, 0 },
		{ "unknown", LISTING_FILE, -1, 0 },
		{ "Big2", LISTING_FILE, 9000, 0 },
		{ "d1", LISTING_DIR, 4096, 0 },
		{ "d2", LISTING_DIR, 8192, 0 },
		END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	pane_set_sort(&p, PANE_SORT_SIZE);
	ck_assert_int_eq(pane_sort_key(&p), PANE_SORT_SIZE);
	ck_names(&p, ".. d2 d1 big Big2 small unknown");
	pane_free(&p);
}
END_TEST

START_TEST(test_sort_time)
{
	static const struct spec s[] = {
		{ "old", LISTING_FILE, 0, 1000 },
		{ "new", LISTING_FILE, 0, 3000 },
		{ "never", LISTING_FILE, 0, 0 },
		{ "New2", LISTING_FILE, 0, 3000 },
		{ "dold", LISTING_DIR, 0, 10 },
		{ "dnew", LISTING_DIR, 0, 5000 },
		END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	pane_set_sort(&p, PANE_SORT_TIME);
	ck_names(&p, ".. dnew dold new New2 old never");
	pane_free(&p);
}
END_TEST

START_TEST(test_sort_cycle)
{
	static const struct spec s[] = {
		{ "a", LISTING_FILE, 1, 30 },
		{ "b", LISTING_FILE, 3, 10 },
		{ "c", LISTING_FILE, 2, 20 },
		END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/", s);
	ck_assert_int_eq(pane_set_cursor_name(&p, "c"), 0);
	ck_assert_uint_eq(pane_cursor(&p), 2);
	ck_assert_int_eq(pane_sort_cycle(&p), PANE_SORT_SIZE);
	ck_names(&p, "b c a");
	ck_assert_str_eq(cur_name(&p), "c");
	ck_assert_uint_eq(pane_cursor(&p), 1);
	ck_assert_int_eq(pane_sort_cycle(&p), PANE_SORT_TIME);
	ck_names(&p, "a c b");
	ck_assert_str_eq(cur_name(&p), "c");
	ck_assert_int_eq(pane_sort_cycle(&p), PANE_SORT_NAME);
	ck_names(&p, "a b c");
	ck_assert_str_eq(pane_sort_name(PANE_SORT_NAME), "name");
	ck_assert_str_eq(pane_sort_name(PANE_SORT_SIZE), "size");
	ck_assert_str_eq(pane_sort_name(PANE_SORT_TIME), "time");
	pane_free(&p);
}
END_TEST

START_TEST(test_up_off_root)
{
	static const struct spec s[] = {
		{ ".", LISTING_DIR, 0, 0 }, { "..", LISTING_DIR, 0, 0 },
		{ "self", LISTING_CDIR, 0, 0 }, { "parent", LISTING_PDIR, 0, 0 },
		F("f"), END
	};
	struct pane p;

	pane_init(&p);
	ck_assert_uint_eq(pane_count(&p), 0);
	ck_assert_ptr_null(pane_entry(&p, 0));
	set(&p, "/", s);
	ck_names(&p, "f");
	set(&p, "/a", s);
	ck_names(&p, ".. f");
	ck_assert_int_eq(pane_entry(&p, 0)->type, LISTING_DIR);
	ck_assert_ptr_null(pane_entry(&p, 2));
	set(&p, "/", (const struct spec[]){ END });
	ck_assert_uint_eq(pane_count(&p), 0);
	ck_assert_ptr_null(pane_current(&p));
	ck_assert_int_eq(pane_set_entries(&p, "/b", NULL, 0), 0);
	ck_names(&p, "..");
	pane_free(&p);
}
END_TEST

/* --------------------------------------------------------------- filter */

START_TEST(test_filter)
{
	static const struct spec s[] = {
		F("a.txt"), F("B.TXT"), F("c.bin"), D("txtdir"), END
	};
	char longf[LISTING_NAME_MAX + 1];
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	ck_assert_int_eq(pane_set_filter(&p, "tXt"), 0);
	ck_assert_str_eq(pane_filter(&p), "tXt");
	ck_names(&p, ".. txtdir a.txt B.TXT");
	ck_assert_int_eq(pane_set_filter(&p, "nothing"), 0);
	ck_names(&p, "..");
	ck_assert_int_eq(pane_set_filter(&p, ""), 0);
	ck_names(&p, ".. txtdir a.txt B.TXT c.bin");
	ck_assert_int_eq(pane_set_filter(&p, "bin"), 0);
	ck_names(&p, ".. c.bin");
	ck_assert_int_eq(pane_set_filter(&p, NULL), 0);
	ck_assert_str_eq(pane_filter(&p), "");
	ck_assert_uint_eq(pane_count(&p), 5);

	/* too long: refused, nothing changed */
	ck_assert_int_eq(pane_set_filter(&p, "a"), 0);
	memset(longf, 'a', sizeof(longf) - 1);
	longf[sizeof(longf) - 1] = '\0';
	ck_assert_int_eq(pane_set_filter(&p, longf), -1);
	ck_assert_str_eq(pane_filter(&p), "a");
	ck_names(&p, ".. a.txt");
	pane_free(&p);
}
END_TEST

START_TEST(test_filter_drops_marks)
{
	static const struct spec s[] = {
		F("a.txt"), F("b.txt"), F("c.bin"), END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	pane_mark_all(&p);
	ck_assert_uint_eq(pane_marked_count(&p), 3);
	ck_assert_int_eq(pane_set_cursor_name(&p, "c.bin"), 0);
	ck_assert_int_eq(pane_set_filter(&p, "TXT"), 0);
	ck_assert_uint_eq(pane_marked_count(&p), 2);
	/* the cursor's entry is hidden: same index, clamped */
	ck_assert_uint_eq(pane_cursor(&p), 2);
	ck_assert_int_eq(pane_set_filter(&p, ""), 0);
	ck_assert_uint_eq(pane_marked_count(&p), 2);
	ck_assert_int_eq(pane_is_marked(&p, (size_t)pane_find(&p, "c.bin")),
	    0);
	ck_assert_int_eq(pane_is_marked(&p, (size_t)pane_find(&p, "a.txt")),
	    1);
	/* a visible cursor entry keeps the cursor */
	ck_assert_int_eq(pane_set_cursor_name(&p, "b.txt"), 0);
	ck_assert_int_eq(pane_set_filter(&p, "b"), 0);
	ck_assert_str_eq(cur_name(&p), "b.txt");
	pane_free(&p);
}
END_TEST

/* --------------------------------------------------------------- cursor */

START_TEST(test_cursor_clamp)
{
	struct pane p;

	pane_init(&p);
	pane_move(&p, 3);
	pane_end(&p);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	set_many(&p, 20);		/* "..", f00 .. f19: 21 rows */
	ck_assert_uint_eq(pane_cursor(&p), 0);
	ck_assert_str_eq(cur_name(&p), "..");
	pane_move(&p, -5);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	pane_move(&p, 4);
	ck_assert_str_eq(cur_name(&p), "f03");
	pane_move(&p, -1);
	ck_assert_uint_eq(pane_cursor(&p), 3);
	pane_move(&p, 100);
	ck_assert_uint_eq(pane_cursor(&p), 20);
	pane_move(&p, LONG_MAX);
	ck_assert_uint_eq(pane_cursor(&p), 20);
	pane_move(&p, LONG_MIN);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	pane_end(&p);
	ck_assert_str_eq(cur_name(&p), "f19");
	pane_home(&p);
	ck_assert_str_eq(cur_name(&p), "..");
	ck_assert_int_eq(pane_set_cursor_name(&p, "f07"), 0);
	ck_assert_uint_eq(pane_cursor(&p), 8);
	ck_assert_int_eq(pane_find(&p, "f07"), 8);
	ck_assert_int_eq(pane_find(&p, "nope"), -1);
	ck_assert_int_eq(pane_set_cursor_name(&p, "nope"), -1);
	ck_assert_uint_eq(pane_cursor(&p), 8);
	pane_free(&p);
}
END_TEST

START_TEST(test_page)
{
	struct pane p;

	pane_init(&p);
	set_many(&p, 20);		/* 21 rows */
	ck_assert_uint_eq(pane_scroll(&p, 5), 0);
	pane_page(&p, 1, 5);
	ck_assert_uint_eq(pane_cursor(&p), 5);
	ck_assert_uint_eq(pane_scroll(&p, 5), 5);
	pane_page(&p, 1, 5);
	pane_page(&p, 1, 5);
	pane_page(&p, 1, 5);
	ck_assert_uint_eq(pane_cursor(&p), 20);
	ck_assert_uint_eq(pane_scroll(&p, 5), 16);
	pane_page(&p, 1, 5);
	ck_assert_uint_eq(pane_cursor(&p), 20);
	ck_assert_uint_eq(pane_scroll(&p, 5), 16);
	pane_page(&p, -1, 5);
	ck_assert_uint_eq(pane_cursor(&p), 15);
	ck_assert_uint_eq(pane_scroll(&p, 5), 11);
	pane_page(&p, -1, 5);
	pane_page(&p, -1, 5);
	pane_page(&p, -1, 5);
	pane_page(&p, -1, 5);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	ck_assert_uint_eq(pane_scroll(&p, 5), 0);
	pane_page(&p, 1, 0);		/* 0 rows is one */
	ck_assert_uint_eq(pane_cursor(&p), 1);
	pane_page(&p, 0, 5);
	ck_assert_uint_eq(pane_cursor(&p), 1);
	pane_free(&p);
}
END_TEST

START_TEST(test_scroll)
{
	size_t i;
	struct pane p;

	pane_init(&p);
	ck_assert_uint_eq(pane_scroll(&p, 5), 0);
	set_many(&p, 20);		/* 21 rows */
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(pane_scroll(&p, 5), 0);
		pane_move(&p, 1);
	}
	/* cursor on row 5: one line down */
	ck_assert_uint_eq(pane_scroll(&p, 5), 1);
	/* back up inside the window: top stays */
	pane_move(&p, -2);
	ck_assert_uint_eq(pane_scroll(&p, 5), 1);
	ck_assert_uint_eq(p.top, 1);
	pane_move(&p, -3);
	ck_assert_uint_eq(pane_scroll(&p, 5), 0);
	pane_end(&p);
	ck_assert_uint_eq(pane_scroll(&p, 5), 16);
	pane_move(&p, -4);
	ck_assert_uint_eq(pane_scroll(&p, 5), 16);
	/* a taller window shows the rows above too */
	ck_assert_uint_eq(pane_scroll(&p, 10), 11);
	ck_assert_uint_eq(pane_scroll(&p, 30), 0);
	ck_assert_uint_eq(pane_scroll(&p, 0), 16);
	/* a shorter listing of the same folder: no empty rows left */
	pane_end(&p);
	ck_assert_uint_eq(pane_scroll(&p, 5), 16);
	set(&p, "/many", (const struct spec[]){ F("f00"), F("f01"),
	    F("f02"), F("f03"), F("f04"), F("f05"), END });
	ck_assert_uint_eq(pane_cursor(&p), 6);
	ck_assert_uint_eq(pane_scroll(&p, 5), 2);
	pane_free(&p);
}
END_TEST

/* ---------------------------------------------------------------- marks */

START_TEST(test_toggle_mark)
{
	static const struct spec s[] = { F("a"), F("b"), END };
	struct pane p;

	pane_init(&p);
	ck_assert_int_eq(pane_toggle_mark(&p), -1);
	set(&p, "/x", s);
	ck_assert_str_eq(cur_name(&p), "..");
	ck_assert_int_eq(pane_toggle_mark(&p), -1);	/* never ".." */
	ck_assert_int_eq(pane_is_marked(&p, 0), 0);
	ck_assert_str_eq(cur_name(&p), "a");
	ck_assert_int_eq(pane_toggle_mark(&p), 1);
	ck_assert_str_eq(cur_name(&p), "b");
	ck_assert_int_eq(pane_is_marked(&p, 1), 1);
	ck_assert_int_eq(pane_toggle_mark(&p), 1);
	ck_assert_str_eq(cur_name(&p), "b");		/* at the end */
	ck_assert_uint_eq(pane_marked_count(&p), 2);
	ck_assert_int_eq(pane_toggle_mark(&p), 0);
	ck_assert_int_eq(pane_is_marked(&p, 2), 0);
	ck_assert_int_eq(pane_is_marked(&p, 99), 0);
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	pane_free(&p);
}
END_TEST

START_TEST(test_mark_all)
{
	static const struct spec s[] = { F("a"), D("d"), F("b"), END };
	struct pane p;

	pane_init(&p);
	pane_mark_all(&p);
	pane_unmark_all(&p);
	set(&p, "/x", s);
	pane_mark_all(&p);
	ck_assert_uint_eq(pane_marked_count(&p), 3);
	ck_assert_int_eq(pane_is_marked(&p, 0), 0);
	pane_unmark_all(&p);
	ck_assert_uint_eq(pane_marked_count(&p), 0);
	pane_free(&p);
}
END_TEST

/* A compare marks entries by name, names with pattern bytes too. */
START_TEST(test_mark_name)
{
	static const struct spec s[] = { F("a*"), F("ab"), D("d"), END };
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	ck_assert_int_eq(pane_set_mark_name(&p, "a*", 1), 0);
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	ck_assert_int_eq(pane_is_marked(&p, (size_t)pane_find(&p, "ab")), 0);
	ck_assert_int_eq(pane_set_mark_name(&p, "d", 1), 0);
	ck_assert_int_eq(pane_set_mark_name(&p, "..", 1), -1);
	ck_assert_int_eq(pane_set_mark_name(&p, "nope", 1), -1);
	ck_assert_int_eq(pane_set_mark_name(&p, "a*", 0), 0);
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	pane_free(&p);
}
END_TEST

/* mc's '+', '-' and '*', and the marked entries' total size. */
START_TEST(test_mark_matching)
{
	static const struct spec s[] = {
		{ "a.txt", LISTING_FILE, 100, 0 }, { "b.txt", LISTING_FILE, 20, 0 },
		{ "c.bin", LISTING_FILE, 3, 0 }, { "docs.txt", LISTING_DIR, 4096, 0 },
		{ ".hidden.txt", LISTING_FILE, 1, 0 }, END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	ck_assert_uint_eq(pane_mark_matching(&p, "*.txt", 1), 3);
	ck_assert_uint_eq(pane_marked_count(&p), 3);	/* not .hidden.txt */
	ck_assert_uint_eq(pane_marked_bytes(&p), 120);	/* the folder: 0 */
	ck_assert_uint_eq(pane_mark_matching(&p, "*.txt", 1), 0);
	ck_assert_uint_eq(pane_mark_matching(&p, "b*", 0), 1);
	ck_assert_uint_eq(pane_marked_bytes(&p), 100);
	ck_assert_uint_eq(pane_mark_matching(&p, "[ab].txt", 1), 1);
	ck_assert_uint_eq(pane_mark_matching(&p, "..", 1), 0);
	pane_invert_marks(&p);		/* now c.bin and .hidden.txt */
	ck_assert_uint_eq(pane_marked_count(&p), 2);
	ck_assert_uint_eq(pane_marked_bytes(&p), 4);
	ck_assert_int_eq(pane_is_marked(&p, 0), 0);	/* ".." never */
	pane_free(&p);
}
END_TEST

START_TEST(test_selection_marks)
{
	static const struct spec s[] = {
		F("c"), D("dir"), F("a"), F("b"), END
	};
	const struct listing_entry **sel;
	struct pane p;
	size_t n;

	pane_init(&p);
	set(&p, "/x", s);			/* .. dir a b c */
	ck_assert_int_eq(pane_set_cursor_name(&p, "c"), 0);
	pane_toggle_mark(&p);
	ck_assert_int_eq(pane_set_cursor_name(&p, "dir"), 0);
	pane_toggle_mark(&p);
	ck_assert_int_eq(pane_set_cursor_name(&p, "a"), 0);
	pane_toggle_mark(&p);
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(sel[0]->name, "dir");
	ck_assert_str_eq(sel[1]->name, "a");
	ck_assert_str_eq(sel[2]->name, "c");
	free(sel);
	/* display order follows the sort */
	pane_set_sort(&p, PANE_SORT_SIZE);
	pane_set_sort(&p, PANE_SORT_NAME);
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(sel[0]->name, "dir");
	free(sel);
	pane_free(&p);
}
END_TEST

START_TEST(test_selection_cursor)
{
	static const struct spec s[] = { F("a"), F("b"), END };
	const struct listing_entry **sel;
	struct pane p;
	size_t n;

	pane_init(&p);
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_ptr_null(sel);
	ck_assert_uint_eq(n, 0);
	set(&p, "/x", s);
	/* on "..", nothing */
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_ptr_null(sel);
	ck_assert_uint_eq(n, 0);
	pane_move(&p, 2);
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(sel[0]->name, "b");
	free(sel);
	/* at the root there is no "..": the first entry is taken */
	set(&p, "/", s);
	ck_assert_int_eq(pane_selection(&p, &sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(sel[0]->name, "a");
	free(sel);
	pane_free(&p);
}
END_TEST

/* -------------------------------------------------------- set_entries */

START_TEST(test_refresh_keeps)
{
	static const struct spec s1[] = {
		F("a"), F("b"), F("c"), F("d"), END
	};
	static const struct spec s2[] = {
		F("new"), F("d"), F("b"), F("a"), END
	};
	static const struct spec s3[] = { F("a"), F("b"), END };
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s1);			/* .. a b c d */
	ck_assert_int_eq(pane_set_cursor_name(&p, "b"), 0);
	pane_toggle_mark(&p);			/* b, cursor to c */
	pane_toggle_mark(&p);			/* c, cursor to d */
	ck_assert_int_eq(pane_set_filter(&p, ""), 0);
	set(&p, "/x", s2);			/* .. a b d new */
	ck_assert_str_eq(cur_name(&p), "d");
	ck_assert_uint_eq(pane_cursor(&p), 3);
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	ck_assert_int_eq(pane_is_marked(&p, 2), 1);	/* b */
	/* the cursor's name is gone: same index, clamped */
	pane_end(&p);
	ck_assert_str_eq(cur_name(&p), "new");
	set(&p, "/x", s3);			/* .. a b */
	ck_assert_uint_eq(pane_cursor(&p), 2);
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	/* the filter stays over a refresh; so does the path it came with */
	ck_assert_int_eq(pane_set_filter(&p, "b"), 0);
	set(&p, pane_path(&p), s1);
	ck_assert_str_eq(pane_path(&p), "/x");
	ck_assert_str_eq(pane_filter(&p), "b");
	ck_names(&p, ".. b");
	ck_assert_str_eq(cur_name(&p), "b");
	ck_assert_int_eq(pane_is_marked(&p, 1), 1);
	pane_free(&p);
}
END_TEST

START_TEST(test_new_path_clears)
{
	static const struct spec s[] = { F("a"), F("b"), F("c"), END };
	struct pane p;

	pane_init(&p);
	set(&p, "/x", s);
	pane_mark_all(&p);
	ck_assert_int_eq(pane_set_filter(&p, "b"), 0);
	ck_assert_int_eq(pane_set_cursor_name(&p, "b"), 0);
	set(&p, "/y", s);
	ck_assert_str_eq(pane_path(&p), "/y");
	ck_assert_str_eq(pane_filter(&p), "");
	ck_assert_uint_eq(pane_count(&p), 4);
	ck_assert_uint_eq(pane_marked_count(&p), 0);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	ck_assert_uint_eq(pane_scroll(&p, 2), 0);
	/* going down is no going up: top */
	pane_end(&p);
	set(&p, "/y/c", s);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	pane_free(&p);
}
END_TEST

START_TEST(test_going_up)
{
	static const struct spec s[] = {
		D("a"), D("b"), D("bb"), F("c"), END
	};
	struct pane p;

	pane_init(&p);
	set(&p, "/a/b", s);
	set(&p, "/a", s);
	ck_assert_str_eq(cur_name(&p), "b");
	set(&p, "/a/bb/c/d", s);
	set(&p, "/", s);
	ck_assert_str_eq(cur_name(&p), "a");
	set(&p, "/a/bb/c", s);
	set(&p, "/a/", s);
	ck_assert_str_eq(cur_name(&p), "bb");
	/* "/ab" is no child of "/a" */
	set(&p, "/ab", s);
	set(&p, "/a", s);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	/* the folder we came from is gone (or hidden): top */
	set(&p, "/x/zz", s);
	set(&p, "/x", s);
	ck_assert_uint_eq(pane_cursor(&p), 0);
	pane_free(&p);
}
END_TEST

START_TEST(test_set_entries_fail)
{
	static const struct spec s[] = { F("a"), F("b"), END };
	char path[FS_PATH_MAX + 1];
	struct listing_entry *v;
	struct pane p;
	size_t n;

	pane_init(&p);
	set(&p, "/x", s);
	pane_move(&p, 1);
	pane_toggle_mark(&p);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	v = mk(s, &n);
	ck_assert_int_eq(pane_set_entries(&p, path, v, n), -1);
	ck_assert_str_eq(pane_path(&p), "/x");
	ck_names(&p, ".. a b");
	ck_assert_str_eq(cur_name(&p), "b");
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	pane_free(&p);
	ck_assert_uint_eq(pane_count(&p), 0);
	ck_assert_str_eq(pane_path(&p), "");
	pane_free(&p);
}
END_TEST

/* -------------------------------------------------------------- fs */

START_TEST(test_load)
{
	struct fakefs f;
	struct pane p;
	char err[128];

	fake_init(&f, "/");
	pane_init(&p);
	ck_assert_int_eq(pane_load(&p, &f.fs, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(pane_path(&p), "/");
	ck_names(&p, "docs locked a.txt");
	fake_init(&f, "/docs");
	ck_assert_int_eq(pane_load(&p, &f.fs, err, sizeof(err)), FS_OK);
	ck_assert_str_eq(pane_path(&p), "/docs");
	ck_names(&p, ".. b notes.txt");
	pane_free(&p);
}
END_TEST

START_TEST(test_chdir)
{
	struct fakefs f;
	struct pane p;
	char err[128];

	fake_init(&f, "/");
	pane_init(&p);
	ck_assert_int_eq(pane_load(&p, &f.fs, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "docs", err, sizeof(err)),
	    FS_OK);
	ck_assert_str_eq(pane_path(&p), "/docs");
	ck_names(&p, ".. b notes.txt");
	ck_assert_str_eq(cur_name(&p), "..");
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "b", err, sizeof(err)),
	    FS_OK);
	ck_assert_str_eq(pane_path(&p), "/docs/b");
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "..", err, sizeof(err)),
	    FS_OK);
	ck_assert_str_eq(pane_path(&p), "/docs");
	ck_assert_str_eq(cur_name(&p), "b");
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "..", err, sizeof(err)),
	    FS_OK);
	ck_assert_str_eq(pane_path(&p), "/");
	ck_assert_str_eq(cur_name(&p), "docs");
	pane_free(&p);
}
END_TEST

START_TEST(test_chdir_fails)
{
	struct fakefs f;
	struct pane p;
	char err[128];

	fake_init(&f, "/");
	pane_init(&p);
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "docs", err, sizeof(err)),
	    FS_OK);
	pane_end(&p);
	pane_toggle_mark(&p);
	ck_assert_int_eq(pane_set_filter(&p, "t"), 0);
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "nope", err, sizeof(err)),
	    FS_NOENT);
	ck_assert_str_eq(err, "550 No such file or directory");
	ck_assert_str_eq(pane_path(&p), "/docs");
	ck_assert_str_eq(f.cwd, "/docs");
	ck_assert_str_eq(pane_filter(&p), "t");
	ck_names(&p, ".. notes.txt");
	ck_assert_str_eq(cur_name(&p), "notes.txt");
	ck_assert_uint_eq(pane_marked_count(&p), 1);
	pane_free(&p);
}
END_TEST

START_TEST(test_chdir_list_fails)
{
	struct fakefs f;
	struct pane p;
	char err[128];

	fake_init(&f, "/");
	pane_init(&p);
	ck_assert_int_eq(pane_load(&p, &f.fs, err, sizeof(err)), FS_OK);
	ck_assert_int_eq(pane_set_cursor_name(&p, "a.txt"), 0);
	f.chdirs = 0;
	ck_assert_int_eq(pane_chdir(&p, &f.fs, "locked", err, sizeof(err)),
	    FS_ERR);
	ck_assert_str_eq(err, "550 Permission denied");
	/* the fs went back to the pane's folder */
	ck_assert_int_eq(f.chdirs, 2);
	ck_assert_str_eq(f.cwd, "/");
	ck_assert_str_eq(pane_path(&p), "/");
	ck_names(&p, "docs locked a.txt");
	ck_assert_str_eq(cur_name(&p), "a.txt");
	pane_free(&p);
}
END_TEST

static Suite *
pane_suite(void)
{
	Suite *s = suite_create("pane");
	const struct {
		const char	*name;
		const TTest	*test;
	} cases[] = {
		{ "sort_name", test_sort_name },
		{ "sort_size", test_sort_size },
		{ "sort_time", test_sort_time },
		{ "sort_cycle", test_sort_cycle },
		{ "up_off_root", test_up_off_root },
		{ "filter", test_filter },
		{ "filter_drops_marks", test_filter_drops_marks },
		{ "cursor_clamp", test_cursor_clamp },
		{ "page", test_page },
		{ "scroll", test_scroll },
		{ "toggle_mark", test_toggle_mark },
		{ "mark_all", test_mark_all },
		{ "mark_matching", test_mark_matching },
		{ "mark_name", test_mark_name },
		{ "selection_marks", test_selection_marks },
		{ "selection_cursor", test_selection_cursor },
		{ "refresh_keeps", test_refresh_keeps },
		{ "new_path_clears", test_new_path_clears },
		{ "going_up", test_going_up },
		{ "set_entries_fail", test_set_entries_fail },
		{ "load", test_load },
		{ "chdir", test_chdir },
		{ "chdir_fails", test_chdir_fails },
		{ "chdir_list_fails", test_chdir_list_fails },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pane_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
