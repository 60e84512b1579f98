/*
 * tls: TLS below netio, for the control and data connections of FTP over
 * TLS. A handshake runs on the connection's non-blocking socket under one
 * overall deadline; afterwards the connection's byte movers (struct
 * conn_ops) are SSL_read/SSL_write, reporting EAGAIN with the direction
 * to wait for, as netio expects.
 *
 * OpenSSL talks to the socket through a small BIO of our own rather than
 * BIO_new_socket: it sends with MSG_NOSIGNAL, so no write can raise
 * SIGPIPE, and it remembers end of stream for OpenSSL's truncation check.
 * See tls.h for how sessions are bound to their control connection and
 * how TLS 1.3 tickets reach the client.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "proto/util.h"
#include "proto/netio.h"
#include "proto/tls.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "proto/tls.c needs OpenSSL 3"
#endif

/* Session lifetime on the server: tickets and cache entries. */
#define TLS_SESSION_SECS	86400
/* At most this much unread input is discarded by tls_close(). */
#define TLS_DRAIN_MAX		(64 * 1024)
/* TLS 1.3 tickets sent after a full handshake (OpenSSL's default). */
#define TLS_TICKETS		2

struct tls_ctx {
	SSL_CTX		*ssl;
	BIO_METHOD	*bio;		/* our socket BIO (see file comment) */
	int		 server;
	atomic_int	 refs;
};

/*
 * Client: the session a control connection and its data connections
 * share. Whichever of them receives a session or ticket makes it the one
 * the next data connection offers.
 */
struct tls_store {
	atomic_int	 refs;
	pthread_mutex_t	 lock;		/* guards sess */
	SSL_SESSION	*sess;		/* latest resumable, or NULL */
};

struct tls {
	struct tls_ctx	*ctx;		/* a reference */
	struct tls_store *store;	/* client: a reference; server: NULL */
	SSL		*ssl;
	struct conn	*c;
	int		 fd;
	int		 sock_eof;	/* the socket read returned 0 */
	int		 fatal;		/* failed: no close_notify may follow */
	int		 clean_eof;	/* close_notify received */
	int		 verified;
	int		 tickets_due;	/* server: 0 handshaking, 1 tickets, -1 done */
	char		 error[256];	/* last TLS failure of a read/write */
};

/* ------------------------------------------------------------ errors */

/* Appends to err at *used, keeping it NUL terminated and bounded. */
static void
err_append(char *err, size_t errlen, size_t *used, const char *s)
{
	int n;

	if (*used + 1 >= errlen)
		return;
	n = snprintf(err + *used, errlen - *used, "%s", s);
	if (n < 0)
		return;
	*used += (size_t)n < errlen - *used ? (size_t)n : errlen - *used - 1;
}

/*
 * Writes "what: e1; e2" into err from this thread's OpenSSL error queue,
 * which is left empty; "what: fallback" if nothing was queued.
 */
static void
ssl_errors(char *err, size_t errlen, const char *what, const char *fallback)
{
	unsigned long e;
	char one[256];
	size_t used = 0;
	int any = 0;

	if (err == NULL || errlen == 0) {
		ERR_clear_error();
		return;
	}
	err[0] = '\0';
	err_append(err, errlen, &used, what);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, one, sizeof(one));
		err_append(err, errlen, &used, any ? "; " : ": ");
		err_append(err, errlen, &used, one);
		any = 1;
	}
	if (!any) {
		err_append(err, errlen, &used, ": ");
		err_append(err, errlen, &used, fallback);
	}
}

/* --------------------------------------------------------- socket BIO */

static int
bio_write(BIO *b, const char *data, int len)
{
	struct tls *t = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	do
		n = send(t->fd, data, (size_t)len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_write(b);
	return (int)n;
}

static int
bio_read(BIO *b, char *buf, int len)
{
	struct tls *t = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	do
		n = recv(t->fd, buf, (size_t)len, 0);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		t->sock_eof = 1;
	else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		BIO_set_retry_read(b);
	return (int)n;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls *t = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return t->sock_eof;
	default:
		return 0;
	}
}

/*
 * One method per context. Type indexes past 0xff would set flag bits;
 * nothing looks our type up, so a shared index is harmless then.
 */
