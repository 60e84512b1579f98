/*
 * users: the accounts database and its file. Loading checks every setting
 * of the users file (names, hashes, quotas, unknown keys, duplicates) and
 * reports the first problem with its file and line, so that a reload with a
 * broken file can be refused while the old database stays in service.
 * Saving writes a whole new file and renames it into place, so a reader
 * never sees half a file.
 *
 * A database shared between threads is never modified: users_put and
 * users_del are for a database its caller alone holds (burrow-passwd). Only
 * the reference count is touched concurrently, and it is atomic.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "proto/util.h"
#include "srv/auth.h"
#include "srv/users.h"

struct userdb {
	atomic_uint	 refs;
	struct user	*users;		/* in file order */
	size_t		 count;
	size_t		 cap;
};

struct userdb *
users_new(void)
{
	struct userdb *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	atomic_init(&db->refs, 1);
	return db;
}

static void
user_clear(struct user *u)
{
	free(u->name);
	if (u->password != NULL) {
		wipe(u->password, strlen(u->password));
		free(u->password);
	}
	memset(u, 0, sizeof(*u));
}

static void
users_free(struct userdb *db)
{
	size_t i;

	for (i = 0; i < db->count; i++)
		user_clear(&db->users[i]);
	free(db->users);
	free(db);
}

struct userdb *
users_ref(struct userdb *db)
{
	atomic_fetch_add_explicit(&db->refs, 1, memory_order_relaxed);
	return db;
}

void
users_unref(struct userdb *db)
{
	if (db == NULL)
		return;
	/* Release our writes; the last holder acquires everyone's. */
	if (atomic_fetch_sub_explicit(&db->refs, 1, memory_order_acq_rel) == 1)
		users_free(db);
}

int
users_valid_name(const char *name)
{
	size_t i;

	if (name[0] == '\0' || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= USER_NAME_MAX)
			return 0;
		if (!((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '.' || name[i] == '_' || name[i] == '-'))
			return 0;
	}
	return 1;
}

