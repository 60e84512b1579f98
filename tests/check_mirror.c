/*
 * check_mirror: unit tests for tui/mirror.c over two local trees (the
 * walk does not care which side is which): recursion and its depth
 * bound, a folder on one side only as one item, a missing target, links
 * followed to files, checksums finding a same-size same-time
 * difference, and a plan run leaving the trees the same, deleting only
 * what it listed. Each test works in a fresh mkdtemp() sandbox.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <check.h>

#include "tui/fs.h"
#include "tui/mirror.h"

#define T0	1764800000

static char root[64], lp[128], rp[128];
static struct fs *lfs, *rfs;

static void
put(const char *dir, const char *rel, const char *data, time_t t)
{
	char p[512];
	struct timeval tv[2];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(data, f);
	fclose(f);
	tv[0].tv_sec = tv[1].tv_sec = t;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	ck_assert_int_eq(utimes(p, tv), 0);
}

static void
dir(const char *base, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void
setup(void)
{
	char err[256];

	snprintf(root, sizeof(root), "/tmp/check-mirror-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(lp, sizeof(lp), "%s/l", root);
	snprintf(rp, sizeof(rp), "%s/r", root);
	ck_assert_int_eq(mkdir(lp, 0755), 0);
	ck_assert_int_eq(mkdir(rp, 0755), 0);
	ck_assert_ptr_nonnull(lfs = fs_local_new(root, err, sizeof(err)));
	ck_assert_ptr_nonnull(rfs = fs_local_new(root, err, sizeof(err)));
}

static void
teardown(void)
{
	char cmd[128];

	fs_free(lfs);
	fs_free(rfs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* The item of path, or NULL. */
static const struct compare_item *
find(const struct compare_item *it, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(it[i].path, path) == 0)
			return &it[i];
	return NULL;
}

static size_t
compare(const struct mirror_opts *o, struct compare_item **it)
{
	char err[256];
	size_t n;

	ck_assert_int_eq(mirror_compare(lfs, lp, rfs, rp, o, it, &n, err,
	    sizeof(err)), FS_OK);
	return n;
}

START_TEST(test_recursive_and_depth)
{
	struct mirror_opts o = { 1, 0, 0, 0 };
	struct compare_item *it;
	const struct compare_item *x;
	size_t n;

	dir(lp, "a");
	dir(rp, "a");
	dir(lp, "a/b");
	dir(rp, "a/b");
	put(lp, "a/b/deep.txt", "left", T0);
	put(rp, "a/b/deep.txt", "right!", T0);
	dir(lp, "only");
	put(lp, "only/x.txt", "x", T0);
	dir(lp, "empty");
	n = compare(&o, &it);
	/* a, a/b, a/b/deep.txt, empty, only: "only" is one item */
	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_nonnull(x = find(it, n, "a/b/deep.txt"));
	ck_assert_int_eq(x->kind, COMPARE_SIZE);
	ck_assert_ptr_nonnull(x = find(it, n, "only"));
	ck_assert_int_eq(x->kind, COMPARE_ONLY_LEFT);
	ck_assert_ptr_null(find(it, n, "only/x.txt"));
	ck_assert_ptr_nonnull(x = find(it, n, "empty"));
	ck_assert_int_eq(x->kind, COMPARE_ONLY_LEFT);
	/* sorted by path */
	ck_assert_str_eq(it[0].path, "a");
	free(it);
	/* one level down at most: a/b is compared, not what it holds */
	o.depth = 1;
	n = compare(&o, &it);
	ck_assert_ptr_nonnull(find(it, n, "a/b"));
	ck_assert_ptr_null(find(it, n, "a/b/deep.txt"));
	free(it);
	/* not recursive: the top alone */
	o.recursive = 0;
	n = compare(&o, &it);
	ck_assert_uint_eq(n, 3);
	free(it);
}
END_TEST

START_TEST(test_missing_target_and_source)
{
	struct mirror_opts o = { 1, 0, 0, 0 };
	struct compare_item *it;
	char err[256];
	size_t n;

	put(lp, "f.txt", "f", T0);
	snprintf(rp, sizeof(rp), "%s/not-yet", root);
	n = compare(&o, &it);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(it[0].kind, COMPARE_ONLY_LEFT);
	free(it);
	/* a missing source is an error, never an empty tree */
	ck_assert_int_ne(mirror_compare(rfs, rp, lfs, lp, &o, &it, &n, err,
	    sizeof(err)), FS_OK);
	ck_assert_ptr_null(it);
	/* so is a file where a folder should be, on either side */
	snprintf(rp, sizeof(rp), "%s/l/f.txt", root);
	ck_assert_int_eq(mirror_compare(lfs, lp, rfs, rp, &o, &it, &n, err,
	    sizeof(err)), FS_ERR);
	ck_assert_ptr_nonnull(strstr(err, "not a folder"));
	ck_assert_int_eq(mirror_compare(rfs, rp, lfs, lp, &o, &it, &n, err,
	    sizeof(err)), FS_ERR);
}
END_TEST

