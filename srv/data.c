/*
 * data: PASV/EPSV/PORT/EPRT and the transfer loops. Every wait polls the
 * data socket and the control connection together, with data_timeout as
 * the limit for a stall, so that ABOR is seen while data flows and a dead
 * peer cannot hold a worker. A user's bandwidth limit (srv/rate.h) is a
 * pause between slices of RETR, STOR and APPE in that same wait, so ABOR
 * and STAT are answered during it too; listings are not limited.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef HAVE_SYS_SENDFILE_H
#include <sys/sendfile.h>
#endif

#include <openssl/rand.h>

#include "proto/addr.h"
#include "proto/cmd.h"
#include "proto/hashpipe.h"
#include "proto/reply.h"
#include "proto/util.h"
#include "srv/conf.h"
#include "srv/data.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/proxied.h"
#include "srv/quota.h"
#include "srv/rate.h"
#include "srv/server.h"
#include "srv/session.h"

#define XFER_CHUNK	(256 * 1024)
/*
 * What data_send_buf() hands conn_write() at once: one TLS record. Between
 * slices it looks at the control connection and the shutdown deadline, so
 * a client that reads slowly cannot keep ABOR or SIGTERM waiting long.
 */
#ifndef XFER_SLICE
#define XFER_SLICE	(16 * 1024)
#endif
#define SENDFILE_CHUNK	(4 * 1024 * 1024)

void
data_init(struct data *d)
{
	memset(d, 0, sizeof(*d));
	d->mode = DATA_NONE;
	d->listen_fd = -1;
	d->fd = -1;
}

void
data_reset(struct data *d)
{
	if (d->tls != NULL)
		tls_close(d->tls, 0);
	if (d->listen_fd != -1)
		close(d->listen_fd);
	if (d->fd != -1)
		close(d->fd);
	data_init(d);
}

/* The address of the control connection's local end, as IPv4 if mapped. */
static void
local_addr(struct session *s, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *sin6 = (const void *)&s->cl->local;

	*out = s->cl->local;
	if (out->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;
		struct in_addr a;
		memcpy(&a, (const char *)&sin6->sin6_addr + 12, 4);
		memset(out, 0, sizeof(*out));
		sin->sin_family = AF_INET;
		sin->sin_addr = a;
	}
}

/*
 * Opens a listening socket on the control's local address within
 * pasv_ports, starting at a random port. Each attempt uses a fresh socket:
 * with SO_REUSEADDR, bind() may succeed where listen() then finds the port
 * taken by another session, and a bound socket cannot be bound again.
 */