static struct user *
find(const struct userdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->count; i++)
		if (strcmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

const struct user *
users_find(const struct userdb *db, const char *name)
{
	return find(db, name);
}

size_t
users_count(const struct userdb *db)
{
	return db->count;
}

const struct user *
users_at(const struct userdb *db, size_t i)
{
	return i < db->count ? &db->users[i] : NULL;
}

/*
 * Besides running out of memory, refuses (EINVAL) what users_save could not
 * write back as a loadable file.
 */
int
users_put(struct userdb *db, const char *name, const char *password,
    int64_t quota)
{
	struct user *u, *grown;
	char *pw;
	size_t cap;

	if (!users_valid_name(name) || !auth_hash_valid(password) ||
	    quota < USER_QUOTA_DEFAULT) {
		errno = EINVAL;
		return -1;
	}
	if ((pw = strdup(password)) == NULL)
		return -1;
	if ((u = find(db, name)) != NULL) {
		wipe(u->password, strlen(u->password));
		free(u->password);
		u->password = pw;
		u->quota = quota;
		return 0;
	}
	if (db->count == db->cap) {
		cap = db->cap ? db->cap * 2 : 8;
		if ((grown = reallocarray(db->users, cap, sizeof(*grown))) ==
		    NULL)
			goto fail;
		db->users = grown;
		db->cap = cap;
	}
	u = &db->users[db->count];
	if ((u->name = strdup(name)) == NULL)
		goto fail;
	u->password = pw;
	u->quota = quota;
	u->rate_down = u->rate_up = USER_RATE_DEFAULT;
	db->count++;
	return 0;
fail:
	wipe(pw, strlen(pw));
	free(pw);
	errno = ENOMEM;
	return -1;
}

int
users_set_rates(struct userdb *db, const char *name, int64_t down, int64_t up)
{
	struct user *u;

	if ((u = find(db, name)) == NULL || down < USER_RATE_DEFAULT ||
	    up < USER_RATE_DEFAULT) {
		errno = EINVAL;
		return -1;
	}
	u->rate_down = down;
	u->rate_up = up;
	return 0;
}

uint64_t
users_rate_down(const struct user *u, uint64_t dflt)
{
	return u->rate_down == USER_RATE_DEFAULT ? dflt :
	    (uint64_t)u->rate_down;
}

uint64_t
users_rate_up(const struct user *u, uint64_t dflt)
{
	return u->rate_up == USER_RATE_DEFAULT ? dflt : (uint64_t)u->rate_up;
}

int
users_del(struct userdb *db, const char *name)
{
	struct user *u;
	size_t i;

	if ((u = find(db, name)) == NULL)
		return -1;
	i = (size_t)(u - db->users);
	user_clear(u);
	memmove(&db->users[i], &db->users[i + 1],
	    (db->count - i - 1) * sizeof(*db->users));
	db->count--;
	return 0;
}

/* Formats "FILE:LINE: message" for setting s of the file path. */
static void
setting_error(char *err, size_t errlen, const char *path,
    const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
setting_error(char *err, size_t errlen, const char *path,
    const config_setting_t *s, const char *fmt, ...)
{
	char why[256];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	file = config_setting_source_file(s);
	snprintf(err, errlen, "%s:%u: %s", file != NULL ? file : path,
	    config_setting_source_line(s), why);
}

/* Reads a quota setting: a size string such as "20M", or bytes. */
static int
read_quota(const config_setting_t *s, int64_t *quota)
{
	long long v;
	uint64_t u;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		if ((v = config_setting_get_int64(s)) < 0)
			return -1;
		*quota = v;
		return 0;
	case CONFIG_TYPE_STRING:
		if (parse_size(config_setting_get_string(s), &u) == -1 ||
		    u > INT64_MAX)
			return -1;
		*quota = (int64_t)u;
		return 0;
	default:
		return -1;
	}
}

/* Adds the account described by group g, one element of users. */
static int
load_user(struct userdb *db, const config_setting_t *g, const char *path,
    char *err, size_t errlen)
{
	const config_setting_t *s, *name = NULL, *password = NULL;
	const char *key, *str;
	int64_t quota = USER_QUOTA_DEFAULT;
	int64_t rate[2] = { USER_RATE_DEFAULT, USER_RATE_DEFAULT };
	int i, n;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		setting_error(err, errlen, path, g, "each entry of users must "
		    "be a group such as { name = \"...\"; password = \"...\"; }");
		return -1;
	}
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		key = config_setting_name(s);
		if (strcmp(key, "name") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_STRING) {
				setting_error(err, errlen, path, s,
				    "name must be a string");
				return -1;
			}
			str = config_setting_get_string(s);
			if (!users_valid_name(str)) {
				setting_error(err, errlen, path, s, "invalid "
				    "user name \"%s\": 1 to %d of A-Z a-z 0-9 "
				    ". _ -, not starting with . or -", str,
				    USER_NAME_MAX);
				return -1;
			}
			name = s;
		} else if (strcmp(key, "password") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_STRING ||
			    !auth_hash_valid(config_setting_get_string(s))) {
				setting_error(err, errlen, path, s, "password "
				    "must be a hash made by burrow-passwd "
				    "(\"$pbkdf2-sha256$...\")");
				return -1;
			}
			password = s;
		} else if (strcmp(key, "quota") == 0) {
			if (read_quota(s, &quota) == -1) {
				setting_error(err, errlen, path, s, "quota must "
				    "be a size such as \"20M\", or bytes; 0 "
				    "for unlimited");
				return -1;
			}
		} else if (strcmp(key, "rate_down") == 0 ||
		    strcmp(key, "rate_up") == 0) {
			/* The same syntax as a quota: "2M", or bytes. */
			int up = strcmp(key, "rate_up") == 0;

			if (read_quota(s, &rate[up]) == -1) {
				setting_error(err, errlen, path, s, "%s must be "
				    "bytes per second such as \"2M\"; 0 for "
				    "unlimited", key);
				return -1;
			}
		} else {
			setting_error(err, errlen, path, s, "unknown setting "
			    "\"%s\" in a user (name, password, quota, "
			    "rate_down, rate_up)", key);
			return -1;
		}
	}
	if (name == NULL || password == NULL) {
		setting_error(err, errlen, path, g, "user without %s",
		    name == NULL ? "a name" : "a password");
		return -1;
	}
	str = config_setting_get_string(name);
	if (find(db, str) != NULL) {
		setting_error(err, errlen, path, name, "duplicate user \"%s\"",
		    str);
		return -1;
	}
	if (users_put(db, str, config_setting_get_string(password), quota) ==
	    -1 || users_set_rates(db, str, rate[0], rate[1]) == -1) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

/* Fills db from the settings at the root of the file. */
static int
load_root(struct userdb *db, const config_setting_t *root, const char *path,
    char *err, size_t errlen)
{
	const config_setting_t *s, *list = NULL;
	int i, n;

	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		if (strcmp(config_setting_name(s), "users") != 0) {
			setting_error(err, errlen, path, s, "unknown setting "
			    "\"%s\" (the file holds only users = ( ... );)",
			    config_setting_name(s));
			return -1;
		}
		list = s;
	}
	if (list == NULL)
		return 0;
	/* An array can only hold scalars, so only an empty one gets past. */
	if (config_setting_type(list) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(list) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(list) == 0)) {
		setting_error(err, errlen, path, list, "users must be a list "
		    "of groups: users = ( { name = ...; }, ... );");
		return -1;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++)
		if (load_user(db, config_setting_get_elem(list, (unsigned)i),
		    path, err, errlen) == -1)
			return -1;
	return 0;
}

