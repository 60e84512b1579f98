/*
 * conf: one table names every setting of burrowd.conf with its type,
 * bounds, default and place in struct srv_config. Reading walks the file's
 * settings against the table, so an unknown key, a wrong type or a value out
 * of range is reported with its file and line.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libconfig.h>

#include "proto/util.h"
#include "srv/conf.h"
#include "srv/metrics.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG SYSCONFDIR "/burrow/burrowd.conf"

enum opt_type { OPT_INT, OPT_BOOL, OPT_STR, OPT_PATH, OPT_SIZE, OPT_RANGE,
    OPT_NETS, OPT_MODE, OPT_WORD };

struct opt {
	const char	*name;		/* "tls.cert" for settings in a group */
	enum opt_type	 type;
	long long	 min, max;
	const char	*def;		/* default, as text */
	size_t		 off;		/* of the field in struct srv_config */
	size_t		 off2;		/* OPT_RANGE: the field of the upper end */
	const char	*help;
};

#define F(x) offsetof(struct srv_config, x)

static const struct opt opts[] = {
	{ "listen", OPT_STR, 0, 0, "127.0.0.1", F(listen), 0,
	  "address to listen on" },
	{ "port", OPT_INT, 1, 65535, "2121", F(port), 0, "control port" },
	{ "max_clients", OPT_INT, 1, 1024, "10", F(max_clients), 0,
	  "sessions logged in at once" },
	{ "queue_length", OPT_INT, 0, 4096, "16", F(queue_length), 0,
	  "connections that may wait for a place" },
	{ "max_pending", OPT_INT, 1, 65536, "1024", F(max_pending), 0,
	  "connections that may be open without having logged in" },
	{ "queue_timeout", OPT_INT, 1, 86400, "30", F(queue_timeout), 0,
	  "seconds a connection may wait in the queue" },
	{ "max_per_ip", OPT_INT, 0, 4096, "32", F(max_per_ip), 0,
	  "sessions (served and queued) from one address, 0 for no limit" },
	{ "idle_timeout", OPT_INT, 1, 86400, "300", F(idle_timeout), 0,
	  "seconds without a command before a session is closed" },
	{ "login_timeout", OPT_INT, 1, 3600, "60", F(login_timeout), 0,
	  "seconds a connection may take to log in" },
	{ "data_timeout", OPT_INT, 1, 86400, "60", F(data_timeout), 0,
	  "seconds a data connection may stall" },
	{ "pasv_ports", OPT_RANGE, 1024, 65535, "50000 50999", F(pasv_min),
	  F(pasv_max), "passive port range [low, high]" },
	{ "pasv_address", OPT_STR, 0, 0, "", F(pasv_address), 0,
	  "address announced in PASV replies (default: the control address)" },
	{ "users_file", OPT_PATH, 0, 0, "users.conf", F(users_file), 0,
	  "the accounts file" },
	{ "home_root", OPT_PATH, 0, 0, "../home", F(home_root), 0,
	  "folder holding one home directory per user" },
	{ "default_quota", OPT_SIZE, 0, 0, "10M", F(default_quota), 0,
	  "quota of users without their own, 0 for unlimited" },
	{ "rate_down", OPT_SIZE, 0, 0, "0", F(rate_down), 0,
	  "bytes per second all of a user's downloads share (K, M, G "
	  "suffixes), for users without their own; 0 for no limit" },
	{ "rate_up", OPT_SIZE, 0, 0, "0", F(rate_up), 0,
	  "bytes per second all of a user's uploads share, for users "
	  "without their own; 0 for no limit" },
	{ "max_depth", OPT_INT, 0, 2048, "256", F(max_depth), 0,
	  "folder levels below the home that MKD and RNTO may make, 0 for no "
	  "limit" },
	{ "site_chmod", OPT_BOOL, 0, 1, "true", F(site_chmod), 0,
	  "offer SITE CHMOD, which changes the permission bits of a file or "
	  "folder in the home" },
	{ "chmod_mask", OPT_MODE, 0, 07777, "0777", F(chmod_mask), 0,
	  "the bits SITE CHMOD may set, in octal; a mode with any other bit "
	  "is refused (setuid, setgid and sticky need 7777)" },
	{ "log_file", OPT_PATH, 0, 0, "", F(log_file), 0,
	  "log file; empty for syslog (or stderr with -f)" },
	{ "xfer_log", OPT_PATH, 0, 0, "", F(xfer_log), 0,
	  "transfer log in xferlog format; empty for none" },
	{ "pid_file", OPT_PATH, 0, 0, "", F(pid_file), 0, "pid file" },
	{ "metrics_listen", OPT_STR, 0, 0, "", F(metrics_listen), 0,
	  "address and port of the Prometheus metrics (GET /metrics); empty "
	  "for none" },
	{ "user", OPT_STR, 0, 0, "", F(user), 0,
	  "account to switch to after binding, when started as root" },
	{ "password_cache", OPT_BOOL, 0, 1, "true", F(password_cache), 0,
	  "remember verified passwords (keyed digests, in memory only) so "
	  "that the next login costs microseconds" },
	{ "hash_cache", OPT_BOOL, 0, 1, "true", F(hash_cache), 0,
	  "keep each file's HASH digest in an extended attribute "
	  "(user.burrow.hash.ALG) and compute an upload's as it arrives" },
	{ "end_sessions_on_password_change", OPT_BOOL, 0, 1, "false",
	  F(end_sessions_on_password_change), 0, "a reload that changes a "
	  "user's password ends the sessions logged in with the old one" },
	{ "max_login_attempts", OPT_INT, 1, 100, "3", F(max_login_attempts), 0,
	  "failed logins before the connection is closed" },
	{ "ban_after", OPT_INT, 0, 10000, "20", F(ban_after), 0,
	  "failed logins from one address within ban_window that ban it; "
	  "0 for never" },
	{ "ban_window", OPT_INT, 1, 86400, "300", F(ban_window), 0,
	  "seconds over which ban_after counts" },
	{ "ban_time", OPT_INT, 1, 604800, "600", F(ban_time), 0,
	  "seconds a banned address gets 421" },
	{ "max_sessions_per_user", OPT_INT, 0, 4096, "0",
	  F(max_sessions_per_user), 0, "sessions of one user, 0 for no limit" },
	{ "shutdown_grace", OPT_INT, 0, 3600, "10", F(shutdown_grace), 0,
	  "seconds running transfers may finish after SIGTERM" },
	{ "tls.cert", OPT_PATH, 0, 0, "", F(tls_cert), 0,
	  "certificate chain (PEM)" },
	{ "tls.key", OPT_PATH, 0, 0, "", F(tls_key), 0, "private key (PEM)" },
	{ "tls.require", OPT_BOOL, 0, 1, "false", F(tls_require), 0,
	  "refuse logins and data connections without TLS" },
	{ "tls.require_session_reuse", OPT_BOOL, 0, 1, "true",
	  F(tls_require_session_reuse), 0,
	  "protected data connections must resume the control's TLS session" },
	{ "tls.implicit_port", OPT_INT, 0, 65535, "0", F(tls_implicit_port), 0,
	  "port for implicit FTPS (TLS from the first byte), 0 for none" },
	{ "proxy_protocol.trusted", OPT_NETS, 0, 0, "", F(proxy_trusted), 0,
	  "balancers whose connections begin with a PROXY header" },
	{ "proxy_protocol.timeout", OPT_INT, 1, 3600, "5", F(proxy_timeout), 0,
	  "seconds a trusted balancer may take to send the header" },
	{ "proxy_protocol.data", OPT_BOOL, 0, 1, "false", F(proxy_data), 0,
	  "passive data connections from a balancer begin with a header too" },
	{ "users_backend", OPT_WORD, 0, 0, "file", F(users_backend), 0,
	  "where the accounts live: the users file, or PostgreSQL" },
	{ "postgresql.conninfo", OPT_STR, 0, 0, "", F(pg_conninfo), 0,
	  "libpq connection string of the shared database" },
	{ "postgresql.connections", OPT_INT, 1, 64, "4", F(pg_connections), 0,
	  "connections a node keeps open to the database" },
	{ "postgresql.lease", OPT_INT, 2, 3600, "15", F(pg_lease), 0,
	  "seconds after which a silent node's sessions and reservations "
	  "expire" },
	{ "auth", OPT_WORD, 0, 0, "file", F(auth), 0,
	  "who checks passwords: the users file's hashes, or PAM (the "
	  "machine's accounts)" },
	{ "pam_service", OPT_STR, 0, 0, "burrow", F(pam_service), 0,
	  "the PAM service of auth = \"pam\" (/etc/pam.d/NAME)" },
	{ "pam_home", OPT_WORD, 0, 0, "account", F(pam_home), 0,
	  "a PAM user's home: the account's own, or home_root/NAME" },
};