static int
pasv_listen(struct session *s, struct sockaddr_storage *bound)
{
	const struct srv_config *cfg = s->srv->cfg;
	unsigned span = (unsigned)(cfg->pasv_max - cfg->pasv_min + 1), i, start;
	unsigned char r[4];
	socklen_t len;
	int fd, err, one = 1;

	local_addr(s, bound);
	len = bound->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	RAND_bytes(r, sizeof(r));
	start = ((unsigned)r[0] << 24 | (unsigned)r[1] << 16 |
	    (unsigned)r[2] << 8 | r[3]) % span;
	for (i = 0; i < span; i++) {
		/* Non-blocking: accept never waits on a connection gone since poll. */
		fd = socket(bound->ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1) {
			log_warn("%s: PASV socket", s->peer);
			return -1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		addr_set_port(bound, cfg->pasv_min + (int)((start + i) % span));
		if (bind(fd, (struct sockaddr *)bound, len) == 0 &&
		    listen(fd, 1) == 0)
			return fd;
		err = errno;
		close(fd);
		if (err != EADDRINUSE) {
			errno = err;
			log_warn("%s: PASV bind", s->peer);
			return -1;
		}
	}
	log_warnx("%s: no free port in pasv_ports [%d, %d]", s->peer,
	    cfg->pasv_min, cfg->pasv_max);
	return -1;
}

/*
 * TLS 1.3: a fresh session ticket rides with the reply that precedes a
 * data connection, for clients that spend one ticket per resumption.
 */
static void
fresh_ticket(struct session *s)
{
	if (s->tls != NULL)
		(void)tls_send_ticket(s->tls);
}

static int
prepare_pasv(struct session *s, struct sockaddr_storage *bound)
{
	data_reset(&s->data);
	if ((s->data.listen_fd = pasv_listen(s, bound)) == -1) {
		session_reply(s, FTP_BADSENDCONN, "Cannot open a passive "
		    "connection.");
		return -1;
	}
	s->data.mode = DATA_PASV;
	return 0;
}

int
cmd_pasv(struct session *s, char *arg)
{
	struct sockaddr_storage bound, shown;
	const char *pa = s->srv->cfg->pasv_address;
	char text[64];

	if (s->epsv_all)
		return session_reply(s, FTP_BADSEQ, "Only EPSV after EPSV ALL.");
	local_addr(s, &shown);
	if (shown.ss_family != AF_INET)
		return session_reply(s, FTP_BADSENDCONN, "PASV is IPv4 only; "
		    "use EPSV.");
	if (prepare_pasv(s, &bound) == -1)
		return s->quit ? -1 : 0;
	if (pa[0] != '\0' && inet_pton(AF_INET, pa,
	    &((struct sockaddr_in *)&shown)->sin_addr) != 1)
		log_warnx("pasv_address \"%s\" is not an IPv4 address", pa);
	addr_set_port(&shown, addr_port(&bound));
	if (addr_format_pasv(&shown, text, sizeof(text)) == -1)
		return session_reply(s, FTP_BADSENDCONN, "Cannot format address.");
	fresh_ticket(s);
	return session_reply(s, FTP_PASVOK, "Entering Passive Mode (%s).", text);
}

int
cmd_epsv(struct session *s, char *arg)
{
	struct sockaddr_storage bound;
	int fam;

	local_addr(s, &bound);
	fam = bound.ss_family == AF_INET ? 1 : 2;
	if (arg != NULL && strcasecmp(arg, "ALL") == 0) {
		s->epsv_all = 1;
		return session_reply(s, FTP_OK, "EPSV ALL ok.");
	}
	if (arg != NULL && *arg != '\0' &&
	    !((arg[0] == '1' || arg[0] == '2') && arg[1] == '\0'))
		return session_reply(s, FTP_BADARG, "EPSV takes 1, 2 or ALL.");
	if (arg != NULL && *arg != '\0' && arg[0] - '0' != fam)
		return session_reply(s, FTP_BADPROT, "Network protocol not "
		    "supported, use (%d)", fam);
	if (prepare_pasv(s, &bound) == -1)
		return s->quit ? -1 : 0;
	fresh_ticket(s);
	return session_reply(s, FTP_EPSVOK, "Entering Extended Passive Mode "
	    "(|||%d|).", addr_port(&bound));
}

static int
prepare_port(struct session *s, const struct sockaddr_storage *to,
    const char *verb)
{
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];

	if (s->epsv_all)
		return session_reply(s, FTP_BADSEQ, "Only EPSV after EPSV ALL.");
	if (!addr_same_host(to, &s->cl->peer)) {
		addr_ntop(to, got, sizeof(got));
		addr_ntop(&s->cl->peer, want, sizeof(want));
		log_warnx("%s: %s to %s refused (only to the client's own "
		    "address)", s->peer, verb, got);
		return session_reply(s, FTP_BADARG, "%s refused: data "
		    "connections go only to %s.", verb, want);
	}
	/*
	 * RFC 2577 section 3: nor to a privileged port, where the client's
	 * own host (or a NAT gateway its address stands for) runs services
	 * a bounce could talk to.
	 */
	if (addr_port(to) < 1024) {
		log_warnx("%s: %s to port %d refused (below 1024)", s->peer, verb,
		    addr_port(to));
		return session_reply(s, FTP_BADPARAM, "%s refused: data "
		    "connections go only to ports 1024 and above.", verb);
	}
	data_reset(&s->data);
	s->data.port_addr = *to;
	s->data.mode = DATA_PORT;
	fresh_ticket(s);
	return session_reply(s, FTP_OK, "%s command successful.", verb);
}

int
cmd_port(struct session *s, char *arg)
{
	struct sockaddr_storage to;

	if (addr_parse_port(arg, &to) == -1 || addr_port(&to) == 0)
		return session_reply(s, FTP_BADARG, "Illegal PORT command.");
	return prepare_port(s, &to, "PORT");
}