/*
 * Opens path to read it, refusing anything but a regular file: a FIFO put
 * in the file's place would otherwise block the opener (burrowd's main
 * thread, at SIGHUP) until some writer came, and a directory reads as an
 * error without errno. Returns the stream, or NULL with errno and *why,
 * the reason in words.
 */
static FILE *
open_file(const char *path, const char **why)
{
	struct stat st;
	FILE *fp;
	int fd, fl, saved;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1)
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		*why = errno == EISDIR ? "it is a directory" :
		    "not a regular file";
	}
	else if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    (fp = fdopen(fd, "r")) == NULL)
		*why = strerror(errno);
	else
		return fp;
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

struct userdb *
users_load(const char *path, int missing_ok, char *err, size_t errlen)
{
	struct userdb *db;
	const char *why;
	config_t cfg;
	FILE *fp;
	int rc, saved;

	if ((db = users_new()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if ((fp = open_file(path, &why)) == NULL) {
		if (errno == ENOENT && missing_ok)
			return db;
		snprintf(err, errlen, "%s: cannot read: %s", path, why);
		users_unref(db);
		return NULL;
	}
	config_init(&cfg);
	errno = 0;
	rc = config_read(&cfg, fp);
	saved = errno;
	fclose(fp);
	if (rc != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read: %s", path,
			    saved != 0 ? strerror(saved) : "read error");
		else
			snprintf(err, errlen, "%s:%d: %s",
			    config_error_file(&cfg) ? config_error_file(&cfg) :
			    path, config_error_line(&cfg),
			    config_error_text(&cfg));
		goto fail;
	}
	if (load_root(db, config_root_setting(&cfg), path, err, errlen) == -1)
		goto fail;
	config_destroy(&cfg);
	return db;
fail:
	config_destroy(&cfg);
	users_unref(db);
	return NULL;
}

/* Writes q as the shortest exact size string: "20M", "1536K", "1000". */
static void
quota_string(int64_t q, char *buf, size_t len)
{
	static const char suffixes[] = "KMGT";
	uint64_t v = (uint64_t)q;
	int i = -1;

	while (v != 0 && v % 1024 == 0 && i + 1 < (int)sizeof(suffixes) - 1) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v, suffixes[i]);
}

static int
write_db(const struct userdb *db, FILE *fp)
{
	const struct user *u;
	char quota[32];
	size_t i;

	/* Names and hashes are validated: nothing in them needs escaping. */
	fprintf(fp, "# Burrow accounts, written by burrow-passwd.\n"
	    "users = (\n");
	for (i = 0; i < db->count; i++) {
		u = &db->users[i];
		fprintf(fp, "\t{ name = \"%s\"; password = \"%s\";", u->name,
		    u->password);
		if (u->quota != USER_QUOTA_DEFAULT) {
			quota_string(u->quota, quota, sizeof(quota));
			fprintf(fp, " quota = \"%s\";", quota);
		}
		if (u->rate_down != USER_RATE_DEFAULT) {
			quota_string(u->rate_down, quota, sizeof(quota));
			fprintf(fp, " rate_down = \"%s\";", quota);
		}
		if (u->rate_up != USER_RATE_DEFAULT) {
			quota_string(u->rate_up, quota, sizeof(quota));
			fprintf(fp, " rate_up = \"%s\";", quota);
		}
		fprintf(fp, " }%s\n", i + 1 < db->count ? "," : "");
	}
	fprintf(fp, ");\n");
	return fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
}

/* Makes the rename durable by syncing the folder that holds path. */
static void
sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
users_save(const struct userdb *db, const char *path, char *err,
    size_t errlen)
{
	struct stat st;
	char *tmp;
	FILE *fp = NULL;
	size_t n = strlen(path) + sizeof(".XXXXXX");
	int fd;

	if ((tmp = malloc(n)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errlen, "%s: fchmod: %s", tmp, strerror(errno));
		goto fail;
	}
	/*
	 * Keep the owner of the file being replaced: a daemon that has
	 * dropped to its own account must still be able to reread it.
	 */
	if (stat(path, &st) == 0 && (st.st_uid != geteuid() ||
	    st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) == -1) {
		snprintf(err, errlen, "%s: cannot keep owner %u:%u: %s", path,
		    (unsigned)st.st_uid, (unsigned)st.st_gid, strerror(errno));
		goto fail;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: fdopen: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (write_db(db, fp) == -1 || fsync(fileno(fp)) == -1) {
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fp = NULL;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: cannot rename to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	sync_parent(path);
	free(tmp);
	return 0;
fail:
	if (fp != NULL)
		fclose(fp);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
