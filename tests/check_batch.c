/*
 * check_batch: unit tests for the pure parts of the client's command
 * handling: batch mode's word splitting (tui/batch.c), its wildcards
 * (tui/wild.c), rm -r (tui/rmtree.c, against the local side in a fresh
 * sandbox) and the quoted path of a 257 reply (tui/ftp.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/batch.h"
#include "tui/ftp.h"
#include "tui/rmtree.h"
#include "tui/wild.h"

static char *argv[BATCH_ARGS_MAX];
static char buf[256];
static const char *why;

static int
split(const char *line)
{
	why = NULL;
	return batch_split(line, argv, BATCH_ARGS_MAX, buf, sizeof(buf), &why);
}

START_TEST(test_split_plain)
{
	ck_assert_int_eq(split("get  a.txt\tb.txt\n"), 3);
	ck_assert_str_eq(argv[0], "get");
	ck_assert_str_eq(argv[1], "a.txt");
	ck_assert_str_eq(argv[2], "b.txt");
	ck_assert_int_eq(split(""), 0);
	ck_assert_int_eq(split("   \t \r\n"), 0);
}
END_TEST

START_TEST(test_split_quotes)
{
	ck_assert_int_eq(split("put \"my file.txt\" 'it''s'"), 3);
	ck_assert_str_eq(argv[1], "my file.txt");
	ck_assert_str_eq(argv[2], "its");
	ck_assert_int_eq(split("cd a\" b\"c"), 2);
	ck_assert_str_eq(argv[1], "a bc");
	ck_assert_int_eq(split("rm \"\""), 2);
	ck_assert_str_eq(argv[1], "");
	/* Inside double quotes a backslash keeps '"'; single quotes keep
	 * everything. */
	ck_assert_int_eq(split("rm \"a\\\"b\" 'c\\d'"), 3);
	ck_assert_str_eq(argv[1], "a\"b");
	ck_assert_str_eq(argv[2], "c\\d");
}
END_TEST

START_TEST(test_split_backslash)
{
	ck_assert_int_eq(split("get a\\ b c\\\\d"), 3);
	ck_assert_str_eq(argv[1], "a b");
	ck_assert_str_eq(argv[2], "c\\d");
	ck_assert_int_eq(split("get a\\"), -1);
	ck_assert_str_eq(why, "backslash at the end");
}
END_TEST

START_TEST(test_split_errors)
{
	char small[4];

	ck_assert_int_eq(split("mkdir \"open"), -1);
	ck_assert_str_eq(why, "unclosed quote");
	ck_assert_int_eq(split("a b c d e f g h i j k l m"), -1);
	ck_assert_str_eq(why, "too many words");
	ck_assert_int_eq(split("a b c d e f g h i j k l"), 12);
	ck_assert_int_eq(batch_split("abcd", argv, 8, small, sizeof(small),
	    &why), -1);
	ck_assert_str_eq(why, "line too long");
	ck_assert_int_eq(batch_split("ab c", argv, 8, small, sizeof(small),
	    &why), -1);
	ck_assert_int_eq(batch_split("abc", argv, 8, small, sizeof(small),
	    &why), 1);
	ck_assert_str_eq(argv[0], "abc");
}
END_TEST

START_TEST(test_split_utf8)
{
	ck_assert_int_eq(split("get \"caf\xc3\xa9 \xe2\x82\xac.txt\""), 2);
	ck_assert_str_eq(argv[1], "caf\xc3\xa9 \xe2\x82\xac.txt");
}
END_TEST

START_TEST(test_wild_has)
{
	ck_assert(wild_has("*.txt"));
	ck_assert(wild_has("a?c"));
	ck_assert(wild_has("x[0-9]"));
	ck_assert(wild_has("logs/app*.log"));
	ck_assert(!wild_has("plain.txt"));
	ck_assert(!wild_has("a]b{c}!"));
	ck_assert(!wild_has(""));
}
END_TEST