int
cmd_eprt(struct session *s, char *arg)
{
	struct sockaddr_storage to;

	if (arg[0] != '\0' && arg[1] != '\0' && arg[2] == arg[0] &&
	    arg[1] != '1' && arg[1] != '2')
		return session_reply(s, FTP_BADPROT, "Network protocol not "
		    "supported, use (1,2)");
	if (addr_parse_eprt(arg, &to) == -1)
		return session_reply(s, FTP_BADARG, "Illegal EPRT command.");
	return prepare_port(s, &to, "EPRT");
}

/* Accepts the client's connection to our passive socket. */
static int
accept_pasv(struct session *s)
{
	struct sockaddr_storage peer;
	socklen_t len;
	double deadline = now_mono() + s->srv->cfg->data_timeout;
	char who[INET6_ADDRSTRLEN];
	int fd, left;

	for (;;) {
		left = (int)((deadline - now_mono()) * 1000);
		if (left <= 0 || conn_wait_fd(s->data.listen_fd, POLLIN, left) != 1)
			return -1;
		len = sizeof(peer);
		fd = accept4(s->data.listen_fd, (struct sockaddr *)&peer, &len,
		    SOCK_CLOEXEC);
		if (fd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR || errno == ECONNABORTED))
			continue;	/* gone before we took it: wait again */
		if (fd == -1) {
			/*
			 * Out of descriptors: the connection stays queued, and
			 * poll would say so at once until data_timeout.
			 */
			log_warn("%s: accepting the passive data connection",
			    s->peer);
			return -1;
		}
		if (addr_same_host(&peer, &s->cl->peer))
			return fd;
		if (s->cl->via_proxy && addr_same_host(&peer, &s->cl->proxy)) {
			/*
			 * Through the balancer the control came by: with
			 * proxy_protocol.data its header must name the client,
			 * without it the balancer is taken at its word (TLS
			 * session reuse still binds a protected connection).
			 */
			struct proxy_header h;
			int r;

			if (!s->srv->cfg->proxy_data)
				return fd;
			r = proxied_read(fd, &h, session_data_ms(s));
			if (r == PROXY_DONE && addr_same_host(&h.src,
			    &s->cl->peer))
				return fd;
			log_warnx("%s: passive data connection through the "
			    "balancer refused: %s", s->peer, r == PROXY_DONE ?
			    "its PROXY header names another client" :
			    "no valid PROXY header");
			close(fd);
			continue;
		}
		addr_ntop(&peer, who, sizeof(who));
		log_warnx("%s: passive data connection from %s refused", s->peer,
		    who);
		close(fd);
	}
}

