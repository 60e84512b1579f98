/*
 * burrow: the client. `burrow [options] [URL]` opens the two-pane screen;
 * `burrow --batch [options] URL` runs commands from standard input.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "proto/tls.h"
#include "proto/util.h"
#include "tui/batch.h"
#include "tui/client.h"
#include "tui/netrc.h"
#include "tui/remote.h"
#include "tui/settings.h"
#include "tui/sites.h"
#include "tui/trust.h"
#include "tui/url.h"


/* What the batch mode's further logins need (open_pair()). */
struct batch_login {
	struct url	 url;
	char		 password[URL_PASS_MAX];
	struct ftp_opts	 opts;
	struct xfer_pool *pool;		/* whose gate the logins wait at */
};

/*
 * The site named name from sites.conf into *site (s holds it). -1, with
 * the reason told, when the file has a mistake or no site of that name
 * (the known ones are listed).
 */
static int
find_site(const char *name, struct sites *s, const struct site **site)
{
	char file[4096], err[2048], names[1024];

	if (sites_default_file(file, sizeof(file)) < 0) {
		fprintf(stderr, "burrow: %s: not a URL, and no $HOME for "
		    "sites.conf\n", name);
		return -1;
	}
	if (sites_load(s, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "burrow: %s\n", err);
		return -1;
	}
	if ((*site = sites_find(s, name)) != NULL)
		return 0;
	sites_names(s, names, sizeof(names));
	fprintf(stderr, "burrow: %s: no such site in %s (%s%s); a URL starts "
	    "with ftp:// or ftps://\n", name, file, s->n > 0 ? "its sites: " :
	    "it has none", names);
	return -1;
}

/* xfer_open_pair for the batch mode: one more login, and a local side. */
static int
open_pair(void *arg, struct fs **remote, struct fs **local, char *err,
    size_t errlen)
{
	const struct batch_login *l = arg;
	struct ftp_opts o = l->opts;

	o.notice = NULL;	/* the first login has said it */
	o.before_login = xfer_pool_gate;
	o.before_login_arg = l->pool;
	if ((*remote = fs_remote_new(&l->url, l->password, &o, err,
	    errlen)) == NULL)
		return -1;
	if ((*local = fs_local_new(NULL, err, errlen)) == NULL) {
		fs_free(*remote);
		*remote = NULL;
		return -1;
	}
	return 0;
}

/*
 * burrow.conf's settings into co, under what the command line set
 * (parallel_set, timeout_set, keepalive_set). -1, told, for a mistake in
 * the file.
 */
static int
load_settings(struct client_opts *co, int timeout_set, int keepalive_set)
{
	struct settings st;
	char file[4096], err[1024];

	settings_defaults(&st);
	if (settings_default_file(file, sizeof(file)) == 0 &&
	    settings_load(&st, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "burrow: %s\n", err);
		return -1;
	}
	if (!co->parallel_set)
		co->parallel = (unsigned)st.parallel;
	if (!timeout_set)
		co->ftp.timeout_ms = st.timeout * 1000;
	if (!keepalive_set)
		co->keepalive_ms = st.keepalive * 1000;
	co->confirm_delete = st.confirm_delete;
	co->sort = st.sort;
	co->theme = st.theme;
	return 0;
}

/*
 * A site's options for the batch mode (what the command line did not
 * say), and its local folder as the current one. -1, told, when that
 * folder cannot be entered.
 */
