/*
 * check_users: the users file. A good file loads with every field intact;
 * each kind of bad file is refused with the line of the offending setting;
 * what users_save writes loads back unchanged; and the reference count holds
 * up under threads. Every test works in its own mkdtemp sandbox.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "srv/auth.h"
#include "srv/users.h"

#define SB_PATH	256

/* The sandbox of the running test, its users file, and valid hashes. */
static char sandbox[64];
static char users_path[SB_PATH];
static char hash[AUTH_ENCODED_MAX];
static char hash2[AUTH_ENCODED_MAX];

/* Writes the path of name in the sandbox into buf (SB_PATH bytes). */
static const char *
in_sandbox(char *buf, const char *name)
{
	int n = snprintf(buf, SB_PATH, "%s/%s", sandbox, name);

	ck_assert(n > 0 && n < SB_PATH);
	return buf;
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(sandbox, sizeof(sandbox), "%s/check_users.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	in_sandbox(users_path, "users.conf");
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS, hash,
	    sizeof(hash)), 0);
	ck_assert_int_eq(auth_hash("pw2", AUTH_MIN_ITERATIONS, hash2,
	    sizeof(hash2)), 0);
}

/* The sandbox holds only files; a test that made more cleans up itself. */
static void
teardown(void)
{
	DIR *d;
	struct dirent *e;
	char p[SB_PATH];

	if ((d = opendir(sandbox)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			unlink(in_sandbox(p, e->d_name));
		}
		closedir(d);
	}
	rmdir(sandbox);
}

/*
 * Writes the users file, replacing every "HASH" in text with a valid hash.
 * Returns its path.
 */
static const char *
write_users(const char *text)
{
	const char *p;
	FILE *fp;

	ck_assert_ptr_nonnull(fp = fopen(users_path, "w"));
	for (p = text; *p != '\0'; p++) {
		if (strncmp(p, "HASH", 4) == 0) {
			fputs(hash, fp);
			p += 3;
		} else
			fputc(*p, fp);
	}
	ck_assert_int_eq(fclose(fp), 0);
	return users_path;
}

START_TEST(test_load_valid)
{
	const char *path = write_users(
	    "# accounts\n"
	    "users = (\n"
	    "  { name = \"harry\"; password = \"HASH\"; quota = \"20M\"; },\n"
	    "  { name = \"beal\";  password = \"HASH\"; },\n"
	    "  { name = \"u_1.x-y\"; password = \"HASH\"; quota = 5000; },\n"
	    "  { name = \"zero\"; password = \"HASH\"; quota = \"0\"; },\n"
	    "  { name = \"big\"; password = \"HASH\"; quota = 5000000000L; },\n"
	    "  { password = \"HASH\"; quota = \"1GiB\"; name = \"order\"; }\n"
	    ");\n");
	char err[256] = "";
	struct userdb *db;
	const struct user *u;

	db = users_load(path, 0, err, sizeof(err));
	ck_assert_msg(db != NULL, "%s", err);
	ck_assert_uint_eq(users_count(db), 6);

	u = users_at(db, 0);
	ck_assert_str_eq(u->name, "harry");
	ck_assert_str_eq(u->password, hash);
	ck_assert_int_eq(u->quota, 20 * 1024 * 1024);
	ck_assert_int_eq(users_at(db, 1)->quota, USER_QUOTA_DEFAULT);
	ck_assert_int_eq(users_at(db, 2)->quota, 5000);
	ck_assert_int_eq(users_at(db, 3)->quota, 0);
	ck_assert_int_eq(users_at(db, 4)->quota, 5000000000LL);
	ck_assert_int_eq(users_at(db, 5)->quota, 1LL << 30);
	ck_assert_ptr_null(users_at(db, 6));

	ck_assert_ptr_eq(users_find(db, "beal"), users_at(db, 1));
	ck_assert_ptr_eq(users_find(db, "order"), users_at(db, 5));
	ck_assert_ptr_null(users_find(db, "Harry"));
	ck_assert_ptr_null(users_find(db, "nobody"));
	ck_assert_ptr_null(users_find(db, ""));
	users_unref(db);
}
END_TEST