static BIO_METHOD *
bio_method(void)
{
	BIO_METHOD *m;
	int idx = BIO_get_new_index();

	if (idx < 0 || idx > 0xff)
		idx = BIO_TYPE_NONE;
	if ((m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK,
	    "burrow socket")) == NULL)
		return NULL;
	if (!BIO_meth_set_write(m, bio_write) ||
	    !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* -------------------------------------------------------------- time */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (-1: none), at least 0. */
static int
left_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > 1000000000 ? 1000000000 : (int)left;
}

/* ------------------------------------------------------ session store */

static struct tls_store *
store_new(void)
{
	struct tls_store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		free(st);
		return NULL;
	}
	atomic_init(&st->refs, 1);
	return st;
}

static void
store_free(struct tls_store *st)
{
	if (st == NULL || atomic_fetch_sub(&st->refs, 1) != 1)
		return;
	SSL_SESSION_free(st->sess);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* Client: keeps the latest resumable session (TLS 1.2, TLS 1.3 tickets). */
static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct tls *t = SSL_get_app_data(ssl);
	SSL_SESSION *old;

	if (t == NULL || t->store == NULL || !SSL_SESSION_is_resumable(sess))
		return 0;
	pthread_mutex_lock(&t->store->lock);
	old = t->store->sess;
	t->store->sess = sess;
	pthread_mutex_unlock(&t->store->lock);
	SSL_SESSION_free(old);
	return 1;	/* we keep the reference */
}

/*
 * A copy of the latest session to offer, or NULL. A copy, because the
 * OpenSSL client spends a TLS 1.3 session once it resumed it (RFC 8446
 * advises single-use tickets against tracking): every data connection
 * of a control connection should be able to resume it, and tracking
 * connections that share addresses and a control connection hides
 * nothing anyway.
 */
static SSL_SESSION *
store_get(struct tls_store *st)
{
	SSL_SESSION *copy = NULL;

	pthread_mutex_lock(&st->lock);
	if (st->sess != NULL)
		copy = SSL_SESSION_dup(st->sess);
	pthread_mutex_unlock(&st->lock);
	return copy;
}

/* ------------------------------------------------------------ contexts */

static struct tls_ctx *
ctx_new(int server, char *err, size_t errlen)
{
	struct tls_ctx *ctx;

	ERR_clear_error();
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		set_err(err, errlen, "TLS context: out of memory");
		return NULL;
	}
	atomic_init(&ctx->refs, 1);
	ctx->server = server;
	ctx->ssl = SSL_CTX_new(server ? TLS_server_method() :
	    TLS_client_method());
	if (ctx->ssl == NULL || (ctx->bio = bio_method()) == NULL) {
		ssl_errors(err, errlen, "TLS context", "out of memory");
		tls_ctx_free(ctx);
		return NULL;
	}
	if (!SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_2_VERSION)) {
		ssl_errors(err, errlen, "TLS context", "minimum version");
		tls_ctx_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	/* Partial writes report progress record by record to conn_write. */
	SSL_CTX_set_mode(ctx->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

struct tls_ctx *
tls_server_ctx(const char *cert, const char *key, char *err, size_t errlen)
{
	static const unsigned char sid_default[] = "burrow";
	struct tls_ctx *ctx;
	char what[512];

	if ((ctx = ctx_new(1, err, errlen)) == NULL)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cert) != 1) {
		snprintf(what, sizeof(what), "cert %s", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx->ssl, key, SSL_FILETYPE_PEM) != 1) {
		/* A key of another certificate fails here: name both. */
		snprintf(what, sizeof(what), "key %s (for cert %s)", key, cert);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx->ssl) != 1) {
		snprintf(what, sizeof(what), "key %s does not match cert %s",
		    key, cert);
		goto fail;
	}
	/* Every connection sets its own context; this is a fallback only. */
	SSL_CTX_set_session_id_context(ctx->ssl, sid_default,
	    sizeof(sid_default) - 1);
	SSL_CTX_set_session_cache_mode(ctx->ssl, SSL_SESS_CACHE_SERVER);
	SSL_CTX_set_timeout(ctx->ssl, TLS_SESSION_SECS);
	SSL_CTX_set_options(ctx->ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* TLS 1.3 tickets only where we say: see tls_accept(). */
	SSL_CTX_set_num_tickets(ctx->ssl, 0);
	return ctx;
fail:
	ssl_errors(err, errlen, what, "unusable");
	tls_ctx_free(ctx);
	return NULL;
}