/* The words an OPT_WORD setting accepts, "|"-separated. */
static const struct {
	const char	*name;
	const char	*words;
} words[] = {
	{ "users_backend", "file|postgresql" },
	{ "auth", "file|pam" },
	{ "pam_home", "account|home_root" },
};

/* metrics_listen: off when empty, else an address and port. */
static int
check_metrics_listen(const char *value, char *why, size_t whylen)
{
	return value[0] == '\0' ? 0 :
	    metrics_parse_listen(value, NULL, NULL, why, whylen);
}

/* OPT_STR settings whose value is checked further; why names the setting. */
static const struct {
	const char	*name;
	int		(*check)(const char *value, char *why, size_t whylen);
} checks[] = {
	{ "metrics_listen", check_metrics_listen },
};

#undef F

static const char *const groups[] = { "tls", "proxy_protocol", "postgresql" };

static int *
field_int(struct srv_config *cfg, size_t off)
{
	return (int *)(void *)((char *)cfg + off);
}

static char **
field_str(struct srv_config *cfg, size_t off)
{
	return (char **)(void *)((char *)cfg + off);
}

static char ***
field_list(struct srv_config *cfg, size_t off)
{
	return (char ***)(void *)((char *)cfg + off);
}

static void
list_free(char **list)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/*
 * Parses "ADDR" or "ADDR/BITS" into its address and prefix length.
 * Returns 0 or -1.
 */