START_TEST(test_wild_split)
{
	char d[16], b[16];

	ck_assert_int_eq(wild_split("*.txt", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "");
	ck_assert_str_eq(b, "*.txt");
	ck_assert_int_eq(wild_split("logs/a*", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "logs");
	ck_assert_str_eq(b, "a*");
	ck_assert_int_eq(wild_split("/x?", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "/");
	ck_assert_str_eq(b, "x?");
	ck_assert_int_eq(wild_split("a//b/c*//", d, sizeof(d), b, sizeof(b)),
	    0);
	ck_assert_str_eq(d, "a//b");
	ck_assert_str_eq(b, "c*");
	/* wildcards before the last part are the caller's to refuse */
	ck_assert_int_eq(wild_split("*/x", d, sizeof(d), b, sizeof(b)), 0);
	ck_assert_str_eq(d, "*");
	ck_assert(wild_has(d));
	ck_assert_int_eq(wild_split("", d, sizeof(d), b, sizeof(b)), -1);
	ck_assert_int_eq(wild_split("/", d, sizeof(d), b, sizeof(b)), -1);
	ck_assert_int_eq(wild_split("abcdefghijklmnop*", d, sizeof(d), b,
	    sizeof(b)), -1);
	ck_assert_int_eq(wild_split("abcdefghijklmnop/*", d, sizeof(d), b,
	    sizeof(b)), -1);
}
END_TEST

START_TEST(test_wild_match)
{
	ck_assert(wild_match("*.txt", "a.txt"));
	ck_assert(wild_match("*.txt", "my file.txt"));
	ck_assert(!wild_match("*.txt", "a.txt.bak"));
	ck_assert(wild_match("a?c", "abc"));
	ck_assert(!wild_match("a?c", "ac"));
	ck_assert(wild_match("f[0-9]", "f7"));
	ck_assert(!wild_match("f[!0-9]", "f7"));
	ck_assert(wild_match("f[!0-9]", "fx"));
	/* a leading dot only by a dot in the pattern, like the shell */
	ck_assert(!wild_match("*", ".hidden"));
	ck_assert(!wild_match("*.txt", ".secret.txt"));
	ck_assert(!wild_match("?hidden", ".hidden"));
	ck_assert(!wild_match("[.]hidden", ".hidden"));
	ck_assert(wild_match(".*", ".hidden"));
	ck_assert(wild_match("*", "a.b"));
	/* never the folder itself or its parent */
	ck_assert(!wild_match(".*", "."));
	ck_assert(!wild_match(".*", ".."));
	/* a backslash that reaches the pattern takes a '*' as it is */
	ck_assert(wild_match("a\\*", "a*"));
	ck_assert(!wild_match("a\\*", "ab"));
}
END_TEST

static void
entries(struct listing_entry *v, const char *const *names, size_t n)
{
	size_t i;

	memset(v, 0, n * sizeof(*v));
	for (i = 0; i < n; i++)
		snprintf(v[i].name, sizeof(v[i].name), "%s", names[i]);
}

START_TEST(test_wild_select)
{
	static const char *const names[] = { "b.txt", ".h.txt", "c.log",
	    "a b.txt", "a.txt", "B.txt" };
	struct listing_entry *v;
	size_t n = sizeof(names) / sizeof(names[0]);

	v = calloc(n, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	entries(v, names, n);
	v[4].type = LISTING_DIR;
	v[4].size = 42;
	ck_assert_uint_eq(wild_select("*.txt", v, n), 4);
	/* name order (bytes: upper case first), the dot-file left out,
	 * each entry moved whole */
	ck_assert_str_eq(v[0].name, "B.txt");
	ck_assert_str_eq(v[1].name, "a b.txt");
	ck_assert_str_eq(v[2].name, "a.txt");
	ck_assert_int_eq(v[2].type, LISTING_DIR);
	ck_assert_uint_eq(v[2].size, 42);
	ck_assert_str_eq(v[3].name, "b.txt");
	entries(v, names, n);
	ck_assert_uint_eq(wild_select("*.zip", v, n), 0);
	ck_assert_uint_eq(wild_select("c.*", v, n), 1);
	ck_assert_str_eq(v[0].name, "c.log");
	ck_assert_uint_eq(wild_select("*", v, 0), 0);
	free(v);
}
END_TEST

START_TEST(test_rmtree_refuses)
{
	ck_assert_ptr_null(rmtree_refuses("/a/b", "c"));
	ck_assert_ptr_null(rmtree_refuses("/a/b", "../c"));
	ck_assert_ptr_null(rmtree_refuses("/a/b", "/a/bc"));
	ck_assert_ptr_null(rmtree_refuses("/a/b", "/x/y"));
	ck_assert_ptr_null(rmtree_refuses("/", "x"));
	ck_assert_ptr_null(rmtree_refuses("/a/b", "c/"));
	ck_assert_str_eq(rmtree_refuses("/a/b", "/"), "refusing to remove /");
	ck_assert_str_eq(rmtree_refuses("/a/b", "//"), "refusing to remove /");
	ck_assert_str_eq(rmtree_refuses("/", "x/.././"),
	    "refusing to remove . or ..");
	ck_assert_str_eq(rmtree_refuses("/a/b", "."),
	    "refusing to remove . or ..");
	ck_assert_str_eq(rmtree_refuses("/a/b", ".."),
	    "refusing to remove . or ..");
	ck_assert_str_eq(rmtree_refuses("/a/b", "/x/.."),
	    "refusing to remove . or ..");
	ck_assert_str_eq(rmtree_refuses("/a/b", "/a"),
	    "refusing to remove the current folder or one above it");
	ck_assert_str_eq(rmtree_refuses("/a/b", "/a/b/"),
	    "refusing to remove the current folder or one above it");
	ck_assert_str_eq(rmtree_refuses("/a/b", "../b"),
	    "refusing to remove the current folder or one above it");
	ck_assert_str_eq(rmtree_refuses("/a/b", "c/../../../a"),
	    "refusing to remove the current folder or one above it");
	ck_assert_str_eq(rmtree_refuses("/a/b", "/../.."),
	    "refusing to remove . or ..");
	ck_assert_str_eq(rmtree_refuses("/a/b", "/../a"),
	    "refusing to remove the current folder or one above it");
}
END_TEST

/* What rmtree() told, one line an entry: "+path", "+path/", "-path". */
static char told[4096];

static void
rec_removed(void *arg, const char *path, int folder)
{
	const char *root = arg;
	size_t n = strlen(told), rl = strlen(root);

	if (strncmp(path, root, rl) == 0)
		path += rl;
	snprintf(told + n, sizeof(told) - n, "+%s%s\n", path,
	    folder ? "/" : "");
}

static void
rec_failed(void *arg, const char *path, const char *reason)
{
	const char *root = arg;
	size_t n = strlen(told), rl = strlen(root);

	(void)reason;
	if (strncmp(path, root, rl) == 0)
		path += rl;
	snprintf(told + n, sizeof(told) - n, "-%s\n", path);
}

static char sandbox[64];

static void
mk(const char *rel, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", sandbox, rel);
	if (data == NULL) {
		ck_assert_int_eq(mkdir(p, 0755), 0);
		return;
	}
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs(data, f);
	fclose(f);
}

static void
ln(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", sandbox, rel);
	ck_assert_int_eq(symlink(target, p), 0);
}

static int
there(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", sandbox, rel);
	return lstat(p, &st) == 0;
}

/*
 * A fresh sandbox for each test: out/keep.txt and out/d/in.txt stay
 * outside; tree holds files, nested folders, and links to out,
 * out/keep.txt and nowhere.
 */
static void
make_tree(void)
{
	char p[128];

	snprintf(sandbox, sizeof(sandbox), "/tmp/check_batch.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	mk("out", NULL);
	mk("out/keep.txt", "keep");
	mk("out/d", NULL);
	mk("out/d/in.txt", "in");
	mk("tree", NULL);
	mk("tree/a.txt", "a");
	mk("tree/sub", NULL);
	mk("tree/sub/b.txt", "b");
	mk("tree/sub/deep", NULL);
	mk("tree/sub/deep/c.txt", "c");
	mk("tree/sub/empty", NULL);
	snprintf(p, sizeof(p), "%s/out", sandbox);
	ln(p, "tree/sub/to-out");
	ln("../../out/keep.txt", "tree/sub/to-keep");
	ln("nowhere", "tree/dangling");
}

static void
remove_sandbox(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

static const char tree_told[] =
    "+/tree/a.txt\n"
    "+/tree/dangling\n"
    "+/tree/sub/b.txt\n"
    "+/tree/sub/deep/c.txt\n"
    "+/tree/sub/deep/\n"
    "+/tree/sub/empty/\n"
    "+/tree/sub/to-keep\n"
    "+/tree/sub/to-out\n"
    "+/tree/sub/\n"
    "+/tree/\n";

static void
outside_stays_but_tree(int tree)
{
	ck_assert_int_eq(there("tree"), tree);
	ck_assert(there("out/keep.txt"));
	ck_assert(there("out/d/in.txt"));
}

START_TEST(test_rmtree_local)
{
	const struct rmtree_cb cb = { rec_removed, rec_failed, sandbox };
	struct fs *fs;
	char err[256], p[128];

	ck_assert_ptr_nonnull(fs = fs_local_new(sandbox, err, sizeof(err)));
	told[0] = '\0';
	snprintf(p, sizeof(p), "%s/tree", sandbox);
	ck_assert_uint_eq(rmtree(fs, p, &cb), 0);
	ck_assert_str_eq(told, tree_told);
	outside_stays_but_tree(0);
	/* a file alone, and something not there */
	told[0] = '\0';
	ck_assert_uint_eq(rmtree(fs, "out/keep.txt", &cb), 0);
	ck_assert_str_eq(told, "+out/keep.txt\n");
	ck_assert_uint_eq(rmtree(fs, "nothing", &cb), 1);
	ck_assert_str_eq(told, "+out/keep.txt\n-nothing\n");
	fs_free(fs);
}
END_TEST

/*
 * A side that lists a link as what it leads to, as burrowd does: the
 * local side with its list op wrapped.
 */
static const struct fs_ops *real_ops;
static struct fs_ops lying_ops;

static int
lying_list(struct fs *fs, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct listing_entry e;
	char child[FS_PATH_MAX], e2[256];
	size_t i;
	int rc;

	if ((rc = real_ops->list(fs, path, out, n, err, errlen)) != FS_OK)
		return rc;
	for (i = 0; i < *n; i++)
		if ((*out)[i].type == LISTING_LINK &&
		    fs_join(path, (*out)[i].name, child, sizeof(child)) == 0 &&
		    real_ops->stat(fs, child, &e, e2, sizeof(e2)) == FS_OK)
			(*out)[i].type = e.type;
	return FS_OK;
}

START_TEST(test_rmtree_links_shown_as_folders)
{
	const struct rmtree_cb cb = { rec_removed, rec_failed, sandbox };
	struct listing_entry *v;
	struct fs *fs;
	char err[256], p[128];
	size_t n, i;
	int seen = 0;

	ck_assert_ptr_nonnull(fs = fs_local_new(sandbox, err, sizeof(err)));
	real_ops = fs->ops;
	lying_ops = *fs->ops;
	lying_ops.list = lying_list;
	fs->ops = &lying_ops;
	/* the wrapper does lie */
	ck_assert_int_eq(fs_list(fs, "tree/sub", &v, &n, err, sizeof(err)),
	    FS_OK);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "to-out") == 0) {
			ck_assert_int_eq(v[i].type, LISTING_DIR);
			seen = 1;
		}
	free(v);
	ck_assert(seen);
	told[0] = '\0';
	snprintf(p, sizeof(p), "%s/tree", sandbox);
	ck_assert_uint_eq(rmtree(fs, p, &cb), 0);
	ck_assert_str_eq(told, tree_told);
	outside_stays_but_tree(0);
	/* a link to a folder given itself goes, its folder stays */
	ln("out", "top-link");
	told[0] = '\0';
	ck_assert_uint_eq(rmtree(fs, "top-link", &cb), 0);
	ck_assert_str_eq(told, "+top-link\n");
	ck_assert(!there("top-link") && there("out/d/in.txt"));
	fs->ops = real_ops;
	fs_free(fs);
}
END_TEST

/* A remove op that refuses files called c.txt. */
static int
refusing_remove(struct fs *fs, const char *path, char *err, size_t errlen)
{
	char base[LISTING_NAME_MAX];

	if (strcmp(fs_basename(path, base, sizeof(base)), "c.txt") == 0) {
		snprintf(err, errlen, "refused");
		return FS_ERR;
	}
	return real_ops->remove(fs, path, err, errlen);
}

START_TEST(test_rmtree_failure_keeps_parents)
{
	const struct rmtree_cb cb = { rec_removed, rec_failed, sandbox };
	struct fs *fs;
	char err[256];

	ck_assert_ptr_nonnull(fs = fs_local_new(sandbox, err, sizeof(err)));
	real_ops = fs->ops;
	lying_ops = *fs->ops;
	lying_ops.remove = refusing_remove;
	fs->ops = &lying_ops;
	told[0] = '\0';
	/* the others go on; the folders above the one kept stay */
	ck_assert_uint_eq(rmtree(fs, "tree", &cb), 1);
	ck_assert_str_eq(told, "+tree/a.txt\n+tree/dangling\n"
	    "+tree/sub/b.txt\n-tree/sub/deep/c.txt\n+tree/sub/empty/\n"
	    "+tree/sub/to-keep\n+tree/sub/to-out\n");
	ck_assert(there("tree/sub/deep/c.txt"));
	outside_stays_but_tree(1);
	fs->ops = real_ops;
	fs_free(fs);
}
END_TEST

START_TEST(test_257)
{
	char p[64];

	ck_assert_int_eq(ftp_parse_257("257 \"/home/harry\" is current", p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/harry");
	ck_assert_int_eq(ftp_parse_257("257 \"/a \"\"quoted\"\" dir\" ok", p,
	    sizeof(p)), 0);
	ck_assert_str_eq(p, "/a \"quoted\" dir");
	ck_assert_int_eq(ftp_parse_257("257 \"/\"", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/");
	ck_assert_int_eq(ftp_parse_257("257 \"\"", p, sizeof(p)), 0);
	ck_assert_str_eq(p, "");
	ck_assert_int_eq(ftp_parse_257("257 no quotes", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/unclosed", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/x\nmore\"", p, sizeof(p)), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"/toolong\"", p, 4), -1);
	ck_assert_int_eq(ftp_parse_257("257 \"abc\"", p, 4), 0);
	ck_assert_str_eq(p, "abc");
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, test_split_plain);
	tcase_add_test(tc, test_split_quotes);
	tcase_add_test(tc, test_split_backslash);
	tcase_add_test(tc, test_split_errors);
	tcase_add_test(tc, test_split_utf8);
	suite_add_tcase(s, tc);
	tc = tcase_create("wild");
	tcase_add_test(tc, test_wild_has);
	tcase_add_test(tc, test_wild_split);
	tcase_add_test(tc, test_wild_match);
	tcase_add_test(tc, test_wild_select);
	suite_add_tcase(s, tc);
	tc = tcase_create("rmtree_refuses");
	tcase_add_test(tc, test_rmtree_refuses);
	suite_add_tcase(s, tc);
	tc = tcase_create("rmtree");
	tcase_add_checked_fixture(tc, make_tree, remove_sandbox);
	tcase_add_test(tc, test_rmtree_local);
	tcase_add_test(tc, test_rmtree_links_shown_as_folders);
	tcase_add_test(tc, test_rmtree_failure_keeps_parents);
	suite_add_tcase(s, tc);
	tc = tcase_create("reply257");
	tcase_add_test(tc, test_257);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(batch_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
