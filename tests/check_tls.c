/*
 * check_tls: unit tests for proto/tls, the TLS adapter below netio, one
 * test case per behaviour:
 *
 *   conn      handshake, lines both ways, more than 64 KiB both ways, many
 *             lines in one TLS record (SSL_pending), clean and truncated
 *             end of stream, a corrupted record, no SIGPIPE, a context
 *             released while its connection lives
 *   resume    data connections resume their control connection's
 *             session, again and again (TLS 1.3 tickets and TLS 1.2),
 *             never another session id's; tickets sent on request
 *             (tls_send_ticket) outlive stale ones; data connections get
 *             no tickets, and tls_close() reads one a server did send
 *   refuse    TLS 1.1, silence (both sides), plaintext instead of a
 *             handshake (both sides), a peer that hangs up, plaintext
 *             pipelined behind the request for TLS, wrong context kind
 *   peer      fingerprint as `openssl x509 -fingerprint -sha256` prints it,
 *             verification against the system CAs, a given CA, host names
 *             and IP addresses
 *   ctx       unreadable or mismatched certificate and key, version caps,
 *             references, session ids
 *
 * Each test gets a fresh mkdtemp sandbox holding a self-signed P-256
 * certificate made by the openssl command. Connections are socketpairs;
 * the server side runs in a thread. Every wait is bounded.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proto/netio.h"
#include "proto/tls.h"

#define WAIT_MS		5000	/* anything that should happen does by then */
#define SHORT_MS	300	/* for timeouts that are expected */
#define NDATA		3	/* data connections a script can use */

static char sandbox[64];
static char cert[128], key[128];
static struct tls_ctx *sctx, *cctx;

/* ------------------------------------------------------------ helpers */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
make_cert(const char *keyfile, const char *certfile)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "timeout 30 openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
	    "-subj /CN=localhost "
	    "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
	    "-keyout %s -out %s 2>/dev/null", keyfile, certfile);
	ck_assert_int_eq(system(cmd), 0);
}

static void
setup(void)
{
	char err[256];

	snprintf(sandbox, sizeof(sandbox), "/tmp/check_tls.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	snprintf(cert, sizeof(cert), "%s/cert.pem", sandbox);
	snprintf(key, sizeof(key), "%s/key.pem", sandbox);
	make_cert(key, cert);
	sctx = tls_server_ctx(cert, key, err, sizeof(err));
	ck_assert_msg(sctx != NULL, "%s", err);
	cctx = tls_client_ctx(err, sizeof(err));
	ck_assert_msg(cctx != NULL, "%s", err);
}

static void
teardown(void)
{
	static const char *const names[] = {
		"cert.pem", "key.pem", "key2.pem", "cert2.pem", "junk.pem",
	};
	char path[160];
	size_t i;

	tls_ctx_free(sctx);
	tls_ctx_free(cctx);
	sctx = cctx = NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sandbox, names[i]);
		unlink(path);
	}
	rmdir(sandbox);
}

static void
pair(int fd[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
}

static void
join(pthread_t th)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 20;
	ck_assert_int_eq(pthread_timedjoin_np(th, NULL, &ts), 0);
}

static uint64_t
fnv(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ *p++) * 1099511628211ULL;
	return h;
}

static unsigned char *
pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)((i * 7 + (i >> 9) + seed) & 0xff);
	return p;
}

/* Reads exactly n bytes. */
static int
read_full(struct conn *c, unsigned char *buf, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = conn_read(c, buf, n, WAIT_MS)) <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
put(struct conn *c, const char *s)
{
	ck_assert_int_eq(conn_write(c, s, strlen(s), WAIT_MS), 0);
}

static void
expect(struct conn *c, const char *want)
{
	char line[512];
	int n = conn_readline(c, line, sizeof(line), WAIT_MS, -1);

	ck_assert_msg(n >= 0, "readline: %d (errno %d)", n, errno);
	ck_assert_str_eq(line, want);
}

/* --------------------------------------------------- the script server */

/*
 * A tiny FTP-like server on the control socketpair, for the tests to
 * talk to: PING x, UP n (n bytes follow), DOWN n, LINES n, PASV (a fresh
 * ticket, then "227 ok" and what tls_send_ticket said), DATA i mode
 * (accept data connection i and send a line on it; mode same, other or
 * cut), UPDATA i none|ticket (accept, maybe send a ticket there, say 150,
 * read to the end, say 226, wait for DONE), QUIT.
 */
struct script {
	struct tls_ctx	*ctx;
	int		 ctl;
	int		 data[NDATA];
	struct tls_sid	 sid, other;
	char		 err[256];
	int		 accepted;
};

