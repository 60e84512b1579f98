/*
 * ftp: the client's FTP control connection (RFC 959), with explicit TLS
 * (RFC 4217), FEAT (RFC 2389), EPSV (RFC 2428) and MLSD (RFC 3659). No
 * curses here: tui/remote.c builds the file-system interface on top.
 *
 * One struct ftp is one logged-in control connection, used by one thread
 * at a time. Every wait is bounded by the timeout given to ftp_open().
 * At most one data connection is open at a time (FTP allows no more).
 *
 * Certificate trust: a TLS server is accepted when its chain verifies
 * against the system CAs (plus opts->cafile) and matches the host; else
 * when opts->insecure; else, with opts->known_hosts, by trust on first
 * use (tui/trust.h): an unknown host's certificate is pinned by its
 * SHA-256 fingerprint and later ones must match it. Anything else fails
 * ftp_open() with a message that gives the fingerprint; a changed one
 * gets a message of several lines (tui/trust.h) naming both fingerprints
 * and the known_hosts line to remove.
 *
 * A dropped control connection is not mended behind the caller's back:
 * ftp_dead() tells, and ftp_reconnect() logs in again (the password is
 * kept, in memory only, for that; ftp_close() wipes it).
 *
 * Not done: active mode (PORT/EPRT), TYPE A, implicit FTPS, ACCT (332),
 * a proxy.
 */
#ifndef BURROW_FTP_H
#define BURROW_FTP_H

#include <stddef.h>
#include <sys/types.h>

#include "proto/listing.h"
#include "tui/url.h"

struct conn;
struct ftp;

/* Features the server announced in FEAT (ftp_features()). */
#define FTP_F_MLST	0x001
#define FTP_F_EPSV	0x002
#define FTP_F_HASH	0x004
#define FTP_F_AVBL	0x008
#define FTP_F_UTF8	0x010
#define FTP_F_AUTH_TLS	0x020
#define FTP_F_SIZE	0x040
#define FTP_F_MDTM	0x080
#define FTP_F_REST	0x100	/* REST STREAM */
#define FTP_F_MLST_TYPE	0x200	/* MLST offers the type fact */
/* PIPELINING (burrowd): commands sent during a transfer are answered in
 * order after its final reply. The next transfer's EPSV then goes out
 * while this one runs, and its data connection is made while the client
 * is still busy with this file (its HASH): a round trip saved per file. */
#define FTP_F_PIPELINING 0x400
#define FTP_F_MFMT	0x800	/* MFMT sets a modification time */
#define FTP_F_MLST_MODE	0x1000	/* MLST offers UNIX.mode, but not by default
				   (asked for with OPTS MLST at login) */

/* How to connect; see ftp_open(). */
struct ftp_opts {
	int		 tls;		/* AUTH TLS, PBSZ 0, PROT P */
	int		 insecure;	/* accept any certificate */
	const char	*cafile;	/* more CAs (PEM), or NULL */
	const char	*known_hosts;	/* trust on first use file, or NULL */
	int		 timeout_ms;	/* bounds every single wait */
	/* Told of what the user should know but that is no error (a
	 * certificate trusted on first use, a reconnection); may be NULL. */
	void		(*notice)(void *arg, const char *msg);
	void		*notice_arg;
	/*
	 * Asked, on the thread that connects, before a certificate that no
	 * CA vouches for and known_hosts does not know is pinned on first
	 * use: the server, its SHA-256 fingerprint and the file it would be
	 * pinned in. 1 pins it and goes on; 0 refuses the connection. NULL:
	 * pinned without asking, and told through notice (batch mode, and
	 * the queue's own logins, which come after the screen's).
	 */
	int		(*trust_ask)(void *arg, const char *server,
			    const char *fp, const char *file);
	void		*trust_arg;
	/*
	 * Asked, on the thread that connects, after the greeting and FEAT
	 * and before TLS and the login, so that a connection can be made
	 * ahead of being wanted: 0 goes on; 1 starts over from the connect
	 * (it was held so long that the server may have dropped it); -1
	 * gives up (the login is not wanted after all). NULL: goes on.
	 */
	int		(*before_login)(void *arg);
	void		*before_login_arg;
};

/* Longest reply the functions below keep (lines joined with '\n'). */
#define FTP_REPLY_MAX	8192