/* Connects to the address PORT/EPRT gave, from the control's local address. */
static int
connect_port(struct session *s)
{
	struct sockaddr_storage from, *to = &s->data.port_addr;
	socklen_t len = to->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6);
	socklen_t elen = sizeof(int);
	int fd, err = 0;

	if ((fd = socket(to->ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	local_addr(s, &from);
	if (from.ss_family == to->ss_family) {
		addr_set_port(&from, 0);
		bind(fd, (struct sockaddr *)&from, len);
	}
	if (connect(fd, (struct sockaddr *)to, len) == -1) {
		if (errno != EINPROGRESS ||
		    conn_wait_fd(fd, POLLOUT, session_data_ms(s)) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == -1 ||
		    err != 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/*
 * Protects the data connection: a handshake with the session's id
 * context, which must resume the control connection's TLS session unless
 * tls.require_session_reuse is off. Replies 522 and returns -1 otherwise.
 */
static int
data_tls(struct session *s)
{
	struct data *d = &s->data;
	char err[256];

	d->tls = tls_accept(s->tls_ctx, &d->conn, &s->sid, session_data_ms(s),
	    err, sizeof(err));
	if (d->tls == NULL) {
		metrics_count(&s->srv->metrics, MC_TLS_DATA_FAILED);
		log_warnx("%s: data connection TLS handshake failed: %s",
		    s->peer, err);
		session_reply(s, FTP_BADPROT, "TLS negotiation on the data "
		    "connection failed.");
		return -1;
	}
	metrics_count(&s->srv->metrics, MC_TLS_DATA_OK);
	if (s->srv->cfg->tls_require_session_reuse && !tls_reused(d->tls)) {
		log_warnx("%s: data connection did not resume the control "
		    "connection's TLS session: refused", s->peer);
		session_reply(s, FTP_BADPROT, "The data connection must resume "
		    "the TLS session of the control connection; enable TLS "
		    "session reuse in your client.");
		return -1;
	}
	return 0;
}

int
data_open(struct session *s, const char *text)
{
	struct data *d = &s->data;
	int fd;

	if (d->mode == DATA_NONE) {
		session_reply(s, FTP_BADSENDCONN, "Use PORT, EPRT, PASV or EPSV "
		    "first.");
		return s->quit ? -2 : -1;
	}
	if (s->srv->cfg->tls_require && !s->prot_p) {
		data_reset(d);
		session_reply(s, FTP_DATAPROT, "Data connections must be "
		    "protected: send PBSZ 0 and PROT P.");
		return s->quit ? -2 : -1;
	}
	fd = d->mode == DATA_PASV ? accept_pasv(s) : connect_port(s);
	if (d->listen_fd != -1) {
		close(d->listen_fd);
		d->listen_fd = -1;
	}
	d->mode = DATA_NONE;
	if (fd == -1) {
		session_reply(s, FTP_BADSENDCONN, "Failed to establish data "
		    "connection.");
		return s->quit ? -2 : -1;
	}
	d->fd = fd;
	conn_init(&d->conn, fd);
	d->done = 0;
	d->err = 0;
	d->dir = -1;
	d->mark_t = d->prev_t = now_mono();
	d->mark_done = d->prev_done = 0;
	if (session_reply(s, FTP_DATACONN, "%s", text) == -1) {
		data_close(s);
		return -2;
	}
	/* RFC 4217 section 9: the client starts TLS after the 150. */
	if (s->prot_p && data_tls(s) == -1) {
		data_close(s);
		return s->quit ? -2 : -1;
	}
	return 0;
}

void
data_close(struct session *s)
{
	if (s->data.tls != NULL) {
		tls_close(s->data.tls, 1000);
		s->data.tls = NULL;
	}
	if (s->data.fd != -1) {
		close(s->data.fd);
		s->data.fd = -1;
	}
}

/* Sets how far the transfer is, keeping samples a second or two old. */
static void
progress(struct data *d, uint64_t done)
{
	double now = now_mono();

	d->done = done;
	if (now - d->mark_t >= 1.0) {
		d->prev_t = d->mark_t;
		d->prev_done = d->mark_done;
		d->mark_t = now;
		d->mark_done = done;
	}
}

/*
 * STAT during a transfer: how far it is, its rate over the last second
 * or two, and the user's limit for that direction.
 */
static int
stat_during(struct session *s)
{
	const struct data *d = &s->data;
	double span = now_mono() - d->prev_t;
	uint64_t limit = d->dir >= 0 ? rate_limit(s->rate, d->dir) : 0;
	char cur[32], lim[32];

	format_size(span > 0.01 ? (uint64_t)((double)(d->done -
	    d->prev_done) / span) : 0, cur, sizeof(cur));
	format_size(limit, lim, sizeof(lim));
	return session_reply(s, FTP_STATOK, "Status:\n %s: %ju bytes so far, "
	    "%s/s now.\n Limit: %s%s.\nEnd of status", d->what ? d->what :
	    "transfer", (uintmax_t)d->done, cur, limit == 0 ? "none" : lim,
	    limit == 0 ? "" : "/s shared by all of this user's sessions");
}

/*
 * Handles one control line that arrived during a transfer. ABOR ends the
 * transfer; STAT tells its progress; anything else (QUIT too: RFC 959
 * 4.1.1, it closes once the transfer is over) is held and answered in
 * order after the transfer's final reply. Never waits for the rest of a
 * line: *partial is set when only part of one is buffered, so that the
 * caller polls the socket for the rest instead of calling again at once
 * (which would spin without ever timing out). Not called while the held
 * commands are full (session_hold_full()).
 */
static enum xfer_result
control_during(struct session *s, int *partial)
{
	char line[CMD_LINE_MAX], verb_buf[256], *verb, *arg;
	int n = conn_readline(&s->ctl, line, sizeof(line), 0, -1);
	size_t vlen;

	*partial = n == CONN_TIMEOUT;
	if (n == CONN_TIMEOUT)
		return XFER_OK;		/* half a line so far */
	if (n < 0 && n != CONN_TOOLONG)
		return XFER_CTLERR;
	/* ABOR and STAT act now; they are short, so look at a copy. */
	vlen = n >= 0 && (size_t)n < sizeof(verb_buf) ? (size_t)n : 0;
	memcpy(verb_buf, line, vlen);
	verb_buf[vlen] = '\0';
	vlen = cmd_telnet_strip(verb_buf, vlen);
	if (vlen > 0 && cmd_split(verb_buf, &verb, &arg) == 0) {
		if (strcmp(verb, "ABOR") == 0)
			return XFER_ABORTED;
		if (strcmp(verb, "STAT") == 0 && arg == NULL)
			return stat_during(s) ? XFER_CTLERR : XFER_OK;
	}
	(void)session_hold(s, line, n);	/* never full here */
	return XFER_OK;
}

/* 1 if the control connection may be read during the transfer. */
static int
control_open(const struct session *s)
{
	return !session_hold_full(s);
}

/*
 * Waits until the data socket is ready for events, answering the control
 * connection meanwhile. Returns XFER_OK when ready. With events 0, waits
 * for nothing but the time until (now_mono()) instead: a rate limit's
 * pause, which returns XFER_OK then.
 */
static enum xfer_result
wait_until(struct session *s, short events, double until)
{
	struct server *srv = s->srv;
	struct pollfd pfd[3];
	double deadline, now;
	enum xfer_result r;
	int n, timeout, stopping, partial = 0;

	deadline = events != 0 ? now_mono() + srv->cfg->data_timeout : until;
	for (;;) {
		/* A whole line may be buffered; half of one waits for poll. */
		if (!partial && control_open(s) && conn_readable_now(&s->ctl)) {
			if ((r = control_during(s, &partial)) != XFER_OK)
				return r;
			continue;
		}
		now = now_mono();
		if (atomic_load(&s->revoked) != REVOKE_NONE)
			return XFER_REVOKED;
		stopping = atomic_load(&srv->stopping);
		if (stopping && now >= srv->stop_deadline)
			return XFER_SHUTDOWN;
		if (now >= deadline)
			return events != 0 ? XFER_TIMEOUT : XFER_OK;
		timeout = (int)((deadline - now) * 1000) + 1;
		if (stopping && (srv->stop_deadline - now) * 1000 < timeout)
			timeout = (int)((srv->stop_deadline - now) * 1000) + 1;
		pfd[0] = (struct pollfd){ .fd = events != 0 ? s->data.fd : -1,
		    .events = events };
		/* With the held commands full, the client waits for us. */
		pfd[1] = (struct pollfd){ .fd = control_open(s) ? s->ctl.fd :
		    -1, .events = POLLIN };
		/* Readable once stopping (then left out) or revoked. */
		pfd[2] = (struct pollfd){ .fd = s->wake_fd, .events = POLLIN };
		n = poll(pfd, stopping ? 2 : 3, timeout);
		if (n == -1 && errno != EINTR)
			return XFER_NETERR;
		if (n <= 0)
			continue;
		if (pfd[1].revents != 0 && control_open(s)) {
			if ((r = control_during(s, &partial)) != XFER_OK)
				return r;
		}
		if (pfd[0].revents != 0)
			return XFER_OK;
	}
}

static enum xfer_result
wait_io(struct session *s, short events)
{
	return wait_until(s, events, 0);
}

/*
 * Charges n bytes moved in direction dir to the user's bandwidth and
 * pauses as long as the limit says (see srv/rate.h).
 */
static enum xfer_result
throttle(struct session *s, enum rate_dir dir, uint64_t n)
{
	double wait = rate_charge(s->rate, dir, n);

	return wait > 0 ? wait_until(s, 0, now_mono() + wait) : XFER_OK;
}

/* The most to move before the next charge in direction dir. */
static size_t
slice(struct session *s, enum rate_dir dir, size_t max)
{
	return rate_slice(rate_limit(s->rate, dir), max);
}

/*
 * Sends buf in slices; limited, each slice is charged to the user's
 * download rate. Listings are not: they are small, and browsing should
 * not wait behind the user's own downloads.
 */
static enum xfer_result
send_buf(struct session *s, const char *buf, size_t len, int limited)
{
	enum xfer_result r;
	size_t n, most;

	while (len > 0) {
		if ((r = wait_io(s, POLLOUT)) != XFER_OK)
			return r;
		most = limited ? slice(s, RATE_DOWN, XFER_SLICE) : XFER_SLICE;
		n = len < most ? len : most;
		if (conn_write(&s->data.conn, buf, n, session_data_ms(s)) == -1)
			return errno == ETIMEDOUT ? XFER_TIMEOUT : XFER_NETERR;
		metrics_add(&s->srv->metrics, MC_BYTES_OUT, n);
		buf += n;
		len -= n;
		progress(&s->data, s->data.done + n);
		if (limited && (r = throttle(s, RATE_DOWN, n)) != XFER_OK)
			return r;
	}
	return XFER_OK;
}

enum xfer_result
data_send_buf(struct session *s, const char *buf, size_t len)
{
	return send_buf(s, buf, len, 0);
}

/* LF to CRLF from in[0..n) into out (2n bytes); returns the new length. */
static size_t
to_crlf(const char *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] == '\n')
			out[o++] = '\r';
		out[o++] = in[i];
	}
	return o;
}

enum xfer_result
data_send_file(struct session *s, int fd, off_t offset, uint64_t *sent)
{
	enum xfer_result r;
	char *buf, *conv = NULL;
	ssize_t n;
	size_t len;
	int partial = 0;

	*sent = 0;
	s->data.dir = RATE_DOWN;
#ifdef HAVE_SENDFILE
	if (!s->ascii && s->data.conn.ops == NULL) {
		for (;;) {
			n = sendfile(s->data.fd, fd, &offset,
			    slice(s, RATE_DOWN, SENDFILE_CHUNK));
			if (n > 0) {
				metrics_add(&s->srv->metrics, MC_BYTES_OUT,
				    (uint64_t)n);
				*sent += (uint64_t)n;
				progress(&s->data, *sent);
				/*
				 * Stay responsive to ABOR between chunks, also
				 * one sent in the same packet as the RETR.
				 */
				if (control_open(s) &&
				    (conn_wait_fd(s->ctl.fd, POLLIN, 0) == 1 ||
				    (!partial && conn_readable_now(&s->ctl))) &&
				    (r = control_during(s, &partial)) != XFER_OK)
					return r;
				if (atomic_load(&s->revoked) != REVOKE_NONE)
					return XFER_REVOKED;
				if ((r = throttle(s, RATE_DOWN, (uint64_t)n)) !=
				    XFER_OK)
					return r;
				continue;
			}
			if (n == 0)
				return XFER_OK;
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				s->data.err = errno;
				return errno == EPIPE || errno == ECONNRESET ?
				    XFER_NETERR : XFER_FILEERR;
			}
			if ((r = wait_io(s, POLLOUT)) != XFER_OK)
				return r;
		}
	}
#endif
	if ((buf = malloc(XFER_CHUNK)) == NULL ||
	    (s->ascii && (conv = malloc(2 * XFER_CHUNK)) == NULL)) {
		free(buf);
		s->data.err = ENOMEM;
		return XFER_FILEERR;
	}
	for (r = XFER_OK; r == XFER_OK;) {
		n = pread(fd, buf, XFER_CHUNK, offset);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->data.err = errno;
			r = XFER_FILEERR;
			break;
		}
		offset += n;
		len = s->ascii ? to_crlf(buf, (size_t)n, conv) : (size_t)n;
		r = send_buf(s, s->ascii ? conv : buf, len, 1);
		if (r == XFER_OK)
			*sent += (uint64_t)n;
	}
	free(buf);
	free(conv);
	return r;
}