START_TEST(test_rates)
{
	const char *path = write_users(
	    "users = (\n"
	    "  { name = \"harry\"; password = \"HASH\"; rate_down = \"2M\"; "
	    "rate_up = 1000; },\n"
	    "  { name = \"beal\"; password = \"HASH\"; rate_down = \"0\"; },\n"
	    "  { name = \"plain\"; password = \"HASH\"; }\n"
	    ");\n");
	char err[256] = "", line[512];
	struct userdb *db, *back;
	const struct user *u;
	FILE *fp;

	db = users_load(path, 0, err, sizeof(err));
	ck_assert_msg(db != NULL, "%s", err);
	u = users_find(db, "harry");
	ck_assert_int_eq(u->rate_down, 2 << 20);
	ck_assert_int_eq(u->rate_up, 1000);
	ck_assert_uint_eq(users_rate_down(u, 7), 2 << 20);
	u = users_find(db, "beal");
	ck_assert_int_eq(u->rate_down, 0);
	ck_assert_int_eq(u->rate_up, USER_RATE_DEFAULT);
	/* 0 is no limit, whatever the default; unset follows it. */
	ck_assert_uint_eq(users_rate_down(u, 7), 0);
	ck_assert_uint_eq(users_rate_up(u, 7), 7);
	u = users_find(db, "plain");
	ck_assert_uint_eq(users_rate_up(u, 9), 9);
	ck_assert_int_eq(users_set_rates(db, "nobody", 1, 1), -1);
	ck_assert_int_eq(users_set_rates(db, "plain", -2, 1), -1);
	ck_assert_int_eq(users_set_rates(db, "plain", 512 << 10, 0), 0);
	/* A new password keeps the rates. */
	ck_assert_int_eq(users_put(db, "plain", hash2, 5), 0);
	ck_assert_int_eq(users_find(db, "plain")->rate_down, 512 << 10);

	ck_assert_msg(users_save(db, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "\"plain\"") != NULL)
			ck_assert_ptr_nonnull(strstr(line, "rate_down = \"512K\"; "
			    "rate_up = \"0\";"));
		else if (strstr(line, "\"beal\"") != NULL)
			ck_assert_ptr_null(strstr(line, "rate_up"));
	fclose(fp);
	back = users_load(path, 0, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	for (size_t i = 0; i < users_count(db); i++) {
		ck_assert_int_eq(users_at(db, i)->rate_down,
		    users_at(back, i)->rate_down);
		ck_assert_int_eq(users_at(db, i)->rate_up,
		    users_at(back, i)->rate_up);
	}
	users_unref(back);
	users_unref(db);
}
END_TEST

START_TEST(test_load_empty)
{
	static const char *const texts[] = {
		"", "# nothing\n", "users = ();\n", "users = [];\n",
		"users: ( );\n",
	};
	char err[256] = "";
	struct userdb *db;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		db = users_load(write_users(texts[i]), 0, err, sizeof(err));
		ck_assert_msg(db != NULL, "[%s]: %s", texts[i], err);
		ck_assert_uint_eq(users_count(db), 0);
		users_unref(db);
	}
}
END_TEST

START_TEST(test_missing)
{
	char path[SB_PATH], other[SB_PATH], err[256] = "";
	struct userdb *db;

	in_sandbox(path, "absent.conf");
	ck_assert_ptr_null(users_load(path, 0, err, sizeof(err)));
	ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "%s", err);
	ck_assert_msg(strstr(err, strerror(ENOENT)) != NULL, "%s", err);

	db = users_load(path, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 0);
	users_unref(db);

	/* missing_ok covers a missing file, not one that cannot be read. */
	write_users("");
	in_sandbox(other, "users.conf/users.conf");
	ck_assert_ptr_null(users_load(other, 1, err, sizeof(err)));
	ck_assert_msg(strstr(err, strerror(ENOTDIR)) != NULL, "%s", err);
}
END_TEST

/*
 * Only a regular file is read: a directory is refused with a reason (not
 * "Success"), and a FIFO at once, even with missing_ok, instead of
 * blocking the reader until a writer comes (the test's timeout).
 */
START_TEST(test_not_regular)
{
	char err[256] = "";
	int i;

	ck_assert_int_eq(mkdir(users_path, 0755), 0);
	ck_assert_ptr_null(users_load(users_path, 1, err, sizeof(err)));
	ck_assert_msg(strncmp(err, users_path, strlen(users_path)) == 0, "%s",
	    err);
	ck_assert_msg(strstr(err, "directory") != NULL, "%s", err);
	ck_assert_int_eq(rmdir(users_path), 0);

	ck_assert_int_eq(mkfifo(users_path, 0644), 0);
	for (i = 0; i < 2; i++) {
		err[0] = '\0';
		ck_assert_ptr_null(users_load(users_path, i, err, sizeof(err)));
		ck_assert_msg(strncmp(err, users_path, strlen(users_path)) == 0,
		    "%s", err);
		ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s",
		    err);
	}
}
END_TEST