static int
net_parse(const char *text, struct sockaddr_storage *sa, int *bits)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	long long v;
	int max;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return -1;
	memset(sa, 0, sizeof(*sa));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf,
	    &((struct sockaddr_in *)(void *)sa)->sin_addr) == 1) {
		sa->ss_family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf,
	    &((struct sockaddr_in6 *)(void *)sa)->sin6_addr) == 1) {
		sa->ss_family = AF_INET6;
		max = 128;
	} else
		return -1;
	*bits = max;
	if (slash != NULL) {
		if (parse_num(slash, 0, max, &v, NULL) == -1)
			return -1;
		*bits = (int)v;
	}
	return 0;
}

/* 1 if the first bits bits of a and b (bytes) agree. */
static int
prefix_same(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	return rest == 0 || ((a[whole] ^ b[whole]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

int
conf_proxy_trusted(const struct srv_config *cfg,
    const struct sockaddr_storage *addr)
{
	const struct sockaddr_in6 *in6 = (const void *)addr;
	struct sockaddr_storage net, v4;
	size_t i;
	int bits;

	/* A v4-mapped IPv6 peer is matched as IPv4. */
	if (addr->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		memset(&v4, 0, sizeof(v4));
		v4.ss_family = AF_INET;
		memcpy(&((struct sockaddr_in *)(void *)&v4)->sin_addr,
		    &in6->sin6_addr.s6_addr[12], 4);
		addr = &v4;
	}
	for (i = 0; cfg->proxy_trusted != NULL &&
	    cfg->proxy_trusted[i] != NULL; i++) {
		if (net_parse(cfg->proxy_trusted[i], &net, &bits) == -1 ||
		    net.ss_family != addr->ss_family)
			continue;
		if (net.ss_family == AF_INET && prefix_same(
		    (const void *)&((struct sockaddr_in *)(void *)&net)->sin_addr,
		    (const void *)&((const struct sockaddr_in *)(const void *)
		    addr)->sin_addr, bits))
			return 1;
		if (net.ss_family == AF_INET6 && prefix_same(
		    ((struct sockaddr_in6 *)(void *)&net)->sin6_addr.s6_addr,
		    ((const struct sockaddr_in6 *)(const void *)
		    addr)->sin6_addr.s6_addr, bits))
			return 1;
	}
	return 0;
}

static uint64_t *
field_size(struct srv_config *cfg, size_t off)
{
	return (uint64_t *)(void *)((char *)cfg + off);
}

char *
conf_resolve(const struct srv_config *cfg, const char *rel)
{
	const char *slash;
	char *out;
	size_t dirlen;

	if (rel[0] == '/' || rel[0] == '\0' || cfg->path == NULL)
		return strdup(rel);
	slash = strrchr(cfg->path, '/');
	dirlen = slash != NULL ? (size_t)(slash - cfg->path) : 0;
	if ((out = malloc(dirlen + 1 + strlen(rel) + 1)) == NULL)
		return NULL;
	memcpy(out, cfg->path, dirlen);
	out[dirlen] = '/';
	strcpy(out + dirlen + 1, rel);
	return out;
}

/* Sets one option from its textual default. */
static int
set_default(struct srv_config *cfg, const struct opt *o)
{
	long long lo, hi;

	switch (o->type) {
	case OPT_INT:
	case OPT_BOOL:
		*field_int(cfg, o->off) = strcmp(o->def, "true") == 0 ? 1 :
		    (int)strtol(o->def, NULL, 10);
		return 0;
	case OPT_RANGE:
		if (sscanf(o->def, "%lld %lld", &lo, &hi) != 2)
			return -1;
		*field_int(cfg, o->off) = (int)lo;
		*field_int(cfg, o->off2) = (int)hi;
		return 0;
	case OPT_SIZE:
		return parse_size(o->def, field_size(cfg, o->off));
	case OPT_MODE: {
		unsigned m;

		if (parse_mode(o->def, &m) == -1)
			return -1;
		*field_int(cfg, o->off) = (int)m;
		return 0;
	}
	case OPT_NETS:
		list_free(*field_list(cfg, o->off));
		*field_list(cfg, o->off) = NULL;
		return 0;
	case OPT_STR:
	case OPT_WORD:
	case OPT_PATH:
		free(*field_str(cfg, o->off));
		*field_str(cfg, o->off) = o->type == OPT_PATH ?
		    conf_resolve(cfg, o->def) : strdup(o->def);
		return *field_str(cfg, o->off) == NULL ? -1 : 0;
	}
	return -1;
}

static struct srv_config *
conf_new(const char *path)
{
	struct srv_config *cfg;
	char abs[PATH_MAX];
	size_t i;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	if (path != NULL) {
		if (path[0] == '/')
			cfg->path = strdup(path);
		else if (getcwd(abs, sizeof(abs)) != NULL) {
			size_t n = strlen(abs) + 1 + strlen(path) + 1;
			if ((cfg->path = malloc(n)) != NULL)
				snprintf(cfg->path, n, "%s/%s", abs, path);
		}
		if (cfg->path == NULL) {
			free(cfg);
			return NULL;
		}
	}
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (set_default(cfg, &opts[i]) == -1) {
			conf_free(cfg);
			return NULL;
		}
	return cfg;
}

struct srv_config *
conf_defaults(void)
{
	return conf_new(NULL);
}

static const struct opt *
opt_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

static int
is_group(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i], name) == 0)
			return 1;
	return 0;
}