START_TEST(test_links_followed)
{
	struct mirror_opts o = { 1, 0, 0, 0 };
	struct compare_item *it;
	char p[256];
	size_t n;

	put(lp, "target.txt", "abc", T0);
	put(rp, "target.txt", "abc", T0);
	snprintf(p, sizeof(p), "%s/link.txt", lp);
	ck_assert_int_eq(symlink("target.txt", p), 0);
	put(rp, "link.txt", "abc", T0);
	snprintf(p, sizeof(p), "%s/dirlink", lp);
	ck_assert_int_eq(symlink(".", p), 0);
	n = compare(&o, &it);
	ck_assert_uint_eq(n, 3);
	/* the link to a file is the file a copy would make */
	ck_assert_int_eq(find(it, n, "link.txt")->kind, COMPARE_SAME);
	/* a link to a folder stays a link */
	ck_assert_int_eq(find(it, n, "dirlink")->left.type, LISTING_LINK);
	free(it);
}
END_TEST

START_TEST(test_checksum)
{
	struct mirror_opts o = { 1, 0, 0, 0 };
	struct compare_item *it;
	size_t n;

	put(lp, "s.bin", "AAAA", T0);
	put(rp, "s.bin", "BBBB", T0);
	n = compare(&o, &it);
	ck_assert_int_eq(it[0].kind, COMPARE_SAME);
	free(it);
	o.checksum = 1;
	n = compare(&o, &it);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(it[0].kind, COMPARE_CONTENT);
	ck_assert_str_ne(it[0].left.hash, "");
	free(it);
}
END_TEST

static void
noop_removed(void *arg, const char *path, int folder)
{
	(*(unsigned *)arg)++;
	(void)path;
	(void)folder;
}

static void
noop_failed(void *arg, const char *path, const char *why)
{
	(void)arg;
	ck_abort_msg("%s: %s", path, why);
}

START_TEST(test_run)
{
	struct mirror_opts o = { 1, 0, 0, 0 };
	struct compare_item *it;
	struct plan_action *a;
	struct mirror_stats st;
	struct xfer_opts xo;
	unsigned removed = 0;
	const struct rmtree_cb cb = { noop_removed, noop_failed, &removed };
	char err[256], keep[256];
	size_t n, na, i;

	dir(lp, "d");
	dir(rp, "d");
	put(lp, "d/new.txt", "new", T0);
	put(lp, "old.txt", "newer text", T0 + 100);
	put(rp, "old.txt", "older", T0);
	put(rp, "extra.txt", "extra", T0);
	dir(rp, "gone");
	put(rp, "gone/x", "x", T0);
	put(root, "beside.txt", "keep", T0);
	n = compare(&o, &it);
	ck_assert_ptr_nonnull(a = calloc(n, sizeof(*a)));
	na = plan_make(it, n, PLAN_LEFT, PLAN_DELETE_OK, a);
	ck_assert_uint_eq(na, 4);	/* d/new, extra, gone, old */
	memset(&xo, 0, sizeof(xo));
	xo.resume_flags = RESUME_ALLOW;
	xo.verify = 1;
	ck_assert_int_eq(mirror_run(lfs, lp, rfs, rp, a, na, &xo, &cb, &st,
	    err, sizeof(err)), FS_OK);
	ck_assert_uint_eq(st.deleted, 2);
	ck_assert_uint_eq(removed, 3);		/* extra, gone/x, gone */
	ck_assert_uint_eq(st.copied, 2);
	ck_assert_uint_eq(st.failed, 0);
	free(a);
	free(it);
	n = compare(&o, &it);
	for (i = 0; i < n; i++)
		ck_assert_msg(it[i].kind == COMPARE_SAME, "%s: %s",
		    it[i].path, compare_kind_name(it[i].kind));
	free(it);
	snprintf(keep, sizeof(keep), "%s/beside.txt", root);
	ck_assert_int_eq(access(keep, F_OK), 0);
}
END_TEST

static Suite *
mirror_suite(void)
{
	Suite *s = suite_create("mirror");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_recursive_and_depth);
	tcase_add_test(tc, test_missing_target_and_source);
	tcase_add_test(tc, test_links_followed);
	tcase_add_test(tc, test_checksum);
	tcase_add_test(tc, test_run);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mirror_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
