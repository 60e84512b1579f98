/*
 * tls: TLS for a connection (RFC 4217, FTP over TLS), as an adapter below
 * netio. After a handshake the connection's reads and writes go through
 * TLS (conn_set_ops), so command and transfer code never know whether a
 * channel is encrypted. Both burrowd and the client use this module.
 *
 * Session binding. Each control connection gets a random session-id
 * context (struct tls_sid); the server accepts that session's data
 * connections with the same one. OpenSSL resumes a session only when the
 * context matches (TLS 1.2 session ids and tickets, and TLS 1.3 PSK
 * tickets alike), so a data connection can resume only the TLS session of
 * its own control connection: tls_reused() is 1 exactly then. A server
 * that refuses non-resumed data connections (522) therefore closes the
 * hole of another party, even another logged-in user, reaching a passive
 * port first.
 *
 * TLS 1.3 tickets travel on the control connection only, which every
 * client reads: two after the handshake, and one more whenever the
 * server calls tls_send_ticket() before the reply that precedes a data
 * connection (PASV, EPSV, PORT, EPRT). Clients that keep a single ticket
 * and spend it on use (curl, anything on OpenSSL's client cache) need
 * that fresh one for each data connection; it also keeps long sessions
 * within the ticket lifetime. Data connections get none: a client that
 * only writes there (an upload; lftp) would leave a ticket unread, and
 * its close would become a reset that truncates the upload.
 *
 * A client sees the tickets only when it next reads the control
 * connection (the reply to PBSZ after AUTH TLS, or the 220 greeting with
 * implicit TLS); until then tls_can_resume() is 0 and a data connection
 * would not resume. A control connection and the data connections that
 * resumed from it share one session store: TLS 1.2 sessions and tickets
 * are captured as they arrive on any of them, the latest is offered, and
 * it can be offered any number of times (OpenSSL's client would spend a
 * TLS 1.3 ticket on first use; each data connection offers a copy).
 *
 * Threads: a struct tls is used by one thread at a time, except that
 * tls_connect() may read the session of a control connection (resume)
 * while another thread uses it. Contexts are shared freely. The module
 * keeps no global state; OpenSSL 3 needs no initialisation call.
 *
 * Sockets are written with MSG_NOSIGNAL, so a vanished peer gives EPIPE,
 * never SIGPIPE, whatever the process does with that signal.
 */
#ifndef BURROW_TLS_H
#define BURROW_TLS_H

#include <stddef.h>

struct conn;

/* An SSL_CTX and its settings; reference counted. */
struct tls_ctx;
/* One TLS connection bound to a struct conn. */
struct tls;

/* Binds data connections to their control connection's session. */
struct tls_sid {
	unsigned char	id[32];
};

/* SHA-256 fingerprint "AB:CD:...:EF" and its NUL. */
#define TLS_FP_LEN	(32 * 3)

/*
 * A server context: certificate chain and private key from PEM files,
 * TLS 1.2 at least, renegotiation off, session cache and tickets on,
 * sessions valid for a day. NULL with "cert PATH: openssl error" (or key)
 * in err.
 */
struct tls_ctx	*tls_server_ctx(const char *cert, const char *key, char *err,
		    size_t errlen);

/*
 * A client context: TLS 1.2 at least, peer certificates checked against
 * the system CAs. A failed check does not stop the handshake; it is
 * recorded for tls_peer_verified(), so the caller can fall back to
 * trust-on-first-use with tls_peer_fingerprint(). NULL with a message in
 * err.
 */
struct tls_ctx	*tls_client_ctx(char *err, size_t errlen);

/*
 * Adds the PEM certificates in cafile to those a client context trusts.
 * Returns 0, or -1 with a message in err.
 */
int		 tls_ctx_load_ca(struct tls_ctx *ctx, const char *cafile,
		    char *err, size_t errlen);

/*
 * Sets how long a server's sessions and tickets stay resumable (default
 * a day). Returns 0, or -1 if secs < 1. Call before sharing the context.
 */
int		 tls_ctx_set_lifetime(struct tls_ctx *ctx, long secs);

/*
 * Caps the protocol version: "1.2" or "1.3" (the default). Connections
 * made afterwards use it. Returns 0, or -1 for any other version.
 */
int		 tls_ctx_set_max_version(struct tls_ctx *ctx, const char *v);

/*
 * Takes another reference: a server session holds one for as long as it
 * lives, so its data connections use the context (ticket keys, session
 * cache) its control connection used even after a reload replaced it.
 */
struct tls_ctx	*tls_ctx_ref(struct tls_ctx *ctx);

/* Drops a reference; the last one frees. Each tls holds one. NULL is fine. */
void		 tls_ctx_free(struct tls_ctx *ctx);