static int
batch_site(const struct site *site, struct client_opts *co)
{
	char dir[4096];

	if (site->tls)
		co->ftp.tls = 1;
	if (site->cafile[0] != '\0' && co->ftp.cafile == NULL)
		co->ftp.cafile = site->cafile;
	if (site->parallel > 0 && !co->parallel_set)
		co->parallel = site->parallel;
	if (sites_local_dir(site, dir, sizeof(dir)) < 0) {
		fprintf(stderr, "burrow: %s: local_dir too long\n", site->name);
		return -1;
	}
	if (dir[0] != '\0' && chdir(dir) < 0) {
		fprintf(stderr, "burrow: %s: local_dir %s: %s\n", site->name,
		    dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: burrow [--tls] [--insecure] [--cafile FILE] [--timeout SECS]\n"
	    "              [--parallel N] [--keepalive SECS] [URL | SITE]\n"
	    "       burrow --batch [options] URL | SITE < commands\n"
	    "URL: ftp[s]://[user[:password]@]host[:port][/path]\n"
	    "SITE: a name from ~/.config/burrow/sites.conf\n"
	    "The password comes from the URL, BURROW_PASSWORD, ~/.netrc, or a "
	    "prompt.\n");
}

/* --help: every option, and where the rest is told. */
static void
help(FILE *f)
{
	struct settings d;

	settings_defaults(&d);
	usage(f);
	fprintf(f, "\n"
	    "Without --batch, a two-pane file manager: local files on the left,\n"
	    "the server's on the right (F1 in it lists the keys; F5 copies).\n"
	    "Without a URL it asks for one.\n"
	    "\n"
	    "Options:\n"
	    "  --batch          read commands from standard input (ls, cd, get,\n"
	    "                   put, mkdir, rm [-r], rename, chmod, hash,\n"
	    "                   quota...; 'help' lists them; get, put, rm and\n"
	    "                   chmod take wildcards: put *.txt); exit status\n"
	    "                   0 if all succeeded\n"
	    "  --tls            explicit TLS with an ftp:// URL (as ftps://)\n"
	    "  --insecure       accept any certificate (nothing checked or "
	    "pinned)\n"
	    "  --cafile FILE    trust the CAs in FILE (PEM) as well\n"
	    "  --timeout SECS   give up a connection silent this long "
	    "(default %d)\n"
	    "  --parallel N     move files over up to N logins at once (a "
	    "folder's\n                   file by file, and a big download in "
	    "ranges)"
	    "\n"
	    "                   (1 to %d, default %d; fewer if the server "
	    "refuses)\n"
	    "  --keepalive SECS the screen sends NOOP on its idle login this "
	    "often\n"
	    "                   (default %d; 0: never)\n"

	    "  -h, --help       print this help\n"
	    "  -V, --version    print the version\n"
	    "\n"
	    "The defaults of --parallel, --keepalive and --timeout, and the "
	    "screen's\n"
	    "colours, sort order and delete question, are in "
	    "~/.config/burrow/burrow.conf.\n"
	    "\n"
	    "A certificate no CA vouches for is trusted on first use and pinned "
	    "in\n"
	    "~/.config/burrow/known_hosts.\n"
	    "See burrow(1) for the keys, batch commands and transfer rules.\n",
	    d.timeout, XFER_PARALLEL_MAX, d.parallel, d.keepalive);
}

static void
notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "burrow: %s\n", msg);
}