static void
serve_data(struct script *s, struct conn *ctl, int i, const char *mode,
    int upload)
{
	struct conn dc;
	struct tls *dt;
	char err[256], reply[320];
	unsigned char buf[16384];
	size_t total = 0;
	ssize_t r;

	conn_init(&dc, s->data[i]);
	dt = tls_accept(s->ctx, &dc, strcmp(mode, "other") == 0 ? &s->other :
	    &s->sid, WAIT_MS, err, sizeof(err));
	if (dt == NULL) {
		snprintf(reply, sizeof(reply), "425 %s\r\n", err);
		shutdown(s->data[i], SHUT_RDWR);
		conn_write(ctl, reply, strlen(reply), WAIT_MS);
		return;
	}
	if (upload) {
		/* Like vsftpd: a ticket on the data connection too. */
		if (upload == 2 && tls_send_ticket(dt) != 0)
			tls_close(dt, 0), dt = NULL;
		conn_write(ctl, "150 accepted\r\n", 14, WAIT_MS);
		while ((r = conn_read(&dc, buf, sizeof(buf), WAIT_MS)) > 0)
			total += (size_t)r;
		snprintf(reply, sizeof(reply), "226 got=%zu clean=%d "
		    "reused=%d\r\n", total, tls_eof_clean(dt), tls_reused(dt));
		/* Our close_notify only after the client said DONE. */
		conn_write(ctl, reply, strlen(reply), WAIT_MS);
		conn_readline(ctl, reply, sizeof(reply), WAIT_MS, -1);
		snprintf(reply, sizeof(reply), "200 done\r\n");
		tls_close(dt, WAIT_MS);
	} else {
		snprintf(reply, sizeof(reply), "226 reused=%d\r\n",
		    tls_reused(dt));
		conn_write(&dc, "hello data\r\n", 12, WAIT_MS);
		if (strcmp(mode, "cut") == 0) {
			/* The socket goes first: no close_notify. */
			shutdown(s->data[i], SHUT_RDWR);
			tls_close(dt, 0);
		} else
			tls_close(dt, WAIT_MS);
	}
	shutdown(s->data[i], SHUT_RDWR);
	conn_write(ctl, reply, strlen(reply), WAIT_MS);
}

static void *
script_main(void *arg)
{
	struct script *s = arg;
	struct conn c;
	struct tls *t;
	char line[512], out[600];
	unsigned char *buf;
	unsigned long n;
	int i;

	conn_init(&c, s->ctl);
	if ((t = tls_accept(s->ctx, &c, &s->sid, WAIT_MS, s->err,
	    sizeof(s->err))) == NULL)
		return NULL;
	s->accepted = 1;
	conn_write(&c, "220 ready\r\n", 11, WAIT_MS);
	while (conn_readline(&c, line, sizeof(line), WAIT_MS, -1) >= 0) {
		char mode[16];

		if (strncmp(line, "PING ", 5) == 0) {
			snprintf(out, sizeof(out), "PONG %s\r\n", line + 5);
			conn_write(&c, out, strlen(out), WAIT_MS);
		} else if (sscanf(line, "UP %lu", &n) == 1) {
			buf = malloc(n);
			if (buf == NULL || read_full(&c, buf, n) == -1)
				snprintf(out, sizeof(out), "451 short\r\n");
			else
				snprintf(out, sizeof(out), "GOT %lu %016llx\r\n",
				    n, (unsigned long long)fnv(buf, n));
			free(buf);
			conn_write(&c, out, strlen(out), WAIT_MS);
		} else if (sscanf(line, "DOWN %lu", &n) == 1) {
			buf = pattern(n, 3);
			snprintf(out, sizeof(out), "DATA %lu\r\n", n);
			conn_write(&c, out, strlen(out), WAIT_MS);
			conn_write(&c, buf, n, WAIT_MS);
			free(buf);
		} else if (sscanf(line, "LINES %lu", &n) == 1) {
			/* All in one write: one TLS record, bigger than CONN_BUF. */
			size_t len = 0, cap = n * 16 + 1;

			buf = malloc(cap);
			for (i = 0; i < (int)n; i++)
				len += (size_t)snprintf((char *)buf + len,
				    cap - len, "line %04d\r\n", i);
			conn_write(&c, buf, len, WAIT_MS);
			free(buf);
		} else if (sscanf(line, "DATA %d %15s", &i, mode) == 2 &&
		    i >= 0 && i < NDATA) {
			serve_data(s, &c, i, mode, 0);
		} else if (sscanf(line, "UPDATA %d %15s", &i, mode) == 2 &&
		    i >= 0 && i < NDATA) {
			serve_data(s, &c, i, "same",
			    strcmp(mode, "ticket") == 0 ? 2 : 1);
		} else if (strcmp(line, "PASV") == 0) {
			snprintf(out, sizeof(out), "227 ok %d\r\n",
			    tls_send_ticket(t));
			conn_write(&c, out, strlen(out), WAIT_MS);
		} else if (strcmp(line, "QUIT") == 0) {
			conn_write(&c, "221 bye\r\n", 9, WAIT_MS);
			break;
		} else
			conn_write(&c, "500 ?\r\n", 7, WAIT_MS);
	}
	tls_close(t, WAIT_MS);
	shutdown(s->ctl, SHUT_RDWR);
	return NULL;
}

/* The client's end of a script session. */
struct session {
	struct script	 srv;
	pthread_t	 th;
	int		 ctl;		/* client ends */
	int		 data[NDATA];
	struct conn	 c;
	struct tls	*t;
};

