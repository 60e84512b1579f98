/*
 * passwd: burrow-passwd, the administrator's tool for the users file.
 *
 *   burrow-passwd [-c FILE] add NAME [--quota SIZE] [--stdin]
 *                           del NAME
 *                           passwd NAME [--stdin]
 *                           quota NAME SIZE|default
 *                           rate NAME DOWN|default UP|default
 *                           list
 *                           init-db
 *                           rescan NAME
 *
 * It finds the accounts and the homes through burrowd's own config, so
 * the two never disagree about where accounts live. Each command is one
 * entry of a table naming its arguments and options. With the users file,
 * an edit is a whole load, change and atomic save of the file, under a
 * lock on the file's folder so that two administrators cannot lose each
 * other's changes; a running burrowd picks the result up on SIGHUP. With
 * users_backend = "postgresql" an edit is one transaction on the account's
 * row that also notifies every node, which applies it at once; init-db
 * creates or upgrades the tables. Passwords are read without
 * echo from the terminal, or as one line from stdin for scripts, and are
 * wiped as soon as they are hashed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "proto/util.h"
#include "srv/auth.h"
#include "srv/conf.h"
#include "srv/pgdb.h"
#include "srv/pgquota.h"
#include "srv/pwread.h"
#include "srv/quota.h"
#include "srv/schema.h"
#include "srv/users.h"

#define PROGNAME	"burrow-passwd"
#define EXIT_USAGE	2
#define ITERATIONS_ENV	"BURROW_PBKDF2_ITERATIONS"

/* What a command accepts besides its positional arguments. */
#define OPT_QUOTA	0x1	/* --quota SIZE */
#define OPT_STDIN	0x2	/* --stdin */
#define ARG2_SIZE	0x4	/* the second positional argument is a SIZE */

/* Commands for the database only. */
#define DB_USE		1	/* its tables must be there, at our version */
#define DB_TABLES	2	/* makes the tables (init-db) */

/* A command line, split and checked for the command's function. */
struct args {
	const char	*pos[3];	/* positional arguments */
	int		 npos;
	int64_t		 quota;		/* --quota or the SIZE argument */
	int		 use_stdin;	/* --stdin */
};

/* What every command works on. */
struct ctx {
	struct srv_config	*cfg;
	struct userdb		*db;		/* as loaded, for reading */
	int			 lockfd;	/* the users file's folder */
	PGconn			*pg;		/* users_backend "postgresql" */
	const char		*where;		/* the accounts, for messages */
};

struct command {
	const char	*name;
	const char	*usage;		/* arguments, after the name */
	const char	*help;
	int		 npos;		/* positional arguments required */
	int		 opts;		/* OPT_* and ARG2_SIZE */
	int		 edits;		/* locks and saves the users file */
	int		 db_only;	/* DB_* : only with users_backend "postgresql" */
	int		 (*exec)(struct ctx *, const struct args *);
};

static int cmd_add(struct ctx *, const struct args *);
static int cmd_del(struct ctx *, const struct args *);
static int cmd_passwd(struct ctx *, const struct args *);
static int cmd_quota(struct ctx *, const struct args *);
static int cmd_rate(struct ctx *, const struct args *);
static int cmd_list(struct ctx *, const struct args *);
static int cmd_init_db(struct ctx *, const struct args *);
static int cmd_rescan(struct ctx *, const struct args *);

