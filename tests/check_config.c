/*
 * check_config: unit tests for srv/conf.c, the reader of burrowd.conf.
 *
 * The defaults; every key of the settings table read from a file; relative
 * paths resolved against the config file's folder (conf_resolve too); and
 * each kind of bad file refused with "FILE:LINE: message" naming the line
 * of the offending setting: unknown keys, wrong types, out-of-range
 * integers, bad sizes, bad pasv_ports, a bad tls group, libconfig syntax
 * errors and a missing file. Every test writes its config file into its own
 * mkdtemp sandbox, removed afterwards.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "srv/conf.h"

#define SB_PATH		(PATH_MAX)
#define ERR_LEN		1024

/* The sandbox of the running test (real path) and its burrowd.conf. */
static char sandbox[SB_PATH];
static char conf_path[SB_PATH];
static char err[ERR_LEN];

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
	char dir[SB_PATH];

	snprintf(dir, sizeof(dir), "%s/check_config.XXXXXX",
	    tmp != NULL && tmp[0] == '/' && strlen(tmp) < 256 ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* getcwd() and so conf_load() of a relative path see the real path. */
	ck_assert_ptr_nonnull(realpath(dir, sandbox));
	in_sandbox(conf_path, "burrowd.conf");
	err[0] = '\0';
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	if (sandbox[0] != '\0')
		nftw(sandbox, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	sandbox[0] = '\0';
}

/* Writes text to path. */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Writes text as the sandbox's burrowd.conf and loads it. */
static struct srv_config *
load(const char *text)
{
	write_file(conf_path, text);
	err[0] = '\0';
	return conf_load(conf_path, err, sizeof(err));
}

/* Loads text, which must be refused on line with a message holding what. */
static void
assert_refused(const char *text, unsigned line, const char *what)
{
	struct srv_config *cfg = load(text);
	char prefix[SB_PATH + 32];

	if (cfg != NULL) {
		conf_free(cfg);
		ck_abort_msg("accepted:\n%s", text);
	}
	snprintf(prefix, sizeof(prefix), "%s:%u: ", conf_path, line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "error \"%s\" does not start with \"%s\" for:\n%s", err, prefix,
	    text);
	ck_assert_msg(strstr(err + strlen(prefix), what) != NULL,
	    "error \"%s\" does not say \"%s\"", err, what);
}

/* Loads text, which must be accepted; returns the config. */
static struct srv_config *
load_ok(const char *text)
{
	struct srv_config *cfg = load(text);

	ck_assert_msg(cfg != NULL, "refused (%s):\n%s", err, text);
	return cfg;
}

/* Checks that a path setting is the sandbox's rel. */
static void
assert_in_sandbox(const char *value, const char *rel)
{
	char want[SB_PATH];

	ck_assert_str_eq(value, in_sandbox(want, rel));
}

/* Every field of a config read from an empty file in the sandbox. */
static void
assert_defaults_but_tls(const struct srv_config *cfg)
{
	ck_assert_str_eq(cfg->listen, "127.0.0.1");
	ck_assert_int_eq(cfg->port, 2121);
	ck_assert_int_eq(cfg->max_clients, 10);
	ck_assert_int_eq(cfg->queue_length, 16);
	ck_assert_int_eq(cfg->queue_timeout, 30);
	ck_assert_int_eq(cfg->max_per_ip, 32);
	ck_assert_int_eq(cfg->max_pending, 1024);
	ck_assert_int_eq(cfg->idle_timeout, 300);
	ck_assert_int_eq(cfg->data_timeout, 60);
	ck_assert_int_eq(cfg->pasv_min, 50000);
	ck_assert_int_eq(cfg->pasv_max, 50999);
	ck_assert_str_eq(cfg->pasv_address, "");
	ck_assert(cfg->default_quota == 10ULL << 20);
	ck_assert_int_eq(cfg->max_depth, 256);
	ck_assert_int_eq(cfg->site_chmod, 1);
	ck_assert_int_eq(cfg->chmod_mask, 0777);
	ck_assert_str_eq(cfg->log_file, "");
	ck_assert_str_eq(cfg->xfer_log, "");
	ck_assert_str_eq(cfg->pid_file, "");
	ck_assert_str_eq(cfg->user, "");
	ck_assert_int_eq(cfg->max_login_attempts, 3);
	ck_assert_int_eq(cfg->max_sessions_per_user, 0);
	ck_assert_int_eq(cfg->shutdown_grace, 10);
	ck_assert_int_eq(cfg->tls_require_session_reuse, 1);
	ck_assert_int_eq(cfg->tls_implicit_port, 0);
	ck_assert_str_eq(cfg->users_backend, "file");
	ck_assert_int_eq(conf_uses_postgresql(cfg), 0);
	ck_assert_str_eq(cfg->pg_conninfo, "");
	ck_assert_int_eq(cfg->pg_connections, 4);
	ck_assert_int_eq(cfg->pg_lease, 15);
}

static void
assert_defaults(const struct srv_config *cfg)
{
	assert_defaults_but_tls(cfg);
	ck_assert_str_eq(cfg->tls_cert, "");
	ck_assert_str_eq(cfg->tls_key, "");
	ck_assert_int_eq(cfg->tls_require, 0);
}

/* ------------------------------------------------------------- defaults */

START_TEST(test_defaults)
{
	struct srv_config *cfg = conf_defaults();

	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg->path);
	assert_defaults(cfg);
	/* Without a file there is no folder to resolve against. */
	ck_assert_str_eq(cfg->users_file, "users.conf");
	ck_assert_str_eq(cfg->home_root, "../home");
	conf_free(cfg);
	conf_free(NULL);
}
END_TEST

