/*
 * check_compare: unit tests for tui/compare.c, each kind of difference,
 * the time rule, and the plans made from a comparison.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/compare.h"

#define T0	1764800000	/* a Thursday in 2025, 22:13:20 UTC */

static struct compare_entry
ent(const char *name, int type, uint64_t size, time_t mtime, unsigned prec)
{
	struct compare_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", name);
	e.type = type;
	e.size = size;
	e.have_size = 1;
	e.mtime = mtime;
	e.prec = prec;
	return e;
}

static struct compare_entry
file(const char *name, uint64_t size, time_t mtime)
{
	return ent(name, LISTING_FILE, size, mtime, 1);
}

static enum compare_kind
pair(struct compare_entry l, struct compare_entry r, unsigned *flags)
{
	unsigned f;

	return compare_pair(&l, &r, NULL, flags != NULL ? flags : &f);
}

/* ------------------------------------------------------------ one pair */

START_TEST(test_same)
{
	unsigned f = 99;

	ck_assert_int_eq(pair(file("a", 10, T0), file("a", 10, T0), &f),
	    COMPARE_SAME);
	ck_assert_uint_eq(f, 0);
}
END_TEST

START_TEST(test_newer)
{
	unsigned f;

	ck_assert_int_eq(pair(file("a", 10, T0 + 5), file("a", 10, T0), &f),
	    COMPARE_NEWER_LEFT);
	ck_assert_uint_eq(f, COMPARE_F_TIME);
	ck_assert_int_eq(pair(file("a", 10, T0), file("a", 10, T0 + 1), &f),
	    COMPARE_NEWER_RIGHT);
	/* newer and larger: newer, with the size flag */
	ck_assert_int_eq(pair(file("a", 10, T0), file("a", 12, T0 + 60), &f),
	    COMPARE_NEWER_RIGHT);
	ck_assert_uint_eq(f, COMPARE_F_TIME | COMPARE_F_SIZE);
}
END_TEST

START_TEST(test_size)
{
	struct compare_entry l = file("a", 10, T0), r = file("a", 11, T0);
	unsigned f;

	ck_assert_int_eq(pair(l, r, &f), COMPARE_SIZE);
	ck_assert_uint_eq(f, COMPARE_F_SIZE);
	/* no time on one side: the sizes tell */
	r.prec = 0;
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SIZE);
	r.size = 10;
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);
	/* a size unknown on one side is not a difference */
	r.size = 99;
	r.have_size = 0;
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);
}
END_TEST

START_TEST(test_content)
{
	struct compare_entry l = file("a", 10, T0), r = file("a", 10, T0);
	unsigned f;

	strcpy(l.hash, "aa11");
	strcpy(r.hash, "AA11");
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);	/* case of hex */
	strcpy(r.hash, "bb22");
	ck_assert_int_eq(pair(l, r, &f), COMPARE_CONTENT);
	ck_assert_uint_eq(f, COMPARE_F_CONTENT);
	/* one side not hashed: nothing to say */
	r.hash[0] = '\0';
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);
}
END_TEST

START_TEST(test_type)
{
	ck_assert_int_eq(pair(file("a", 0, T0), ent("a", LISTING_DIR, 0, T0,
	    1), NULL), COMPARE_TYPE);
	ck_assert_int_eq(pair(ent("a", LISTING_LINK, 0, T0, 1),
	    file("a", 0, T0), NULL), COMPARE_TYPE);
	ck_assert_int_eq(pair(ent("a", LISTING_LINK, 0, T0, 1),
	    ent("a", LISTING_DIR, 0, T0, 1), NULL), COMPARE_TYPE);
	/* a device or fifo counts as a file */
	ck_assert_int_eq(pair(ent("a", LISTING_OTHER, 0, T0, 1),
	    file("a", 0, T0), NULL), COMPARE_SAME);
}
END_TEST

START_TEST(test_folders)
{
	/* two folders are the same whatever their sizes and times */
	ck_assert_int_eq(pair(ent("d", LISTING_DIR, 4096, T0, 1),
	    ent("d", LISTING_DIR, 512, T0 + 999, 1), NULL), COMPARE_SAME);
}
END_TEST

START_TEST(test_links)
{
	struct compare_entry l = ent("k", LISTING_LINK, 5, T0, 1);
	struct compare_entry r = ent("k", LISTING_LINK, 7, T0 + 99, 1);
	unsigned f;

	strcpy(l.link_target, "a.txt");
	strcpy(r.link_target, "a.txt");
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);
	strcpy(r.link_target, "b.txt");
	ck_assert_int_eq(pair(l, r, &f), COMPARE_CONTENT);
	r.link_target[0] = '\0';	/* not told */
	ck_assert_int_eq(pair(l, r, &f), COMPARE_SAME);
}
END_TEST

