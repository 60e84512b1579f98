/*
 * check_edit: unit tests for F3 view and F4 edit (tui/edit.c):
 *
 *   program   which of $PAGER, $VISUAL, $EDITOR and the fallbacks is used
 *   run       a program with arguments, a path the shell must not parse
 *             (quotes, $(...), backquotes, spaces), exit statuses
 *   copy      the whole round with the local fs standing for a server:
 *             the private folder and file modes, the fetched bytes, a
 *             changed and an unchanged copy, a server's file changed in
 *             size or only in content, the copy sent back, the folder
 *             removed with what an editor left in it
 *
 * Each test works in a fresh temporary folder, which is also $TMPDIR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <check.h>

#include "tui/edit.h"
#include "tui/fs.h"

#define SHA256_ABC \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char sandbox[PATH_MAX];
static struct fs *lfs;		/* stands for the server */

static void
setup(void)
{
	char err[256] = "";

	snprintf(sandbox, sizeof(sandbox), "/tmp/check_edit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	ck_assert_int_eq(setenv("TMPDIR", sandbox, 1), 0);
	lfs = fs_local_new(sandbox, err, sizeof(err));
	ck_assert_msg(lfs != NULL, "fs_local_new: %s", err);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	if (lfs != NULL)
		fs_free(lfs);
	lfs = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

static const char *
in_box(const char *rel, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", sandbox, rel);

	ck_assert(n > 0 && (size_t)n < len);
	return out;
}

static void
put(const char *path, const char *data, const char *mode)
{
	FILE *f = fopen(path, mode);

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(data, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file's bytes (at most 255) as a string. */
static const char *
get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries of the folder path, "." and ".." aside. */
static int
entries(const char *path)
{
	char cmd[PATH_MAX + 64], buf[32];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", path);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	if (fgets(buf, sizeof(buf), p) != NULL)
		n = atoi(buf);
	pclose(p);
	return n;
}

/* --------------------------------------------------------------- program */

START_TEST(test_program)
{
	unsetenv("PAGER");
	unsetenv("VISUAL");
	unsetenv("EDITOR");
	ck_assert_str_eq(edit_program(EDIT_VIEW), "less");
	ck_assert_str_eq(edit_program(EDIT_EDIT), "vi");
	setenv("PAGER", "most -s", 1);
	setenv("EDITOR", "nano", 1);
	ck_assert_str_eq(edit_program(EDIT_VIEW), "most -s");
	ck_assert_str_eq(edit_program(EDIT_EDIT), "nano");
	setenv("VISUAL", "vim", 1);
	ck_assert_str_eq(edit_program(EDIT_EDIT), "vim");
	/* Empty counts as unset. */
	setenv("VISUAL", "", 1);
	setenv("PAGER", "", 1);
	ck_assert_str_eq(edit_program(EDIT_EDIT), "nano");
	ck_assert_str_eq(edit_program(EDIT_VIEW), "less");
}
END_TEST

/* ------------------------------------------------------------------- run */

START_TEST(test_run_quoting)
{
	char script[PATH_MAX], prog[PATH_MAX + 8], weird[PATH_MAX];
	char out[PATH_MAX + 8], got[PATH_MAX + 8], err[256] = "", p[PATH_MAX];

	put(in_box("rec.sh", script, sizeof(script)),
	    "printf '%s|%s' \"$1\" \"$#\" > \"$(dirname \"$0\")/out\"\n", "w");
	/* A program with an argument, as $EDITOR may be. */
	snprintf(prog, sizeof(prog), "sh %s", script);
	in_box("a b'\"$(touch pwned)`touch pwned2`;x.txt", weird,
	    sizeof(weird));
	put(weird, "x", "w");
	ck_assert_msg(edit_run(prog, weird, err, sizeof(err)) == 0, "%s", err);
	snprintf(out, sizeof(out), "%s|1", weird);
	ck_assert_str_eq(get(in_box("out", p, sizeof(p)), got, sizeof(got)),
	    out);
	ck_assert_int_ne(access(in_box("pwned", p, sizeof(p)), F_OK), 0);
	ck_assert_int_ne(access("pwned", F_OK), 0);
	ck_assert_int_ne(access("pwned2", F_OK), 0);
}
END_TEST

START_TEST(test_run_status)
{
	char err[256] = "";

	ck_assert_int_eq(edit_run("true", "/nonexistent", err, sizeof(err)),
	    0);
	ck_assert_int_eq(edit_run("false", "/nonexistent", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "false: exit status 1");
	ck_assert_int_eq(edit_run("/nonexistent/editor", "x", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/editor: not found (exit status "
	    "127)");
	ck_assert_int_eq(edit_run("kill -9 $$; :", "x", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "kill -9 $$; :: killed by signal 9");
}
END_TEST

START_TEST(test_digest)
{
	char p[PATH_MAX], hex[HASH_HEX_MAX], err[256] = "";

	put(in_box("abc", p, sizeof(p)), "abc", "w");
	ck_assert_int_eq(edit_digest(p, "SHA-256", hex, sizeof(hex), err,
	    sizeof(err)), 0);
	ck_assert_str_eq(hex, SHA256_ABC);
	ck_assert_int_eq(edit_digest(in_box("none", p, sizeof(p)), "SHA-256",
	    hex, sizeof(hex), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

/* ------------------------------------------------------------------ copy */

START_TEST(test_round)
{
	struct edit e;
	struct stat st;
	struct utimbuf ut;
	char srv[PATH_MAX], dir[FS_PATH_MAX + 32], got[256], why[256] = "";
	char err[256] = "", base[LISTING_NAME_MAX];

	put(in_box("notes.txt", srv, sizeof(srv)), "abc\n", "w");
	ck_assert_int_eq(edit_init(&e, EDIT_EDIT, lfs, srv, err, sizeof(err)),
	    0);
	ck_assert_msg(edit_fetch(&e, err, sizeof(err)) == FS_OK, "%s", err);
	ck_assert_ptr_nonnull(strstr(e.msg, "verified by"));
	/* $TMPDIR/burrow-XXXXXX/notes.txt, 0700 and 0600. */
	ck_assert_str_eq(fs_basename(e.path, base, sizeof(base)), "notes.txt");
	fs_dirname(e.path, dir, sizeof(dir));
	ck_assert_str_eq(dir, e.dir);
	ck_assert_int_eq(strncmp(e.dir, sandbox, strlen(sandbox)), 0);
	ck_assert_int_eq(strncmp(e.dir + strlen(sandbox), "/burrow-", 8), 0);
	ck_assert_int_eq(stat(e.dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(e.path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_str_eq(get(e.path, got, sizeof(got)), "abc\n");
	ck_assert_int_eq(entries(e.dir), 1);

	/* Saved as it was: not changed, whatever the time says. */
	put(e.path, "abc\n", "w");
	ck_assert_int_eq(edit_copy_changed(&e, err, sizeof(err)), 0);
	put(e.path, "more\n", "a");
	ck_assert_int_eq(edit_copy_changed(&e, err, sizeof(err)), 1);

	ck_assert_int_eq(edit_server_changed(&e, why, sizeof(why)), 0);
	/* Another size. */
	put(srv, "x", "a");
	ck_assert_int_eq(edit_server_changed(&e, why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(strstr(why, "size"));
	/* The same size and time, other bytes: the digest tells. */
	put(srv, "xyz\n", "w");
	ut.actime = ut.modtime = e.fetched.mtime;
	ck_assert_int_eq(utime(srv, &ut), 0);
	ck_assert_int_eq(edit_server_changed(&e, why, sizeof(why)), 1);
	ck_assert_ptr_nonnull(strstr(why, "content"));
	/* Gone. */
	ck_assert_int_eq(unlink(srv), 0);
	ck_assert_int_eq(edit_server_changed(&e, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "it is not there any more");

	ck_assert_msg(edit_upload(&e, srv, err, sizeof(err)) == FS_OK, "%s",
	    err);
	ck_assert_ptr_nonnull(strstr(e.msg, "verified by"));
	ck_assert_str_eq(get(srv, got, sizeof(got)), "abc\nmore\n");

	/* What an editor leaves beside the copy goes too. */
	snprintf(dir, sizeof(dir), "%s/.notes.txt.swp", e.dir);
	put(dir, "swap", "w");
	snprintf(dir, sizeof(dir), "%s", e.dir);
	edit_cleanup(&e);
	ck_assert_int_ne(access(dir, F_OK), 0);
	edit_cleanup(&e);	/* twice is fine */
}
END_TEST

START_TEST(test_fetch_fails)
{
	struct edit e;
	char p[PATH_MAX], err[256] = "";

	ck_assert_int_eq(edit_init(&e, EDIT_VIEW, lfs, in_box("none", p,
	    sizeof(p)), err, sizeof(err)), 0);
	ck_assert_int_eq(edit_fetch(&e, err, sizeof(err)), FS_NOENT);
	edit_cleanup(&e);
	ck_assert_int_eq(mkdir(in_box("dir", p, sizeof(p)), 0755), 0);
	ck_assert_int_eq(edit_init(&e, EDIT_VIEW, lfs, p, err, sizeof(err)),
	    0);
	ck_assert_int_eq(edit_fetch(&e, err, sizeof(err)), FS_ERR);
	ck_assert_ptr_nonnull(strstr(err, "not a file"));
	edit_cleanup(&e);
	/* Only what the tests made is in $TMPDIR. */
	ck_assert_int_eq(entries(sandbox), 1);
}
END_TEST

static void
add(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

static Suite *
edit_suite(void)
{
	Suite *s = suite_create("edit");

	add(s, "program", test_program);
	add(s, "run_quoting", test_run_quoting);
	add(s, "run_status", test_run_status);
	add(s, "digest", test_digest);
	add(s, "round", test_round);
	add(s, "fetch_fails", test_fetch_fails);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(edit_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
