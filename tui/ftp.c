/*
 * ftp: the client's FTP control connection; see ftp.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "proto/addr.h"
#include "proto/cmd.h"
#include "proto/netio.h"
#include "proto/reply.h"
#include "proto/tls.h"
#include "proto/util.h"
#include "tui/ftp.h"
#include "tui/trust.h"

#define LINE_MAX_FTP	4096
#define FS_PATH		4096
#define QUIT_TIMEOUT_MS	2000
#define ABORT_SYNC_MS	3000	/* for the replies after ABOR */
#define SPARE_MAX_AGE	5.0	/* seconds a spare data connection is used */
#define HASH_AFTER_WAIT	10	/* times the timeout an ftp_after() HASH may
				   take (a server reads the whole file) */

enum pasv_mode { PASV_UNKNOWN, PASV_EPSV, PASV_PASV };

struct ftp {
	int			 fd;
	struct conn		 c;
	struct tls_ctx		*ctx;
	struct tls		*tls;
	int			 timeout_ms;
	unsigned		 feat;
	int			 dead;
	int			 rest_refused;	/* the last REST got no 350 */
	int			 unanswered;	/* the last ftp_cmd() lost the
						   connection before any reply */
	int			 saw_421;
	volatile int		*cancel;	/* ftp_set_cancel(); read
						   atomically */
	enum pasv_mode		 pasv;
	struct sockaddr_storage	 peer;
	struct url		 url;		/* without the password */
	struct ftp_opts		 opts;		/* strings point below */
	char			 cafile[FS_PATH];
	char			 known_hosts[FS_PATH];
	char			 server[URL_HOST_MAX + 16];
	char			 hash_algo[32];	/* FEAT's starred HASH */
	int			 ca_loaded;
	char			 host[URL_HOST_MAX];
	char			 user[URL_USER_MAX];
	char			 pass[URL_PASS_MAX];	/* for reconnecting */

	/*
	 * The next transfer's data connection (FTP_F_PIPELINING): its EPSV
	 * or PASV went out during this transfer (spare_pending: the reply
	 * follows the transfer's final one), and once answered a socket is
	 * connecting to the port it named (spare_fd, since spare_at).
	 */
	int			 spare_with;	/* send one with the next command */
	int			 prelim;	/* an early upload's 150 is still to
					   be read (ftp_data_open_early()) */
	/* A command sent during the transfer (ftp_after()): its reply
	 * follows the spare's, and is kept for the same command. */
	int			 after_pending;
	int			 after_code;	/* > 0: kept, in after_reply */
	char			 after_cmd[LINE_MAX_FTP];
	char			 after_reply[512];
	int			 spare_pending;
	int			 spare_fd;
	double			 spare_at;

	/* The data connection, when open. */
	int			 dfd;
	struct conn		 dc;
	struct tls		*dtls;

	double			 last_sent;	/* now_mono() of the last command */
};

/*
 * Appends line to buf (joined with '\n'), truncating quietly. Control
 * bytes become '?': a reply is shown to the user (batch mode prints it
 * on a terminal) and must not drive that terminal.
 */
static void
append_line(char *buf, size_t len, size_t *used, const char *line)
{
	size_t n, i;

	if (len == 0)
		return;
	if (*used > 0 && *used + 1 < len)
		buf[(*used)++] = '\n';
	n = strlen(line);
	if (*used + n >= len)
		n = len - 1 - *used;
	for (i = 0; i < n; i++)
		buf[*used + i] = (unsigned char)line[i] < 0x20 ||
		    line[i] == 0x7f ? '?' : line[i];
	*used += n;
	buf[*used] = '\0';
}

/*
 * Reads one whole reply from the control connection. Returns the code,
 * or -1 with the reason in reply (and f marked dead).
 */
/*
 * A 421 is the server closing the connection (an idle timeout, a
 * shutdown), whatever command it came after: the connection is dead and
 * the reply (kept in the buffer) is the reason.
 */
static int
closing(struct ftp *f, int code)
{
	if (code != FTP_CLOSING)
		return code;
	f->dead = 1;
	f->saw_421 = 1;
	return -1;
}

static int
read_reply(struct ftp *f, char *reply, size_t len, int timeout_ms)
{
	char line[LINE_MAX_FTP];
	size_t used = 0;
	int code = -1, more, r;

	if (len > 0)
		reply[0] = '\0';
	for (;;) {
		r = conn_readline(&f->c, line, sizeof(line), timeout_ms, -1);
		if (r == CONN_TOOLONG)
			continue;
		if (r < 0) {
			f->dead = 1;
			used = 0;
			set_err(reply, len, "connection %s",
			    r == CONN_EOF ? "closed by the server" :
			    r == CONN_TIMEOUT ? "timed out" : strerror(errno));
			return -1;
		}
		/* A server quotes 0xFF in a name as IAC IAC (RFC 2640). */
		reply_telnet_decode(line, (size_t)r);
		if (code < 0) {
			code = reply_parse_code(line, &more);
			if (code < 0) {
				f->dead = 1;
				set_err(reply, len, "not an FTP reply: %.60s",
				    line);
				return -1;
			}
			append_line(reply, len, &used, line);
			if (!more)
				return closing(f, code);
			continue;
		}
		append_line(reply, len, &used, line);
		if (strlen(line) >= 3 && reply_parse_code(line, &more) ==
		    code && !more)
			return closing(f, code);
	}
}