static const struct command commands[] = {
	{ "add", "NAME [--quota SIZE] [--stdin]",
	  "add an account and create its home", 1, OPT_QUOTA | OPT_STDIN, 1,
	  0, cmd_add },
	{ "del", "NAME", "remove an account (its home is kept)", 1, 0, 1, 0,
	  cmd_del },
	{ "passwd", "NAME [--stdin]", "change a password", 1, OPT_STDIN, 1, 0,
	  cmd_passwd },
	{ "quota", "NAME SIZE|default",
	  "set a quota: 20M, 1G, 0 for unlimited, default for the server's", 2,
	  ARG2_SIZE, 1, 0, cmd_quota },
	{ "rate", "NAME DOWN|default UP|default",
	  "set bandwidth limits in bytes per second, shared by all of the "
	  "user's sessions: 2M, 0 for unlimited, default for the server's "
	  "rate_down and rate_up", 3, 0, 1, 0, cmd_rate },
	{ "list", "", "show accounts, quotas and disk usage", 0, 0, 0, 0,
	  cmd_list },
	{ "init-db", "", "create or upgrade the PostgreSQL tables "
	  "(users_backend = \"postgresql\")", 0, 0, 0, DB_TABLES, cmd_init_db },
	{ "rescan", "NAME", "recompute the recorded quota usage of an account "
	  "from its home (PostgreSQL)", 1, 0, 0, DB_USE, cmd_rescan },
};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports an error on stderr as "burrow-passwd: message". */
static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROGNAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage_all(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: " PROGNAME " [-c FILE] COMMAND [ARGS]\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %s%s%s\n      %s\n", commands[i].name,
		    commands[i].usage[0] ? " " : "", commands[i].usage,
		    commands[i].help);
	fprintf(fp, "\n  -c FILE  burrowd's config file, which names the users "
	    "file (or the\n           database) and home_root (default: the one "
	    "burrowd reads)\n"
	    "  --stdin  read the password as one line from stdin instead of "
	    "the terminal\n");
}

static int
usage_cmd(const struct command *c)
{
	fprintf(stderr, "usage: " PROGNAME " [-c FILE] %s%s%s\n", c->name,
	    c->usage[0] ? " " : "", c->usage);
	return EXIT_USAGE;
}

/*
 * Parses a quota argument: a size ("20M", "0" for unlimited) or "default"
 * for USER_QUOTA_DEFAULT.
 */