static void
session_start(struct session *ss, struct tls_ctx *client)
{
	char err[256];
	int fd[2], i;

	memset(ss, 0, sizeof(*ss));
	ss->srv.ctx = sctx;
	tls_sid_new(&ss->srv.sid);
	tls_sid_new(&ss->srv.other);
	pair(fd);
	ss->ctl = fd[0];
	ss->srv.ctl = fd[1];
	for (i = 0; i < NDATA; i++) {
		pair(fd);
		ss->data[i] = fd[0];
		ss->srv.data[i] = fd[1];
	}
	ck_assert_int_eq(pthread_create(&ss->th, NULL, script_main, &ss->srv),
	    0);
	conn_init(&ss->c, ss->ctl);
	ss->t = tls_connect(client, &ss->c, "localhost", NULL, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(ss->t != NULL, "%s", err);
}

static void
session_end(struct session *ss)
{
	char buf[16];
	int i;

	put(&ss->c, "QUIT\r\n");
	expect(&ss->c, "221 bye");
	/* The server said close_notify: a clean end of stream. */
	ck_assert_int_eq(conn_read(&ss->c, buf, sizeof(buf), WAIT_MS), 0);
	ck_assert_int_eq(tls_eof_clean(ss->t), 1);
	tls_close(ss->t, WAIT_MS);
	join(ss->th);
	ck_assert_int_eq(ss->srv.accepted, 1);
	close(ss->ctl);
	close(ss->srv.ctl);
	for (i = 0; i < NDATA; i++) {
		close(ss->data[i]);
		close(ss->srv.data[i]);
	}
}

/*
 * Opens data connection i in mode (same, other, cut) as a client would
 * after PASV: resumes the control session, reads the server's line and
 * the end of stream. Returns the client's tls, closed by the caller.
 */
static struct tls *
session_data(struct session *ss, int i, const char *mode, struct conn *dc)
{
	char cmd[64], err[256];
	struct tls *dt;

	snprintf(cmd, sizeof(cmd), "DATA %d %s\r\n", i, mode);
	put(&ss->c, cmd);
	conn_init(dc, ss->data[i]);
	dt = tls_connect(cctx, dc, "localhost", ss->t, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(dt != NULL, "%s", err);
	expect(dc, "hello data");
	ck_assert_int_eq(conn_read(dc, cmd, sizeof(cmd), WAIT_MS), 0);
	return dt;
}

/* ---------------------------------------------------------------- conn */

START_TEST(test_lines)
{
	struct session ss;
	char desc[128];

	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	put(&ss.c, "PING one\r\n");
	expect(&ss.c, "PONG one");
	put(&ss.c, "PING two\r\nPING three\r\n");
	expect(&ss.c, "PONG two");
	expect(&ss.c, "PONG three");
	put(&ss.c, "NOPE\r\n");
	expect(&ss.c, "500 ?");
	ck_assert_int_eq(tls_reused(ss.t), 0);
	tls_describe(ss.t, desc, sizeof(desc));
	ck_assert_msg(strncmp(desc, "TLSv1.3 TLS_", 12) == 0, "%s", desc);
	ck_assert_str_eq(tls_error(ss.t), "");
	session_end(&ss);
}
END_TEST

START_TEST(test_large)
{
	struct session ss;
	size_t n = 300000;
	unsigned char *up = pattern(n, 1), *down = pattern(n, 3), *got;
	char want[64];

	got = malloc(n);
	ck_assert_ptr_nonnull(got);
	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	/* Up: one write of 300 000 bytes, then the server's checksum. */
	put(&ss.c, "UP 300000\r\n");
	ck_assert_int_eq(conn_write(&ss.c, up, n, WAIT_MS), 0);
	snprintf(want, sizeof(want), "GOT 300000 %016llx",
	    (unsigned long long)fnv(up, n));
	expect(&ss.c, want);
	/* Down: a line, then 300 000 bytes, partly buffered behind it. */
	put(&ss.c, "DOWN 300000\r\n");
	expect(&ss.c, "DATA 300000");
	ck_assert_int_eq(read_full(&ss.c, got, n), 0);
	ck_assert(memcmp(got, down, n) == 0);
	session_end(&ss);
	free(up);
	free(down);
	free(got);
}
END_TEST

START_TEST(test_pending)
{
	struct session ss;
	char want[32];
	int i;

	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	/*
	 * 11 000 bytes in one record: once netio's buffer (8 KiB) is full,
	 * the rest waits decrypted inside OpenSSL where poll cannot see it.
	 * Without the pending callback these reads would time out.
	 */
	put(&ss.c, "LINES 1000\r\n");
	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "line %04d", i);
		expect(&ss.c, want);
		if (i < 999)
			ck_assert_int_eq(conn_readable_now(&ss.c), 1);
	}
	session_end(&ss);
}
END_TEST

START_TEST(test_eof_clean_and_cut)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;

	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	dt = session_data(&ss, 0, "same", &dc);
	ck_assert_int_eq(tls_eof_clean(dt), 1);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=1");
	/* The server drops the socket without close_notify: truncation. */
	dt = session_data(&ss, 1, "cut", &dc);
	ck_assert_int_eq(tls_eof_clean(dt), 0);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=1");
	session_end(&ss);
}
END_TEST

/*
 * Uploads 200 000 bytes on data connection 0; ticket: whether the server
 * also sends a ticket there (as vsftpd does; ours does not).
 */