START_TEST(test_defaults_empty_file)
{
	struct srv_config *cfg;

	cfg = load_ok("");
	ck_assert_str_eq(cfg->path, conf_path);
	assert_defaults(cfg);
	assert_in_sandbox(cfg->users_file, "users.conf");
	assert_in_sandbox(cfg->home_root, "../home");
	conf_free(cfg);

	/* Comments and an empty tls group change nothing. */
	cfg = load_ok("# nothing here\n// nor here\n/* nor\nhere */\n"
	    "tls = { };\n");
	assert_defaults(cfg);
	conf_free(cfg);
}
END_TEST

/*
 * The sample config/burrowd.conf spells out the defaults, except that it
 * turns TLS on (and requires it) with the certificate demo.sh creates.
 */
START_TEST(test_defaults_sample)
{
	const char *srcdir = getenv("BURROW_SRCDIR");
	char sample[SB_PATH], *slash;
	struct srv_config *cfg;

	if (srcdir != NULL)
		snprintf(sample, sizeof(sample), "%s/config/burrowd.conf",
		    srcdir);
	else {
		/* __FILE__ is srcdir/tests/check_config.c. */
		snprintf(sample, sizeof(sample), "%s", __FILE__);
		if ((slash = strrchr(sample, '/')) != NULL)
			*slash = '\0';
		if ((slash = strrchr(sample, '/')) != NULL)
			*slash = '\0';
		else
			snprintf(sample, sizeof(sample), "..");
		strncat(sample, "/config/burrowd.conf",
		    sizeof(sample) - strlen(sample) - 1);
	}
	if (access(sample, R_OK) == -1)
		return;		/* not in a source tree */
	cfg = conf_load(sample, err, sizeof(err));
	ck_assert_msg(cfg != NULL, "%s", err);
	assert_defaults_but_tls(cfg);
	ck_assert_msg(strstr(cfg->tls_cert, "/config/burrowd.crt") != NULL,
	    "%s", cfg->tls_cert);
	ck_assert_msg(strstr(cfg->tls_key, "/config/burrowd.key") != NULL,
	    "%s", cfg->tls_key);
	ck_assert_int_eq(cfg->tls_require, 1);
	conf_free(cfg);
}
END_TEST

/* ------------------------------------------------------------- all keys */

