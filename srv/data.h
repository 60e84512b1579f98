/*
 * data: a session's data connection (RFC 959 section 3.2, RFC 2428). PASV
 * and EPSV open a listening socket within pasv_ports and accept only the
 * control connection's own host; PORT and EPRT connect back to that host
 * only (no bounce). Transfers watch the control connection while data
 * flows, so ABOR and STAT are answered mid-transfer.
 */
#ifndef BURROW_DATA_H
#define BURROW_DATA_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "proto/netio.h"
#include "proto/tls.h"

struct session;

enum data_mode { DATA_NONE, DATA_PASV, DATA_PORT };

struct data {
	enum data_mode		 mode;
	int			 listen_fd;	/* DATA_PASV */
	struct sockaddr_storage	 port_addr;	/* DATA_PORT */
	int			 fd;		/* the open data connection */
	struct conn		 conn;
	struct tls		*tls;		/* PROT P, NULL in clear */
	/* What the transfer in progress is doing, for STAT. */
	const char		*what;
	uint64_t		 done;
	int			 err;		/* errno of XFER_FILEERR */
	int			 dir;		/* enum rate_dir; -1: a listing */
	/* Samples of done, for the current rate STAT tells. */
	double			 mark_t, prev_t;
	uint64_t		 mark_done, prev_done;
};

/* Outcome of a transfer. */
enum xfer_result {
	XFER_OK,
	XFER_ABORTED,	/* ABOR arrived: 426 sent, 226 still to send */
	XFER_NETERR,	/* data connection failed */
	XFER_TIMEOUT,	/* data connection stalled past data_timeout */
	XFER_FILEERR,	/* reading or writing the file failed; errno kept */
	XFER_CTLERR,	/* control connection lost */
	XFER_SHUTDOWN,	/* server stopping, grace period over */
	XFER_REVOKED	/* a reload ended the session (account removed) */
};

void data_init(struct data *d);
/* Closes any data socket, listening or connected. */
void data_reset(struct data *d);

/* Command handlers for PASV, EPSV, PORT, EPRT. */
int cmd_pasv(struct session *s, char *arg);
int cmd_epsv(struct session *s, char *arg);
int cmd_port(struct session *s, char *arg);
int cmd_eprt(struct session *s, char *arg);

/*
 * Opens the data connection prepared by PASV/EPSV/PORT/EPRT and sends the
 * 150 reply with text. On failure replies 425 and returns -1 (the session
 * goes on); returns -2 if the control connection failed.
 */
int data_open(struct session *s, const char *text);

/* Closes the data connection (the prepared mode is used up). */
void data_close(struct session *s);

/* Sends len bytes of buf (listings), watching the control connection. */
enum xfer_result data_send_buf(struct session *s, const char *buf,
    size_t len);

/*
 * Sends fd from offset to its end: sendfile on plain binary connections,
 * else read+write (with LF to CRLF in ASCII mode). *sent counts bytes
 * sent.
 */
enum xfer_result data_send_file(struct session *s, int fd, off_t offset,
    uint64_t *sent);

/* Where received bytes go: see quota_write(). */
struct hashpipe;

struct data_sink {
	uint64_t	 credit;	/* size of the file a replacement upload replaces */
	int		 flags;		/* QUOTA_TMPFILE for an O_TMPFILE upload */
	struct hashpipe	*hp;		/* binary mode: hash what is stored */
};

/*
 * Receives the data connection to its end into fd at its current offset
 * (CRLF to LF in ASCII mode), through the user's quota. *got counts bytes
 * written to fd; a quota that fills up ends the transfer with XFER_FILEERR
 * and data.err EDQUOT, keeping what was written. With to->hp (binary
 * mode only) every byte stored is handed to that hashing pipe, in order.
 */
enum xfer_result data_recv_file(struct session *s, int fd,
    const struct data_sink *to, uint64_t *got);

/* A hashing pipe (proto/hashpipe.h) whose buffers data_recv_file() reads
 * into, for data_sink.hp; NULL with errno. */
struct hash_alg;
struct hashpipe *data_hashpipe(const struct hash_alg *alg);

/*
 * Sends the final reply for result (226 on success, 426/451 otherwise, and
 * after an abort both 426 and 226). what names the transfer in messages.
 * Returns -1 if the control connection failed, else 0.
 */
int data_finish(struct session *s, enum xfer_result r, const char *what);

#endif
