/*
 * burrowd: the FTP server's process. The main thread reads the config,
 * binds the control port, and accepts connections, handing each to the
 * worker pool; signals arrive through a signalfd in the same poll loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/addr.h"
#include "proto/tls.h"
#include "proto/util.h"
#include "srv/conf.h"
#include "srv/ident.h"
#include "srv/jail.h"
#include "srv/lobby.h"
#include "srv/log.h"
#include "srv/pamauth.h"
#include "srv/metrics_http.h"
#include "srv/pgdb.h"
#include "srv/pgsync.h"
#include "srv/pool.h"
#include "srv/quota.h"
#include "srv/rate.h"
#include "srv/schema.h"
#include "srv/server.h"
#include "srv/service.h"
#include "srv/session.h"
#include "srv/users.h"
#include "srv/verify.h"
#include "srv/xferlog.h"

static void
usage(void)
{
	fprintf(stderr, "usage: burrowd [-c FILE] [-f] [-t] [-V]\n"
	    "  -c FILE  configuration file (default %s/burrow/burrowd.conf)\n"
	    "  -f       stay in the foreground and log to stderr\n"
	    "  -t       check the configuration and the users file, then exit\n"
	    "  -V       print the version and exit\n", SYSCONFDIR);
	exit(2);
}

/* Sends a short reply on a socket no session owns yet; never blocks. */
static void
say(int fd, const char *text)
{
	ssize_t r = send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)r;
}

static void
on_drop(void *item, enum pool_drop why, void *ctx)
{
	(void)why;
	(void)ctx;
	session_end(item, "Server shutting down.");
}

static const struct pool_ops ops = {
	.serve = session_serve,
	.drop = on_drop,
};