START_TEST(test_every_key)
{
	struct srv_config *cfg;

	cfg = load_ok(
	    "listen = \"0.0.0.0\";\n"
	    "port = 2100;\n"
	    "max_clients = 50;\n"
	    "queue_length = 0;\n"
	    "queue_timeout = 5;\n"
	    "max_per_ip = 4;\n"
	    "idle_timeout = 600;\n"
	    "data_timeout = 45;\n"
	    "pasv_ports = [40000, 40100];\n"
	    "pasv_address = \"203.0.113.5\";\n"
	    "users_file = \"/etc/burrow/users.conf\";\n"
	    "home_root = \"homes\";\n"
	    "default_quota = \"2G\";\n"
	    "log_file = \"log/burrowd.log\";\n"
	    "xfer_log = \"/var/log/xferlog\";\n"
	    "pid_file = \"run/burrowd.pid\";\n"
	    "user = \"ftp\";\n"
	    "max_login_attempts = 5;\n"
	    "max_sessions_per_user = 2;\n"
	    "shutdown_grace = 0;\n"
	    "tls = {\n"
	    "  cert = \"tls/cert.pem\";\n"
	    "  key = \"/etc/ssl/private/key.pem\";\n"
	    "  require = true;\n"
	    "};\n");
	ck_assert_str_eq(cfg->path, conf_path);
	ck_assert_str_eq(cfg->listen, "0.0.0.0");
	ck_assert_int_eq(cfg->port, 2100);
	ck_assert_int_eq(cfg->max_clients, 50);
	ck_assert_int_eq(cfg->queue_length, 0);
	ck_assert_int_eq(cfg->queue_timeout, 5);
	ck_assert_int_eq(cfg->max_per_ip, 4);
	ck_assert_int_eq(cfg->idle_timeout, 600);
	ck_assert_int_eq(cfg->data_timeout, 45);
	ck_assert_int_eq(cfg->pasv_min, 40000);
	ck_assert_int_eq(cfg->pasv_max, 40100);
	ck_assert_str_eq(cfg->pasv_address, "203.0.113.5");
	ck_assert_str_eq(cfg->users_file, "/etc/burrow/users.conf");
	assert_in_sandbox(cfg->home_root, "homes");
	ck_assert(cfg->default_quota == 2ULL << 30);
	assert_in_sandbox(cfg->log_file, "log/burrowd.log");
	ck_assert_str_eq(cfg->xfer_log, "/var/log/xferlog");
	assert_in_sandbox(cfg->pid_file, "run/burrowd.pid");
	ck_assert_str_eq(cfg->user, "ftp");
	ck_assert_int_eq(cfg->max_login_attempts, 5);
	ck_assert_int_eq(cfg->max_sessions_per_user, 2);
	ck_assert_int_eq(cfg->shutdown_grace, 0);
	assert_in_sandbox(cfg->tls_cert, "tls/cert.pem");
	ck_assert_str_eq(cfg->tls_key, "/etc/ssl/private/key.pem");
	ck_assert_int_eq(cfg->tls_require, 1);
	conf_free(cfg);
}
END_TEST

START_TEST(test_int_bounds)
{
	static const struct {
		const char	*text;
		size_t		 off;
		int		 want;
	} ok[] = {
		{ "port = 1;", offsetof(struct srv_config, port), 1 },
		{ "port = 65535;", offsetof(struct srv_config, port), 65535 },
		{ "port = 0x50;", offsetof(struct srv_config, port), 80 },
		{ "max_clients = 1;", offsetof(struct srv_config, max_clients), 1 },
		{ "max_clients = 1024;", offsetof(struct srv_config, max_clients),
		  1024 },
		{ "queue_length = 4096;",
		  offsetof(struct srv_config, queue_length), 4096 },
		{ "queue_timeout = 86400;",
		  offsetof(struct srv_config, queue_timeout), 86400 },
		{ "max_per_ip = 0;", offsetof(struct srv_config, max_per_ip), 0 },
		{ "idle_timeout = 1;", offsetof(struct srv_config, idle_timeout),
		  1 },
		{ "data_timeout = 86400;",
		  offsetof(struct srv_config, data_timeout), 86400 },
		{ "max_login_attempts = 100;",
		  offsetof(struct srv_config, max_login_attempts), 100 },
		{ "max_sessions_per_user = 4096;",
		  offsetof(struct srv_config, max_sessions_per_user), 4096 },
		{ "shutdown_grace = 3600;",
		  offsetof(struct srv_config, shutdown_grace), 3600 },
		/* 0 is no limit; 2048 levels fill a virtual path. */
		{ "max_depth = 0;", offsetof(struct srv_config, max_depth), 0 },
		{ "max_depth = 1;", offsetof(struct srv_config, max_depth), 1 },
		{ "max_depth = 2048;", offsetof(struct srv_config, max_depth),
		  2048 },
		/* A 64-bit literal within range is fine. */
		{ "port = 21L;", offsetof(struct srv_config, port), 21 },
	};
	struct srv_config *cfg;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cfg = load_ok(ok[i].text);
		ck_assert_msg(*(int *)(void *)((char *)cfg + ok[i].off) ==
		    ok[i].want, "%s gave %d", ok[i].text,
		    *(int *)(void *)((char *)cfg + ok[i].off));
		conf_free(cfg);
	}
}
END_TEST

