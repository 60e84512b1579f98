/*
 * check_trust: unit tests for tui/trust.c, the client's known_hosts file
 * of pinned certificate fingerprints: lookups, trust on first use, a
 * changed certificate, the line format, what is kept when the file is
 * appended to, failures, and where the default file lives. One test case
 * per behaviour; each works in a fresh temporary folder.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "tui/trust.h"

#define FP_A_HEAD "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"
#define FP_A_TAIL FP_A_HEAD
#define FP_A	FP_A_HEAD ":" FP_A_TAIL
#define FP_A_LO	"ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:" \
		"ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"
#define FP_B_HEAD "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00"
#define FP_B_TAIL FP_B_HEAD
#define FP_B	FP_B_HEAD ":" FP_B_TAIL

static char sandbox[PATH_MAX];

static void
setup(void)
{
	snprintf(sandbox, sizeof(sandbox), "/tmp/check_trust.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

/* sandbox/rel into out. */
static void
in_box(const char *rel, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", sandbox, rel);

	ck_assert(n > 0 && (size_t)n < len);
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole of path, malloc'd; NULL when it cannot be opened. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(8192);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, 8191, f);
	ck_assert(!ferror(f));
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
assert_file(const char *path, const char *want)
{
	char *got = slurp(path);

	ck_assert_msg(got != NULL, "%s: %s", path, strerror(errno));
	ck_assert_str_eq(got, want);
	free(got);
}

/* trust_check with room for old and err, which must stay empty. */
static enum trust_result
check(const char *file, const char *host, int port, const char *fp, int add)
{
	char err[256] = "";
	enum trust_result r;

	r = trust_check(file, host, port, fp, add, NULL, 0, err, sizeof(err));
	ck_assert_msg(r != TRUST_ERROR, "%s %s:%d: %s", file, host, port, err);
	return r;
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return st.st_mode;
}

/* ----------------------------------------------------------------- lookup */

START_TEST(test_unknown_no_add)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct stat st;

	in_box("cfg", dir, sizeof(dir));
	in_box("cfg/burrow/known_hosts", file, sizeof(file));
	ck_assert_int_eq(check(file, "example.org", 21, FP_A, 0),
	    TRUST_UNKNOWN);
	/* nothing made: not the file, not its folders */
	ck_assert_int_eq(stat(dir, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* an existing file without the host is left as it was */
	in_box("kh", file, sizeof(file));
	put(file, "other.org:21 " FP_B "\n");
	ck_assert_int_eq(check(file, "example.org", 21, FP_A, 0),
	    TRUST_UNKNOWN);
	assert_file(file, "other.org:21 " FP_B "\n");
}
END_TEST

START_TEST(test_add_creates)
{
	char a[PATH_MAX], ab[PATH_MAX], file[PATH_MAX];

	in_box("a", a, sizeof(a));
	in_box("a/b", ab, sizeof(ab));
	in_box("a/b/known_hosts", file, sizeof(file));
	ck_assert_int_eq(check(file, "example.org", 21, FP_A, 1),
	    TRUST_ADDED);
	ck_assert(S_ISDIR(mode_of(a)));
	ck_assert_uint_eq(mode_of(a) & 07777, 0700);
	ck_assert(S_ISDIR(mode_of(ab)));
	ck_assert_uint_eq(mode_of(ab) & 07777, 0700);
	ck_assert(S_ISREG(mode_of(file)));
	ck_assert_uint_eq(mode_of(file) & 07777, 0600);
	assert_file(file, "example.org:21 " FP_A "\n");
}
END_TEST

START_TEST(test_match)
{
	char file[PATH_MAX];

	in_box("known_hosts", file, sizeof(file));
	ck_assert_int_eq(check(file, "Example.ORG", 990, FP_A, 1),
	    TRUST_ADDED);
	ck_assert_int_eq(check(file, "Example.ORG", 990, FP_A, 0),
	    TRUST_MATCH);
	/* hosts and fingerprints compare without regard to case */
	ck_assert_int_eq(check(file, "example.org", 990, FP_A_LO, 0),
	    TRUST_MATCH);
	/* a match with add set adds nothing */
	ck_assert_int_eq(check(file, "EXAMPLE.ORG", 990, FP_A, 1),
	    TRUST_MATCH);
	assert_file(file, "Example.ORG:990 " FP_A "\n");
}
END_TEST

/* The line a host is pinned on, for the "certificate changed" dialog. */
START_TEST(test_line)
{
	char file[PATH_MAX];

	in_box("known_hosts", file, sizeof(file));
	ck_assert_int_eq(trust_line(file, "h.example", 21), -1);
	put(file, "# comment\n\nother:21 " FP_A "\nbad line here x\n"
	    "H.example:21 " FP_B "\nh.example:21 " FP_A "\n[::1]:21 " FP_A
	    "\n");
	ck_assert_int_eq(trust_line(file, "h.example", 21), 5);
	ck_assert_int_eq(trust_line(file, "other", 21), 3);
	ck_assert_int_eq(trust_line(file, "::1", 21), 7);
	ck_assert_int_eq(trust_line(file, "h.example", 2121), 0);
}
END_TEST

START_TEST(test_changed_message)
{
	char m[2048], *line, *save = NULL;

	trust_changed_message("h.example:21", "/home/u/.config/burrow/"
	    "known_hosts", 5, FP_A, FP_B, m, sizeof(m));
	ck_assert_ptr_nonnull(strstr(m, "h.example:21: CERTIFICATE CHANGED"));
	ck_assert_ptr_nonnull(strstr(m, "remove line 5 of\n  /home/u/.config/"
	    "burrow/known_hosts\n"));
	/* Both fingerprints, each over two lines, the second aligned. */
	ck_assert_ptr_nonnull(strstr(m, "  pinned: SHA-256 " FP_A_HEAD "\n"
	    "                  " FP_A_TAIL "\n"));
	ck_assert_ptr_nonnull(strstr(m, "  now:    SHA-256 " FP_B_HEAD "\n"
	    "                  " FP_B_TAIL "\n"));
	for (line = strtok_r(m, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= 70 || line[0] == ' ',
		    "too long: %s", line);
	trust_changed_message("h:1", "/k", 0, "AB", "CD", m, sizeof(m));
	ck_assert_ptr_nonnull(strstr(m, "remove the line for h:1 of\n  /k\n"));
}
END_TEST

START_TEST(test_changed)
{
	char file[PATH_MAX], old[128], err[256] = "", small[9];
	const char *text = "h.example:21 " FP_A "\n";

	in_box("known_hosts", file, sizeof(file));
	put(file, text);
	memset(old, 'x', sizeof(old));
	ck_assert_int_eq(trust_check(file, "h.example", 21, FP_B, 0, old,
	    sizeof(old), err, sizeof(err)), TRUST_CHANGED);
	ck_assert_str_eq(old, FP_A);
	assert_file(file, text);
	/* add does not replace a pinned fingerprint */
	old[0] = '\0';
	ck_assert_int_eq(trust_check(file, "h.example", 21, FP_B, 1, old,
	    sizeof(old), err, sizeof(err)), TRUST_CHANGED);
	ck_assert_str_eq(old, FP_A);
	assert_file(file, text);
	/* old may be NULL, or too small (then cut, NUL-terminated) */
	ck_assert_int_eq(trust_check(file, "h.example", 21, FP_B, 0, NULL, 0,
	    err, sizeof(err)), TRUST_CHANGED);
	ck_assert_int_eq(trust_check(file, "h.example", 21, FP_B, 0, small,
	    sizeof(small), err, sizeof(err)), TRUST_CHANGED);
	ck_assert_str_eq(small, "AB:CD:EF");
}
END_TEST

START_TEST(test_ipv6)
{
	char file[PATH_MAX];

	in_box("known_hosts", file, sizeof(file));
	ck_assert_int_eq(check(file, "::1", 21, FP_A, 1), TRUST_ADDED);
	assert_file(file, "[::1]:21 " FP_A "\n");
	ck_assert_int_eq(check(file, "::1", 21, FP_A, 0), TRUST_MATCH);
	/* already in brackets: not bracketed twice */
	ck_assert_int_eq(check(file, "[::1]", 21, FP_A, 0), TRUST_MATCH);
	ck_assert_int_eq(check(file, "2001:DB8::1", 2121, FP_B, 1),
	    TRUST_ADDED);
	ck_assert_int_eq(check(file, "2001:db8::1", 2121, FP_B, 0),
	    TRUST_MATCH);
	assert_file(file, "[::1]:21 " FP_A "\n[2001:DB8::1]:2121 " FP_B "\n");
}
END_TEST

START_TEST(test_ignored_lines)
{
	char file[PATH_MAX], want[2048];
	const char *text =
	    "# known hosts\n"
	    "\n"
	    "   \t\n"
	    "#h.example:21 " FP_A "\n"
	    "h.example:21\n"
	    "h.example:21 " FP_A " extra\n"
	    "garbage\n"
	    "tab.example:21\t" FP_B "\r\n"
	    "  spaced.example:21   " FP_B "  \n";

	in_box("known_hosts", file, sizeof(file));
	put(file, text);
	/* a commented-out line and malformed ones never match */
	ck_assert_int_eq(check(file, "h.example", 21, FP_A, 0),
	    TRUST_UNKNOWN);
	ck_assert_int_eq(check(file, "h.example", 21, FP_B, 0),
	    TRUST_UNKNOWN);
	/* tabs, CRLF and extra blanks around the two fields are fine */
	ck_assert_int_eq(check(file, "tab.example", 21, FP_B, 0),
	    TRUST_MATCH);
	ck_assert_int_eq(check(file, "spaced.example", 21, FP_B, 0),
	    TRUST_MATCH);
	/* appending keeps every line as it was */
	ck_assert_int_eq(check(file, "h.example", 21, FP_A, 1), TRUST_ADDED);
	ck_assert_int_eq(check(file, "h.example", 21, FP_A, 0), TRUST_MATCH);
	snprintf(want, sizeof(want), "%sh.example:21 %s\n", text, FP_A);
	assert_file(file, want);
}
END_TEST

START_TEST(test_no_final_newline)
{
	char file[PATH_MAX];

	in_box("known_hosts", file, sizeof(file));
	put(file, "a.example:21 " FP_A);
	ck_assert_int_eq(check(file, "a.example", 21, FP_A, 0), TRUST_MATCH);
	ck_assert_int_eq(check(file, "b.example", 21, FP_B, 1), TRUST_ADDED);
	assert_file(file, "a.example:21 " FP_A "\nb.example:21 " FP_B "\n");
	/* an empty file gets no blank line first */
	put(file, "");
	ck_assert_int_eq(check(file, "b.example", 21, FP_B, 1), TRUST_ADDED);
	assert_file(file, "b.example:21 " FP_B "\n");
}
END_TEST

/*
 * A pin cut short (a full disk; here RLIMIT_FSIZE, which stops the write
 * part way) is taken back: the file stays as it was, with no half line
 * that would later read as the pin of another certificate.
 */
START_TEST(test_cut_short)
{
	const char *text = "a.example:21 " FP_A "\n";
	char file[PATH_MAX], err[256] = "";
	struct rlimit was, rl;
	enum trust_result r;

	in_box("known_hosts", file, sizeof(file));
	put(file, text);
	ck_assert(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
	rl = was;
	rl.rlim_cur = strlen(text) + 20;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	r = trust_check(file, "b.example", 21, FP_B, 1, NULL, 0, err,
	    sizeof(err));
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_int_eq(r, TRUST_ERROR);
	ck_assert_msg(strstr(err, strerror(EFBIG)) != NULL, "%s", err);
	assert_file(file, text);
	ck_assert_int_eq(check(file, "b.example", 21, FP_B, 0), TRUST_UNKNOWN);
	ck_assert_int_eq(check(file, "b.example", 21, FP_B, 1), TRUST_ADDED);
	ck_assert_int_eq(check(file, "b.example", 21, FP_B, 0), TRUST_MATCH);
}
END_TEST

START_TEST(test_other_port)
{
	char file[PATH_MAX], old[128] = "";

	in_box("known_hosts", file, sizeof(file));
	ck_assert_int_eq(check(file, "h.example", 21, FP_A, 1), TRUST_ADDED);
	ck_assert_int_eq(check(file, "h.example", 2121, FP_B, 0),
	    TRUST_UNKNOWN);
	ck_assert_int_eq(check(file, "h.example", 2121, FP_B, 1),
	    TRUST_ADDED);
	ck_assert_int_eq(check(file, "h.example", 21, FP_A, 0), TRUST_MATCH);
	ck_assert_int_eq(check(file, "h.example", 2121, FP_B, 0),
	    TRUST_MATCH);
	ck_assert_int_eq(trust_check(file, "h.example", 2121, FP_A, 0, old,
	    sizeof(old), NULL, 0), TRUST_CHANGED);
	ck_assert_str_eq(old, FP_B);
	/* port 21 is not a prefix of 2121 */
	ck_assert_int_eq(check(file, "h.example", 212, FP_A, 0),
	    TRUST_UNKNOWN);
	assert_file(file, "h.example:21 " FP_A "\nh.example:2121 " FP_B "\n");
}
END_TEST

/* ----------------------------------------------------------------- errors */

START_TEST(test_folder_as_file)
{
	char file[PATH_MAX], err[256];
	int add;

	in_box("known_hosts", file, sizeof(file));
	ck_assert_int_eq(mkdir(file, 0700), 0);
	for (add = 0; add <= 1; add++) {
		err[0] = '\0';
		ck_assert_int_eq(trust_check(file, "h.example", 21, FP_A, add,
		    NULL, 0, err, sizeof(err)), TRUST_ERROR);
		ck_assert_msg(strstr(err, file) != NULL,
		    "add %d: \"%s\" lacks the path", add, err);
	}
	ck_assert(S_ISDIR(mode_of(file)));
}
END_TEST

START_TEST(test_file_as_folder)
{
	char parent[PATH_MAX], file[PATH_MAX], err[256];
	int add;

	/* a file where a folder of the path should be */
	in_box("plain", parent, sizeof(parent));
	put(parent, "not a folder\n");
	in_box("plain/known_hosts", file, sizeof(file));
	for (add = 0; add <= 1; add++) {
		err[0] = '\0';
		ck_assert_int_eq(trust_check(file, "h.example", 21, FP_A, add,
		    NULL, 0, err, sizeof(err)), TRUST_ERROR);
		ck_assert_msg(strstr(err, "Not a directory") != NULL,
		    "add %d: \"%s\"", add, err);
	}
	assert_file(parent, "not a folder\n");
}
END_TEST

START_TEST(test_host_too_long)
{
	char dir[PATH_MAX], file[PATH_MAX], host[1000], err[256] = "";
	struct stat st;

	in_box("d", dir, sizeof(dir));
	in_box("d/known_hosts", file, sizeof(file));
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	ck_assert_int_eq(trust_check(file, host, 21, FP_A, 1, NULL, 0, err,
	    sizeof(err)), TRUST_ERROR);
	ck_assert_str_eq(err, "host name too long");
	/* refused before any folder was made */
	ck_assert_int_eq(stat(dir, &st), -1);
	/* a short err is cut, still NUL-terminated */
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(trust_check(file, host, 21, FP_A, 1, NULL, 0, err,
	    5), TRUST_ERROR);
	ck_assert_str_eq(err, "host");
}
END_TEST

/* ---------------------------------------------------------- default file */

static char *saved_home, *saved_xdg;

static void
env_setup(void)
{
	const char *h = getenv("HOME"), *x = getenv("XDG_CONFIG_HOME");

	saved_home = h != NULL ? strdup(h) : NULL;
	saved_xdg = x != NULL ? strdup(x) : NULL;
	ck_assert(h == NULL || saved_home != NULL);
	ck_assert(x == NULL || saved_xdg != NULL);
}

static void
restore(const char *name, char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
	free(value);
}

static void
env_teardown(void)
{
	restore("HOME", saved_home);
	restore("XDG_CONFIG_HOME", saved_xdg);
	saved_home = saved_xdg = NULL;
}

START_TEST(test_default_xdg)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", "/x/cfg", 1), 0);
	ck_assert_int_eq(setenv("HOME", "/home/u", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/cfg/burrow/known_hosts");
	/* without HOME too */
	ck_assert_int_eq(unsetenv("HOME"), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/cfg/burrow/known_hosts");
}
END_TEST

START_TEST(test_default_home)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(unsetenv("XDG_CONFIG_HOME"), 0);
	ck_assert_int_eq(setenv("HOME", "/home/u", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/home/u/.config/burrow/known_hosts");
	/* an empty or relative XDG_CONFIG_HOME is no setting at all */
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", "", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/home/u/.config/burrow/known_hosts");
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", "rel/cfg", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/home/u/.config/burrow/known_hosts");
}
END_TEST

START_TEST(test_default_none)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(unsetenv("XDG_CONFIG_HOME"), 0);
	ck_assert_int_eq(unsetenv("HOME"), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), -1);
	ck_assert_int_eq(setenv("HOME", "", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, sizeof(buf)), -1);
}
END_TEST

START_TEST(test_default_small)
{
	char buf[64];

	/* "/x/cfg/burrow/known_hosts" is 25 bytes */
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", "/x/cfg", 1), 0);
	ck_assert_int_eq(trust_default_file(buf, 26), 0);
	ck_assert_str_eq(buf, "/x/cfg/burrow/known_hosts");
	ck_assert_int_eq(trust_default_file(buf, 25), -1);
	ck_assert_int_eq(trust_default_file(buf, 0), -1);
}
END_TEST

static void
add(Suite *s, const char *name, const TTest *t, SFun set, SFun tear)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, set, tear);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

static Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");

	add(s, "unknown_no_add", test_unknown_no_add, setup, teardown);
	add(s, "add_creates", test_add_creates, setup, teardown);
	add(s, "match", test_match, setup, teardown);
	add(s, "changed", test_changed, setup, teardown);
	add(s, "changed_message", test_changed_message, setup, teardown);
	add(s, "line", test_line, setup, teardown);
	add(s, "ipv6", test_ipv6, setup, teardown);
	add(s, "ignored_lines", test_ignored_lines, setup, teardown);
	add(s, "no_final_newline", test_no_final_newline, setup, teardown);
	add(s, "cut_short", test_cut_short, setup, teardown);
	add(s, "other_port", test_other_port, setup, teardown);
	add(s, "folder_as_file", test_folder_as_file, setup, teardown);
	add(s, "file_as_folder", test_file_as_folder, setup, teardown);
	add(s, "host_too_long", test_host_too_long, setup, teardown);
	add(s, "default_xdg", test_default_xdg, env_setup, env_teardown);
	add(s, "default_home", test_default_home, env_setup, env_teardown);
	add(s, "default_none", test_default_none, env_setup, env_teardown);
	add(s, "default_small", test_default_small, env_setup, env_teardown);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(trust_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