/*
 * Connects to u->host:u->port (IPv4 or IPv6, whatever getaddrinfo gives,
 * first that answers), reads the greeting (a 120 "queued" is followed by
 * the 220), asks FEAT, starts TLS when o->tls, logs in as u->user
 * ("anonymous" without one) with password (NULL: u->pass), turns UTF8 on
 * when offered, sets TYPE I and changes to u->path when it is not empty.
 * o->tls fails if the server does not offer AUTH TLS. Returns the
 * connection, or NULL with a one-line reason in err.
 */
struct ftp	*ftp_open(const struct url *u, const char *password,
		    const struct ftp_opts *o, char *err, size_t errlen);

/* 1 once the control connection has failed (only ftp_reconnect() or
 * ftp_close() make sense then). */
int		 ftp_dead(const struct ftp *f);

/*
 * Keeps an idle session from the server's idle timeout: a NOOP when no
 * command went out for idle_ms and nothing is in flight. 1 when it was
 * sent and answered, 0 when none was due, -1 when the connection is lost
 * (ftp_dead() then says so, and ftp_reconnect() mends it).
 */
int		 ftp_keepalive(struct ftp *f, int idle_ms);

/*
 * Drops what is left of the connection and makes it again as ftp_open()
 * did (same address, options and password), then changes to dir (an
 * absolute path; NULL or "": stay in the login folder). Returns 0, or -1
 * with the reason in err (f stays dead).
 */
int		 ftp_reconnect(struct ftp *f, const char *dir, char *err,
		    size_t errlen);

/*
 * The current folder from PWD (RFC 959's 257 "path" with doubled quotes
 * undoubled) into buf. -1 with the reply or reason in buf.
 */
int		 ftp_pwd(struct ftp *f, char *buf, size_t len);

/*
 * Parses a 257 reply's quoted path into buf: the text between the first
 * '"' and the next lone one, '""' standing for one '"'. -1 when there is
 * none or it does not fit.
 */
int		 ftp_parse_257(const char *reply, char *buf, size_t len);

/*
 * Sends a command made from fmt (printf-like; no CR or LF may result)
 * and reads its whole reply into reply (multi-line replies joined with
 * '\n', without CRLF; truncated to len). Returns the reply code, or -1
 * when the connection failed or the command is malformed, with the
 * reason in reply. After -1 the connection is unusable (only ftp_close).
 */