START_TEST(test_bool)
{
	struct srv_config *cfg;

	cfg = load_ok("tls = { require = false; };\n");
	ck_assert_int_eq(cfg->tls_require, 0);
	conf_free(cfg);
	cfg = load_ok("tls = { cert = \"c\"; key = \"k\"; require = TRUE; };\n");
	ck_assert_int_eq(cfg->tls_require, 1);
	assert_in_sandbox(cfg->tls_cert, "c");
	assert_in_sandbox(cfg->tls_key, "k");
	conf_free(cfg);
}
END_TEST

START_TEST(test_size)
{
	static const struct {
		const char	*text;
		uint64_t	 want;
	} ok[] = {
		{ "default_quota = 0;", 0 },
		{ "default_quota = \"0\";", 0 },
		{ "default_quota = 1048576;", 1048576 },
		{ "default_quota = 5000000000L;", 5000000000ULL },
		{ "default_quota = \"512k\";", 512ULL << 10 },
		{ "default_quota = \"5MiB\";", 5ULL << 20 },
		{ "default_quota = \"3MB\";", 3ULL << 20 },
		{ "default_quota = \"1T\";", 1ULL << 40 },
	};
	struct srv_config *cfg;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cfg = load_ok(ok[i].text);
		ck_assert_msg(cfg->default_quota == ok[i].want, "%s gave %llu",
		    ok[i].text, (unsigned long long)cfg->default_quota);
		conf_free(cfg);
	}
}
END_TEST

START_TEST(test_pasv_ports)
{
	struct srv_config *cfg;

	/* A list works as well as an array; one port is a range. */
	cfg = load_ok("pasv_ports = (60000, 60010);\n");
	ck_assert_int_eq(cfg->pasv_min, 60000);
	ck_assert_int_eq(cfg->pasv_max, 60010);
	conf_free(cfg);
	cfg = load_ok("pasv_ports = [1024, 1024];\n");
	ck_assert_int_eq(cfg->pasv_min, 1024);
	ck_assert_int_eq(cfg->pasv_max, 1024);
	conf_free(cfg);
	cfg = load_ok("pasv_ports = [1024, 65535];\n");
	ck_assert_int_eq(cfg->pasv_min, 1024);
	ck_assert_int_eq(cfg->pasv_max, 65535);
	conf_free(cfg);
}
END_TEST

/* ---------------------------------------------------------------- paths */

START_TEST(test_paths_resolved)
{
	struct srv_config *cfg;

	cfg = load_ok(
	    "users_file = \"accounts/users.conf\";\n"
	    "home_root = \"../srv/ftp\";\n"
	    "log_file = \"./burrowd.log\";\n"
	    "xfer_log = \"\";\n"
	    "pid_file = \"/run/burrowd.pid\";\n"
	    "tls = { cert = \"cert.pem\"; key = \"/k.pem\"; };\n");
	assert_in_sandbox(cfg->users_file, "accounts/users.conf");
	assert_in_sandbox(cfg->home_root, "../srv/ftp");
	assert_in_sandbox(cfg->log_file, "./burrowd.log");
	ck_assert_str_eq(cfg->xfer_log, "");
	ck_assert_str_eq(cfg->pid_file, "/run/burrowd.pid");
	assert_in_sandbox(cfg->tls_cert, "cert.pem");
	ck_assert_str_eq(cfg->tls_key, "/k.pem");
	/* Plain strings are not paths. */
	conf_free(cfg);
	cfg = load_ok("user = \"nobody\";\nlisten = \"localhost\";\n");
	ck_assert_str_eq(cfg->user, "nobody");
	ck_assert_str_eq(cfg->listen, "localhost");
	conf_free(cfg);
}
END_TEST