static void
check_upload(int ticket)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;
	char err[256];
	size_t n = 200000;
	unsigned char *up = pattern(n, 5);

	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	put(&ss.c, ticket ? "UPDATA 0 ticket\r\n" : "UPDATA 0 none\r\n");
	conn_init(&dc, ss.data[0]);
	dt = tls_connect(cctx, &dc, "localhost", ss.t, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(dt != NULL, "%s", err);
	/* The server's handshake (and ticket, if any) is over by now. */
	expect(&ss.c, "150 accepted");
	ck_assert_int_eq(tls_reused(dt), 1);
	errno = 0;
	if (ticket)
		ck_assert_int_gt(recv(ss.data[0], err, sizeof(err),
		    MSG_PEEK | MSG_DONTWAIT), 0);
	else {
		ck_assert_int_eq(recv(ss.data[0], err, sizeof(err),
		    MSG_PEEK | MSG_DONTWAIT), -1);
		ck_assert_int_eq(errno, EAGAIN);
	}
	/* A client that only writes, as uploads do. */
	ck_assert_int_eq(conn_write(&dc, up, n, WAIT_MS), 0);
	tls_close(dt, WAIT_MS);
	ck_assert(dc.ops == NULL && dc.impl == NULL);	/* detached */
	expect(&ss.c, "226 got=200000 clean=1 reused=1");
	/*
	 * Nothing unread is left (tls_close read the ticket): closing the
	 * socket now is a FIN, not a reset that would destroy data still
	 * in flight. The server holds its close_notify until DONE.
	 */
	errno = 0;
	ck_assert_int_eq(recv(ss.data[0], err, sizeof(err),
	    MSG_PEEK | MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	put(&ss.c, "DONE\r\n");
	expect(&ss.c, "200 done");
	session_end(&ss);
	free(up);
}

START_TEST(test_upload)
{
	check_upload(0);
}
END_TEST

START_TEST(test_upload_ticket_drained)
{
	check_upload(1);
}
END_TEST

/* Only one side connects; the other is written raw. */
struct one {
	struct tls_ctx	*ctx;
	int		 fd;
	struct tls_sid	 sid;
	int		 ok;
	char		 err[256];
	int		 hold;		/* read lines until the stream ends */
	int		 end;		/* then: how it ended (CONN_*) */
	int		 end_errno;
	char		 tls_err[256];
};

static void *
one_accept(void *arg)
{
	struct one *o = arg;
	struct conn c;
	struct tls *t;
	char line[64];
	int n;

	conn_init(&c, o->fd);
	if ((t = tls_accept(o->ctx, &c, &o->sid, WAIT_MS, o->err,
	    sizeof(o->err))) == NULL)
		return NULL;
	o->ok = 1;
	conn_write(&c, "hi\r\n", 4, WAIT_MS);
	if (o->hold) {
		while ((n = conn_readline(&c, line, sizeof(line), WAIT_MS,
		    -1)) >= 0)
			continue;
		o->end = n;
		o->end_errno = errno;
		snprintf(o->tls_err, sizeof(o->tls_err), "%s", tls_error(t));
	}
	tls_close(t, WAIT_MS);
	shutdown(o->fd, SHUT_RDWR);
	return NULL;
}

/* Connects to a one_accept server as host; returns the open client tls. */
static struct tls *
connect_one(struct tls_ctx *client, const char *host, struct conn *c,
    int fd[2], pthread_t *th, struct one *o, int hold)
{
	struct tls *t;
	char err[256];

	memset(o, 0, sizeof(*o));
	o->ctx = sctx;
	o->hold = hold;
	tls_sid_new(&o->sid);
	pair(fd);
	o->fd = fd[0];
	ck_assert_int_eq(pthread_create(th, NULL, one_accept, o), 0);
	conn_init(c, fd[1]);
	t = tls_connect(client, c, host, NULL, WAIT_MS, err, sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	expect(c, "hi");
	return t;
}

static void
close_one(struct tls *t, int fd[2], pthread_t th)
{
	tls_close(t, WAIT_MS);
	join(th);
	close(fd[0]);
	close(fd[1]);
}

START_TEST(test_corrupt_record)
{
	static const unsigned char junk[] = {
		0x17, 0x03, 0x03, 0x00, 0x20,	/* application data, 32 bytes */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	struct one o;
	struct conn c;
	struct tls *t;
	pthread_t th;
	int fd[2];

	/* A record forged under the TLS layer: the server reads an error. */
	t = connect_one(cctx, "localhost", &c, fd, &th, &o, 1);
	ck_assert_int_eq(send(fd[1], junk, sizeof(junk), 0),
	    (ssize_t)sizeof(junk));
	join(th);
	ck_assert_int_eq(o.end, CONN_ERR);
	ck_assert_int_eq(o.end_errno, EPROTO);
	ck_assert_msg(strncmp(o.tls_err, "TLS: error:", 11) == 0, "%s",
	    o.tls_err);
	tls_close(t, SHORT_MS);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_sigpipe)
{
	struct one o = { 0 };
	struct conn c;
	struct tls *t;
	pthread_t th;
	char err[256];
	unsigned char *big = pattern(1 << 20, 0);
	int fd[2], rc;

	signal(SIGPIPE, SIG_DFL);
	o.ctx = sctx;
	tls_sid_new(&o.sid);
	pair(fd);
	o.fd = fd[0];
	ck_assert_int_eq(pthread_create(&th, NULL, one_accept, &o), 0);
	conn_init(&c, fd[1]);
	t = tls_connect(cctx, &c, "localhost", NULL, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	expect(&c, "hi");
	join(th);
	close(fd[0]);		/* the peer is gone */
	/* A write into the void: EPIPE, and the process lives. */
	errno = 0;
	rc = conn_write(&c, big, 1 << 20, WAIT_MS);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == EPIPE || errno == ECONNRESET, "errno %d",
	    errno);
	tls_close(t, SHORT_MS);
	close(fd[1]);
	free(big);
	signal(SIGPIPE, SIG_IGN);
}
END_TEST

START_TEST(test_ctx_released_early)
{
	struct one o = { 0 };
	struct conn c;
	struct tls *t;
	pthread_t th;
	char err[256];
	int fd[2];

	/* The server's context goes (a reload) while a connection lives. */
	o.ctx = tls_ctx_ref(sctx);
	tls_sid_new(&o.sid);
	o.hold = 1;
	pair(fd);
	o.fd = fd[0];
	ck_assert_int_eq(pthread_create(&th, NULL, one_accept, &o), 0);
	conn_init(&c, fd[1]);
	t = tls_connect(cctx, &c, "localhost", NULL, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(t != NULL, "%s", err);
	expect(&c, "hi");
	tls_ctx_free(o.ctx);	/* our extra reference */
	tls_ctx_free(sctx);	/* the fixture's: only connections hold it */
	sctx = NULL;
	put(&c, "more\r\n");
	tls_close(t, WAIT_MS);
	shutdown(fd[1], SHUT_WR);
	join(th);
	ck_assert_int_eq(o.ok, 1);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

/* -------------------------------------------------------------- resume */

static void
check_resume(const char *maxver, const char *prefix)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;
	char desc[128];
	int tls13 = strcmp(maxver, "1.3") == 0;

	ck_assert_int_eq(tls_ctx_set_max_version(cctx, maxver), 0);
	session_start(&ss, cctx);
	/*
	 * TLS 1.3: the tickets arrive after the handshake and are seen
	 * only when the control connection is next read. TLS 1.2: the
	 * session is there at once.
	 */
	ck_assert_int_eq(tls_can_resume(ss.t), !tls13);
	expect(&ss.c, "220 ready");
	ck_assert_int_eq(tls_can_resume(ss.t), 1);
	tls_describe(ss.t, desc, sizeof(desc));
	ck_assert_msg(strncmp(desc, prefix, strlen(prefix)) == 0, "%s", desc);

	/* Twice: the same session resumes for each data connection. */
	dt = session_data(&ss, 0, "same", &dc);
	ck_assert_int_eq(tls_reused(dt), 1);
	ck_assert_int_eq(tls_eof_clean(dt), 1);
	tls_describe(dt, desc, sizeof(desc));
	ck_assert_msg(strncmp(desc, prefix, strlen(prefix)) == 0, "%s", desc);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=1");

	/* A fresh ticket with the PASV reply (TLS 1.3 only). */
	put(&ss.c, "PASV\r\n");
	expect(&ss.c, tls13 ? "227 ok 0" : "227 ok -1");
	dt = session_data(&ss, 1, "same", &dc);
	ck_assert_int_eq(tls_reused(dt), 1);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=1");

	/* Another session id context: no resumption, on either side. */
	dt = session_data(&ss, 2, "other", &dc);
	ck_assert_int_eq(tls_reused(dt), 0);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=0");
	session_end(&ss);
}

START_TEST(test_resume_tls13)
{
	check_resume("1.3", "TLSv1.3 TLS_");
}
END_TEST

START_TEST(test_resume_tls12)
{
	check_resume("1.2", "TLSv1.2 ECDHE-ECDSA-");
}
END_TEST

START_TEST(test_send_ticket)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;

	/*
	 * Tickets last 1 s and the session is 3.2 s old: the handshake's
	 * tickets are stale (the client, counting whole seconds, no longer
	 * offers them), but the one sent ahead of the PASV reply is fresh.
	 */
	ck_assert_int_eq(tls_ctx_set_lifetime(sctx, 1), 0);
	ck_assert_int_eq(tls_ctx_set_lifetime(sctx, 0), -1);
	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	ck_assert_int_eq(tls_send_ticket(ss.t), -1);	/* client side */
	usleep(3200 * 1000);
	put(&ss.c, "PASV\r\n");
	expect(&ss.c, "227 ok 0");
	dt = session_data(&ss, 0, "same", &dc);
	ck_assert_int_eq(tls_reused(dt), 1);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=1");
	session_end(&ss);
}
END_TEST

START_TEST(test_lifetime_tls12)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;

	/* TLS 1.2 sessions are not refreshed: past the lifetime, no reuse. */
	ck_assert_int_eq(tls_ctx_set_lifetime(sctx, 1), 0);
	ck_assert_int_eq(tls_ctx_set_max_version(cctx, "1.2"), 0);
	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	usleep(2100 * 1000);
	put(&ss.c, "PING late\r\n");
	expect(&ss.c, "PONG late");
	dt = session_data(&ss, 0, "same", &dc);
	ck_assert_int_eq(tls_reused(dt), 0);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=0");
	session_end(&ss);
}
END_TEST

START_TEST(test_resume_nothing_offered)
{
	struct session ss;
	struct conn dc;
	struct tls *dt;
	char err[256], buf[16];

	session_start(&ss, cctx);
	expect(&ss.c, "220 ready");
	put(&ss.c, "DATA 0 same\r\n");
	conn_init(&dc, ss.data[0]);
	dt = tls_connect(cctx, &dc, "localhost", NULL, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(dt != NULL, "%s", err);
	expect(&dc, "hello data");
	ck_assert_int_eq(conn_read(&dc, buf, sizeof(buf), WAIT_MS), 0);
	ck_assert_int_eq(tls_reused(dt), 0);
	tls_close(dt, WAIT_MS);
	expect(&ss.c, "226 reused=0");
	session_end(&ss);
}
END_TEST

/* --------------------------------------------------------------- refuse */

struct oldclient {
	int	fd;
	int	rc;
};

/* A client that speaks TLS 1.1 only, written with OpenSSL directly. */
static void *
old_client(void *arg)
{
	struct oldclient *oc = arg;
	struct timeval tv = { .tv_sec = 5 };
	SSL_CTX *ctx;
	SSL *ssl;

	setsockopt(oc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(oc->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	oc->rc = -99;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	if ((ssl = SSL_new(ctx)) != NULL) {
		SSL_set_fd(ssl, oc->fd);
		oc->rc = SSL_connect(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

START_TEST(test_refuse_tls11)
{
	struct oldclient oc;
	struct tls_sid sid;
	struct conn c;
	pthread_t th;
	char err[256];
	int fd[2];

	pair(fd);
	oc.fd = fd[1];
	ck_assert_int_eq(pthread_create(&th, NULL, old_client, &oc), 0);
	tls_sid_new(&sid);
	conn_init(&c, fd[0]);
	err[0] = '\0';
	ck_assert_ptr_null(tls_accept(sctx, &c, &sid, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "unsupported protocol") != NULL, "%s", err);
	ck_assert_int_eq(c.ops == NULL, 1);
	join(th);
	ck_assert_int_le(oc.rc, 0);
	close(fd[0]);
	close(fd[1]);

	/* Our own contexts cannot be talked down below TLS 1.2. */
	ck_assert_int_eq(tls_ctx_set_max_version(cctx, "1.1"), -1);
	ck_assert_int_eq(tls_ctx_set_max_version(cctx, "1.0"), -1);
	ck_assert_int_eq(tls_ctx_set_max_version(cctx, "2"), -1);
	ck_assert_int_eq(tls_ctx_set_max_version(cctx, ""), -1);
	ck_assert_int_eq(tls_ctx_set_max_version(sctx, "1.2"), 0);
	ck_assert_int_eq(tls_ctx_set_max_version(sctx, "1.3"), 0);
}
END_TEST

static void
check_elapsed(long long t0, const char *err)
{
	long long ms = now_ms() - t0;

	ck_assert_msg(ms >= SHORT_MS - 20 && ms < 3000, "%lld ms", ms);
	ck_assert_msg(strstr(err, "timed out") != NULL, "%s", err);
}

START_TEST(test_timeout_server)
{
	struct tls_sid sid;
	struct conn c;
	char err[256];
	long long t0;
	int fd[2];

	pair(fd);		/* the client connects and says nothing */
	tls_sid_new(&sid);
	conn_init(&c, fd[0]);
	t0 = now_ms();
	ck_assert_ptr_null(tls_accept(sctx, &c, &sid, SHORT_MS, err,
	    sizeof(err)));
	check_elapsed(t0, err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_timeout_client)
{
	struct conn c;
	char err[256];
	long long t0;
	int fd[2];

	pair(fd);		/* the server takes the hello and is silent */
	conn_init(&c, fd[0]);
	t0 = now_ms();
	ck_assert_ptr_null(tls_connect(cctx, &c, "localhost", NULL, SHORT_MS,
	    err, sizeof(err)));
	check_elapsed(t0, err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_plaintext_to_server)
{
	static const char ftp[] = "USER anonymous\r\nPASS x\r\n";
	struct tls_sid sid;
	struct conn c;
	char err[256];
	long long t0;
	int fd[2];

	pair(fd);
	ck_assert_int_eq(send(fd[1], ftp, sizeof(ftp) - 1, 0),
	    (ssize_t)sizeof(ftp) - 1);
	tls_sid_new(&sid);
	conn_init(&c, fd[0]);
	t0 = now_ms();
	err[0] = '\0';
	ck_assert_ptr_null(tls_accept(sctx, &c, &sid, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_int_lt(now_ms() - t0, 2000);	/* at once, no timeout */
	ck_assert_msg(strncmp(err, "TLS handshake: error:", 21) == 0, "%s",
	    err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_plaintext_to_client)
{
	static const char ftp[] = "220 plain FTP here\r\n";
	struct conn c;
	char err[256];
	long long t0;
	int fd[2];

	pair(fd);
	ck_assert_int_eq(send(fd[1], ftp, sizeof(ftp) - 1, 0),
	    (ssize_t)sizeof(ftp) - 1);
	conn_init(&c, fd[0]);
	t0 = now_ms();
	err[0] = '\0';
	ck_assert_ptr_null(tls_connect(cctx, &c, "localhost", NULL, WAIT_MS,
	    err, sizeof(err)));
	ck_assert_int_lt(now_ms() - t0, 2000);
	ck_assert_msg(strncmp(err, "TLS handshake: error:", 21) == 0, "%s",
	    err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_peer_hangs_up)
{
	struct tls_sid sid;
	struct conn c;
	char err[256];
	int fd[2];

	pair(fd);
	close(fd[1]);
	tls_sid_new(&sid);
	conn_init(&c, fd[0]);
	err[0] = '\0';
	ck_assert_ptr_null(tls_accept(sctx, &c, &sid, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "unexpected eof") != NULL ||
	    strstr(err, "closed") != NULL, "%s", err);
	close(fd[0]);
}
END_TEST

START_TEST(test_injection)
{
	static const char cmds[] = "AUTH TLS\r\nUSER evil\r\n";
	struct tls_sid sid;
	struct conn c;
	char line[64], err[256];
	int fd[2];

	pair(fd);
	ck_assert_int_eq(send(fd[1], cmds, sizeof(cmds) - 1, 0),
	    (ssize_t)sizeof(cmds) - 1);
	conn_init(&c, fd[0]);
	ck_assert_int_eq(conn_readline(&c, line, sizeof(line), WAIT_MS, -1),
	    8);
	ck_assert_str_eq(line, "AUTH TLS");
	/* "USER evil" was read with it, in plaintext: refused and dropped. */
	tls_sid_new(&sid);
	ck_assert_ptr_null(tls_accept(sctx, &c, &sid, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "plaintext") != NULL, "%s", err);
	ck_assert_int_eq(conn_readable_now(&c), 0);
	/* The same on the client side. */
	ck_assert_int_eq(send(fd[1], "234 go\r\n999 forged\r\n", 20, 0), 20);
	ck_assert_int_eq(conn_readline(&c, line, sizeof(line), WAIT_MS, -1),
	    6);
	ck_assert_ptr_null(tls_connect(cctx, &c, "localhost", NULL, WAIT_MS,
	    err, sizeof(err)));
	ck_assert_msg(strstr(err, "plaintext") != NULL, "%s", err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(test_wrong_ctx)
{
	struct tls_sid sid;
	struct conn c;
	char err[256];
	int fd[2];

	pair(fd);
	tls_sid_new(&sid);
	conn_init(&c, fd[0]);
	ck_assert_ptr_null(tls_accept(cctx, &c, &sid, SHORT_MS, err,
	    sizeof(err)));
	ck_assert_msg(strstr(err, "not a server context") != NULL, "%s", err);
	ck_assert_ptr_null(tls_connect(sctx, &c, "localhost", NULL, SHORT_MS,
	    err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a client context") != NULL, "%s", err);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

/* ----------------------------------------------------------------- peer */

/* What `openssl x509 -noout -fingerprint -sha256` says of the cert. */
static void
cli_fingerprint(char *fp, size_t len)
{
	char cmd[256], line[256], *eq;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "timeout 30 openssl x509 -noout "
	    "-fingerprint -sha256 -in %s", cert);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	line[strcspn(line, "\r\n")] = '\0';
	ck_assert_ptr_nonnull(eq = strchr(line, '='));
	snprintf(fp, len, "%s", eq + 1);
}

START_TEST(test_fingerprint)
{
	struct one o;
	struct conn c;
	struct tls *t;
	pthread_t th;
	char fp[TLS_FP_LEN], want[TLS_FP_LEN], small[TLS_FP_LEN - 1];
	int fd[2];

	t = connect_one(cctx, "localhost", &c, fd, &th, &o, 0);
	ck_assert_int_eq(tls_peer_fingerprint(t, fp, sizeof(fp)), 0);
	cli_fingerprint(want, sizeof(want));
	ck_assert_str_eq(fp, want);
	ck_assert_int_eq(strlen(fp), TLS_FP_LEN - 1);
	ck_assert_int_eq(tls_peer_fingerprint(t, small, sizeof(small)), -1);
	ck_assert_int_eq(tls_peer_fingerprint(t, small, 0), -1);
	close_one(t, fd, th);
}
END_TEST

START_TEST(test_verify_self_signed)
{
	struct one o;
	struct conn c;
	struct tls *t;
	pthread_t th;
	int fd[2];

	/* The system CAs know nothing of our self-signed certificate. */
	t = connect_one(cctx, "localhost", &c, fd, &th, &o, 0);
	ck_assert_int_eq(tls_peer_verified(t), 0);
	close_one(t, fd, th);
}
END_TEST

START_TEST(test_verify_trusted)
{
	static const struct {
		const char	*host;
		int		 verified;
	} cases[] = {
		{ "localhost", 1 },
		{ "127.0.0.1", 1 },	/* IP SAN; no SNI sent */
		{ NULL, 1 },		/* the chain alone */
		{ "example.org", 0 },
		{ "LOCALHOST", 1 },
		{ "::1", 0 },
		{ "10.0.0.1", 0 },
	};
	struct one o;
	struct conn c;
	struct tls *t;
	pthread_t th;
	char err[256];
	size_t i;
	int fd[2];

	ck_assert_msg(tls_ctx_load_ca(cctx, cert, err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = connect_one(cctx, cases[i].host, &c, fd, &th, &o, 0);
		ck_assert_msg(tls_peer_verified(t) == cases[i].verified,
		    "%s", cases[i].host ? cases[i].host : "(null)");
		close_one(t, fd, th);
	}
	snprintf(err, sizeof(err), "%s/nope.pem", sandbox);
	ck_assert_int_eq(tls_ctx_load_ca(cctx, err, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "CA file ", 8) == 0, "%s", err);
}
END_TEST

/* ------------------------------------------------------------------ ctx */

START_TEST(test_ctx_errors)
{
	char err[512], junk[160], key2[160], cert2[160];
	FILE *f;

	snprintf(junk, sizeof(junk), "%s/junk.pem", sandbox);
	snprintf(key2, sizeof(key2), "%s/key2.pem", sandbox);
	snprintf(cert2, sizeof(cert2), "%s/cert2.pem", sandbox);
	ck_assert_ptr_nonnull(f = fopen(junk, "w"));
	fputs("not a certificate\n", f);
	fclose(f);

	ck_assert_ptr_null(tls_server_ctx("/nonexistent/cert.pem", key, err,
	    sizeof(err)));
	ck_assert_msg(strncmp(err, "cert /nonexistent/cert.pem: error:", 34)
	    == 0, "%s", err);
	ck_assert_ptr_null(tls_server_ctx(junk, key, err, sizeof(err)));
	ck_assert_msg(strncmp(err, "cert ", 5) == 0, "%s", err);
	ck_assert_ptr_null(tls_server_ctx(cert, junk, err, sizeof(err)));
	ck_assert_msg(strncmp(err, "key ", 4) == 0, "%s", err);
	make_cert(key2, cert2);
	ck_assert_ptr_null(tls_server_ctx(cert, key2, err, sizeof(err)));
	ck_assert_msg(strstr(err, "does not match") != NULL ||
	    strncmp(err, "key ", 4) == 0, "%s", err);
	/* A tiny buffer is filled, bounded and terminated. */
	ck_assert_ptr_null(tls_server_ctx(junk, key, err, 8));
	ck_assert_int_eq(strlen(err), 7);
	ck_assert_ptr_null(tls_server_ctx(junk, key, NULL, 0));
	ck_assert_int_eq(ERR_peek_error(), 0);	/* the queue was drained */
}
END_TEST

START_TEST(test_ctx_refs_and_sids)
{
	struct tls_sid a, b;
	static const unsigned char zero[sizeof(a.id)];

	ck_assert_ptr_eq(tls_ctx_ref(sctx), sctx);
	tls_ctx_free(sctx);	/* one left, freed by teardown */
	tls_ctx_free(NULL);
	tls_close(NULL, 0);
	tls_sid_new(&a);
	tls_sid_new(&b);
	ck_assert(memcmp(a.id, b.id, sizeof(a.id)) != 0);
	ck_assert(memcmp(a.id, zero, sizeof(a.id)) != 0);
}
END_TEST

/* --------------------------------------------------------------- suites */

static void
add(Suite *s, const char *name, const TTest *fn)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

static Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");

	add(s, "lines", test_lines);
	add(s, "large", test_large);
	add(s, "pending", test_pending);
	add(s, "eof_clean_and_cut", test_eof_clean_and_cut);
	add(s, "upload", test_upload);
	add(s, "upload_ticket_drained", test_upload_ticket_drained);
	add(s, "corrupt_record", test_corrupt_record);
	add(s, "sigpipe", test_sigpipe);
	add(s, "ctx_released_early", test_ctx_released_early);
	add(s, "resume_tls13", test_resume_tls13);
	add(s, "resume_tls12", test_resume_tls12);
	add(s, "send_ticket", test_send_ticket);
	add(s, "lifetime_tls12", test_lifetime_tls12);
	add(s, "resume_nothing_offered", test_resume_nothing_offered);
	add(s, "refuse_tls11", test_refuse_tls11);
	add(s, "timeout_server", test_timeout_server);
	add(s, "timeout_client", test_timeout_client);
	add(s, "plaintext_to_server", test_plaintext_to_server);
	add(s, "plaintext_to_client", test_plaintext_to_client);
	add(s, "peer_hangs_up", test_peer_hangs_up);
	add(s, "injection", test_injection);
	add(s, "wrong_ctx", test_wrong_ctx);
	add(s, "fingerprint", test_fingerprint);
	add(s, "verify_self_signed", test_verify_self_signed);
	add(s, "verify_trusted", test_verify_trusted);
	add(s, "ctx_errors", test_ctx_errors);
	add(s, "ctx_refs_and_sids", test_ctx_refs_and_sids);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tls_suite());
	int number_failed;

	/* burrowd ignores SIGPIPE too; test_sigpipe turns it back on. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