int		 ftp_cmd(struct ftp *f, char *reply, size_t len,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * An upload (STOR or APPE cmd) that does not wait for its 150: to a
 * server with FTP_F_PIPELINING, without TLS, when the data connection
 * for it is already made (the spare), cmd goes out and *dc is ready at
 * once, so the bytes travel with the command; the reply is read when the
 * socket is full or at the end (ftp_data_prelim(), ftp_data_close()).
 * Otherwise as ftp_data_open(). Returns FTP_DATACONN or what
 * ftp_data_open() does.
 */
int		 ftp_data_open_early(struct ftp *f, const char *cmd,
		    struct conn **dc, char *reply, size_t len);

/*
 * The early upload's first reply, read now if it is still to come: a 1xx
 * code (go on), or the refusal's (the data connection is dropped), or -1.
 * FTP_DATACONN when there is nothing to read.
 */
int		 ftp_data_prelim(struct ftp *f, char *reply, size_t len);

/*
 * During a transfer, to a server with FTP_F_PIPELINING: sends cmd now
 * (HASH of the file being uploaded); its reply is read after the
 * transfer's final one and kept, and the next ftp_cmd() of exactly cmd
 * gets it without a round trip (any other command forgets it). Returns
 * 0, or -1 when nothing was sent (no such server, no transfer).
 */
int		 ftp_after(struct ftp *f, const char *cmd);

/*
 * 1 when the last ftp_cmd() lost the connection after sending its command
 * and before any reply (not a 421): the server may have carried it out.
 */
int		 ftp_unanswered(const struct ftp *f);

/*
 * ftp_cmd() for a command whose answer may take long (HASH of a big
 * file): waits up to wait_ms for it, looking at the cancel flag
 * (ftp_set_cancel()). Returns as ftp_cmd() does, or FTP_CANCELED; when
 * it gives up (canceled or timed out) the connection is dropped, since
 * the late answer would be taken for the next command's.
 */
int		 ftp_cmd_long(struct ftp *f, int wait_ms, char *reply,
		    size_t len, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

/*
 * Opens a data connection for cmd ("RETR name", "STOR name", "MLSD"...):
 * EPSV, or PASV when EPSV is refused (the one that worked is kept for the
 * next time; PASV's address is ignored for the control connection's),
 * connect, "REST rest" when rest > 0, cmd, and the TLS handshake when
 * data is protected, resuming the control connection's session. Returns
 * the 1xx code with *dc ready to read or write (conn_read/conn_write;
 * owned by f), else the failing reply's code, or -1, with the reply or
 * reason in reply and no data connection open.
 */
int		 ftp_data_open(struct ftp *f, const char *cmd, off_t rest,
		    struct conn **dc, char *reply, size_t len);

/*
 * The flag (read atomically; NULL for none) whose rise stops the waits
 * at the end of a transfer (see ftp_data_close()).
 */
void		 ftp_set_cancel(struct ftp *f, volatile int *flag);

/* 1 when the last ftp_data_open() failed because the server refused
 * its REST (so the caller may try APPE instead), else 0. */
int		 ftp_rest_refused(const struct ftp *f);

/*
 * Waits until the data connection is ready for events (POLLIN, POLLOUT),
 * the timeout at most, looking at the cancel flag: 1 ready, 0 timed
 * out, -1 error or no data connection, FTP_CANCELED.
 */
int		 ftp_data_wait(struct ftp *f, short events);

/* The open data connection, or NULL. */
struct conn	*ftp_data_conn(struct ftp *f);

/*
 * Closes the data connection (after reading it to its end, or writing all
 * of an upload) and reads the transfer's final reply. Returns its code
 * (226 or 250 when all went well), or -1; or FTP_CANCELED when the
 * cancel flag (ftp_set_cancel()) rose while waiting for the server: the
 * control connection is then dropped (ftp_dead()), as a server that is
 * slow to send its verdict would be as slow to answer an ABOR.
 */
#define FTP_CANCELED	(-2)
int		 ftp_data_close(struct ftp *f, char *reply, size_t len);

/*
 * After the data connection failed: closes it and waits up to wait_ms
 * (or until the cancel flag rises) for the transfer's final reply, which
 * says why (552, 426...). Returns that reply's code, with the reply in
 * reply, or 0 when none came (then ftp_data_abort() brings the control
 * connection back in step).
 */
int		 ftp_data_verdict(struct ftp *f, char *reply, size_t len,
		    int wait_ms);

/*
 * Gives up the transfer on the open data connection: sends ABOR, closes
 * the data connection without waiting, and reads replies until the
 * control connection is in step again (a NOOP's 200 marks the point, so
 * a 426 + 226 pair, a lone 226 or a 225 all do). Returns 0, or -1 when
 * the connection failed.
 */
int		 ftp_data_abort(struct ftp *f, char *reply, size_t len);

/*
 * Lists path (NULL or "": the current directory) with MLSD when the
 * server has MLST, else LIST, read as `ls -l` or DOS lines. Entries the
 * parsers mark as none to show (".", "..", "total N", cdir, pdir) and lines
 * they cannot read are left out. On success *out (malloc'd, free() it)
 * holds *n entries and 0 is returned; else -1 with a reason in err.
 */
int		 ftp_list(struct ftp *f, const char *path,
		    struct listing_entry **out, size_t *n, char *err,
		    size_t errlen);

/* FTP_F_* bits from FEAT. */
unsigned	 ftp_features(const struct ftp *f);

/* The HASH algorithm the server has selected (FEAT's starred one), or
 * NULL without HASH. */
const char	*ftp_hash_algo(const struct ftp *f);

/* "host:port" as connected to ([host]:port for IPv6 literals). */
const char	*ftp_server(const struct ftp *f);

/* 1 when the control connection is TLS (and data is PROT P). */
int		 ftp_is_tls(const struct ftp *f);

/* The timeout given to ftp_open(), for reads on a data connection. */
int		 ftp_timeout(const struct ftp *f);

/*
 * Closes any data connection, sends QUIT (waiting for its reply a
 * bounded time), closes and frees, wiping the password it kept. NULL is
 * fine.
 */
void		 ftp_close(struct ftp *f);

#endif