/* ------------------------------------------------------------ time rule */

START_TEST(test_minute_precision)
{
	/* 22:13:20 exact; the listing says 22:13 */
	time_t exact = T0, listed = T0 - 20;

	ck_assert(compare_same_time(exact, 1, listed, 60, 0));
	ck_assert(compare_same_time(T0 + 39, 1, listed, 60, 0)); /* :59 */
	ck_assert(!compare_same_time(T0 + 40, 1, listed, 60, 0)); /* 22:14 */
	ck_assert(!compare_same_time(listed - 1, 1, listed, 60, 0));
	/* both exact: to the second */
	ck_assert(!compare_same_time(T0, 1, T0 + 1, 1, 0));
	ck_assert_int_eq(pair(file("a", 3, exact),
	    ent("a", LISTING_FILE, 3, listed, 60), NULL), COMPARE_SAME);
	ck_assert_int_eq(pair(file("a", 3, T0 + 100),
	    ent("a", LISTING_FILE, 3, listed, 60), NULL),
	    COMPARE_NEWER_LEFT);
}
END_TEST

START_TEST(test_day_precision)
{
	time_t midnight = T0 - (T0 % 86400);

	ck_assert(compare_same_time(midnight + 3600 * 23, 1, midnight, 86400,
	    0));
	ck_assert(!compare_same_time(midnight + 86400, 1, midnight, 86400,
	    0));
}
END_TEST

START_TEST(test_offset)
{
	struct compare_opts o = { 3600 };	/* the right is UTC+1 */
	struct compare_entry l = file("a", 3, T0);
	struct compare_entry r = ent("a", LISTING_FILE, 3, T0 + 3600 - 20,
	    60);
	unsigned f;

	ck_assert(compare_same_time(T0, 1, T0 + 3600 - 20, 60, 3600));
	ck_assert(!compare_same_time(T0, 1, T0 + 3600 - 20, 60, 0));
	ck_assert_int_eq(compare_pair(&l, &r, &o, &f), COMPARE_SAME);
	ck_assert_int_eq(compare_pair(&l, &r, NULL, &f),
	    COMPARE_NEWER_RIGHT);
	/* with the offset the newer side is judged in UTC too */
	r.mtime = T0 + 3600 + 120;
	ck_assert_int_eq(compare_pair(&l, &r, &o, &f), COMPARE_NEWER_RIGHT);
	r.mtime = T0 + 3600 - 120;
	ck_assert_int_eq(compare_pair(&l, &r, &o, &f), COMPARE_NEWER_LEFT);
}
END_TEST

START_TEST(test_negative_times)
{
	ck_assert(compare_same_time(-30, 1, -59, 60, 0));
	ck_assert(!compare_same_time(-30, 1, 0, 60, 0));
}
END_TEST

/* ------------------------------------------------------------ lists */

START_TEST(test_lists_every_kind)
{
	struct compare_entry l[6], r[6];
	struct compare_item *it = NULL;
	size_t n = 0;

	l[0] = file("same", 1, T0);		r[0] = file("same", 1, T0);
	l[1] = file("left-only", 1, T0);	r[1] = file("right-only", 1, T0);
	l[2] = file("newer", 1, T0 + 9);	r[2] = file("newer", 1, T0);
	l[3] = file("size", 1, T0);		r[3] = file("size", 2, T0);
	l[4] = ent("type", LISTING_DIR, 0, T0, 1); r[4] = file("type", 1, T0);
	l[5] = ent("empty", LISTING_DIR, 0, T0, 1);
	r[5] = file("zz", 0, T0);
	ck_assert_int_eq(compare_lists("sub", l, 6, r, 6, NULL, &it, &n), 0);
	ck_assert_uint_eq(n, 8);
	/* in name order, with the folder's path */
	ck_assert_str_eq(it[0].path, "sub/empty");
	ck_assert_int_eq(it[0].kind, COMPARE_ONLY_LEFT);
	ck_assert_str_eq(it[1].path, "sub/left-only");
	ck_assert_int_eq(it[1].kind, COMPARE_ONLY_LEFT);
	ck_assert(it[1].in_left && !it[1].in_right);
	ck_assert_str_eq(it[2].path, "sub/newer");
	ck_assert_int_eq(it[2].kind, COMPARE_NEWER_LEFT);
	ck_assert_str_eq(it[3].path, "sub/right-only");
	ck_assert_int_eq(it[3].kind, COMPARE_ONLY_RIGHT);
	ck_assert_str_eq(it[4].path, "sub/same");
	ck_assert_int_eq(it[4].kind, COMPARE_SAME);
	ck_assert_str_eq(it[5].path, "sub/size");
	ck_assert_int_eq(it[5].kind, COMPARE_SIZE);
	ck_assert_str_eq(it[6].path, "sub/type");
	ck_assert_int_eq(it[6].kind, COMPARE_TYPE);
	ck_assert_str_eq(it[7].path, "sub/zz");
	ck_assert_int_eq(it[7].kind, COMPARE_ONLY_RIGHT);
	free(it);
}
END_TEST