static int
open_listener(const struct srv_config *cfg, int portnum)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res;
	char port[8];
	int fd, one = 1, rc;

	snprintf(port, sizeof(port), "%d", portnum);
	if ((rc = getaddrinfo(cfg->listen[0] ? cfg->listen : NULL, port, &hints,
	    &res)) != 0) {
		fprintf(stderr, "burrowd: listen \"%s\": %s\n", cfg->listen,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1) {
		fprintf(stderr, "burrowd: cannot listen on %s port %d: %s\n",
		    cfg->listen, portnum, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Takes the pid file's lock; a second instance fails here. */
static int
lock_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		fprintf(stderr, "burrowd: pid file %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fprintf(stderr, "burrowd: already running (pid %s, pid file "
		    "%s)\n", buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void
write_pidfile(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn("write pid file");
}

static void
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) == -1) {
		perror("burrowd: fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if ((pid = fork()) == -1)
		exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		exit(1);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/*
 * Out of descriptors, accept() fails and the connection would wait in the
 * backlog unanswered, poll reporting it again at once. One descriptor is
 * kept in reserve for that moment: it is given up to take the connection,
 * tell it 421 and close it, then taken again. Only the main thread uses
 * this.
 */
struct acceptor {
	int	 spare;		/* the reserve, or -1 if it could not be had */
	int	 starved;	/* out of descriptors with no reserve: logged */
};

static void
spare_take(struct acceptor *ac)
{
	if (ac->spare == -1)
		ac->spare = eventfd(0, EFD_CLOEXEC);
}

/*
 * Refuses the next connection on lfd with the reserve descriptor (421, but
 * nothing in clear to an implicit FTPS client). err is accept()'s errno.
 * Returns 0, or -1 if there is no reserve or the connection could not be
 * taken even so (another thread took the descriptor first).
 */
static int
refuse_starved(struct acceptor *ac, int lfd, int implicit_tls, int err)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char who[INET6_ADDRSTRLEN];
	int fd, again;

	spare_take(ac);
	if (ac->spare == -1)
		return -1;
	close(ac->spare);
	ac->spare = -1;
	fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	again = fd == -1 && (errno == EMFILE || errno == ENFILE);
	if (fd != -1) {
		addr_ntop(&peer, who, sizeof(who));
		log_warnx("%s: refused: out of file descriptors (accept: %s)",
		    who, strerror(err));
		if (!implicit_tls)
			say(fd, "421 Server out of resources; try again "
			    "later.\r\n");
		close(fd);
	}
	spare_take(ac);
	return again ? -1 : 0;
}

static void
accept_one(struct server *srv, struct acceptor *ac, int lfd,
    int implicit_tls)
{
	struct session *s;
	struct client *cl;
	socklen_t len;
	char who[INET6_ADDRSTRLEN];
	int fd, err, one = 1;

	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return;
	len = sizeof(cl->peer);
	fd = accept4(lfd, (struct sockaddr *)&cl->peer, &len, SOCK_CLOEXEC);
	if (fd == -1) {
		err = errno;
		free(cl);
		if (err == EMFILE || err == ENFILE) {
			if (refuse_starved(ac, lfd, implicit_tls, err) == 0)
				return;
			/* No reserve: wait rather than spin on poll. */
			if (!ac->starved) {
				errno = err;
				log_warn("accept");
			}
			ac->starved = 1;
			poll(NULL, 0, 200);
			return;
		}
		if (err != EAGAIN && err != EINTR && err != ECONNABORTED) {
			errno = err;
			log_warn("accept");
		}
		return;
	}
	ac->starved = 0;
	spare_take(ac);
	cl->srv = srv;
	cl->fd = fd;
	cl->implicit_tls = implicit_tls;
	len = sizeof(cl->local);
	getsockname(fd, (struct sockaddr *)&cl->local, &len);
	/* ABOR may come as urgent data (RFC 959 4.1.3): keep it in line. */
	setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one));
	/*
	 * Replies are small and each waits for the client's next command:
	 * without this, a 226 after a transfer sits out a delayed ACK.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	addr_ntop(&cl->peer, who, sizeof(who));
	log_info("%s: connected", who);

	/*
	 * A balancer's connections are counted against the client's address
	 * once its PROXY header has said it (session.c), not here; so are
	 * bans.
	 */
	cl->via_proxy = conf_proxy_trusted(srv->cfg, &cl->peer);
	if (!cl->via_proxy && server_banned(srv, &cl->peer)) {
		log_info("%s: refused: banned after failed logins", who);
		say(fd, "421 Too many failed logins from your address; try again "
		    "later.\r\n");
		close(fd);
		free(cl);
		return;
	}
	if (server_ip_acquire(srv, &cl->peer, cl->via_proxy ? 0 :
	    (unsigned)srv->cfg->max_per_ip) == -1) {
		log_info("%s: refused: more than %d sessions from this address",
		    who, srv->cfg->max_per_ip);
		say(fd, "421 Too many connections from your address.\r\n");
		close(fd);
		free(cl);
		return;
	}
	if ((s = session_new(cl)) != NULL)
		lobby_admit(srv->lobby, s);
}

/*
 * Serves until SIGTERM or SIGINT; SIGHUP reloads the users. ifd is the
 * implicit FTPS listener, or -1; status is what the service manager is
 * told while serving.
 */
static void
serve(struct server *srv, int lfd, int ifd, int sfd, const char *status)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[3] = {
		{ .fd = lfd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = ifd, .events = POLLIN },
	};
	struct acceptor ac = { .spare = -1 };
	uint64_t one = 1;

	spare_take(&ac);
	for (;;) {
		if (poll(pfd, ifd != -1 ? 3 : 2, 1000) == -1 && errno != EINTR) {
			log_warn("poll");
			continue;
		}
		if (pfd[1].revents & POLLIN &&
		    read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				log_info("SIGHUP: reloading users and "
				    "certificate");
				service_reloading();
				server_reload_users(srv);
				server_reload_tls(srv);
				log_reopen();
				xferlog_reopen(srv->xferlog);
				service_ready(status);
			} else {
				log_info("signal %u: shutting down",
				    si.ssi_signo);
				service_stopping("Stopping: transfers may "
				    "finish");
				break;
			}
		}
		if (pfd[0].revents & POLLIN)
			accept_one(srv, &ac, lfd, 0);
		if (ifd != -1 && (pfd[2].revents & POLLIN))
			accept_one(srv, &ac, ifd, 1);
	}
	close(lfd);
	if (ifd != -1)
		close(ifd);
	if (ac.spare != -1)
		close(ac.spare);
	srv->stop_deadline = now_mono() + srv->cfg->shutdown_grace;
	atomic_store(&srv->stopping, 1);
	if (write(srv->wake_fd, &one, sizeof(one)) == -1)
		log_warn("eventfd write");
	server_wake_sessions(srv);
}

/*
 * Switches to the account cfg->user (its groups too) once the ports are
 * bound and the logs open, so that no session is ever served as root.
 * Without a user, refuses to run as root unless in the foreground (-f),
 * where it only warns. Returns 0 or -1 (message on stderr or the log).
 */