/*
 * Sends cmd and CRLF, each 0xFF byte doubled: RFC 959's control
 * connection is Telnet, where a lone 0xFF (IAC) starts a Telnet command
 * and the byte after it would be lost (RFC 2640 asks for the doubling).
 */
static int
send_line(struct ftp *f, const char *cmd, char *reply, size_t len)
{
	char buf[2 * LINE_MAX_FTP + 2];
	int n;

	if (f->dead) {
		set_err(reply, len, "not connected");
		return -1;
	}
	if (strlen(cmd) >= LINE_MAX_FTP || strpbrk(cmd, "\r\n") != NULL ||
	    (n = cmd_telnet_quote(cmd, buf, sizeof(buf) - 2)) < 0) {
		set_err(reply, len, "command refused: too long or has CR/LF");
		return -1;
	}
	memcpy(buf + n, "\r\n", 2);
	if (conn_write(&f->c, buf, (size_t)n + 2, f->timeout_ms) < 0) {
		f->dead = 1;
		set_err(reply, len, "connection lost: %s", strerror(errno));
		return -1;
	}
	f->last_sent = now_mono();
	return 0;
}

static int	wait_readable(struct ftp *, int, int);
static void	session_drop(struct ftp *, int);
static void	spare_ask(struct ftp *);

/*
 * The kept reply of ftp_after()'s command when cmd is that command (> 0),
 * else 0; either way it is forgotten.
 */
static int
kept_reply(struct ftp *f, const char *cmd, char *reply, size_t len)
{
	int code = f->after_code;

	f->after_code = 0;
	if (code <= 0 || strcmp(cmd, f->after_cmd) != 0)
		return 0;
	snprintf(reply, len, "%s", f->after_reply);
	return code;
}

static int
vcmd(struct ftp *f, char *reply, size_t len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int
vcmd(struct ftp *f, char *reply, size_t len, const char *fmt, va_list ap)
{
	char cmd[LINE_MAX_FTP];
	int n, code;

	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		set_err(reply, len, "command too long");
		return -1;
	}
	f->unanswered = f->saw_421 = 0;
	if ((code = kept_reply(f, cmd, reply, len)) > 0)
		return code;
	if (send_line(f, cmd, reply, len) < 0)
		return -1;
	if (f->spare_with) {
		/* A transfer command: the next transfer's EPSV goes with it,
		 * before its reply (ftp_data_open()). */
		f->spare_with = 0;
		spare_ask(f);
	}
	code = read_reply(f, reply, len, f->timeout_ms);
	/* Lost with no word: the server may have done it. A 421 is said
	 * before anything is done (an idle timeout, a shutdown). */
	f->unanswered = code < 0 && !f->saw_421;
	return code;
}

int
ftp_unanswered(const struct ftp *f)
{
	return f->unanswered;
}

int
ftp_cmd_long(struct ftp *f, int wait_ms, char *reply, size_t len,
    const char *fmt, ...)
{
	char cmd[LINE_MAX_FTP];
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		set_err(reply, len, "command too long");
		return -1;
	}
	if ((r = kept_reply(f, cmd, reply, len)) > 0)
		return r;
	if (send_line(f, cmd, reply, len) < 0)
		return -1;
	if (!conn_readable_now(&f->c) &&
	    (r = wait_readable(f, f->fd, wait_ms)) != 1) {
		/* An answer still to come would fall to the next command:
		 * the connection goes (the next call makes a new one). */
		session_drop(f, 0);
		f->dead = 1;
		if (r == -2) {
			set_err(reply, len, "canceled");
			return FTP_CANCELED;
		}
		set_err(reply, len, "no answer to %.20s in %d s", cmd,
		    wait_ms / 1000);
		return -1;
	}
	return read_reply(f, reply, len, f->timeout_ms);
}

int
ftp_cmd(struct ftp *f, char *reply, size_t len, const char *fmt, ...)
{
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = vcmd(f, reply, len, fmt, ap);
	va_end(ap);
	return code;
}

/* Connects a non-blocking socket to sa within timeout_ms. -1 with errno. */
static int
connect_to(const struct sockaddr *sa, socklen_t salen, int timeout_ms)
{
	int fd, soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, salen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	r = conn_wait_fd(fd, POLLOUT, timeout_ms);
	if (r <= 0) {
		if (r == 0)
			errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	r = errno;
	close(fd);
	errno = r;
	return -1;
}

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

/* Forgets the next transfer's data connection (see struct ftp). */
static void
spare_drop(struct ftp *f)
{
	if (f->spare_fd >= 0)
		close(f->spare_fd);
	f->spare_fd = -1;
	f->spare_pending = 0;
}

/*
 * During a transfer, to a server that answers commands sent meanwhile
 * after it: asks for the next transfer's passive port now.
 */
static void
spare_ask(struct ftp *f)
{
	char err[256];

	spare_drop(f);
	if (!(f->feat & FTP_F_PIPELINING) || f->pasv == PASV_UNKNOWN)
		return;
	if (send_line(f, f->pasv == PASV_EPSV ? "EPSV" : "PASV", err,
	    sizeof(err)) == 0)
		f->spare_pending = 1;
}

/*
 * After a transfer's final reply: reads the spare EPSV's or PASV's and
 * starts connecting to the port it names, without waiting; passive()
 * waits for it, if it is still needed, when the next transfer begins.
 * A refusal or a failure leaves no spare (passive() asks as usual); a
 * lost connection is seen by the next command.
 */
static void
spare_take(struct ftp *f)
{
	struct sockaddr_storage sa, given;
	char reply[512];
	int code, port = -1, fd;

	if (!f->spare_pending)
		return;
	f->spare_pending = 0;
	if ((code = read_reply(f, reply, sizeof(reply), f->timeout_ms)) < 0)
		return;
	if (f->pasv == PASV_EPSV && code == FTP_EPSVOK)
		port = addr_parse_epsv_reply(reply);
	else if (f->pasv == PASV_PASV && code == FTP_PASVOK &&
	    addr_parse_pasv_reply(reply, &given) == 0)
		port = addr_port(&given);
	if (port <= 0)
		return;
	sa = f->peer;
	addr_set_port(&sa, port);
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&sa, ss_len(&sa)) < 0 &&
	    errno != EINPROGRESS) {
		close(fd);
		return;
	}
	f->spare_fd = fd;
	f->spare_at = now_mono();
}