static const char *
type_name(enum opt_type t)
{
	switch (t) {
	case OPT_INT: return "an integer";
	case OPT_BOOL: return "true or false";
	case OPT_STR: return "a string";
	case OPT_PATH: return "a path string";
	case OPT_SIZE: return "a size such as \"10M\" or an integer";
	case OPT_RANGE: return "a pair of ports such as [50000, 50999]";
	case OPT_MODE: return "an octal mode in a string such as \"0777\"";
	case OPT_NETS: return "a list of addresses such as [\"10.0.0.1\", "
	    "\"10.1.0.0/16\"]";
	case OPT_WORD: return "a string";
	}
	return "?";
}

/* The words setting name accepts, "a|b". */
static const char *
word_list(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].name, name) == 0)
			return words[i].words;
	return "";
}

/* 1 if w is one of the words of setting name. */
static int
word_allowed(const char *name, const char *w)
{
	const char *p = word_list(name);
	size_t n = strlen(w);

	if (strchr(w, '|') != NULL)
		return 0;
	while (n > 0 && *p != '\0') {
		if (strncmp(p, w, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 1;
		p += strcspn(p, "|");
		if (*p == '|')
			p++;
	}
	return 0;
}

int
conf_uses_pam(const struct srv_config *cfg)
{
	return strcmp(cfg->auth, "pam") == 0;
}

int
conf_uses_postgresql(const struct srv_config *cfg)
{
	return strcmp(cfg->users_backend, "postgresql") == 0;
}

static int
int_in_range(const struct opt *o, long long v)
{
	return v >= o->min && v <= o->max;
}

/* Applies one setting s, whose full name is name. */
static int
apply(struct srv_config *cfg, const struct opt *o, config_setting_t *s,
    char *why, size_t whylen)
{
	int t = config_setting_type(s);
	long long v, v2;
	const char *str;

	switch (o->type) {
	case OPT_INT:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			goto badtype;
		v = config_setting_get_int64(s);
		if (!int_in_range(o, v)) {
			snprintf(why, whylen, "%s must be between %lld and %lld",
			    o->name, o->min, o->max);
			return -1;
		}
		*field_int(cfg, o->off) = (int)v;
		return 0;
	case OPT_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			goto badtype;
		*field_int(cfg, o->off) = config_setting_get_bool(s);
		return 0;
	case OPT_RANGE:
		if ((t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST) ||
		    config_setting_length(s) != 2)
			goto badtype;
		v = config_setting_get_int64_elem(s, 0);
		v2 = config_setting_get_int64_elem(s, 1);
		if (config_setting_type(config_setting_get_elem(s, 0)) !=
		    CONFIG_TYPE_INT ||
		    config_setting_type(config_setting_get_elem(s, 1)) !=
		    CONFIG_TYPE_INT)
			goto badtype;
		if (!int_in_range(o, v) || !int_in_range(o, v2) || v > v2) {
			snprintf(why, whylen, "%s must be two ports in "
			    "[%lld, %lld], low first", o->name, o->min, o->max);
			return -1;
		}
		*field_int(cfg, o->off) = (int)v;
		*field_int(cfg, o->off2) = (int)v2;
		return 0;
	case OPT_SIZE:
		if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
			v = config_setting_get_int64(s);
			if (v < 0) {
				snprintf(why, whylen, "%s must not be negative",
				    o->name);
				return -1;
			}
			*field_size(cfg, o->off) = (uint64_t)v;
			return 0;
		}
		if (t != CONFIG_TYPE_STRING)
			goto badtype;
		if (parse_size(config_setting_get_string(s),
		    field_size(cfg, o->off)) == -1) {
			snprintf(why, whylen, "%s: \"%s\" is not a size (digits "
			    "with an optional K, M, G or T)", o->name,
			    config_setting_get_string(s));
			return -1;
		}
		return 0;
	case OPT_MODE: {
		unsigned m;

		if (t != CONFIG_TYPE_STRING)
			goto badtype;
		if (parse_mode(config_setting_get_string(s), &m) == -1) {
			snprintf(why, whylen, "%s: \"%s\" is not an octal mode "
			    "(one to four digits 0-7, such as \"0777\")",
			    o->name, config_setting_get_string(s));
			return -1;
		}
		*field_int(cfg, o->off) = (int)m;
		return 0;
	}
	case OPT_NETS: {
		struct sockaddr_storage sa;
		char **list;
		int i, n, bits;

		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			goto badtype;
		n = config_setting_length(s);
		if ((list = calloc((size_t)n + 1, sizeof(*list))) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		for (i = 0; i < n; i++) {
			str = config_setting_get_string_elem(s, (unsigned)i);
			if (str == NULL || net_parse(str, &sa, &bits) == -1) {
				list_free(list);
				snprintf(why, whylen, "%s: element %d is not an "
				    "address or a network such as \"10.0.0.0/8\"",
				    o->name, i + 1);
				return -1;
			}
			if ((list[i] = strdup(str)) == NULL) {
				list_free(list);
				snprintf(why, whylen, "out of memory");
				return -1;
			}
		}
		list_free(*field_list(cfg, o->off));
		*field_list(cfg, o->off) = list;
		return 0;
	}
	case OPT_WORD:
		if (t != CONFIG_TYPE_STRING)
			goto badtype;
		if (!word_allowed(o->name, config_setting_get_string(s))) {
			snprintf(why, whylen, "%s: \"%s\" is not one of %s",
			    o->name, config_setting_get_string(s),
			    word_list(o->name));
			return -1;
		}
		/* FALLTHROUGH */
	case OPT_STR:
	case OPT_PATH:
		if (t != CONFIG_TYPE_STRING)
			goto badtype;
		str = config_setting_get_string(s);
		for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
			if (strcmp(checks[i].name, o->name) == 0 &&
			    checks[i].check(str, why, whylen) == -1)
				return -1;
		free(*field_str(cfg, o->off));
		*field_str(cfg, o->off) = o->type == OPT_PATH ?
		    conf_resolve(cfg, str) : strdup(str);
		if (*field_str(cfg, o->off) == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		return 0;
	}
badtype:
	snprintf(why, whylen, "%s must be %s", o->name, type_name(o->type));
	return -1;
}

/* Walks the settings of group (root or "tls"), prefixing names with prefix. */
static int
walk(struct srv_config *cfg, config_setting_t *group, const char *prefix,
    char *err, size_t errlen)
{
	config_setting_t *s;
	const struct opt *o;
	char name[128], why[512];
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, (unsigned)i);
		snprintf(name, sizeof(name), "%s%s%s", prefix,
		    prefix[0] ? "." : "", config_setting_name(s));
		if (prefix[0] == '\0' && is_group(name)) {
			if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
				snprintf(why, sizeof(why), "%s must be a group "
				    "such as %s = { ... };", name, name);
				goto fail;
			}
			if (walk(cfg, s, name, err, errlen) == -1)
				return -1;
			continue;
		}
		if ((o = opt_find(name)) == NULL) {
			snprintf(why, sizeof(why), "unknown setting \"%s\"", name);
			goto fail;
		}
		if (apply(cfg, o, s, why, sizeof(why)) == -1)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s:%u: %s",
	    config_setting_source_file(s) ? config_setting_source_file(s) :
	    cfg->path, config_setting_source_line(s), why);
	return -1;
}