static int
drop_privileges(const struct srv_config *cfg, int foreground)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (geteuid() != 0) {
		if (cfg->user[0] != '\0')
			log_info("not root: user \"%s\" ignored", cfg->user);
		return 0;
	}
	if (cfg->user[0] == '\0' && conf_uses_pam(cfg))
		return 0;	/* each session acts as its account */
	if (cfg->user[0] == '\0') {
		/* Refused before detaching; -f only warns (tests, debugging). */
		log_warnx("serving as root: set user in %s", cfg->path);
		return foreground ? 0 : -1;
	}
	if (getpwnam_r(cfg->user, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL) {
		log_warnx("%s: no such user \"%s\"", cfg->path, cfg->user);
		return -1;
	}
	if (pw.pw_uid == 0) {
		log_warnx("%s: user \"%s\" is root", cfg->path, cfg->user);
		return -1;
	}
	/*
	 * Logs burrowd opened as root must stay reopenable after SIGHUP
	 * (rotation) once it runs as the account.
	 */
	if (cfg->log_file[0] != '\0' &&
	    chown(cfg->log_file, pw.pw_uid, pw.pw_gid) == -1)
		log_warn("chown %s", cfg->log_file);
	if (cfg->xfer_log[0] != '\0' &&
	    chown(cfg->xfer_log, pw.pw_uid, pw.pw_gid) == -1)
		log_warn("chown %s", cfg->xfer_log);
	if (initgroups(pw.pw_name, pw.pw_gid) == -1 ||
	    setgid(pw.pw_gid) == -1 || setuid(pw.pw_uid) == -1) {
		log_warn("switching to %s", cfg->user);
		return -1;
	}
	/* A process that can become root again has not dropped anything. */
	if (setuid(0) != -1 || geteuid() == 0)
		fatalx("still root after switching to %s", cfg->user);
	log_info("serving as %s (uid %ld, gid %ld)", cfg->user,
	    (long)pw.pw_uid, (long)pw.pw_gid);
	return 0;
}

/*
 * Every session holds a few descriptors and a first login's walk one per
 * folder level: take all the descriptors the hard limit allows.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static unsigned
ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Workers beyond max_clients, for sessions not logged in: one a CPU. */
static unsigned
login_workers(void)
{
	unsigned n = ncpu();

	return n < 2 ? 2 : n > 16 ? 16 : n;
}

/*
 * users_backend = "postgresql": the pool, and the accounts loaded from it.
 * A database that answers with tables of another version is a
 * configuration error. One that does not answer is an error for -t (a
 * check must see the accounts), but a node may start before its database:
 * it serves 421 to logins until the database is back.
 */