/*
 * Stores n bytes through the user's quota. Returns 0, or -1 with
 * s->data.err set (EDQUOT when the quota stopped it); *got counts what was
 * written either way.
 */
static int
sink(struct session *s, int fd, const char *buf, size_t n,
    const struct data_sink *to, uint64_t *got)
{
	ssize_t w;

	if (n == 0)
		return 0;
	w = quota_write(s->quota, fd, buf, n, to->credit, to->flags);
	if (w > 0)
		*got += (uint64_t)w;
	if (w == (ssize_t)n)
		return 0;
	s->data.err = errno;
	return -1;
}

struct hashpipe *
data_hashpipe(const struct hash_alg *alg)
{
	return hashpipe_new(alg, 4, XFER_CHUNK);
}

enum xfer_result
data_recv_file(struct session *s, int fd, const struct data_sink *to,
    uint64_t *got)
{
	enum xfer_result r = XFER_OK;
	char *buf, *in;
	ssize_t n;
	size_t i, o, m;
	int cr = 0;	/* ASCII: a CR ended the previous chunk */

	*got = 0;
	s->data.dir = RATE_UP;
	if ((buf = malloc(XFER_CHUNK + 1)) == NULL) {
		s->data.err = ENOMEM;
		return XFER_FILEERR;
	}
	in = buf + 1;
	for (;;) {
		/* Straight into the hashing thread's buffer, handed over once
		 * stored. */
		if (to->hp != NULL && !s->ascii)
			in = hashpipe_buf(to->hp);
		if (!conn_readable_now(&s->data.conn) &&
		    (r = wait_io(s, POLLIN)) != XFER_OK)
			break;
		n = conn_read(&s->data.conn, in, slice(s, RATE_UP, XFER_CHUNK),
		    0);
		if (n == 0 && s->data.tls != NULL && !tls_eof_clean(s->data.tls)) {
			/* No close_notify: the stream may have been cut. */
			log_warnx("%s: TLS upload ended without close_notify",
			    s->peer);
			r = XFER_NETERR;
			break;
		}
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == ETIMEDOUT || errno == EINTR)
				continue;
			r = XFER_NETERR;
			break;
		}
		metrics_add(&s->srv->metrics, MC_BYTES_IN, (uint64_t)n);
		m = (size_t)n;
		o = m;
		if (s->ascii) {
			/* CRLF to LF, in place; a lone CR is kept. */
			o = 0;
			if (cr && in[0] != '\n')
				buf[o++] = '\r';
			cr = 0;
			for (i = 0; i < m; i++) {
				if (in[i] == '\r' && i + 1 == m) {
					cr = 1;
					break;
				}
				if (in[i] == '\r' && in[i + 1] == '\n')
					continue;
				buf[o++] = in[i];
			}
		}
		if (sink(s, fd, s->ascii ? buf : in, o, to, got) == -1) {
			r = XFER_FILEERR;
			break;
		}
		if (to->hp != NULL && !s->ascii)
			hashpipe_put(to->hp, m);
		progress(&s->data, *got);
		if ((r = throttle(s, RATE_UP, m)) != XFER_OK)
			break;
	}
	if (r == XFER_OK && cr && sink(s, fd, "\r", 1, to, got) == -1)
		r = XFER_FILEERR;
	free(buf);
	return r;
}