/* A config named by a relative path still resolves against its folder. */
START_TEST(test_paths_relative_config)
{
	char sub[SB_PATH], subconf[SB_PATH], want[SB_PATH];
	struct srv_config *cfg;
	int here;

	ck_assert_int_eq(mkdir(in_sandbox(sub, "etc"), 0700), 0);
	write_file(in_sandbox(subconf, "etc/burrowd.conf"),
	    "home_root = \"homes\";\n");
	here = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(here, 0);
	ck_assert_int_eq(chdir(sandbox), 0);
	cfg = conf_load("etc/burrowd.conf", err, sizeof(err));
	ck_assert_int_eq(fchdir(here), 0);
	close(here);
	ck_assert_msg(cfg != NULL, "%s", err);
	ck_assert_str_eq(cfg->path, subconf);
	assert_in_sandbox(cfg->users_file, "etc/users.conf");
	assert_in_sandbox(cfg->home_root, "etc/homes");
	in_sandbox(want, "etc/x");
	{
		char *r = conf_resolve(cfg, "x");

		ck_assert_str_eq(r, want);
		free(r);
	}
	conf_free(cfg);
}
END_TEST

START_TEST(test_resolve)
{
	struct srv_config *cfg = load_ok("");
	char *r;

	r = conf_resolve(cfg, "a/b");
	assert_in_sandbox(r, "a/b");
	free(r);
	r = conf_resolve(cfg, "/abs/olute");
	ck_assert_str_eq(r, "/abs/olute");
	free(r);
	r = conf_resolve(cfg, "");
	ck_assert_str_eq(r, "");
	free(r);
	conf_free(cfg);

	/* Without a file, relative stays relative. */
	cfg = conf_defaults();
	ck_assert_ptr_nonnull(cfg);
	r = conf_resolve(cfg, "a/b");
	ck_assert_str_eq(r, "a/b");
	free(r);
	r = conf_resolve(cfg, "/x");
	ck_assert_str_eq(r, "/x");
	free(r);
	conf_free(cfg);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(test_err_unknown_key)
{
	assert_refused("port = 2121;\n\nbogus = 1;\n", 3,
	    "unknown setting \"bogus\"");
	/* Near misses of real names are unknown too. */
	assert_refused("Port = 21;\n", 1, "unknown setting \"Port\"");
	assert_refused("listen = \"::\";\nmax_client = 5;\n", 2,
	    "unknown setting \"max_client\"");
	/* Settings of the tls group at the top are unknown. */
	assert_refused("\n\ncert = \"c.pem\";\n", 3, "unknown setting \"cert\"");
	/* So are other groups. */
	assert_refused("port = 21;\nftp = {\n  port = 21;\n};\n", 2,
	    "unknown setting \"ftp\"");
}
END_TEST

START_TEST(test_chmod)
{
	static const struct {
		const char	*text;
		int		 mask;
	} ok[] = {
		{ "chmod_mask = \"0777\";", 0777 },
		{ "chmod_mask = \"755\";", 0755 },
		{ "chmod_mask = \"0\";", 0 },
		{ "chmod_mask = \"7777\";", 07777 },
		{ "chmod_mask = \"1777\";", 01777 },
	};
	struct srv_config *cfg;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cfg = load_ok(ok[i].text);
		ck_assert_msg(cfg->chmod_mask == ok[i].mask, "%s gave 0%o",
		    ok[i].text, (unsigned)cfg->chmod_mask);
		ck_assert_int_eq(cfg->site_chmod, 1);
		conf_free(cfg);
	}
	cfg = load_ok("site_chmod = false;\n");
	ck_assert_int_eq(cfg->site_chmod, 0);
	ck_assert_int_eq(cfg->chmod_mask, 0777);
	conf_free(cfg);
	/* Bad values, each with its file and line. */
	assert_refused("port = 21;\nchmod_mask = \"0x1ff\";\n", 2,
	    "chmod_mask: \"0x1ff\" is not an octal mode");
	assert_refused("chmod_mask = \"9\";\n", 1, "is not an octal mode");
	assert_refused("chmod_mask = \"12345\";\n", 1,
	    "is not an octal mode");
	assert_refused("chmod_mask = \"\";\n", 1, "is not an octal mode");
	assert_refused("chmod_mask = \"-1\";\n", 1, "is not an octal mode");
	assert_refused("chmod_mask = \"rwx\";\n", 1, "is not an octal mode");
	/* An integer would be read in decimal by libconfig: refused. */
	assert_refused("\n\nchmod_mask = 777;\n", 3,
	    "chmod_mask must be an octal mode in a string");
	assert_refused("site_chmod = 1;\n", 1,
	    "site_chmod must be true or false");
	assert_refused("site_chmod = \"yes\";\n", 1,
	    "site_chmod must be true or false");
}
END_TEST