static int
open_database(struct server *srv, int check, char *err, size_t errlen)
{
	char why[512];
	PGconn *c;
	int version;

	srv->users_gen = -1;
	if ((srv->pg = pgdb_new(srv->cfg->pg_conninfo,
	    (unsigned)srv->cfg->pg_connections)) == NULL ||
	    (srv->pgsync = pgsync_new(srv)) == NULL ||
	    (srv->users = users_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((c = pgdb_get(srv->pg, why, sizeof(why))) == NULL) {
		if (check) {
			snprintf(err, errlen, "%s: postgresql.conninfo: %s",
			    srv->cfg->path, why);
			return -1;
		}
		fprintf(stderr, "burrowd: %s: postgresql.conninfo: %s; logins "
		    "get 421 until it is reachable\n", srv->cfg->path, why);
		return 0;
	}
	if (pgdb_schema_version(c, &version, why, sizeof(why)) == -1 ||
	    schema_usable(version, why, sizeof(why)) == -1) {
		pgdb_put(srv->pg, c);
		snprintf(err, errlen, "%s: postgresql.conninfo: %s",
		    srv->cfg->path, why);
		return -1;
	}
	pgdb_put(srv->pg, c);
	if (pgsync_refresh(srv->pgsync, 1, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	return 0;
}

/* Frees what main() set up; safe on a partly set-up server. */
static void
server_free(struct server *srv)
{
	if (srv->pool != NULL) {
		if (srv->lobby != NULL)
			lobby_stop(srv->lobby);
		pool_destroy(srv->pool);
	}
	lobby_free(srv->lobby);
	pgsync_free(srv->pgsync);
	pgdb_free(srv->pg);
	verifier_free(srv->verifier);
	if (srv->users != NULL)
		users_unref(srv->users);
	quota_table_free(srv->quotas);
	rate_table_free(srv->rates);
	free(srv->ips);
	free(srv->bans);
	if (srv->home_root_fd != -1)
		close(srv->home_root_fd);
	if (srv->wake_fd != -1)
		close(srv->wake_fd);
	tls_ctx_free(srv->tls);
	srv->tls = NULL;
	xferlog_close(srv->xferlog);
	conf_free(srv->cfg);
}

int
main(int argc, char **argv)
{
	struct server srv;
	struct metrics_http *metrics = NULL;
	char err[1024], status[128];
	const char *path = NULL;
	sigset_t sigs;
	int ch, foreground = 0, check = 0, lfd = -1, ifd = -1, sfd = -1;
	unsigned workers;
	int pidfd = -1;
	int rc = 1;

	while ((ch = getopt(argc, argv, "c:ftV")) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 't': check = 1; break;
		case 'V':
			printf("burrowd %s\n", PACKAGE_VERSION);
			return 0;
		default: usage();
		}
	}
	if (optind != argc)
		usage();

	memset(&srv, 0, sizeof(srv));
	srv.home_root_fd = srv.wake_fd = -1;
	pthread_mutex_init(&srv.users_lock, NULL);
	pthread_mutex_init(&srv.tls_lock, NULL);
	pthread_mutex_init(&srv.ip_lock, NULL);
	pthread_mutex_init(&srv.sessions_lock, NULL);
	pthread_mutex_init(&srv.ban_lock, NULL);
	if ((srv.cfg = conf_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "burrowd: %s\n", err);
		goto out;
	}
	if (conf_uses_postgresql(srv.cfg)) {
		if (open_database(&srv, check, err, sizeof(err)) == -1) {
			fprintf(stderr, "burrowd: %s\n", err);
			goto out;
		}
	} else if ((srv.users = users_load(srv.cfg->users_file,
	    conf_uses_pam(srv.cfg), err, sizeof(err))) == NULL) {
		fprintf(stderr, "burrowd: %s\n", err);
		goto out;
	}
	if (conf_uses_pam(srv.cfg) && !pamauth_available()) {
		fprintf(stderr, "burrowd: %s: auth = \"pam\", but this burrowd "
		    "was built without PAM (configure --without-pam)\n",
		    srv.cfg->path);
		goto out;
	}
	if (srv.cfg->tls_cert[0] != '\0' && (srv.tls = tls_server_ctx(
	    srv.cfg->tls_cert, srv.cfg->tls_key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "burrowd: %s: %s\n", srv.cfg->path, err);
		goto out;
	}
	srv.tls_on = srv.tls != NULL;
	if ((srv.home_root_fd = open(srv.cfg->home_root, O_RDONLY |
	    O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "burrowd: home_root %s: %s\n",
		    srv.cfg->home_root, strerror(errno));
		goto out;
	}
	if (check) {
		printf("%s: configuration OK, %zu users\n", srv.cfg->path,
		    users_count(srv.users));
		rc = 0;
		goto out;
	}

	umask(022);
	raise_fd_limit();
	jail_init_from_env();
	signal(SIGPIPE, SIG_IGN);
	/* The pid file first: a second instance says so, not "port in use". */
	if (srv.cfg->pid_file[0] != '\0' &&
	    (pidfd = lock_pidfile(srv.cfg->pid_file)) == -1)
		goto out;
	/* Sockets systemd passed (burrowd.socket) first, then the rest. */
	if (service_listeners(srv.cfg->port, srv.cfg->tls_implicit_port, &lfd,
	    &ifd, err, sizeof(err)) == -1) {
		fprintf(stderr, "burrowd: %s\n", err);
		goto out;
	}
	if (lfd == -1 && (lfd = open_listener(srv.cfg, srv.cfg->port)) == -1)
		goto out;
	if (srv.cfg->tls_implicit_port != 0 && ifd == -1 &&
	    (ifd = open_listener(srv.cfg, srv.cfg->tls_implicit_port)) == -1)
		goto out;
	if (metrics_http_open(&srv, &metrics, err, sizeof(err)) == -1) {
		fprintf(stderr, "burrowd: %s\n", err);
		goto out;
	}
	if (srv.cfg->xfer_log[0] != '\0' &&
	    (srv.xferlog = xferlog_open(srv.cfg->xfer_log)) == NULL) {
		fprintf(stderr, "burrowd: xfer_log %s: %s\n", srv.cfg->xfer_log,
		    strerror(errno));
		goto out;
	}
	/*
	 * With PAM, root is what lets each session act as its own account
	 * (srv/ident.h): no session is served with root's file access.
	 */
	if (!foreground && geteuid() == 0 && srv.cfg->user[0] == '\0' &&
	    !conf_uses_pam(srv.cfg)) {
		fprintf(stderr, "burrowd: refusing to serve as root: set user in "
		    "%s\n", srv.cfg->path);
		goto out;
	}
	if (!foreground)
		daemonize();
	if (foreground)
		log_open(LOGTO_STDERR, NULL);
	else if (srv.cfg->log_file[0] != '\0') {
		if (log_open(LOGTO_FILE, srv.cfg->log_file) == -1)
			log_open(LOGTO_SYSLOG, NULL);
	} else
		log_open(LOGTO_SYSLOG, NULL);
	if (pidfd != -1)
		write_pidfile(pidfd);
	if (drop_privileges(srv.cfg, foreground) == -1)
		goto out;
	if (conf_uses_pam(srv.cfg)) {
		if (ident_init() == -1) {
			log_warn("getgroups");
			goto out;
		}
		if (geteuid() == 0)
			log_info("PAM service \"%s\": sessions act as their "
			    "accounts", srv.cfg->pam_service);
		else
			log_info("PAM service \"%s\": not root, files are "
			    "created as uid %ld", srv.cfg->pam_service,
			    (long)geteuid());
	}

	/* Signals go to the signalfd only: workers inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1 ||
	    (srv.wake_fd = eventfd(0, EFD_CLOEXEC)) == -1) {
		log_warn("signalfd/eventfd");
		goto out;
	}
	if ((srv.rates = rate_table_new()) == NULL) {
		log_warn("rate table");
		goto out;
	}
	if ((srv.quotas = quota_table_new()) == NULL) {
		log_warn("quota table");
		goto out;
	}
	if (srv.pg != NULL) {
		char host[40];

		/* A name no other process on any node will have. */
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "node");
		host[sizeof(host) - 1] = '\0';
		snprintf(srv.node, sizeof(srv.node), "%s:%ld:%lx", host,
		    (long)getpid(), (unsigned long)(now_mono() * 1e6));
		quota_table_share(srv.quotas, srv.pg, srv.node,
		    srv.cfg->pg_lease);
	}
	/*
	 * A worker for each logged-in session, and a few more for logins
	 * (their password hashing is bounded by them); every session not
	 * logged in may be in the pool's queue at once.
	 */
	workers = (unsigned)srv.cfg->max_clients + login_workers();
	if ((srv.pool = pool_create(workers, (unsigned)srv.cfg->max_pending +
	    (unsigned)srv.cfg->max_clients, &ops, &srv)) == NULL) {
		log_warn("cannot start %u workers", workers);
		goto out;
	}
	srv.ncpu = (int)ncpu();
	if ((srv.verifier = verifier_new(ncpu(), srv.cfg->password_cache ?
	    4096 : 0)) == NULL) {
		log_warn("password checks");
		goto out;
	}
	if ((srv.lobby = lobby_start(&srv)) == NULL) {
		log_warn("lobby");
		goto out;
	}
	log_info("burrowd %s listening on %s port %d%s, %d sessions, queue %d, "
	    "%u workers", PACKAGE_VERSION, srv.cfg->listen, srv.cfg->port,
	    !srv.tls_on ? "" : srv.cfg->tls_require ? " (TLS required)" :
	    " (TLS available)", srv.cfg->max_clients, srv.cfg->queue_length,
	    workers);
	if (ifd != -1)
		log_info("implicit FTPS on port %d", srv.cfg->tls_implicit_port);
	if (srv.pgsync != NULL && pgsync_start(srv.pgsync) == -1) {
		log_warn("database listener");
		goto out;
	}
	if (metrics_http_start(metrics) == -1)
		goto out;

	snprintf(status, sizeof(status), "Serving on port %d, %d sessions at "
	    "most", srv.cfg->port, srv.cfg->max_clients);
	service_ready(status);
	serve(&srv, lfd, ifd, sfd, status);
	lfd = ifd = -1;	/* serve() closed them */

	lobby_stop(srv.lobby);
	pool_destroy(srv.pool);
	srv.pool = NULL;
	log_info("stopped");
	rc = 0;
out:
	if (pidfd != -1) {
		unlink(srv.cfg->pid_file);
		close(pidfd);
	}
	if (lfd != -1)
		close(lfd);
	if (ifd != -1)
		close(ifd);
	if (sfd != -1)
		close(sfd);
	metrics_http_stop(metrics);
	server_free(&srv);
	log_close();
	return rc;
}