struct srv_config *
conf_load(const char *path, char *err, size_t errlen)
{
	struct srv_config *cfg;
	config_t lc;

	if (path == NULL)
		path = DEFAULT_CONFIG;
	if ((cfg = conf_new(path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	config_init(&lc);
	if (config_read_file(&lc, cfg->path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read: %s", path,
			    strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s",
			    config_error_file(&lc) ? config_error_file(&lc) :
			    path, config_error_line(&lc), config_error_text(&lc));
		goto fail;
	}
	if (walk(cfg, config_root_setting(&lc), "", err, errlen) == -1)
		goto fail;
	if ((cfg->tls_require || cfg->tls_implicit_port != 0) &&
	    (cfg->tls_cert[0] == '\0' || cfg->tls_key[0] == '\0')) {
		snprintf(err, errlen, "%s: tls.require and tls.implicit_port "
		    "need tls.cert and tls.key", path);
		goto fail;
	}
	if (conf_uses_pam(cfg) && conf_uses_postgresql(cfg)) {
		snprintf(err, errlen, "%s: auth = \"pam\" needs users_backend "
		    "= \"file\" (the users file then gives quotas only)", path);
		goto fail;
	}
	if (conf_uses_pam(cfg) && cfg->pam_service[0] == '\0') {
		snprintf(err, errlen, "%s: pam_service is empty", path);
		goto fail;
	}
	config_destroy(&lc);
	return cfg;
fail:
	config_destroy(&lc);
	conf_free(cfg);
	return NULL;
}

void
conf_free(struct srv_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].type == OPT_STR || opts[i].type == OPT_PATH ||
		    opts[i].type == OPT_WORD)
			free(*field_str(cfg, opts[i].off));
		else if (opts[i].type == OPT_NETS)
			list_free(*field_list(cfg, opts[i].off));
	free(cfg->path);
	free(cfg);
}