int
data_finish(struct session *s, enum xfer_result r, const char *what)
{
	s->data.what = NULL;
	switch (r) {
	case XFER_OK:
		return session_reply(s, FTP_TRANSFEROK, "Transfer complete.");
	case XFER_ABORTED:
		if (session_reply(s, FTP_BADSENDNET, "Transfer aborted.") == -1)
			return -1;
		return session_reply(s, FTP_TRANSFEROK, "ABOR successful.");
	case XFER_NETERR:
		return session_reply(s, FTP_BADSENDNET, "Data connection lost; "
		    "transfer aborted.");
	case XFER_TIMEOUT:
		return session_reply(s, FTP_BADSENDNET, "Data connection timed "
		    "out; transfer aborted.");
	case XFER_FILEERR:
		if (s->data.err == ENOSPC)
			return session_reply(s, FTP_NOSPACE, "%s failed: no space "
			    "left on the server.", what);
		if (s->data.err == EDQUOT)
			return session_reply(s, FTP_QUOTA, "%s failed: disk quota "
			    "exceeded.", what);
		return session_reply_errno(s, FTP_BADSENDFILE, what, s->data.err);
	case XFER_SHUTDOWN:
		session_reply(s, FTP_TOOMANY, "Server shutting down; transfer "
		    "aborted.");
		return -1;
	case XFER_REVOKED:
		session_reply(s, FTP_BADSENDNET, "%s aborted.", what);
		session_reply(s, FTP_TOOMANY, "%s",
		    session_revoke_text(atomic_load(&s->revoked)));
		return -1;
	case XFER_CTLERR:
		return -1;
	}
	return -1;
}