struct tls_ctx *
tls_client_ctx(char *err, size_t errlen)
{
	struct tls_ctx *ctx;

	if ((ctx = ctx_new(0, err, errlen)) == NULL)
		return NULL;
	/*
	 * Verify, but never fail the handshake over it: the result is read
	 * afterwards (tls_peer_verified) so the caller can apply TOFU. No
	 * system CAs is not an error: nothing verifies, TOFU still works.
	 */
	SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_set_default_verify_paths(ctx->ssl) != 1)
		ERR_clear_error();
	SSL_CTX_set_session_cache_mode(ctx->ssl, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx->ssl, new_session);
	return ctx;
}

int
tls_ctx_load_ca(struct tls_ctx *ctx, const char *cafile, char *err,
    size_t errlen)
{
	char what[512];

	ERR_clear_error();
	if (SSL_CTX_load_verify_locations(ctx->ssl, cafile, NULL) != 1) {
		snprintf(what, sizeof(what), "CA file %s", cafile);
		ssl_errors(err, errlen, what, "unusable");
		return -1;
	}
	return 0;
}

int
tls_ctx_set_lifetime(struct tls_ctx *ctx, long secs)
{
	if (secs < 1)
		return -1;
	SSL_CTX_set_timeout(ctx->ssl, secs);
	return 0;
}

int
tls_ctx_set_max_version(struct tls_ctx *ctx, const char *v)
{
	int ver;

	if (strcmp(v, "1.2") == 0)
		ver = TLS1_2_VERSION;
	else if (strcmp(v, "1.3") == 0)
		ver = TLS1_3_VERSION;
	else
		return -1;
	if (!SSL_CTX_set_max_proto_version(ctx->ssl, ver)) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

struct tls_ctx *
tls_ctx_ref(struct tls_ctx *ctx)
{
	atomic_fetch_add(&ctx->refs, 1);
	return ctx;
}

void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL || atomic_fetch_sub(&ctx->refs, 1) != 1)
		return;
	SSL_CTX_free(ctx->ssl);
	BIO_meth_free(ctx->bio);
	free(ctx);
}

void
tls_sid_new(struct tls_sid *sid)
{
	size_t got = 0;
	ssize_t n;

	if (RAND_bytes(sid->id, sizeof(sid->id)) == 1)
		return;
	ERR_clear_error();
	/* Uniqueness is what matters (the id is not secret): any source. */
	while (got < sizeof(sid->id)) {
		n = getrandom(sid->id + got, sizeof(sid->id) - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n == -1 && errno != EINTR)
			break;
	}
}

/* ----------------------------------------------------------- the ops */

/* Maps a failed SSL_read/SSL_write; errno as the call left it in saved. */
static ssize_t
op_fail(struct tls *t, int r, int saved, int *want_other, int reading)
{
	unsigned long e;

	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*want_other = !reading;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want_other = reading;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		if (reading) {
			t->clean_eof = 1;
			return 0;
		}
		errno = EPIPE;
		return -1;
	case SSL_ERROR_SYSCALL:
		t->fatal = 1;
		ERR_clear_error();
		if (reading && (saved == 0 || t->sock_eof))
			return 0;	/* truncated: see tls_eof_clean() */
		errno = saved != 0 ? saved : EPIPE;
		return -1;
	default:
		t->fatal = 1;
		e = ERR_peek_error();
		if (reading && ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			ERR_clear_error();
			return 0;	/* truncated: see tls_eof_clean() */
		}
		ssl_errors(t->error, sizeof(t->error), "TLS",
		    "protocol error");
		errno = EPROTO;
		return -1;
	}
}

static ssize_t
op_read(void *impl, void *buf, size_t n, int *want_write)
{
	struct tls *t = impl;
	size_t got = 0;
	int r, saved;

	*want_write = 0;
	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_read_ex(t->ssl, buf, n, &got);
	saved = errno;
	if (r == 1)
		return (ssize_t)got;
	return op_fail(t, r, saved, want_write, 1);
}