/* A fresh random session-id context, one per control connection. */
void		 tls_sid_new(struct tls_sid *sid);

/*
 * Handshakes as a server on c (non-blocking socket), within timeout_ms in
 * all (-1: no limit), in session context sid. On success c reads and
 * writes through TLS and the tls is returned. NULL with a message in err
 * on failure (timeout, peer closed, not TLS, old protocol...), or when c
 * holds bytes already read past the request for TLS: plaintext pipelined
 * behind AUTH TLS is an injection attempt, and is dropped. The caller
 * should then close the connection.
 */
struct tls	*tls_accept(struct tls_ctx *ctx, struct conn *c,
		    const struct tls_sid *sid, int timeout_ms, char *err,
		    size_t errlen);

/*
 * tls_accept() in steps, for a server that holds many handshakes without
 * a thread each. tls_accept_begin() checks and prepares as tls_accept()
 * does, without reading; NULL with a message in err. tls_accept_step()
 * advances the handshake, waiting at most timeout_ms (-1: no limit; 0:
 * not at all). It returns 1 when it is done (c now reads and writes
 * through t), 0 when it must wait for the socket (only with timeout_ms
 * 0; *want, if not NULL, says POLLIN or POLLOUT), or -1 on failure, with
 * t freed and a message in err. A handshake given up halfway is freed
 * with tls_close(t, 0).
 */
struct tls	*tls_accept_begin(struct tls_ctx *ctx, struct conn *c,
		    const struct tls_sid *sid, char *err, size_t errlen);
int		 tls_accept_step(struct tls *t, int timeout_ms, short *want,
		    char *err, size_t errlen);

/*
 * Handshakes as a client on c. host (without brackets) is sent as SNI
 * unless it is an IP address, and checked against the certificate; NULL
 * checks the chain only. resume: for a data connection, its control
 * connection (or another data connection of it): the latest session of
 * their store is offered and the new connection joins the store. NULL
 * for a control connection. Fails as tls_accept() does.
 */
struct tls	*tls_connect(struct tls_ctx *ctx, struct conn *c,
		    const char *host, const struct tls *resume, int timeout_ms,
		    char *err, size_t errlen);

/*
 * Server, TLS 1.3: sends a fresh session ticket on t now, or with the
 * next write if the socket is full. Call it on the control connection
 * before each reply to PASV, EPSV, PORT and EPRT (see the top). Returns
 * 0, or -1 where there is nothing to do (TLS 1.2, a client connection,
 * a failed one); harmless either way.
 */
int		 tls_send_ticket(struct tls *t);

/* 1 if this connection resumed a session, else 0. */
int		 tls_reused(const struct tls *t);

/*
 * Client side: 1 if t's session store holds a session a data connection
 * can offer (after the first read following a TLS 1.3 handshake).
 */
int		 tls_can_resume(const struct tls *t);

/*
 * Client side: 1 if the peer's certificate chain verified against the
 * trusted CAs and matches host, else 0 (always 0 on the server side).
 */
int		 tls_peer_verified(const struct tls *t);

/*
 * Writes the SHA-256 of the peer certificate's DER as "AB:CD:..." into
 * fp (TLS_FP_LEN bytes at least). Returns 0, or -1 when there is no peer
 * certificate or fp is too small.
 */
int		 tls_peer_fingerprint(const struct tls *t, char *fp,
		    size_t len);

/*
 * Server context: the SHA-256 fingerprint of its own certificate, as
 * tls_peer_fingerprint() writes it (for the log of a reload). 0 or -1.
 */
int		 tls_ctx_fingerprint(struct tls_ctx *ctx, char *fp, size_t len);

/* "TLSv1.3 TLS_AES_256_GCM_SHA384" into buf, for logs; returns buf. */
const char	*tls_describe(const struct tls *t, char *buf, size_t len);

/*
 * After a read returned 0 (end of stream): 1 if the peer ended with a
 * close_notify, 0 if the stream just stopped. A data transfer that ends
 * without one may be truncated by an attacker; an upload server may
 * log it or refuse the file (vsftpd's strict_ssl_read_eof).
 */
int		 tls_eof_clean(const struct tls *t);

/*
 * Why the last read or write through t failed with a TLS error (errno
 * EPROTO), "" if none: for logs.
 */
const char	*tls_error(const struct tls *t);

/*
 * Unless the connection already failed: discards input that has already
 * arrived, without waiting (a ticket nobody read on an upload's
 * connection would turn the close into a reset that can destroy data in
 * flight), then sends close_notify, waiting at most timeout_ms for the
 * socket; the peer's close_notify is not awaited. Then routes c back to
 * the plain socket (which stays open: the caller owns the fd) and frees
 * t. NULL is fine.
 */
void		 tls_close(struct tls *t, int timeout_ms);

#endif