START_TEST(test_err_type)
{
	/* A string for an integer. */
	assert_refused("listen = \"::1\";\nport = \"2121\";\n", 2,
	    "port must be an integer");
	/* An integer for a string and for a path. */
	assert_refused("\nlisten = 5;\n", 2, "listen must be a string");
	assert_refused("users_file = 5;\n", 1,
	    "users_file must be a path string");
	/* Floats and booleans are not integers. */
	assert_refused("port = 21.0;\n", 1, "port must be an integer");
	assert_refused("max_clients = true;\n", 1,
	    "max_clients must be an integer");
	/* An integer is not a boolean. */
	assert_refused("tls = {\n  require = 1;\n};\n", 2,
	    "tls.require must be true or false");
	/* A size is a string or an integer. */
	assert_refused("port = 21;\ndefault_quota = 1.5;\n", 2,
	    "default_quota must be a size");
	/* Lists, arrays and groups are no scalars. */
	assert_refused("port = [21];\n", 1, "port must be an integer");
	assert_refused("user = { };\n", 1, "user must be a string");
}
END_TEST

START_TEST(test_err_range)
{
	assert_refused("port = 0;\n", 1, "port must be between 1 and 65535");
	assert_refused("\n\n\nport = 65536;\n", 4,
	    "port must be between 1 and 65535");
	assert_refused("port = -21;\n", 1, "port must be between 1 and 65535");
	/* 64-bit values are not cut to int. */
	assert_refused("port = 4294967317L;\n", 1,
	    "port must be between 1 and 65535");
	assert_refused("port = 99999999999;\n", 1,
	    "port must be between 1 and 65535");
	assert_refused("max_clients = 0;\n", 1,
	    "max_clients must be between 1 and 1024");
	assert_refused("max_clients = 1025;\n", 1,
	    "max_clients must be between 1 and 1024");
	assert_refused("queue_length = -1;\n", 1,
	    "queue_length must be between 0 and 4096");
	assert_refused("idle_timeout = 0;\n", 1,
	    "idle_timeout must be between 1 and 86400");
	assert_refused("max_login_attempts = 101;\n", 1,
	    "max_login_attempts must be between 1 and 100");
	assert_refused("shutdown_grace = 3601;\n", 1,
	    "shutdown_grace must be between 0 and 3600");
	assert_refused("max_depth = -1;\n", 1,
	    "max_depth must be between 0 and 2048");
	assert_refused("max_depth = 2049;\n", 1,
	    "max_depth must be between 0 and 2048");
	assert_refused("max_depth = \"256\";\n", 1,
	    "max_depth must be an integer");
	assert_refused("default_quota = -1;\n", 1,
	    "default_quota must not be negative");
}
END_TEST

START_TEST(test_err_size)
{
	assert_refused("port = 21;\ndefault_quota = \"10X\";\n", 2,
	    "default_quota: \"10X\" is not a size");
	assert_refused("default_quota = \"\";\n", 1, "is not a size");
	assert_refused("default_quota = \"-1\";\n", 1, "is not a size");
	assert_refused("default_quota = \"1.5G\";\n", 1, "is not a size");
	assert_refused("default_quota = \"99999999999T\";\n", 1,
	    "is not a size");
	assert_refused("default_quota = \"10 M\";\n", 1, "is not a size");
}
END_TEST

START_TEST(test_err_pasv_ports)
{
	/* Wrong length or shape. */
	assert_refused("pasv_ports = [50000];\n", 1,
	    "pasv_ports must be a pair of ports");
	assert_refused("\npasv_ports = [50000, 50001, 50002];\n", 2,
	    "pasv_ports must be a pair of ports");
	assert_refused("pasv_ports = [];\n", 1,
	    "pasv_ports must be a pair of ports");
	assert_refused("pasv_ports = 50000;\n", 1,
	    "pasv_ports must be a pair of ports");
	assert_refused("pasv_ports = \"50000 50999\";\n", 1,
	    "pasv_ports must be a pair of ports");
	assert_refused("pasv_ports = (\"50000\", \"50999\");\n", 1,
	    "pasv_ports must be a pair of ports");
	assert_refused("pasv_ports = (50000, \"50999\");\n", 1,
	    "pasv_ports must be a pair of ports");
	/* Low above high. */
	assert_refused("port = 21;\npasv_ports = [50999, 50000];\n", 2,
	    "pasv_ports must be two ports in [1024, 65535], low first");
	/* Out of range, either end. */
	assert_refused("pasv_ports = [1023, 2000];\n", 1,
	    "pasv_ports must be two ports in [1024, 65535]");
	assert_refused("pasv_ports = [50000, 65536];\n", 1,
	    "pasv_ports must be two ports in [1024, 65535]");
	assert_refused("pasv_ports = [-1, 2000];\n", 1,
	    "pasv_ports must be two ports in [1024, 65535]");
}
END_TEST