static ssize_t
op_write(void *impl, const void *buf, size_t n, int *want_read)
{
	struct tls *t = impl;
	size_t put = 0;
	int r, saved;

	*want_read = 0;
	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_write_ex(t->ssl, buf, n, &put);
	saved = errno;
	if (r == 1)
		return (ssize_t)put;
	return op_fail(t, r, saved, want_read, 0);
}

static size_t
op_pending(void *impl)
{
	struct tls *t = impl;
	int n = SSL_pending(t->ssl);

	return n > 0 ? (size_t)n : 0;
}

static const struct conn_ops tls_ops = {
	.read = op_read,
	.write = op_write,
	.pending = op_pending,
};

/* -------------------------------------------------------- handshakes */

static void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);	/* frees the BIO too */
	store_free(t->store);
	tls_ctx_free(t->ctx);
	free(t);
}

static struct tls *
tls_new(struct tls_ctx *ctx, struct conn *c, char *err, size_t errlen)
{
	struct tls *t;
	BIO *bio;

	ERR_clear_error();
	/*
	 * Bytes read past the request for TLS arrived in plaintext before
	 * the peer could have seen our answer: a command injection (CVE-
	 * 2011-0411 style), never a well-behaved peer. Drop and refuse.
	 */
	if (c->end > c->start) {
		c->start = c->end = 0;
		set_err(err, errlen, "TLS handshake: plaintext sent after "
		    "the request for TLS");
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		set_err(err, errlen, "TLS handshake: out of memory");
		return NULL;
	}
	t->ctx = tls_ctx_ref(ctx);
	t->c = c;
	t->fd = c->fd;
	if ((t->ssl = SSL_new(ctx->ssl)) == NULL ||
	    (bio = BIO_new(ctx->bio)) == NULL) {
		ssl_errors(err, errlen, "TLS handshake", "out of memory");
		tls_free(t);
		return NULL;
	}
	BIO_set_data(bio, t);
	BIO_set_init(bio, 1);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_app_data(t->ssl, t);
	return t;
}

/*
 * Drives SSL_do_handshake until done, failure or deadline. With nowait set
 * it never waits: it returns 1 where it would, with the socket event it
 * needs in *want. Returns 0 when done, or -1 with a message in err.
 */
static int
handshake(struct tls *t, long long deadline, int nowait, short *want,
    char *err, size_t errlen)
{
	int r, saved, w;
	short ev;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		r = SSL_do_handshake(t->ssl);
		saved = errno;
		if (r == 1)
			return 0;
		switch (SSL_get_error(t->ssl, r)) {
		case SSL_ERROR_WANT_READ:
			ev = POLLIN;
			break;
		case SSL_ERROR_WANT_WRITE:
			ev = POLLOUT;
			break;
		case SSL_ERROR_SYSCALL:
			t->fatal = 1;
			ERR_clear_error();
			set_err(err, errlen, "TLS handshake: %s",
			    saved == 0 || t->sock_eof ?
			    "the peer closed the connection" :
			    strerror(saved));
			return -1;
		default:
			t->fatal = 1;
			ssl_errors(err, errlen, "TLS handshake",
			    t->sock_eof ? "the peer closed the connection" :
			    "protocol error");
			return -1;
		}
		if (nowait) {
			if (want != NULL)
				*want = ev;
			return 1;
		}
		if ((w = conn_wait_fd(t->fd, ev, left_ms(deadline))) == 1)
			continue;
		t->fatal = 1;
		if (w == 0)
			set_err(err, errlen, "TLS handshake: timed out");
		else
			set_err(err, errlen, "TLS handshake: poll: %s",
			    strerror(errno));
		return -1;
	}
}

struct tls *
tls_accept_begin(struct tls_ctx *ctx, struct conn *c, const struct tls_sid *sid,
    char *err, size_t errlen)
{
	struct tls *t;

	if (!ctx->server) {
		set_err(err, errlen, "TLS handshake: not a server context");
		return NULL;
	}
	if ((t = tls_new(ctx, c, err, errlen)) == NULL)
		return NULL;
	if (!SSL_set_session_id_context(t->ssl, sid->id, sizeof(sid->id))) {
		ssl_errors(err, errlen, "TLS handshake", "session id context");
		tls_free(t);
		return NULL;
	}
	SSL_set_accept_state(t->ssl);
	return t;
}