/* A bad file, the line its error must name, and words the message has. */
struct bad_file {
	const char	*text;
	unsigned	 line;
	const char	*words;
};

static const struct bad_file bad_files[] = {
	{ "users = (\n { name = = \"a\"; password = \"HASH\"; }\n);\n", 2,
	  "syntax error" },
	{ "users = (\n { name = \"a\"; password = \"HASH\"; }\n)\n;;\n",
	  4, "syntax error" },
	{ "users = (\n { name = \"a\"; password = \"HASH\"; }\n", 3,
	  "syntax error" },
	{ "# x\nuser = ( { name = \"a\"; password = \"HASH\"; } );\n", 2,
	  "unknown setting \"user\"" },
	{ "users = ();\n\nmax_clients = 3;\n", 3,
	  "unknown setting \"max_clients\"" },
	{ "\nusers = \"harry\";\n", 2, "must be a list" },
	{ "\nusers = { name = \"a\"; password = \"HASH\"; };\n", 2,
	  "must be a list" },
	{ "users = [ \"a\", \"b\" ];\n", 1, "must be a list" },
	{ "users = (\n { name = \"a\"; password = \"HASH\"; },\n \"b\");\n",
	  3, "must be a group" },
	{ "users = (\n { name = \"a\"; password = \"HASH\"; },\n ( ),\n"
	  " { name = \"b\"; password = \"HASH\"; }\n);\n", 3,
	  "must be a group" },
	{ "users = (\n { name = \"a\";\n   password = \"HASH\";\n"
	  "   home = \"/x\"; }\n);\n", 4, "unknown setting \"home\"" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   sub = { x = 1; }; }\n);\n", 3, "unknown setting \"sub\"" },
	{ "users = (\n {\n   password = \"HASH\"; }\n);\n", 2,
	  "without a name" },
	{ "users = (\n { name = \"a\"; }\n);\n", 2, "without a password" },
	{ "users = (\n { name = 5; password = \"HASH\"; }\n);\n", 2,
	  "name must be a string" },
	{ "users = (\n {\n name = \"\"; password = \"HASH\"; }\n);\n", 3,
	  "invalid user name" },
	{ "users = (\n { name = \"../etc\"; password = \"HASH\"; }\n);\n", 2,
	  "invalid user name" },
	{ "users = (\n { name = \".hidden\"; password = \"HASH\"; }\n);\n",
	  2, "invalid user name" },
	{ "users = (\n { name = \"-rf\"; password = \"HASH\"; }\n);\n", 2,
	  "invalid user name" },
	{ "users = (\n { name = \"a b\"; password = \"HASH\"; }\n);\n", 2,
	  "invalid user name" },
	{ "users = (\n { name = \"abcdefghijklmnopqrstuvwxyz0123456\"; "
	  "password = \"HASH\"; }\n);\n", 2, "invalid user name" },
	{ "users = (\n { name = \"a\";\n   password = \"secret\"; }\n);\n", 3,
	  "password must be a hash" },
	{ "users = (\n { name = \"a\";\n   password = 12; }\n);\n", 3,
	  "password must be a hash" },
	{ "users = (\n { name = \"a\";\n   password = \"HASHx\"; }\n);\n", 3,
	  "password must be a hash" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = \"20X\"; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = \"\"; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = \"-1\"; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = -1; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = 1.5; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = true; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = \"9223372036854775808\"; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   quota = \"8388608T\"; }\n);\n", 3, "quota must be" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   rate_down = \"2X\"; }\n);\n", 3, "rate_down must be bytes" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n\n"
	  "   rate_up = -1; }\n);\n", 4, "rate_up must be bytes" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   rate_up = true; }\n);\n", 3, "rate_up must be bytes" },
	{ "users = (\n { name = \"a\"; password = \"HASH\";\n"
	  "   rate = \"1M\"; }\n);\n", 3, "rate_down, rate_up)" },
	{ "users = (\n { name = \"a\"; password = \"HASH\"; },\n"
	  " { name = \"b\"; password = \"HASH\"; },\n"
	  " { password = \"HASH\";\n   name = \"a\"; }\n);\n", 5,
	  "duplicate user \"a\"" },
};