START_TEST(test_err_tls_group)
{
	/* An unknown key inside the group, on its own line. */
	assert_refused(
	    "port = 2121;\n"
	    "tls = {\n"
	    "  cert = \"c.pem\";\n"
	    "  ciphers = \"HIGH\";\n"
	    "};\n", 4, "unknown setting \"tls.ciphers\"");
	/* A group inside the group. */
	assert_refused(
	    "tls = {\n"
	    "  key = \"k.pem\";\n"
	    "\n"
	    "  more = { a = 1; };\n"
	    "};\n", 4, "unknown setting \"tls.more\"");
	/* Wrong types inside. */
	assert_refused(
	    "tls = {\n"
	    "  cert = 5;\n"
	    "};\n", 2, "tls.cert must be a path string");
	/* tls.require needs both files (no line: it is about the whole). */
	{
		struct srv_config *cfg = load(
		    "tls = { cert = \"c.pem\"; require = true; };\n");
		char want[SB_PATH + 64];

		ck_assert_ptr_null(cfg);
		snprintf(want, sizeof(want), "%s: tls.require and "
		    "tls.implicit_port need tls.cert and tls.key", conf_path);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

START_TEST(test_err_tls_not_group)
{
	assert_refused("port = 21;\ntls = true;\n", 2,
	    "tls must be a group such as tls = { ... };");
	assert_refused("tls = \"cert.pem\";\n", 1, "tls must be a group");
	assert_refused("\n\ntls = (\"a\", \"b\");\n", 3, "tls must be a group");
	assert_refused("tls = [1, 2];\n", 1, "tls must be a group");
}
END_TEST

START_TEST(test_err_syntax)
{
	assert_refused("port = 2121;\nlisten = \"x\";\nidle_timeout = ;\n", 3,
	    "syntax error");
	assert_refused("port = 21;\nmax_clients = = 4;\n\n\nuser = \"a\";\n",
	    2, "syntax error");
	assert_refused("\n\n\n\nlisten = 5 6;\n", 5, "syntax error");
	assert_refused("tls = {\n  cert = \"c\";\n", 3, "");
	/* libconfig refuses the same name twice, naming the second. */
	assert_refused("port = 1;\n\nport = 2;\n", 3, "");
}
END_TEST

START_TEST(test_err_missing_file)
{
	char missing[SB_PATH];
	struct srv_config *cfg;

	in_sandbox(missing, "nope/burrowd.conf");
	cfg = conf_load(missing, err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strncmp(err, missing, strlen(missing)) == 0 &&
	    strncmp(err + strlen(missing), ": ", 2) == 0,
	    "error \"%s\" does not start with \"%s: \"", err, missing);
	ck_assert_ptr_nonnull(strstr(err, "cannot read"));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));

	/* The default file, when it is not there, is named too. */
	if (access(SYSCONFDIR "/burrow/burrowd.conf", F_OK) == -1) {
		err[0] = '\0';
		ck_assert_ptr_null(conf_load(NULL, err, sizeof(err)));
		ck_assert_msg(strstr(err, SYSCONFDIR "/burrow/burrowd.conf") !=
		    NULL, "error \"%s\" does not name the default file", err);
	}
}
END_TEST