int
tls_accept_step(struct tls *t, int timeout_ms, short *want, char *err,
    size_t errlen)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int nowait = timeout_ms == 0, r, i;

	if (t->tickets_due == 0) {
		if ((r = handshake(t, deadline, nowait, want, err, errlen)) != 0)
			goto out;
		/*
		 * TLS 1.3 tickets after a full handshake (a control
		 * connection; more come with tls_send_ticket), none after a
		 * resumption (a data connection): a client that only writes
		 * there (an upload) would leave the ticket unread, and its
		 * close would become a reset that destroys data in flight.
		 */
		t->tickets_due = -1;
		if (SSL_version(t->ssl) >= TLS1_3_VERSION &&
		    !SSL_session_reused(t->ssl)) {
			for (i = 0; i < TLS_TICKETS; i++)
				if (!SSL_new_session_ticket(t->ssl)) {
					ssl_errors(err, errlen,
					    "TLS session ticket", "refused");
					r = -1;
					goto out;
				}
			t->tickets_due = 1;
		}
	}
	if (t->tickets_due == 1) {
		if ((r = handshake(t, deadline, nowait, want, err, errlen)) != 0)
			goto out;
		t->tickets_due = -1;
	}
	conn_set_ops(t->c, &tls_ops, t);
	return 1;
out:
	if (r == 1)
		return 0;
	tls_free(t);
	return -1;
}

struct tls *
tls_accept(struct tls_ctx *ctx, struct conn *c, const struct tls_sid *sid,
    int timeout_ms, char *err, size_t errlen)
{
	struct tls *t;

	if ((t = tls_accept_begin(ctx, c, sid, err, errlen)) == NULL)
		return NULL;
	/* A negative timeout waits without limit, so it never returns 0. */
	if (timeout_ms == 0)
		timeout_ms = 1;
	return tls_accept_step(t, timeout_ms, NULL, err, errlen) == 1 ? t :
	    NULL;
}

int
tls_send_ticket(struct tls *t)
{
	int r;

	if (t->store != NULL || t->fatal ||
	    SSL_version(t->ssl) < TLS1_3_VERSION)
		return -1;
	ERR_clear_error();
	if (!SSL_new_session_ticket(t->ssl)) {
		ERR_clear_error();
		return -1;
	}
	/* Out now if the socket takes it, else with the next write. */
	if ((r = SSL_do_handshake(t->ssl)) != 1) {
		switch (SSL_get_error(t->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			break;
		default:
			t->fatal = 1;
			ssl_errors(t->error, sizeof(t->error), "TLS",
			    "session ticket");
			return -1;
		}
	}
	ERR_clear_error();
	return 0;
}

/* 1 if host is an IPv4 or IPv6 address literal. */
static int
is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

struct tls *
tls_connect(struct tls_ctx *ctx, struct conn *c, const char *host,
    const struct tls *resume, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	SSL_SESSION *sess;
	struct tls *t;
	int ok = 1;

	if (ctx->server) {
		set_err(err, errlen, "TLS handshake: not a client context");
		return NULL;
	}
	if ((t = tls_new(ctx, c, err, errlen)) == NULL)
		return NULL;
	if (resume != NULL && resume->store != NULL) {
		t->store = resume->store;
		atomic_fetch_add(&t->store->refs, 1);
	} else if ((t->store = store_new()) == NULL) {
		set_err(err, errlen, "TLS handshake: out of memory");
		goto fail;
	}
	SSL_set_connect_state(t->ssl);
	if (host != NULL && is_ip(host))
		ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl),
		    host);
	else if (host != NULL) {
		SSL_set_hostflags(t->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = SSL_set_tlsext_host_name(t->ssl, host) &&
		    SSL_set1_host(t->ssl, host);
	}
	if (!ok) {
		ssl_errors(err, errlen, "TLS handshake", "bad host name");
		goto fail;
	}
	if (resume != NULL && (sess = store_get(t->store)) != NULL) {
		ok = SSL_set_session(t->ssl, sess);
		SSL_SESSION_free(sess);
		if (!ok) {
			ssl_errors(err, errlen, "TLS handshake",
			    "session to resume");
			goto fail;
		}
	}
	if (handshake(t, deadline, 0, NULL, err, errlen) == -1)
		goto fail;
	t->verified = SSL_get0_peer_certificate(t->ssl) != NULL &&
	    SSL_get_verify_result(t->ssl) == X509_V_OK;
	conn_set_ops(c, &tls_ops, t);
	return t;
fail:
	tls_free(t);
	return NULL;
}