/*
 * The spare data connection, connected, or -1 when there is none (or it
 * is too old to trust, or failed): passive() then asks for a port.
 */
static int
spare_use(struct ftp *f)
{
	int fd = f->spare_fd, soerr = 0;
	socklen_t sl = sizeof(soerr);

	f->spare_fd = -1;
	if (fd < 0)
		return -1;
	if (now_mono() - f->spare_at > SPARE_MAX_AGE ||
	    conn_wait_fd(fd, POLLOUT, f->timeout_ms) <= 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ||
	    soerr != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* What follows a transfer's final reply: the spare EPSV's (spare_take())
 * and the ftp_after() command's, kept. */
static void
read_trailing(struct ftp *f)
{
	spare_take(f);
	if (f->after_pending) {
		f->after_pending = 0;
		f->after_code = read_reply(f, f->after_reply,
		    sizeof(f->after_reply), HASH_AFTER_WAIT * f->timeout_ms);
	}
}

/* A transfer's final reply, and what follows it (read_trailing()). */
static int
read_final(struct ftp *f, char *reply, size_t len, int timeout_ms)
{
	int code = read_reply(f, reply, len, timeout_ms);

	if (code > 0)
		read_trailing(f);
	return code;
}

int
ftp_after(struct ftp *f, const char *cmd)
{
	char err[256];

	f->after_code = 0;
	if (!(f->feat & FTP_F_PIPELINING) || f->dfd < 0 || f->after_pending ||
	    strlen(cmd) >= sizeof(f->after_cmd) ||
	    send_line(f, cmd, err, sizeof(err)) < 0)
		return -1;
	snprintf(f->after_cmd, sizeof(f->after_cmd), "%s", cmd);
	f->after_pending = 1;
	return 0;
}

/* Case-insensitive: line (after leading spaces) starts with word. */
static int
feat_is(const char *line, const char *word)
{
	size_t n = strlen(word);

	while (*line == ' ')
		line++;
	return strncasecmp(line, word, n) == 0 &&
	    (line[n] == '\0' || line[n] == ' ');
}

/* " HASH SHA-256*;SHA-512;SHA-1;MD5": keeps the starred name. */
static void
parse_hash_feat(struct ftp *f, const char *line)
{
	const char *p = strcasestr(line, "HASH") + 4, *star;
	size_t n;

	f->hash_algo[0] = '\0';
	while (*p == ' ')
		p++;
	if ((star = strchr(p, '*')) == NULL)
		return;
	while (star > p && star[-1] != ';' && star[-1] != ' ')
		star--;
	n = strcspn(star, "*");
	if (n < sizeof(f->hash_algo)) {
		memcpy(f->hash_algo, star, n);
		f->hash_algo[n] = '\0';
	}
}

static void
parse_feat(struct ftp *f, const char *reply)
{
	const char *p = reply, *nl, *q;
	char line[LINE_MAX_FTP];
	size_t n;

	f->feat = 0;
	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl != NULL ? nl + 1 : NULL;
		if (line[0] != ' ')	/* the 211 lines themselves */
			continue;
		if (feat_is(line, "MLST")) {
			f->feat |= FTP_F_MLST;
			if (strcasestr(line, "type") != NULL)
				f->feat |= FTP_F_MLST_TYPE;
			if ((q = strcasestr(line, "UNIX.mode")) != NULL &&
			    q[9] != '*')
				f->feat |= FTP_F_MLST_MODE;
		}
		else if (feat_is(line, "EPSV"))
			f->feat |= FTP_F_EPSV;
		else if (feat_is(line, "HASH")) {
			f->feat |= FTP_F_HASH;
			parse_hash_feat(f, line);
		}
		else if (feat_is(line, "AVBL"))
			f->feat |= FTP_F_AVBL;
		else if (feat_is(line, "PIPELINING"))
			f->feat |= FTP_F_PIPELINING;
		else if (feat_is(line, "UTF8"))
			f->feat |= FTP_F_UTF8;
		else if (feat_is(line, "SIZE"))
			f->feat |= FTP_F_SIZE;
		else if (feat_is(line, "MDTM"))
			f->feat |= FTP_F_MDTM;
		else if (feat_is(line, "MFMT"))
			f->feat |= FTP_F_MFMT;
		else if (feat_is(line, "REST STREAM"))
			f->feat |= FTP_F_REST;
		else if (feat_is(line, "AUTH")) {
			/* "AUTH TLS", "AUTH SSL;TLS", "AUTH TLS-C;TLS" ... */
			const char *a = strcasestr(line, "AUTH") + 4;
			char *tok, *save = NULL, list[LINE_MAX_FTP];

			snprintf(list, sizeof(list), "%s", a);
			for (tok = strtok_r(list, " ;", &save); tok != NULL;
			    tok = strtok_r(NULL, " ;", &save))
				if (strcasecmp(tok, "TLS") == 0)
					f->feat |= FTP_F_AUTH_TLS;
		}
	}
}

static void
notice(struct ftp *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
notice(struct ftp *f, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (f->opts.notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->opts.notice(f->opts.notice_arg, msg);
}

/* Accepts the server's certificate or says why not. */
static int
check_peer(struct ftp *f, char *err, size_t errlen)
{
	char fp[TLS_FP_LEN], old[TLS_FP_LEN], terr[512];
	enum trust_result r;

	if (tls_peer_verified(f->tls) || f->opts.insecure)
		return 0;
	if (tls_peer_fingerprint(f->tls, fp, sizeof(fp)) < 0) {
		set_err(err, errlen, "%s: the server sent no certificate",
		    f->server);
		return -1;
	}
	if (f->opts.known_hosts == NULL) {
		set_err(err, errlen, "%s: certificate not trusted (SHA-256 "
		    "%s); give its CA or use --insecure to accept it",
		    f->server, fp);
		return -1;
	}
	r = trust_check(f->opts.known_hosts, f->url.host, f->url.port, fp,
	    f->opts.trust_ask == NULL, old, sizeof(old), terr, sizeof(terr));
	if (r == TRUST_UNKNOWN) {
		/* Not pinned yet, and the user is there to ask. */
		if (!f->opts.trust_ask(f->opts.trust_arg, f->server, fp,
		    f->opts.known_hosts)) {
			set_err(err, errlen, "%s: certificate not accepted "
			    "(SHA-256 %s)", f->server, fp);
			return -1;
		}
		r = trust_check(f->opts.known_hosts, f->url.host, f->url.port,
		    fp, 1, old, sizeof(old), terr, sizeof(terr));
	}
	switch (r) {
	case TRUST_MATCH:
		return 0;
	case TRUST_ADDED:
		notice(f, "%s: certificate trusted on first use and pinned in "
		    "%s (SHA-256 %s)", f->server, f->opts.known_hosts, fp);
		return 0;
	case TRUST_CHANGED:
		trust_changed_message(f->server, f->opts.known_hosts,
		    trust_line(f->opts.known_hosts, f->url.host, f->url.port),
		    old, fp, err, errlen);
		return -1;
	default:
		set_err(err, errlen, "%s: %s", f->server, terr);
		return -1;
	}
}

static int
start_tls(struct ftp *f, char *reply, size_t rlen, char *err, size_t errlen)
{
	char terr[256];
	const char *cafile = f->opts.cafile;
	int code;

	if (!(f->feat & FTP_F_AUTH_TLS)) {
		set_err(err, errlen, "%s does not offer TLS (AUTH TLS)",
		    f->host);
		return -1;
	}
	if (f->ctx == NULL &&
	    (f->ctx = tls_client_ctx(terr, sizeof(terr))) == NULL) {
		set_err(err, errlen, "TLS: %s", terr);
		return -1;
	}
	if (cafile != NULL && *cafile != '\0' && !f->ca_loaded) {
		if (tls_ctx_load_ca(f->ctx, cafile, terr, sizeof(terr)) < 0) {
			set_err(err, errlen, "%s", terr);
			return -1;
		}
		f->ca_loaded = 1;
	}
	code = ftp_cmd(f, reply, rlen, "AUTH TLS");
	if (code != FTP_AUTHOK)
		goto refused;
	f->tls = tls_connect(f->ctx, &f->c, f->host, NULL, f->timeout_ms,
	    terr, sizeof(terr));
	if (f->tls == NULL) {
		f->dead = 1;
		set_err(err, errlen, "TLS handshake with %s: %s", f->host,
		    terr);
		return -1;
	}
	if (check_peer(f, err, errlen) < 0)
		return -1;
	if ((code = ftp_cmd(f, reply, rlen, "PBSZ 0")) != FTP_OK)
		goto refused;
	if ((code = ftp_cmd(f, reply, rlen, "PROT P")) != FTP_OK)
		goto refused;
	return 0;
refused:
	set_err(err, errlen, "TLS refused: %s", reply);
	return -1;
}

static int
login(struct ftp *f, char *reply, size_t rlen, char *err, size_t errlen)
{
	int code;

	code = ftp_cmd(f, reply, rlen, "USER %s", f->user);
	if (code == FTP_GIVEPWORD)
		code = ftp_cmd(f, reply, rlen, "PASS %s", f->pass);
	if (code != FTP_LOGINOK) {
		set_err(err, errlen, "login as %s failed: %s", f->user,
		    reply);
		return -1;
	}
	return 0;
}

/* Closes the data connection; TLS gets up to tls_timeout_ms to say
 * close_notify (an upload's end; 0 when giving up). */
static void
data_drop_wait(struct ftp *f, int tls_timeout_ms)
{
	if (f->dtls != NULL) {
		tls_close(f->dtls, tls_timeout_ms);
		f->dtls = NULL;
	}
	if (f->dfd >= 0) {
		close(f->dfd);
		f->dfd = -1;
	}
}

static int
cancel_raised(const struct ftp *f)
{
	return f->cancel != NULL &&
	    __atomic_load_n(f->cancel, __ATOMIC_RELAXED) != 0;
}

#define CANCEL_POLL_MS	100	/* how often a wait looks at the cancel flag */

/*
 * Waits until fd is ready for events, timeout_ms at most, looking at the
 * cancel flag every CANCEL_POLL_MS: 1 ready, 0 timed out, -1 error,
 * FTP_CANCELED canceled.
 */
static int
wait_fd(struct ftp *f, int fd, short events, int timeout_ms)
{
	double end = now_mono() + timeout_ms / 1000.0, left;
	int r;

	for (;;) {
		if (cancel_raised(f))
			return FTP_CANCELED;
		if ((left = end - now_mono()) <= 0)
			return 0;
		r = conn_wait_fd(fd, events, left * 1000 < CANCEL_POLL_MS ?
		    (int)(left * 1000) + 1 : CANCEL_POLL_MS);
		if (r != 0)
			return r;
	}
}

static int
wait_readable(struct ftp *f, int fd, int timeout_ms)
{
	return wait_fd(f, fd, POLLIN, timeout_ms);
}

int
ftp_data_wait(struct ftp *f, short events)
{
	if (f->dfd < 0)
		return -1;
	if ((events & POLLIN) && conn_readable_now(&f->dc))
		return 1;
	return wait_fd(f, f->dfd, events, f->timeout_ms);
}

/*
 * Closes a data socket that carried all it should: our end is shut for
 * writing, then what the server still sends (its close_notify, a TLS
 * ticket nobody asked for) is read and dropped until it closes its end,
 * for at most timeout_ms or until the cancel flag rises. Closing with
 * unread input would make the kernel answer the server with a reset,
 * which can destroy the end of an upload the server has not read yet
 * (vsftpd then says "426 Failure reading network stream").
 */
static void
linger_close(struct ftp *f, int fd, int timeout_ms)
{
	char buf[4096];
	double end = now_mono() + timeout_ms / 1000.0, left;
	ssize_t n;

	if (fd < 0)
		return;
	if (shutdown(fd, SHUT_WR) == 0) {
		for (;;) {
			if ((left = end - now_mono()) <= 0 ||
			    wait_readable(f, fd, (int)(left * 1000) + 1) != 1)
				break;
			n = read(fd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR &&
			    errno != EAGAIN))
				break;
		}
	}
	close(fd);
}

static void
data_drop(struct ftp *f)
{
	data_drop_wait(f, f->timeout_ms);
}

/*
 * 1 when the server spoke or hung up while a connection waited before its
 * login (a login timeout's 421, a close): it is no use any more.
 */
static int
held_over(const struct ftp *f)
{
	struct pollfd p = { .fd = f->fd, .events = POLLIN };

	return f->c.end > f->c.start || poll(&p, 1, 0) != 0;
}

/* Connects, greets, FEAT, TLS, login, UTF8, TYPE I, CWD dir. */
static int
session_start(struct ftp *f, const char *dir, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16], *reply;
	const size_t rlen = FTP_REPLY_MAX;
	int code, e = 0, gai, rc = -1, again = 0, hold;

	if ((reply = malloc(rlen)) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
connect:
	f->dead = 0;
	f->pasv = PASV_UNKNOWN;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", f->url.port);
	if ((gai = getaddrinfo(f->url.host, port, &hints, &res)) != 0) {
		set_err(err, errlen, "%s: %s", f->url.host, gai_strerror(gai));
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		f->fd = connect_to(ai->ai_addr, ai->ai_addrlen, f->timeout_ms);
		if (f->fd >= 0) {
			memcpy(&f->peer, ai->ai_addr, ai->ai_addrlen);
			break;
		}
		e = errno;
	}
	freeaddrinfo(res);
	if (f->fd < 0) {
		set_err(err, errlen, "%s: %s", f->server, strerror(e));
		goto out;
	}
	conn_init(&f->c, f->fd);

	/* A queued client hears 120 (maybe more than once), then 220. */
	do
		code = read_reply(f, reply, rlen, f->timeout_ms);
	while (code == FTP_QUEUED);
	if (code != FTP_GREET) {
		set_err(err, errlen, "%s: %s", f->server, reply);
		goto out;
	}
	code = ftp_cmd(f, reply, rlen, "FEAT");
	if (code < 0)
		goto failreply;
	if (code == FTP_FEAT)
		parse_feat(f, reply);
	if (f->opts.before_login != NULL) {
		hold = f->opts.before_login(f->opts.before_login_arg);
		if (hold == 0 && held_over(f))
			hold = 1;
		if (hold > 0 && !again) {
			/* Held too long: a fresh connection, asked again. */
			session_drop(f, 0);
			again = 1;
			goto connect;
		}
		if (hold < 0) {
			set_err(err, errlen, "%s: the login was not wanted",
			    f->server);
			goto out;
		}
	}
	if (f->opts.tls && start_tls(f, reply, rlen, err, errlen) < 0)
		goto out;
	if (login(f, reply, rlen, err, errlen) < 0)
		goto out;
	if ((f->feat & FTP_F_UTF8) &&
	    ftp_cmd(f, reply, rlen, "OPTS UTF8 ON") < 0)
		goto failreply;
	/* Listings with modes (the screen's chmod starts from them), from a
	 * server that offers them without sending them unasked (burrowd). */
	if ((f->feat & FTP_F_MLST_MODE) && ftp_cmd(f, reply, rlen,
	    "OPTS MLST type;size;modify;perm;UNIX.mode;") < 0)
		goto failreply;
	if ((code = ftp_cmd(f, reply, rlen, "TYPE I")) != FTP_OK) {
		if (code < 0)
			goto failreply;
		set_err(err, errlen, "TYPE I: %s", reply);
		goto out;
	}
	if (dir != NULL && dir[0] != '\0' &&
	    (code = ftp_cmd(f, reply, rlen, "CWD %s", dir)) != FTP_FILEOK) {
		if (code < 0)
			goto failreply;
		set_err(err, errlen, "%s: %s", dir, reply);
		goto out;
	}
	rc = 0;
	goto out;
failreply:
	set_err(err, errlen, "%s", reply);
out:
	wipe(reply, rlen);
	free(reply);
	if (rc < 0)
		f->dead = 1;		/* no QUIT after a failure */
	return rc;
}

/* Closes the control connection (no QUIT) and any data connection. */
static void
session_drop(struct ftp *f, int tls_timeout_ms)
{
	data_drop(f);
	spare_drop(f);
	f->after_pending = f->after_code = f->prelim = 0;
	if (f->tls != NULL) {
		tls_close(f->tls, tls_timeout_ms);
		f->tls = NULL;
	}
	if (f->fd >= 0) {
		close(f->fd);
		f->fd = -1;
	}
}

struct ftp *
ftp_open(const struct url *u, const char *password, const struct ftp_opts *o,
    char *err, size_t errlen)
{
	struct ftp *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	f->fd = -1;
	f->dfd = -1;
	f->spare_fd = -1;
	f->url = *u;
	url_wipe(&f->url);
	f->opts = *o;
	f->timeout_ms = o->timeout_ms;
	if (o->cafile != NULL) {
		snprintf(f->cafile, sizeof(f->cafile), "%s", o->cafile);
		f->opts.cafile = f->cafile;
	}
	if (o->known_hosts != NULL) {
		snprintf(f->known_hosts, sizeof(f->known_hosts), "%s",
		    o->known_hosts);
		f->opts.known_hosts = f->known_hosts;
	}
	snprintf(f->server, sizeof(f->server), u->host_ipv6 ? "[%s]:%d" :
	    "%s:%d", u->host, u->port);
	snprintf(f->host, sizeof(f->host), "%s", u->host);
	snprintf(f->user, sizeof(f->user), "%s",
	    u->have_user ? u->user : "anonymous");
	snprintf(f->pass, sizeof(f->pass), "%s",
	    password != NULL ? password : u->pass);
	if (session_start(f, u->path, err, errlen) < 0) {
		ftp_close(f);
		return NULL;
	}
	return f;
}

int
ftp_dead(const struct ftp *f)
{
	return f->dead;
}

int
ftp_keepalive(struct ftp *f, int idle_ms)
{
	char reply[512];

	if (f->dead || f->dfd >= 0 || f->prelim || f->after_pending ||
	    f->spare_pending || (now_mono() - f->last_sent) * 1000 < idle_ms)
		return 0;
	/* Any reply will do: the point is that the server heard us. */
	return ftp_cmd(f, reply, sizeof(reply), "NOOP") < 0 ? -1 : 1;
}

int
ftp_reconnect(struct ftp *f, const char *dir, char *err, size_t errlen)
{
	session_drop(f, 0);
	if (session_start(f, dir, err, errlen) < 0) {
		session_drop(f, 0);
		return -1;
	}
	notice(f, "%s: connection lost; reconnected", f->server);
	return 0;
}

int
ftp_parse_257(const char *reply, char *buf, size_t len)
{
	const char *p = strchr(reply, '"');
	size_t n = 0;

	if (p == NULL || len == 0)
		return -1;
	for (p++; *p != '\0' && *p != '\n'; p++) {
		if (*p == '"') {
			if (p[1] != '"') {
				buf[n] = '\0';
				return 0;
			}
			p++;
		}
		if (n + 1 >= len)
			return -1;
		buf[n++] = *p;
	}
	return -1;		/* no closing quote */
}

int
ftp_pwd(struct ftp *f, char *buf, size_t len)
{
	char reply[1024];
	int code;

	code = ftp_cmd(f, reply, sizeof(reply), "PWD");
	if (code != FTP_PWDOK) {
		set_err(buf, len, "%s", reply);
		return -1;
	}
	if (ftp_parse_257(reply, buf, len) < 0) {
		set_err(buf, len, "PWD: no quoted path in \"%.60s\"", reply);
		return -1;
	}
	return 0;
}

/* EPSV or PASV; returns the connected data socket or -1 (reply set). */
static int
passive(struct ftp *f, char *reply, size_t len)
{
	struct sockaddr_storage sa, given;
	int code, port = -1, fd;

	if ((fd = spare_use(f)) >= 0)
		return fd;
	if (f->pasv != PASV_PASV) {
		code = ftp_cmd(f, reply, len, "EPSV");
		if (code < 0)
			return -1;
		if (code == FTP_EPSVOK &&
		    (port = addr_parse_epsv_reply(reply)) > 0)
			f->pasv = PASV_EPSV;
		else if (f->pasv == PASV_EPSV || code < 500)
			return -1;
	}
	if (port <= 0) {
		if (f->peer.ss_family != AF_INET)
			return -1;
		code = ftp_cmd(f, reply, len, "PASV");
		if (code != FTP_PASVOK ||
		    addr_parse_pasv_reply(reply, &given) < 0)
			return -1;
		port = addr_port(&given);
		f->pasv = PASV_PASV;
	}
	/* The control connection's address, whatever PASV said. */
	sa = f->peer;
	addr_set_port(&sa, port);
	fd = connect_to((struct sockaddr *)&sa, ss_len(&sa), f->timeout_ms);
	if (fd < 0)
		set_err(reply, len, "data connection to port %d: %s", port,
		    strerror(errno));
	return fd;
}

/*
 * 1 when the data connection's TLS peer shows the certificate the control
 * connection's does (which was checked against the CAs or known_hosts),
 * or when nothing is checked (--insecure).
 */
static int
same_peer(const struct ftp *f)
{
	char cfp[TLS_FP_LEN], dfp[TLS_FP_LEN];

	if (f->opts.insecure)
		return 1;
	return tls_peer_fingerprint(f->tls, cfp, sizeof(cfp)) == 0 &&
	    tls_peer_fingerprint(f->dtls, dfp, sizeof(dfp)) == 0 &&
	    strcmp(cfp, dfp) == 0;
}

int
ftp_data_open(struct ftp *f, const char *cmd, off_t rest, struct conn **dc,
    char *reply, size_t len)
{
	char terr[256];
	int code;

	*dc = NULL;
	data_drop(f);
	if ((f->dfd = passive(f, reply, len)) < 0)
		return f->dead ? -1 : reply_parse_code(reply, &(int){0});
	conn_init(&f->dc, f->dfd);
	f->rest_refused = 0;
	if (rest > 0 && (code = ftp_cmd(f, reply, len, "REST %lld",
	    (long long)rest)) != FTP_RESTOK) {
		f->rest_refused = code > 0;
		goto fail;
	}
	f->spare_with = 1;
	code = ftp_cmd(f, reply, len, "%s", cmd);
	f->spare_with = 0;
	if (code < 100 || code >= 200) {
		/* Refused: the early EPSV is answered at once. */
		if (code > 0)
			spare_take(f);
		goto fail;
	}
	if (f->tls != NULL) {
		f->dtls = tls_connect(f->ctx, &f->dc, f->host, f->tls,
		    f->timeout_ms, terr, sizeof(terr));
		if (f->dtls == NULL) {
			data_drop(f);
			/* The server ends the transfer with an error. */
			if (read_final(f, reply, len, f->timeout_ms) < 0)
				return -1;
			set_err(reply, len, "data TLS handshake: %s", terr);
			return -1;
		}
		if (!same_peer(f)) {
			/* Someone else answered on the data port: the control
			 * connection's checks must hold for the data too. */
			data_drop_wait(f, 0);
			(void)ftp_data_abort(f, reply, len);
			set_err(reply, len, "data connection: not the server's "
			    "certificate; transfer refused");
			return -1;
		}
	}
	*dc = &f->dc;
	return code;
fail:
	data_drop(f);
	return code;
}

void
ftp_set_cancel(struct ftp *f, volatile int *flag)
{
	f->cancel = flag;
}

int
ftp_rest_refused(const struct ftp *f)
{
	return f->rest_refused;
}

struct conn *
ftp_data_conn(struct ftp *f)
{
	return f->dfd >= 0 ? &f->dc : NULL;
}

int
ftp_data_prelim(struct ftp *f, char *reply, size_t len)
{
	int code;

	if (!f->prelim)
		return FTP_DATACONN;
	f->prelim = 0;
	code = read_reply(f, reply, len, f->timeout_ms);
	if (code >= 100 && code < 200)
		return code;
	/* Refused: what was sent is dropped with the connection, and the
	 * early EPSV's reply follows. */
	data_drop_wait(f, 0);
	if (code > 0)
		read_trailing(f);
	return code;
}

int
ftp_data_open_early(struct ftp *f, const char *cmd, struct conn **dc,
    char *reply, size_t len)
{
	*dc = NULL;
	if (!(f->feat & FTP_F_PIPELINING) || f->tls != NULL ||
	    f->spare_fd < 0)
		return ftp_data_open(f, cmd, 0, dc, reply, len);
	data_drop(f);
	f->rest_refused = 0;
	if ((f->dfd = spare_use(f)) < 0)
		return ftp_data_open(f, cmd, 0, dc, reply, len);
	conn_init(&f->dc, f->dfd);
	f->unanswered = f->saw_421 = 0;
	if (send_line(f, cmd, reply, len) < 0) {
		data_drop(f);
		return -1;
	}
	spare_ask(f);
	f->prelim = 1;
	*dc = &f->dc;
	snprintf(reply, len, "150 (not yet answered)");
	return FTP_DATACONN;
}

int
ftp_data_close(struct ftp *f, char *reply, size_t len)
{
	int code;

	if (f->dfd < 0) {
		set_err(reply, len, "no data connection");
		return -1;
	}
	if (f->prelim) {
		/* All is written: the end goes out before the 150 is read,
		 * so the server has it all once it takes the connection. */
		(void)shutdown(f->dfd, SHUT_WR);
		code = ftp_data_prelim(f, reply, len);
		if (code < 100 || code >= 200)
			return code;
	}
	if (f->dtls != NULL) {
		tls_close(f->dtls, f->timeout_ms);
		f->dtls = NULL;
	}
	linger_close(f, f->dfd, f->timeout_ms);
	f->dfd = -1;
	if (f->dead) {
		set_err(reply, len, "not connected");
		return -1;
	}
	if (!conn_readable_now(&f->c) &&
	    wait_readable(f, f->fd, f->timeout_ms) == -2) {
		/* The user gave up waiting for the server's verdict: ABOR
		 * for form's sake, then drop the connection rather than wait
		 * for a server that is slow to answer (the next call makes
		 * a new one). */
		(void)send_line(f, "ABOR", reply, len);
		session_drop(f, 0);
		f->dead = 1;
		set_err(reply, len, "canceled");
		return FTP_CANCELED;
	}
	return read_final(f, reply, len, f->timeout_ms);
}

int
ftp_list(struct ftp *f, const char *path, struct listing_entry **out,
    size_t *n, char *err, size_t errlen)
{
	struct listing_entry *v = NULL, *nv, e;
	char cmd[LINE_MAX_FTP], line[LINE_MAX_FTP * 2], reply[1024];
	size_t cap = 0, cnt = 0;
	int mlsd = (f->feat & FTP_F_MLST) != 0, code, r, ok;
	struct conn *dc;
	time_t now = time(NULL);

	*out = NULL;
	*n = 0;
	if (path != NULL && *path != '\0')
		snprintf(cmd, sizeof(cmd), "%s %s", mlsd ? "MLSD" : "LIST",
		    path);
	else
		snprintf(cmd, sizeof(cmd), "%s", mlsd ? "MLSD" : "LIST");
	code = ftp_data_open(f, cmd, 0, &dc, reply, sizeof(reply));
	if (code < 100 || code >= 200) {
		set_err(err, errlen, "%s", reply);
		return -1;
	}
	for (;;) {
		r = conn_readline(dc, line, sizeof(line), f->timeout_ms, -1);
		if (r == CONN_TOOLONG)
			continue;
		if (r == CONN_EOF)
			break;
		if (r < 0) {
			set_err(err, errlen, "listing: %s", r == CONN_TIMEOUT ?
			    "timed out" : strerror(errno));
			data_drop(f);
			/* Read the server's verdict so the session stays
			 * in step; it is an error anyway. */
			(void)read_final(f, reply, sizeof(reply),
			    f->timeout_ms);
			free(v);
			return -1;
		}
		if ((size_t)r != strlen(line))
			continue;	/* NUL bytes: no name has them */
		if (mlsd)
			ok = listing_parse_facts(line, &e);
		else if ((ok = listing_parse_ls(line, now, &e)) < 0)
			ok = listing_parse_dos(line, &e);
		if (ok != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				set_err(err, errlen, "out of memory");
				data_drop(f);
				(void)read_final(f, reply, sizeof(reply),
				    f->timeout_ms);
				free(v);
				return -1;
			}
			v = nv;
		}
		v[cnt++] = e;
	}
	code = ftp_data_close(f, reply, sizeof(reply));
	if (code < 200 || code >= 300) {
		set_err(err, errlen, "%s", reply);
		free(v);
		return -1;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
ftp_data_verdict(struct ftp *f, char *reply, size_t len, int wait_ms)
{
	int code;

	data_drop_wait(f, 0);
	if (f->dead)
		return 0;
	if (f->prelim) {
		/* An early upload broke: its first reply may be the reason. */
		code = ftp_data_prelim(f, reply, len);
		if (code < 100 || code >= 200)
			return code > 0 ? code : 0;
	}
	if (!conn_readable_now(&f->c) && wait_readable(f, f->fd, wait_ms) != 1)
		return 0;
	code = read_final(f, reply, len, f->timeout_ms);
	return code > 0 ? code : 0;
}

int
ftp_data_abort(struct ftp *f, char *reply, size_t len)
{
	double end, left;
	int code, i, n;

	if (f->dead) {
		data_drop_wait(f, 0);
		set_err(reply, len, "not connected");
		return -1;
	}
	if (send_line(f, "ABOR", reply, len) < 0) {
		data_drop_wait(f, 0);
		return -1;
	}
	data_drop_wait(f, 0);
	if (send_line(f, "NOOP", reply, len) < 0)
		return -1;
	/* At most: the transfer's reply, ABOR's, NOOP's, and a spare (and
	 * the early EPSV's, answered before NOOP's and not used), in
	 * ABORT_SYNC_MS; a server slower than that loses the connection. */
	end = now_mono() + ABORT_SYNC_MS / 1000.0;
	n = 4 + f->spare_pending + f->after_pending + f->prelim;
	spare_drop(f);
	f->after_pending = f->after_code = f->prelim = 0;
	for (i = 0; i < n && (left = end - now_mono()) > 0; i++) {
		if ((code = read_reply(f, reply, len, (int)(left * 1000) + 1)) <
		    0)
			return -1;
		if (code == FTP_NOOPOK)
			return 0;
	}
	session_drop(f, 0);
	f->dead = 1;
	set_err(reply, len, "ABOR: the server did not get back in step");
	return -1;
}

const char *
ftp_hash_algo(const struct ftp *f)
{
	return (f->feat & FTP_F_HASH) && f->hash_algo[0] != '\0' ?
	    f->hash_algo : NULL;
}

const char *
ftp_server(const struct ftp *f)
{
	return f->server;
}

unsigned
ftp_features(const struct ftp *f)
{
	return f->feat;
}

int
ftp_is_tls(const struct ftp *f)
{
	return f->tls != NULL;
}

int
ftp_timeout(const struct ftp *f)
{
	return f->timeout_ms;
}

void
ftp_close(struct ftp *f)
{
	char reply[512];

	if (f == NULL)
		return;
	data_drop(f);
	if (!f->dead && f->fd >= 0 && send_line(f, "QUIT", reply,
	    sizeof(reply)) == 0)
		(void)read_reply(f, reply, sizeof(reply),
		    f->timeout_ms < QUIT_TIMEOUT_MS && f->timeout_ms >= 0 ?
		    f->timeout_ms : QUIT_TIMEOUT_MS);
	session_drop(f, f->dead ? 0 : QUIT_TIMEOUT_MS);
	tls_ctx_free(f->ctx);
	wipe(f->pass, sizeof(f->pass));
	wipe(f, sizeof(*f));
	free(f);
}
