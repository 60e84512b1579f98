/*
 * conf: burrowd.conf, read through libconfig against one table of known
 * settings (name, type, bounds, default). Unknown keys, wrong types and
 * out-of-range values are errors reported as "FILE:LINE: message". Relative
 * paths are resolved against the folder holding the config file.
 */
#ifndef BURROW_CONF_H
#define BURROW_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct srv_config {
	char		*path;		/* the config file, absolute */
	char		*listen;
	int		 port;
	int		 max_clients;
	int		 queue_length;
	int		 max_pending;
	int		 queue_timeout;
	int		 max_per_ip;
	int		 idle_timeout;
	int		 login_timeout;
	int		 data_timeout;
	int		 pasv_min;
	int		 pasv_max;
	char		*pasv_address;
	char		*users_file;	/* absolute */
	char		*home_root;	/* absolute */
	uint64_t	 default_quota;
	uint64_t	 rate_down;	/* bytes/s a user's downloads share; 0: none */
	uint64_t	 rate_up;	/* bytes/s a user's uploads share; 0: none */
	int		 max_depth;	/* folder levels below a home; 0: no limit */
	int		 site_chmod;	/* SITE CHMOD is offered */
	int		 chmod_mask;	/* the mode bits SITE CHMOD may set */
	char		*log_file;	/* absolute or "" */
	char		*xfer_log;	/* absolute or "" */
	char		*pid_file;	/* absolute or "" */
	char		*metrics_listen;	/* "ADDR:PORT", "[ADDR]:PORT" or "" */
	char		*user;
	int		 max_login_attempts;
	int		 end_sessions_on_password_change;
	int		 password_cache;
	int		 hash_cache;	/* digests in user.burrow.hash.* */
	int		 ban_after;
	int		 ban_window;
	int		 ban_time;
	int		 max_sessions_per_user;
	int		 shutdown_grace;
	char		*tls_cert;	/* absolute or "" */
	char		*tls_key;	/* absolute or "" */
	int		 tls_require;
	int		 tls_require_session_reuse;
	int		 tls_implicit_port;	/* 0: no implicit FTPS */
	char		**proxy_trusted;	/* NULL-terminated; NULL: none */
	int		 proxy_timeout;	/* seconds to send the header */
	int		 proxy_data;	/* passive data from a proxy has a header */
	char		*users_backend;	/* "file" or "postgresql" */
	char		*pg_conninfo;	/* libpq connection string */
	int		 pg_connections;	/* pooled connections of a node */
	int		 pg_lease;	/* seconds a node's rows outlive it */
	char		*auth;		/* "file" or "pam" */
	char		*pam_service;	/* PAM service name (/etc/pam.d/NAME) */
	char		*pam_home;	/* "account" or "home_root" */
};

/* 1 if passwords are checked by PAM (auth = "pam"). */
int conf_uses_pam(const struct srv_config *cfg);

/* 1 if the accounts live in PostgreSQL (users_backend = "postgresql"). */
int conf_uses_postgresql(const struct srv_config *cfg);

/*
 * Reads path (or, if NULL, the default SYSCONFDIR/burrow/burrowd.conf). Returns a
 * config, or NULL with "FILE:LINE: message" (or "FILE: message") in err.
 */
struct srv_config *conf_load(const char *path, char *err, size_t errlen);

/* The defaults alone, as if the file were empty (tests, burrow-passwd). */
struct srv_config *conf_defaults(void);

void conf_free(struct srv_config *cfg);

/*
 * 1 if addr is one of proxy_protocol.trusted (an address, or a network
 * such as "10.0.0.0/8"), whose connections must begin with a PROXY header.
 */
int conf_proxy_trusted(const struct srv_config *cfg,
    const struct sockaddr_storage *addr);

/*
 * Resolves rel against the folder of the config file: an absolute rel is
 * copied, "" stays "". Returns a malloc'd string or NULL.
 */
char *conf_resolve(const struct srv_config *cfg, const char *rel);

#endif
