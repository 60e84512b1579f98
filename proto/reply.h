/*
 * reply: FTP reply codes by name (RFC 959, 2228, 2389, 2428, 3659, 4217) and
 * the formatting of single- and multi-line replies.
 */
#ifndef BURROW_REPLY_H
#define BURROW_REPLY_H

#include <stddef.h>

#define FTP_RESTMARK	110	/* restart marker */
#define FTP_QUEUED	120	/* service ready in nnn minutes: queued */
#define FTP_DATACONN_OPEN 125
#define FTP_DATACONN	150	/* opening data connection */
#define FTP_OK		200
#define FTP_NOOPOK	200
#define FTP_ALLOOK	202	/* ALLO: superfluous */
#define FTP_STATOK	211
#define FTP_FEAT	211
#define FTP_STATFILE	213
#define FTP_HELP	214
#define FTP_SYST	215
#define FTP_GREET	220
#define FTP_GOODBYE	221
#define FTP_ABOROK	225
#define FTP_TRANSFEROK	226
#define FTP_PASVOK	227
#define FTP_EPSVOK	229
#define FTP_LOGINOK	230
#define FTP_AUTHOK	234
#define FTP_FILEOK	250
#define FTP_PWDOK	257
#define FTP_MKDIROK	257
#define FTP_GIVEPWORD	331
#define FTP_RESTOK	350
#define FTP_RNFROK	350
#define FTP_TOOMANY	421
#define FTP_IDLE	421
#define FTP_CLOSING	421	/* any 421: the server closes the connection */
#define FTP_BADSENDCONN	425
#define FTP_BADSENDNET	426
#define FTP_BADSENDFILE	451
#define FTP_NOSPACE	452
#define FTP_BADCMD	500
#define FTP_BADARG	501
#define FTP_NOTIMPL	502
#define FTP_BADSEQ	503
#define FTP_BADPARAM	504
#define FTP_NOTLOGGED	530
#define FTP_NEEDENCRYPT	534
#define FTP_FILEFAIL	550
#define FTP_BADPAGE	551
#define FTP_QUOTA	552
#define FTP_BADNAME	553
#define FTP_DATAPROT	521	/* data connection needs another PROT */
#define FTP_BADPROT	522
#define FTP_BADREST	554
#define FTP_PROTNOTSUP	536

/* Longest reply line we ever send, CRLF included. */
#define REPLY_LINE_MAX	1024

/*
 * Formats code and text as a reply into buf. A text with '\n' in it becomes
 * a multi-line reply ("213-first", " middle", "213 last"); middle lines that
 * would start with a digit are indented by a space. CR and NUL bytes in text
 * are dropped so that no client-supplied name can forge a reply line, and
 * 0xFF (Telnet IAC) is doubled.
 * Returns the length written, or -1 if it does not fit (buf holds a
 * truncated, still well-formed reply).
 */
int reply_format(char *buf, size_t len, int code, const char *text);

/*
 * Parses a reply's first line "DDD text" or "DDD-text" (or a bare "DDD").
 * Returns the code, or -1 if the line does not start with three digits
 * followed by ' ', '-' or its end. *more is set to 1 for '-'.
 */
int reply_parse_code(const char *line, int *more);

/*
 * Undoes the Telnet quoting of a reply line (RFC 959, RFC 2640) in place,
 * for a client: IAC IAC becomes one 0xFF byte; IAC and a Telnet command
 * byte (0xF0..0xFE) is dropped, with the option byte after WILL, WONT,
 * DO or DONT. A lone 0xFF before any other byte, or at the end, is kept:
 * a server that does not double it means the byte itself. Returns the new
 * length and NUL-terminates line[0..len).
 */
size_t reply_telnet_decode(char *line, size_t len);

#endif