static int
parse_quota(const char *s, int64_t *out)
{
	uint64_t v;

	if (strcmp(s, "default") == 0) {
		*out = USER_QUOTA_DEFAULT;
		return 0;
	}
	if (parse_size(s, &v) == -1 || v > INT64_MAX) {
		fail("invalid size \"%s\": digits with an optional K, M, G or "
		    "T, 0 for unlimited, or default", s);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

/*
 * Splits and checks the arguments after the command name, so that no
 * mistake in them is found after a password has been typed. Options may
 * come before or after the positional arguments; "--" ends them.
 */
static int
parse_args(const struct command *c, int argc, char **argv, struct args *a)
{
	const char *quota = NULL;
	int i, only_pos = 0;

	memset(a, 0, sizeof(*a));
	a->quota = USER_QUOTA_DEFAULT;
	for (i = 0; i < argc; i++) {
		if (!only_pos && strcmp(argv[i], "--") == 0)
			only_pos = 1;
		else if (!only_pos && (c->opts & OPT_STDIN) &&
		    strcmp(argv[i], "--stdin") == 0)
			a->use_stdin = 1;
		else if (!only_pos && (c->opts & OPT_QUOTA) &&
		    strcmp(argv[i], "--quota") == 0) {
			if (++i == argc) {
				fail("--quota needs a size");
				return -1;
			}
			quota = argv[i];
		} else if (!only_pos && (c->opts & OPT_QUOTA) &&
		    strncmp(argv[i], "--quota=", 8) == 0)
			quota = argv[i] + 8;
		else if (!only_pos && argv[i][0] == '-' && argv[i][1] != '\0') {
			fail("%s: unknown option %s", c->name, argv[i]);
			return -1;
		} else if (a->npos == c->npos) {
			fail("%s: unexpected argument \"%s\"", c->name, argv[i]);
			return -1;
		} else
			a->pos[a->npos++] = argv[i];
	}
	if (a->npos < c->npos) {
		fail("%s: missing argument", c->name);
		return -1;
	}
	if (c->npos > 0 && !users_valid_name(a->pos[0])) {
		fail("invalid user name \"%s\": 1 to %d of A-Z a-z 0-9 . _ -, "
		    "not starting with . or -", a->pos[0], USER_NAME_MAX);
		return -1;
	}
	if (c->opts & ARG2_SIZE)
		quota = a->pos[1];
	if (quota != NULL && parse_quota(quota, &a->quota) == -1)
		return -1;
	return 0;
}

/* Describes a quota for people: "20.0 MiB", "unlimited", "default (...)". */
static void
describe_quota(const struct srv_config *cfg, int64_t quota, char *buf,
    size_t len)
{
	char size[32];

	if (quota == USER_QUOTA_DEFAULT) {
		if (cfg->default_quota == 0)
			snprintf(buf, len, "default (unlimited)");
		else {
			format_size(cfg->default_quota, size, sizeof(size));
			snprintf(buf, len, "default (%s)", size);
		}
	} else if (quota == 0)
		snprintf(buf, len, "unlimited");
	else
		format_size((uint64_t)quota, buf, len);
}

/* The PBKDF2 rounds: AUTH_DEFAULT_ITERATIONS unless the environment says. */
static int
iterations(unsigned *out)
{
	const char *env = getenv(ITERATIONS_ENV), *errstr;
	long long v;

	if (env == NULL || env[0] == '\0') {
		*out = AUTH_DEFAULT_ITERATIONS;
		return 0;
	}
	if (parse_num(env, AUTH_MIN_ITERATIONS, AUTH_MAX_ITERATIONS, &v,
	    &errstr) == -1) {
		fail(ITERATIONS_ENV "=%s: %s (%d to %d)", env, errstr,
		    AUTH_MIN_ITERATIONS, AUTH_MAX_ITERATIONS);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Reads a new password for name and hashes it into enc. */
static int
new_hash(const char *name, int use_stdin, char *enc, size_t enclen)
{
	char pw[PWREAD_MAX];
	unsigned iter;
	int rc;

	if (iterations(&iter) == -1 ||
	    pwread_new(name, use_stdin, pw, sizeof(pw)) == -1)
		return -1;
	rc = auth_hash(pw, iter, enc, enclen);
	wipe(pw, sizeof(pw));
	if (rc == -1) {
		fail("cannot hash the password:");
		ERR_print_errors_fp(stderr);
	}
	return rc;
}

/* mkdir -p: creates path and its missing parents with mode. */
static int
mkdir_parents(const char *path, mode_t mode)
{
	char *p, *slash;
	struct stat st;
	int rc = -1;

	if ((p = strdup(path)) == NULL) {
		fail("out of memory");
		return -1;
	}
	for (slash = p + 1; ; slash++) {
		slash += strcspn(slash, "/");
		if (*slash == '/')
			*slash = '\0';
		else
			slash = NULL;
		if (mkdir(p, mode) == -1 && errno != EEXIST) {
			fail("mkdir %s: %s", p, strerror(errno));
			goto out;
		}
		if (slash == NULL)
			break;
		*slash = '/';
	}
	if (stat(p, &st) == -1) {
		fail("%s: %s", p, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		fail("%s: not a directory", p);
		goto out;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

/* home_root/name, malloc'd; NULL after reporting. */
static char *
home_of(const struct srv_config *cfg, const char *name)
{
	size_t n = strlen(cfg->home_root) + 1 + strlen(name) + 1;
	char *home;

	if ((home = malloc(n)) == NULL) {
		fail("out of memory");
		return NULL;
	}
	snprintf(home, n, "%s/%s", cfg->home_root, name);
	return home;
}

/*
 * Creates home, mode 0750, and its parents. A new home is given to the
 * account burrowd switches to, if any, when we run as root; an existing
 * one is left as it is. Sets *created.
 */
static int
make_home(const struct srv_config *cfg, const char *home, int *created)
{
	struct passwd *pw = NULL;
	struct stat st;
	int fd;

	*created = 0;
	/* Looked up first, so that a bad name leaves nothing behind. */
	if (geteuid() == 0 && cfg->user[0] != '\0' &&
	    (pw = getpwnam(cfg->user)) == NULL) {
		fail("%s: user = \"%s\": no such account to own %s", cfg->path,
		    cfg->user, home);
		return -1;
	}
	if (mkdir_parents(cfg->home_root, 0755) == -1)
		return -1;
	if (mkdir(home, 0750) == -1) {
		if (errno != EEXIST) {
			fail("mkdir %s: %s", home, strerror(errno));
			return -1;
		}
		if (stat(home, &st) == -1 || !S_ISDIR(st.st_mode)) {
			fail("%s exists and is not a directory", home);
			return -1;
		}
		return 0;
	}
	*created = 1;
	if (pw == NULL)
		return 0;
	if ((fd = open(home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fchown(fd, pw->pw_uid, pw->pw_gid) == -1) {
		fail("chown %s to %s: %s", home, cfg->user, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Adds the sizes of the regular files under the directory dfd (which this
 * takes over). Symbolic links are never followed, so the walk stays inside.
 */
static int
tree_size(int dfd, uint64_t *total)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd, saved, rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1) {
			if (errno == ENOENT)	/* removed while we looked */
				continue;
			rc = -1;
			break;
		}
		if (S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if ((fd == -1 && errno != ENOENT) ||
			    (fd != -1 && tree_size(fd, total) == -1)) {
				rc = -1;
				break;
			}
		}
	}
	if (e == NULL && errno != 0)
		rc = -1;
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}

/* Opens the users file's folder and takes the lock that serialises edits. */
static int
lock_users(struct ctx *x)
{
	const char *file = x->cfg->users_file;
	const char *slash = strrchr(file, '/');
	char *dir;

	if (slash == NULL)
		dir = strdup(".");
	else
		dir = strndup(file, slash == file ? 1 : (size_t)(slash - file));
	if (dir == NULL) {
		fail("out of memory");
		return -1;
	}
	if ((x->lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		fail("%s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	if (flock(x->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			fprintf(stderr, PROGNAME ": waiting for another "
			    PROGNAME " editing %s\n", file);
			if (flock(x->lockfd, LOCK_EX) == 0)
				goto locked;
		}
		fail("flock %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
locked:
	free(dir);
	return 0;
}

static int
save(struct ctx *x)
{
	char err[512];

	if (users_save(x->db, x->cfg->users_file, err, sizeof(err)) == -1) {
		fail("%s", err);
		return -1;
	}
	return 0;
}

/* The account named name, after reporting if there is none. */
static const struct user *
existing(struct ctx *x, const char *name)
{
	const struct user *u;

	if ((u = users_find(x->db, name)) == NULL)
		fail("no user named \"%s\" in %s", name, x->where);
	return u;
}

/*
 * The result of a change in the database: 0 done, else reported. missing
 * says what rc 1 means.
 */
static int
db_result(struct ctx *x, int rc, const char *name, const char *err,
    int missing)
{
	if (rc == -1)
		fail("%s", err);
	else if (rc == 1 && missing)
		fail("no user named \"%s\" in %s", name, x->where);
	else if (rc == 1)
		fail("user \"%s\" already exists (use passwd or quota to "
		    "change it)", name);
	return rc == 0 ? 0 : -1;
}

/*
 * Stores an account: a new one (is_new), else a change of the password
 * (password not NULL) or the quota (set_quota). With the users file the
 * whole file is saved; in the database only the row changes.
 */
static int
store_put(struct ctx *x, const char *name, const char *password,
    int set_quota, int64_t quota, int is_new)
{
	const struct user *u;
	char err[512], *old = NULL;
	int rc;

	if (x->pg != NULL) {
		if (is_new)
			rc = pgdb_user_add(x->pg, name, password, quota, err,
			    sizeof(err));
		else
			rc = pgdb_user_set(x->pg, name, password, set_quota,
			    quota, err, sizeof(err));
		return db_result(x, rc, name, err, !is_new);
	}
	if (!is_new && (u = users_find(x->db, name)) != NULL) {
		if (!set_quota)
			quota = u->quota;
		/* users_put frees the old password: keep our own copy. */
		if (password == NULL && (password = old = strdup(u->password)) ==
		    NULL) {
			fail("out of memory");
			return -1;
		}
	}
	rc = users_put(x->db, name, password, quota);
	free(old);
	if (rc == -1) {
		fail("out of memory");
		return -1;
	}
	return save(x);
}

/* Removes an account from the file or the database. */
static int
store_del(struct ctx *x, const char *name)
{
	char err[512];

	if (x->pg != NULL)
		return db_result(x, pgdb_user_del(x->pg, name, err,
		    sizeof(err)), name, err, 1);
	if (users_del(x->db, name) == -1)
		return -1;
	return save(x);
}

static int
cmd_add(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	char enc[AUTH_ENCODED_MAX], desc[64];
	char *home;
	int created, rc = -1;

	if (users_find(x->db, name) != NULL) {
		fail("user \"%s\" already exists (use passwd or quota to "
		    "change it)", name);
		return EXIT_FAILURE;
	}
	if ((home = home_of(x->cfg, name)) == NULL)
		return EXIT_FAILURE;
	if (new_hash(name, a->use_stdin, enc, sizeof(enc)) == -1)
		goto out;
	if (make_home(x->cfg, home, &created) == -1)
		goto out;
	if (store_put(x, name, enc, 1, a->quota, 1) == -1) {
		/* An account that could not be saved keeps no new home. */
		if (created && rmdir(home) == -1)
			fail("rmdir %s: %s", home, strerror(errno));
		goto out;
	}
	describe_quota(x->cfg, a->quota, desc, sizeof(desc));
	printf("added user %s, quota %s; home %s %s\n", name, desc, home,
	    created ? "created" : "already there, kept");
	rc = 0;
out:
	wipe(enc, sizeof(enc));
	free(home);
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
cmd_del(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	struct stat st;
	char *home;

	if (existing(x, name) == NULL)
		return EXIT_FAILURE;
	if ((home = home_of(x->cfg, name)) == NULL)
		return EXIT_FAILURE;
	if (store_del(x, name) == -1) {
		free(home);
		return EXIT_FAILURE;
	}
	if (lstat(home, &st) == 0)
		printf("deleted user %s; home %s kept (remove it yourself if "
		    "it is no longer wanted)\n", name, home);
	else
		printf("deleted user %s\n", name);
	free(home);
	return EXIT_SUCCESS;
}

static int
cmd_passwd(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	char enc[AUTH_ENCODED_MAX];
	int rc = EXIT_FAILURE;

	if (existing(x, name) == NULL)
		return EXIT_FAILURE;
	if (new_hash(name, a->use_stdin, enc, sizeof(enc)) == -1)
		goto out;
	if (store_put(x, name, enc, 0, 0, 0) == -1)
		goto out;
	printf("changed the password of %s\n", name);
	rc = EXIT_SUCCESS;
out:
	wipe(enc, sizeof(enc));
	return rc;
}

static int
cmd_quota(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	char desc[64];

	if (existing(x, name) == NULL)
		return EXIT_FAILURE;
	if (store_put(x, name, NULL, 1, a->quota, 0) == -1)
		return EXIT_FAILURE;
	describe_quota(x->cfg, a->quota, desc, sizeof(desc));
	printf("quota of %s set to %s\n", name, desc);
	return EXIT_SUCCESS;
}

/* Describes a rate: "2.0 MiB/s", "unlimited", "default (...)". */
static void
describe_rate(uint64_t dflt, int64_t rate, char *buf, size_t len)
{
	char size[32];

	if (rate == USER_RATE_DEFAULT) {
		if (dflt == 0)
			snprintf(buf, len, "default (unlimited)");
		else {
			format_size(dflt, size, sizeof(size));
			snprintf(buf, len, "default (%s/s)", size);
		}
	} else if (rate == 0)
		snprintf(buf, len, "unlimited");
	else {
		format_size((uint64_t)rate, size, sizeof(size));
		snprintf(buf, len, "%s/s", size);
	}
}

static int
cmd_rate(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	int64_t down, up;
	char d[64], u[64], err[512];

	/* parse_quota's "default" is USER_QUOTA_DEFAULT, as USER_RATE_DEFAULT. */
	if (parse_quota(a->pos[1], &down) == -1 ||
	    parse_quota(a->pos[2], &up) == -1)
		return EXIT_USAGE;
	if (existing(x, name) == NULL)
		return EXIT_FAILURE;
	if (x->pg != NULL) {
		if (db_result(x, pgdb_user_set_rates(x->pg, name, down, up, err,
		    sizeof(err)), name, err, 1) == -1)
			return EXIT_FAILURE;
	} else if (users_set_rates(x->db, name, down, up) == -1) {
		fail("%s: %s", name, strerror(errno));
		return EXIT_FAILURE;
	} else if (save(x) == -1)
		return EXIT_FAILURE;
	describe_rate(x->cfg->rate_down, down, d, sizeof(d));
	describe_rate(x->cfg->rate_up, up, u, sizeof(u));
	printf("rates of %s set to %s down, %s up\n", name, d, u);
	return EXIT_SUCCESS;
}

/* The usage the nodes have recorded for name, "-" before its first login. */
static int
recorded(struct ctx *x, const char *name, char *buf, size_t len)
{
	char err[512];
	uint64_t used;
	int exists;

	if (pgquota_used(x->pg, name, &used, &exists, err, sizeof(err)) == -1) {
		fail("%s", err);
		snprintf(buf, len, "?");
		return -1;
	}
	if (exists)
		format_size(used, buf, len);
	else
		snprintf(buf, len, "-");
	return 0;
}

static int
cmd_list(struct ctx *x, const struct args *a)
{
	const struct user *u;
	char quota[64], used[32], rec[32] = "";
	uint64_t total;
	size_t i, n = users_count(x->db);
	int w = 4, fd, rc = EXIT_SUCCESS;
	char *home;

	if (n == 0) {
		printf("no users in %s\n", x->where);
		return EXIT_SUCCESS;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(users_at(x->db, i)->name) > w)
			w = (int)strlen(users_at(x->db, i)->name);
	/* With the database, also what the nodes count (burrow_usage). */
	if (x->pg != NULL)
		printf("%-*s  %-24s  %-10s  %s\n", w, "NAME", "QUOTA", "USED",
		    "RECORDED");
	else
		printf("%-*s  %-24s  %s\n", w, "NAME", "QUOTA", "USED");
	for (i = 0; i < n; i++) {
		u = users_at(x->db, i);
		describe_quota(x->cfg, u->quota, quota, sizeof(quota));
		if ((home = home_of(x->cfg, u->name)) == NULL)
			return EXIT_FAILURE;
		total = 0;
		if ((fd = open(home, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 &&
		    errno == ENOENT)
			snprintf(used, sizeof(used), "-");
		else if (fd == -1 || tree_size(fd, &total) == -1) {
			fail("%s: %s", home, strerror(errno));
			snprintf(used, sizeof(used), "?");
			rc = EXIT_FAILURE;
		} else
			format_size(total, used, sizeof(used));
		if (x->pg == NULL)
			printf("%-*s  %-24s  %s\n", w, u->name, quota, used);
		else {
			if (recorded(x, u->name, rec, sizeof(rec)) == -1)
				rc = EXIT_FAILURE;
			printf("%-*s  %-24s  %-10s  %s\n", w, u->name, quota,
			    used, rec);
		}
		free(home);
	}
	return rc;
}

static int
cmd_init_db(struct ctx *x, const struct args *a)
{
	char err[512];
	int from;

	if (pgdb_init(x->pg, &from, err, sizeof(err)) == -1) {
		fail("%s", err);
		return EXIT_FAILURE;
	}
	if (from == SCHEMA_VERSION)
		printf("the database schema is already at version %d\n",
		    SCHEMA_VERSION);
	else if (from == 0)
		printf("created the Burrow tables, schema version %d\n",
		    SCHEMA_VERSION);
	else
		printf("upgraded the database schema from version %d to %d\n",
		    from, SCHEMA_VERSION);
	return EXIT_SUCCESS;
}

static int
cmd_rescan(struct ctx *x, const struct args *a)
{
	const char *name = a->pos[0];
	char err[512], size[32], *home;
	uint64_t disk, used, held;
	int fd, rc;

	if (existing(x, name) == NULL || (home = home_of(x->cfg, name)) == NULL)
		return EXIT_FAILURE;
	disk = 0;
	fd = open(home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if ((fd == -1 && errno != ENOENT) ||
	    (fd != -1 && quota_measure(fd, &disk) == -1)) {
		fail("%s: %s", home, strerror(errno));
		if (fd != -1)
			close(fd);
		free(home);
		return EXIT_FAILURE;
	}
	if (fd != -1)
		close(fd);
	free(home);
	rc = pgquota_rescan(x->pg, name, disk, &used, &held, err, sizeof(err));
	if (db_result(x, rc, name, err, 1) == -1)
		return EXIT_FAILURE;
	format_size(used, size, sizeof(size));
	printf("usage of %s set to %s: %" PRIu64 " bytes on disk, %" PRIu64
	    " reserved by uploads in progress\n", name, size, disk, held);
	return EXIT_SUCCESS;
}

/*
 * Connects to the database of the config and, unless the command makes
 * the tables, checks that they are the ones this program knows and loads
 * the accounts. Returns 0 or -1 (reported).
 */
static int
open_database(struct ctx *x, const struct command *c)
{
	char err[512];
	int64_t gen;
	int version;

	x->where = "the database";
	if ((x->pg = pgdb_connect(x->cfg->pg_conninfo, err, sizeof(err))) ==
	    NULL) {
		fail("%s: postgresql.conninfo: %s", x->cfg->path, err);
		return -1;
	}
	if (c->db_only == DB_TABLES)
		return 0;
	if (pgdb_schema_version(x->pg, &version, err, sizeof(err)) == -1 ||
	    schema_usable(version, err, sizeof(err)) == -1 ||
	    (x->db = pgdb_load_users(x->pg, &gen, err, sizeof(err))) == NULL) {
		fail("%s", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cfgpath = NULL;
	const struct command *c = NULL;
	struct ctx x = { NULL, NULL, -1, NULL, NULL };
	struct args a;
	char err[512];
	size_t i;
	int ch, rc;

	/* "+": stop at the command, whose own options follow it. */
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 'h':
			usage_all(stdout);
			return EXIT_SUCCESS;
		default:
			usage_all(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (c == NULL) {
		fail("unknown command \"%s\"", argv[0]);
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (parse_args(c, argc - 1, argv + 1, &a) == -1)
		return usage_cmd(c);

	/* NULL: the same default file as burrowd itself. */
	if ((x.cfg = conf_load(cfgpath, err, sizeof(err))) == NULL) {
		fail("%s", err);
		return EXIT_FAILURE;
	}
	rc = EXIT_FAILURE;
	if (conf_uses_postgresql(x.cfg)) {
		if (open_database(&x, c) == -1)
			goto out;
	} else if (c->db_only) {
		fail("%s: %s works on a database: set users_backend = "
		    "\"postgresql\"", x.cfg->path, c->name);
		goto out;
	} else {
		x.where = x.cfg->users_file;
		if (c->edits && lock_users(&x) == -1)
			goto out;
		if ((x.db = users_load(x.cfg->users_file, 1, err,
		    sizeof(err))) == NULL) {
			fail("%s", err);
			goto out;
		}
	}
	rc = c->exec(&x, &a);
out:
	users_unref(x.db);
	PQfinish(x.pg);
	if (x.lockfd != -1)
		close(x.lockfd);
	conf_free(x.cfg);
	if (fflush(stdout) != 0 && rc == EXIT_SUCCESS) {
		fail("stdout: %s", strerror(errno));
		rc = EXIT_FAILURE;
	}
	return rc;
}