/* ------------------------------------------------------------ queries */

int
tls_reused(const struct tls *t)
{
	return SSL_session_reused(t->ssl) == 1;
}

int
tls_can_resume(const struct tls *t)
{
	int yes;

	if (t->store == NULL)
		return 0;
	pthread_mutex_lock(&t->store->lock);
	yes = t->store->sess != NULL;
	pthread_mutex_unlock(&t->store->lock);
	return yes;
}

int
tls_peer_verified(const struct tls *t)
{
	return t->verified;
}

/* The SHA-256 of cert's DER as "AB:CD:..." into fp; 0 or -1. */
static int
cert_fingerprint(const X509 *cert, char *fp, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (len == 0)
		return -1;
	fp[0] = '\0';
	if (cert == NULL)
		return -1;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1) {
		ERR_clear_error();
		return -1;
	}
	if (mdlen == 0 || len < (size_t)mdlen * 3)
		return -1;
	for (i = 0; i < mdlen; i++) {
		fp[i * 3] = hex[md[i] >> 4];
		fp[i * 3 + 1] = hex[md[i] & 0xf];
		fp[i * 3 + 2] = i + 1 < mdlen ? ':' : '\0';
	}
	return 0;
}

int
tls_peer_fingerprint(const struct tls *t, char *fp, size_t len)
{
	if (len > 0)
		fp[0] = '\0';
	return cert_fingerprint(SSL_get0_peer_certificate(t->ssl), fp, len);
}

int
tls_ctx_fingerprint(struct tls_ctx *ctx, char *fp, size_t len)
{
	if (len > 0)
		fp[0] = '\0';
	return cert_fingerprint(SSL_CTX_get0_certificate(ctx->ssl), fp, len);
}

const char *
tls_describe(const struct tls *t, char *buf, size_t len)
{
	const char *cipher = SSL_get_cipher_name(t->ssl);

	if (len > 0)
		snprintf(buf, len, "%s %s", SSL_get_version(t->ssl),
		    cipher != NULL ? cipher : "(none)");
	return buf;
}

int
tls_eof_clean(const struct tls *t)
{
	return t->clean_eof;
}

const char *
tls_error(const struct tls *t)
{
	return t->error;
}

/*
 * Reads and discards what already arrived (a ticket, typically, on an
 * upload's connection), without waiting: closing a socket with unread
 * input makes the kernel send a reset, which may destroy data still on
 * its way to the peer.
 */
static void
drain(struct tls *t)
{
	char buf[4096];
	size_t got, total = 0;
	int e;

	while (total < TLS_DRAIN_MAX) {
		ERR_clear_error();
		if (SSL_read_ex(t->ssl, buf, sizeof(buf), &got) == 1) {
			total += got;
			continue;
		}
		e = SSL_get_error(t->ssl, 0);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE &&
		    e != SSL_ERROR_ZERO_RETURN)
			t->fatal = 1;
		break;
	}
	ERR_clear_error();
}

void
tls_close(struct tls *t, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int r;

	if (t == NULL)
		return;
	if (t->c->ops == &tls_ops && t->c->impl == t)
		conn_set_ops(t->c, NULL, NULL);
	if (!t->fatal && SSL_is_init_finished(t->ssl) &&
	    !(SSL_get_shutdown(t->ssl) & SSL_RECEIVED_SHUTDOWN))
		drain(t);
	while (!t->fatal && SSL_is_init_finished(t->ssl)) {
		ERR_clear_error();
		if ((r = SSL_shutdown(t->ssl)) >= 0)
			break;	/* ours is out; the peer's is not awaited */
		if (SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_WRITE ||
		    conn_wait_fd(t->fd, POLLOUT, left_ms(deadline)) != 1)
			break;
	}
	ERR_clear_error();
	tls_free(t);
}