START_TEST(test_lists_case)
{
	struct compare_entry l[1], r[1];
	struct compare_item *it = NULL;
	size_t n = 0;

	l[0] = file("README", 1, T0);
	r[0] = file("readme", 1, T0);
	ck_assert_int_eq(compare_lists("", l, 1, r, 1, NULL, &it, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(it[0].path, "README");
	ck_assert_int_eq(it[0].kind, COMPARE_ONLY_LEFT);
	ck_assert_str_eq(it[1].path, "readme");
	ck_assert_int_eq(it[1].kind, COMPARE_ONLY_RIGHT);
	free(it);
}
END_TEST

START_TEST(test_lists_empty)
{
	struct compare_entry l[1];
	struct compare_item *it = NULL;
	size_t n = 0;

	/* two empty folders: nothing */
	ck_assert_int_eq(compare_lists("", NULL, 0, NULL, 0, NULL, &it, &n),
	    0);
	ck_assert_uint_eq(n, 0);
	/* an empty folder on one side is an entry of its own */
	l[0] = ent("e", LISTING_DIR, 0, T0, 1);
	ck_assert_int_eq(compare_lists("", l, 1, NULL, 0, NULL, &it, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(it[0].kind, COMPARE_ONLY_LEFT);
	ck_assert_int_eq(it[0].left.type, LISTING_DIR);
	/* appended to what is there */
	ck_assert_int_eq(compare_lists("e", NULL, 0, l, 1, NULL, &it, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(it[1].path, "e/e");
	ck_assert_int_eq(it[1].kind, COMPARE_ONLY_RIGHT);
	free(it);
}
END_TEST

START_TEST(test_entry_from)
{
	struct listing_entry le;
	struct compare_entry e;

	memset(&le, 0, sizeof(le));
	strcpy(le.name, "x");
	le.type = LISTING_FILE;
	le.size = 7;
	le.have_size = 1;
	le.mtime = T0;
	compare_entry_from(&e, &le, 60);
	ck_assert_uint_eq(e.prec, 0);		/* no time told */
	le.have_mtime = 1;
	compare_entry_from(&e, &le, 60);
	ck_assert_uint_eq(e.prec, 60);
	ck_assert_str_eq(e.name, "x");
	ck_assert_str_eq(e.hash, "");
}
END_TEST

/* ------------------------------------------------------------ plans */

/* l: left, r: right; every kind once. */
static size_t
fixture(struct compare_item **it)
{
	struct compare_entry l[5], r[5];
	size_t n = 0;

	l[0] = file("a-same", 1, T0);		r[0] = file("a-same", 1, T0);
	l[1] = file("b-left", 1, T0);		r[1] = file("c-right", 1, T0);
	l[2] = file("d-newer", 1, T0);		r[2] = file("d-newer", 1, T0 + 60);
	l[3] = file("e-size", 1, T0);		r[3] = file("e-size", 2, T0);
	l[4] = ent("f-type", LISTING_DIR, 0, T0, 1); r[4] = file("f-type", 1, T0);
	*it = NULL;
	ck_assert_int_eq(compare_lists("", l, 5, r, 5, NULL, it, &n), 0);
	ck_assert_uint_eq(n, 6);
	return n;
}

START_TEST(test_plan_no_delete)
{
	struct compare_item *it;
	struct plan_action a[6];
	size_t n = fixture(&it), k;

	k = plan_make(it, n, PLAN_LEFT, 0, a);
	/* b-left copy, d-newer copy (the target is newer: copied all the
	 * same), e-size copy, f-type conflict; c-right nothing */
	ck_assert_uint_eq(k, 4);
	ck_assert_str_eq(a[0].item->path, "b-left");
	ck_assert_int_eq(a[0].op, PLAN_COPY);
	ck_assert_int_eq(a[0].from, PLAN_LEFT);
	ck_assert_str_eq(a[1].item->path, "d-newer");
	ck_assert_int_eq(a[1].op, PLAN_COPY);
	ck_assert_str_eq(a[2].item->path, "e-size");
	ck_assert_int_eq(a[2].op, PLAN_COPY);
	ck_assert_str_eq(a[3].item->path, "f-type");
	ck_assert_int_eq(a[3].op, PLAN_CONFLICT);
	ck_assert(a[0].on && a[3].on);
	free(it);
}
END_TEST

START_TEST(test_plan_delete)
{
	struct compare_item *it;
	struct plan_action a[6];
	size_t n = fixture(&it), k;

	k = plan_make(it, n, PLAN_LEFT, PLAN_DELETE_OK, a);
	ck_assert_uint_eq(k, 5);
	ck_assert_str_eq(a[1].item->path, "c-right");
	ck_assert_int_eq(a[1].op, PLAN_DELETE);
	ck_assert_int_eq(a[1].from, PLAN_LEFT);
	ck_assert_str_eq(a[4].item->path, "f-type");
	ck_assert_int_eq(a[4].op, PLAN_REPLACE);
	/* the other way: what is only on the left is deleted there */
	k = plan_make(it, n, PLAN_RIGHT, PLAN_DELETE_OK, a);
	ck_assert_uint_eq(k, 5);
	ck_assert_str_eq(a[0].item->path, "b-left");
	ck_assert_int_eq(a[0].op, PLAN_DELETE);
	ck_assert_int_eq(a[0].from, PLAN_RIGHT);
	ck_assert_str_eq(a[1].item->path, "c-right");
	ck_assert_int_eq(a[1].op, PLAN_COPY);
	free(it);
}
END_TEST

START_TEST(test_plan_both_and_flip)
{
	struct compare_item *it;
	struct plan_action a[6];
	size_t n = fixture(&it), k;

	k = plan_make_both(it, n, a);
	ck_assert_uint_eq(k, 5);
	ck_assert_int_eq(a[0].from, PLAN_LEFT);		/* b-left */
	ck_assert_int_eq(a[0].op, PLAN_COPY);
	ck_assert_int_eq(a[1].from, PLAN_RIGHT);	/* c-right */
	ck_assert_int_eq(a[1].op, PLAN_COPY);
	ck_assert_int_eq(a[2].from, PLAN_RIGHT);	/* d-newer */
	ck_assert_int_eq(a[3].from, PLAN_LEFT);		/* e-size */
	ck_assert_int_eq(a[4].op, PLAN_REPLACE);	/* f-type */
	ck_assert(!a[4].on);				/* asked for */
	/* nothing deleted unless flipped */
	plan_flip(&a[0]);
	ck_assert_int_eq(a[0].op, PLAN_DELETE);
	ck_assert_int_eq(a[0].from, PLAN_RIGHT);
	plan_flip(&a[0]);
	ck_assert_int_eq(a[0].op, PLAN_COPY);
	ck_assert_int_eq(a[0].from, PLAN_LEFT);
	plan_flip(&a[2]);
	ck_assert_int_eq(a[2].op, PLAN_COPY);
	ck_assert_int_eq(a[2].from, PLAN_LEFT);
	plan_flip(&a[4]);
	ck_assert_int_eq(a[4].op, PLAN_REPLACE);
	ck_assert_int_eq(a[4].from, PLAN_RIGHT);
	free(it);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(compare_kind_name(COMPARE_NEWER_RIGHT),
	    "newer-right");
	ck_assert_str_eq(compare_kind_name(COMPARE_NKINDS), "?");
	ck_assert_str_eq(plan_op_name(PLAN_REPLACE), "replace");
}
END_TEST

static Suite *
compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc;

	tc = tcase_create("pair");
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_newer);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_content);
	tcase_add_test(tc, test_type);
	tcase_add_test(tc, test_folders);
	tcase_add_test(tc, test_links);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_add_test(tc, test_minute_precision);
	tcase_add_test(tc, test_day_precision);
	tcase_add_test(tc, test_offset);
	tcase_add_test(tc, test_negative_times);
	suite_add_tcase(s, tc);
	tc = tcase_create("lists");
	tcase_add_test(tc, test_lists_every_kind);
	tcase_add_test(tc, test_lists_case);
	tcase_add_test(tc, test_lists_empty);
	tcase_add_test(tc, test_entry_from);
	suite_add_tcase(s, tc);
	tc = tcase_create("plan");
	tcase_add_test(tc, test_plan_no_delete);
	tcase_add_test(tc, test_plan_delete);
	tcase_add_test(tc, test_plan_both_and_flip);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(compare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