/* users_backend and the postgresql group. */
START_TEST(test_postgresql)
{
	struct srv_config *cfg;

	cfg = load_ok("users_backend = \"postgresql\";\n"
	    "postgresql = { conninfo = \"host=127.0.0.1 dbname=burrow\"; "
	    "connections = 8; lease = 30; };\n");
	ck_assert_int_eq(conf_uses_postgresql(cfg), 1);
	ck_assert_str_eq(cfg->pg_conninfo, "host=127.0.0.1 dbname=burrow");
	ck_assert_int_eq(cfg->pg_connections, 8);
	ck_assert_int_eq(cfg->pg_lease, 30);
	conf_free(cfg);
	cfg = load_ok("users_backend = \"file\";\n");
	ck_assert_int_eq(conf_uses_postgresql(cfg), 0);
	conf_free(cfg);

	assert_refused("port = 21;\nusers_backend = \"ldap\";\n", 2,
	    "users_backend: \"ldap\" is not one of file|postgresql");
	/* A prefix of a word is not the word. */
	assert_refused("users_backend = \"post\";\n", 1, "not one of");
	assert_refused("users_backend = \"\";\n", 1, "not one of");
	assert_refused("users_backend = \"file|postgresql\";\n", 1,
	    "not one of");
	assert_refused("users_backend = 1;\n", 1,
	    "users_backend must be a string");
	assert_refused("postgresql = {\n  conninfo = \"\";\n"
	    "  connections = 0;\n};\n", 3,
	    "postgresql.connections must be between 1 and 64");
	assert_refused("postgresql = {\n  lease = 1;\n};\n", 2,
	    "postgresql.lease must be between 2 and 3600");
	assert_refused("postgresql = {\n  host = \"x\";\n};\n", 2,
	    "unknown setting \"postgresql.host\"");
	assert_refused("postgresql = \"host=x\";\n", 1,
	    "postgresql must be a group");
}
END_TEST

/* auth = "pam", its service and where its homes are. */
START_TEST(test_pam)
{
	struct srv_config *cfg;

	cfg = load_ok("port = 2100;\n");
	ck_assert_int_eq(conf_uses_pam(cfg), 0);
	ck_assert_str_eq(cfg->auth, "file");
	ck_assert_str_eq(cfg->pam_service, "burrow");
	ck_assert_str_eq(cfg->pam_home, "account");
	conf_free(cfg);
	cfg = load_ok("auth = \"pam\";\npam_service = \"ftp\";\n"
	    "pam_home = \"home_root\";\n");
	ck_assert_int_eq(conf_uses_pam(cfg), 1);
	ck_assert_str_eq(cfg->pam_service, "ftp");
	ck_assert_str_eq(cfg->pam_home, "home_root");
	conf_free(cfg);

	assert_refused("auth = \"ldap\";\n", 1,
	    "auth: \"ldap\" is not one of file|pam");
	assert_refused("pam_home = \"home\";\n", 1,
	    "pam_home: \"home\" is not one of account|home_root");
	/* Whole-file errors name the file, without a line. */
	ck_assert_ptr_null(load("auth = \"pam\";\n"
	    "users_backend = \"postgresql\";\n"));
	ck_assert_msg(strstr(err, "auth = \"pam\" needs users_backend = "
	    "\"file\"") != NULL, "%s", err);
	ck_assert_ptr_null(load("auth = \"pam\";\npam_service = \"\";\n"));
	ck_assert_msg(strstr(err, "pam_service is empty") != NULL, "%s", err);
}
END_TEST

/* An error message is cut to errlen, never overflowed. */
START_TEST(test_err_short_buffer)
{
	char small[16];

	memset(small, 'z', sizeof(small));
	write_file(conf_path, "bogus = 1;\n");
	ck_assert_ptr_null(conf_load(conf_path, small, 10));
	ck_assert_uint_eq(strlen(small), 9);
	ck_assert_int_eq(small[10], 'z');
}
END_TEST

/* ---------------------------------------------------------------- suite */

static void
add(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");

	add(s, "defaults", test_defaults);
	add(s, "defaults_empty_file", test_defaults_empty_file);
	add(s, "defaults_sample", test_defaults_sample);
	add(s, "every_key", test_every_key);
	add(s, "int_bounds", test_int_bounds);
	add(s, "bool", test_bool);
	add(s, "size", test_size);
	add(s, "pasv_ports", test_pasv_ports);
	add(s, "paths_resolved", test_paths_resolved);
	add(s, "paths_relative_config", test_paths_relative_config);
	add(s, "resolve", test_resolve);
	add(s, "err_unknown_key", test_err_unknown_key);
	add(s, "chmod", test_chmod);
	add(s, "err_type", test_err_type);
	add(s, "err_range", test_err_range);
	add(s, "err_size", test_err_size);
	add(s, "err_pasv_ports", test_err_pasv_ports);
	add(s, "err_tls_group", test_err_tls_group);
	add(s, "postgresql", test_postgresql);
	add(s, "pam", test_pam);
	add(s, "err_tls_not_group", test_err_tls_not_group);
	add(s, "err_syntax", test_err_syntax);
	add(s, "err_missing_file", test_err_missing_file);
	add(s, "err_short_buffer", test_err_short_buffer);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