int
client_read_password(const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int fd, r, echo_off = 0;
	size_t n = 0;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	(void)!write(fd, prompt, strlen(prompt));
	for (;;) {
		r = (int)read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n' || c == '\r')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (echo_off)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return r < 0 ? -1 : 0;
}

int
client_netrc_password(struct url *u, char *buf, size_t len, char *err,
    size_t errlen)
{
	struct netrc_entry e;
	char file[4096];
	int r;

	if (netrc_default_file(file, sizeof(file)) < 0)
		return 0;
	r = netrc_lookup(file, u->host, u->have_user ? u->user : NULL, &e,
	    err, errlen);
	if (r <= 0 || !e.have_password || (!u->have_user && e.have_login &&
	    strlen(e.login) >= sizeof(u->user))) {
		netrc_wipe(&e);
		return r < 0 ? -1 : 0;
	}
	if (!u->have_user && e.have_login) {
		snprintf(u->user, sizeof(u->user), "%s", e.login);
		u->have_user = 1;
	}
	snprintf(buf, len, "%s", e.password);
	netrc_wipe(&e);
	return 1;
}

int
client_known_password(struct url *u, char *buf, size_t len, char *err,
    size_t errlen)
{
	const char *env = getenv("BURROW_PASSWORD");
	int r;

	if (u->have_pass)
		snprintf(buf, len, "%s", u->pass);
	else if (env != NULL)
		snprintf(buf, len, "%s", env);
	else if ((r = client_netrc_password(u, buf, len, err, errlen)) != 0)
		return r;
	else if (!u->have_user || strcmp(u->user, "anonymous") == 0 ||
	    strcmp(u->user, "ftp") == 0)
		snprintf(buf, len, "anonymous@");
	else
		return 0;
	return 1;
}

int
client_password(struct url *u, char *buf, size_t len, char *err,
    size_t errlen)
{
	char prompt[URL_USER_MAX + URL_HOST_MAX + 32];
	int r;

	if ((r = client_known_password(u, buf, len, err, errlen)) != 0)
		return r > 0 ? 0 : -1;
	snprintf(prompt, sizeof(prompt), "Password for %s@%s: ", u->user,
	    u->host);
	if (client_read_password(prompt, buf, len) < 0) {
		set_err(err, errlen, "no password: give it in the URL, in "
		    "BURROW_PASSWORD or ~/.netrc, or on a terminal");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "tls", no_argument, NULL, 's' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "cafile", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "keepalive", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct client_opts co;
	struct sites sites = { NULL, 0 };
	const struct site *site = NULL;
	struct batch_login bl;
	struct xfer_pool *pool;
	struct url u;
	struct fs *remote, *local;
	char err[1024], pass[URL_PASS_MAX], known[4096];
	long long secs;
	int ch, batch = 0, failures, timeout_set = 0, keepalive_set = 0;

	memset(&co, 0, sizeof(co));
	co.ftp.notice = notice;
	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			batch = 1;
			break;
		case 's':
			co.ftp.tls = 1;
			break;
		case 'k':
			co.ftp.insecure = 1;
			break;
		case 'c':
			co.ftp.cafile = optarg;
			break;
		case 't':
			if (parse_num(optarg, 1, 86400, &secs, NULL) < 0) {
				fprintf(stderr, "burrow: --timeout: 1 to 86400 "
				    "seconds\n");
				return 2;
			}
			co.ftp.timeout_ms = (int)secs * 1000;
			timeout_set = 1;
			break;
		case 'p':
			if (parse_num(optarg, 1, XFER_PARALLEL_MAX, &secs,
			    NULL) < 0) {
				fprintf(stderr, "burrow: --parallel: 1 to %d\n",
				    XFER_PARALLEL_MAX);
				return 2;
			}
			co.parallel = (unsigned)secs;
			co.parallel_set = 1;
			break;
		case 'a':
			if (parse_num(optarg, 0, 86400, &secs, NULL) < 0) {
				fprintf(stderr, "burrow: --keepalive: 0 to 86400 "
				    "seconds\n");
				return 2;
			}
			co.keepalive_ms = (int)secs * 1000;
			keepalive_set = 1;
			break;
		case 'h':
			help(stdout);
			return 0;
		case 'V':
			printf("burrow %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind > 1 || (batch && argc - optind != 1)) {
		usage(stderr);
		return 2;
	}
	if (load_settings(&co, timeout_set, keepalive_set) < 0)
		return 2;
	if (trust_default_file(known, sizeof(known)) == 0)
		co.ftp.known_hosts = known;
	signal(SIGPIPE, SIG_IGN);
	/* An argument that is no URL names a site. */
	if (optind < argc && strstr(argv[optind], "://") == NULL &&
	    find_site(argv[optind], &sites, &site) < 0) {
		sites_free(&sites);
		return 2;
	}
	if (!batch) {
		ch = client_run(&co, optind < argc ? argv[optind] : NULL, site);
		sites_free(&sites);
		return ch;
	}

	if ((site != NULL ? sites_url(site, &u, err, sizeof(err)) :
	    url_parse(argv[optind], &u, err, sizeof(err))) < 0) {
		fprintf(stderr, "burrow: %s\n", err);
		sites_free(&sites);
		return 2;
	}
	if (u.scheme == URL_FTPS)
		co.ftp.tls = 1;
	if (site != NULL && batch_site(site, &co) < 0) {
		url_wipe(&u);
		sites_free(&sites);
		return 1;
	}
	if (client_password(&u, pass, sizeof(pass), err, sizeof(err)) < 0) {
		fprintf(stderr, "burrow: %s\n", err);
		url_wipe(&u);
		sites_free(&sites);
		return 1;
	}
	memset(&bl, 0, sizeof(bl));
	bl.url = u;
	snprintf(bl.password, sizeof(bl.password), "%s", pass);
	bl.opts = co.ftp;
	pool = co.parallel > 1 ? xfer_pool_new(co.parallel, open_pair, &bl) :
	    NULL;
	/* The further logins connect beside this one, and log in when a
	 * copy wants them. */
	bl.pool = pool;
	xfer_pool_connect(pool);
	remote = fs_remote_new(&u, pass, &co.ftp, err, sizeof(err));
	wipe(pass, sizeof(pass));
	url_wipe(&u);
	if (remote == NULL) {
		fprintf(stderr, "burrow: %s\n", err);
		xfer_pool_free(pool);
		wipe(&bl, sizeof(bl));
		sites_free(&sites);
		return 1;
	}
	if ((local = fs_local_new(NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "burrow: %s\n", err);
		xfer_pool_free(pool);
		fs_free(remote);
		wipe(&bl, sizeof(bl));
		sites_free(&sites);
		return 1;
	}
	failures = batch_run(remote, local, stdin, stdout, stderr,
	    isatty(STDERR_FILENO), pool);
	sites_free(&sites);
	xfer_pool_free(pool);
	wipe(&bl, sizeof(bl));
	fs_free(local);
	fs_free(remote);
	return failures == 0 ? 0 : 1;
}