START_TEST(test_load_errors)
{
	const struct bad_file *b = &bad_files[_i];
	const char *path = write_users(b->text);
	char err[512] = "", want[300];

	ck_assert_msg(users_load(path, 0, err, sizeof(err)) == NULL,
	    "accepted:\n%s", b->text);
	snprintf(want, sizeof(want), "%s:%u: ", path, b->line);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
	    "want \"%s...\", got \"%s\"", want, err);
	ck_assert_msg(strstr(err, b->words) != NULL,
	    "want \"%s\" in \"%s\"", b->words, err);
}
END_TEST

START_TEST(test_valid_name)
{
	static const char *const good[] = {
		"a", "Z", "0", "harry", "beal", "a.b", "a-b", "a_b", "_x",
		"x.", "x-", "abcdefghijklmnopqrstuvwxyz012345",	/* 32 */
		"0-._",
	};
	static const char *const bad[] = {
		"", ".", "..", ".x", "-x", "a b", "a/b", "/", "a\\b", "a:b",
		"a\tb", "a\nb", "\xc3\xa9", "abcdefghijklmnopqrstuvwxyz0123456",
		"a*", "~a", "a$", "a'b", "a\"b",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(users_valid_name(good[i]), "refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!users_valid_name(bad[i]), "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_put_del)
{
	struct userdb *db = users_new();
	const struct user *u;

	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(users_count(db), 0);
	ck_assert_int_eq(users_put(db, "a", hash, USER_QUOTA_DEFAULT), 0);
	ck_assert_int_eq(users_put(db, "b", hash, 0), 0);
	ck_assert_int_eq(users_put(db, "c", hash, 100), 0);
	ck_assert_uint_eq(users_count(db), 3);

	/* Replacing keeps the place in the file. */
	ck_assert_int_eq(users_put(db, "b", hash2, 7), 0);
	ck_assert_uint_eq(users_count(db), 3);
	u = users_at(db, 1);
	ck_assert_str_eq(u->name, "b");
	ck_assert_str_eq(u->password, hash2);
	ck_assert_int_eq(u->quota, 7);

	ck_assert_int_eq(users_del(db, "a"), 0);
	ck_assert_int_eq(users_del(db, "a"), -1);
	ck_assert_int_eq(users_del(db, "nobody"), -1);
	ck_assert_uint_eq(users_count(db), 2);
	ck_assert_str_eq(users_at(db, 0)->name, "b");
	ck_assert_str_eq(users_at(db, 1)->name, "c");
	ck_assert_ptr_null(users_find(db, "a"));

	/* What could not be saved and loaded back is refused. */
	errno = 0;
	ck_assert_int_eq(users_put(db, "x\"y", hash, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(users_put(db, "x", "plain", 0), -1);
	ck_assert_int_eq(users_put(db, "x", hash, -2), -1);
	ck_assert_uint_eq(users_count(db), 2);

	/* Growth past the first allocation. */
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "user%d", i);
		ck_assert_int_eq(users_put(db, name, hash, i), 0);
	}
	ck_assert_uint_eq(users_count(db), 102);
	ck_assert_int_eq(users_find(db, "user99")->quota, 99);
	users_unref(db);
}
END_TEST

START_TEST(test_save_reload)
{
	static const int64_t quotas[] = {
		USER_QUOTA_DEFAULT, 0, 1, 1023, 1024, 1536, 20 << 20,
		(20 << 20) + 1, 3LL << 30, 5LL << 40, 1LL << 50, INT64_MAX,
	};
	const size_t n = sizeof(quotas) / sizeof(quotas[0]);
	const char *path = users_path;
	char err[256] = "", name[16], line[512];
	struct userdb *db = users_new(), *back;
	const struct user *a, *b;
	struct stat st;
	FILE *fp;
	size_t i;
	DIR *d;
	int lines, files;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		ck_assert_int_eq(users_put(db, name, i % 2 ? hash : hash2,
		    quotas[i]), 0);
	}
	/* Saving over an existing file replaces it. */
	write_users("junk that does not parse");
	ck_assert_msg(users_save(db, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);

	back = users_load(path, 0, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_uint_eq(users_count(back), n);
	for (i = 0; i < n; i++) {
		a = users_at(db, i);
		b = users_at(back, i);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_str_eq(a->password, b->password);
		ck_assert_int_eq(a->quota, b->quota);
	}

	/* Quotas are written with a suffix when it is exact. */
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	lines = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strstr(line, "\"u0\"") != NULL)
			ck_assert_ptr_null(strstr(line, "quota"));
		if (strstr(line, "\"u6\"") != NULL)
			ck_assert_ptr_nonnull(strstr(line, "quota = \"20M\";"));
		if (strstr(line, "\"u5\"") != NULL)
			ck_assert_ptr_nonnull(strstr(line, "quota = \"1536\";"));
		if (strstr(line, "\"u9\"") != NULL)
			ck_assert_ptr_nonnull(strstr(line, "quota = \"5T\";"));
		if (strstr(line, "\"u10\"") != NULL)
			ck_assert_ptr_nonnull(strstr(line, "quota = \"1024T\";"));
		lines++;
	}
	fclose(fp);
	ck_assert_int_ge(lines, (int)n);

	/* No temporary file is left beside it. */
	ck_assert_ptr_nonnull(d = opendir(sandbox));
	files = 0;
	while (readdir(d) != NULL)
		files++;
	closedir(d);
	ck_assert_int_eq(files, 3);	/* ".", "..", users.conf */

	/* An empty database saves and loads too. */
	users_unref(back);
	users_unref(db);
	db = users_new();
	ck_assert_int_eq(users_save(db, path, err, sizeof(err)), 0);
	back = users_load(path, 0, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_uint_eq(users_count(back), 0);
	users_unref(back);
	users_unref(db);
}
END_TEST

START_TEST(test_save_errors)
{
	struct userdb *db = users_new();
	char path[SB_PATH], err[256] = "";

	ck_assert_int_eq(users_put(db, "a", hash, 0), 0);
	ck_assert_int_eq(users_save(db, in_sandbox(path, "no/users.conf"), err,
	    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no/users.conf") != NULL, "%s", err);
	/* A folder in the way of the rename: the temporary file goes away. */
	ck_assert_int_eq(mkdir(in_sandbox(path, "dir.conf"), 0700), 0);
	err[0] = '\0';
	ck_assert_int_eq(users_save(db, path, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "rename") != NULL, "%s", err);
	/* rmdir fails if anything was left inside or beside it. */
	ck_assert_int_eq(rmdir(path), 0);
	users_unref(db);
}
END_TEST

START_TEST(test_refcount)
{
	struct userdb *db = users_new();

	ck_assert_int_eq(users_put(db, "a", hash, 0), 0);
	ck_assert_ptr_eq(users_ref(db), db);
	ck_assert_ptr_eq(users_ref(db), db);
	users_unref(db);
	users_unref(db);
	/* Still alive on the first reference. */
	ck_assert_str_eq(users_find(db, "a")->name, "a");
	users_unref(db);
	users_unref(NULL);
}
END_TEST

#define REF_THREADS	8
#define REF_ROUNDS	20000

static void *
ref_worker(void *arg)
{
	struct userdb *db = arg;
	int i;

	for (i = 0; i < REF_ROUNDS; i++) {
		users_ref(db);
		if (users_find(db, "a") == NULL)
			return (void *)1;
		users_unref(db);
	}
	/* Each worker leaves holding the reference it was given. */
	users_unref(db);
	return NULL;
}

START_TEST(test_refcount_threads)
{
	pthread_t t[REF_THREADS];
	struct userdb *db = users_new();
	void *rv;
	int i;

	ck_assert_int_eq(users_put(db, "a", hash, 0), 0);
	for (i = 0; i < REF_THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, ref_worker,
		    users_ref(db)), 0);
	for (i = 0; i < REF_THREADS; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	/* Ours is the last reference; valgrind and ASan see the free. */
	ck_assert_str_eq(users_at(db, 0)->name, "a");
	users_unref(db);
}
END_TEST

static Suite *
users_suite(void)
{
	Suite *s = suite_create("users");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_load_valid);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_load_empty);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_not_regular);
	tcase_add_loop_test(tc, test_load_errors, 0,
	    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_valid_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("edit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_put_del);
	tcase_add_test(tc, test_save_reload);
	tcase_add_test(tc, test_save_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("refcount");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_refcount);
	tcase_add_test(tc, test_refcount_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(users_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
