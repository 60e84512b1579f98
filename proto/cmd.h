/*
 * cmd: splitting a control line into a verb and its argument, after removing
 * Telnet commands (RFC 854) that clients send around ABOR; and quoting the
 * Telnet IAC byte in a command the client sends.
 */
#ifndef BURROW_CMD_H
#define BURROW_CMD_H

#include <stddef.h>

#define CMD_LINE_MAX	4096	/* longest command line accepted */
#define CMD_VERB_MAX	8

/*
 * Removes Telnet sequences from line[0..len) in place: IAC IAC becomes one
 * 0xFF byte, IAC WILL/WONT/DO/DONT x and other IAC x pairs are dropped.
 * Returns the new length and NUL-terminates.
 */
size_t cmd_telnet_strip(char *line, size_t len);

/*
 * The other way round, for a client: writes line (NUL-terminated) into out
 * with every 0xFF byte (Telnet IAC) doubled, as RFC 959 and RFC 2640 want
 * of a command whose argument holds one, so that a name with that byte
 * reaches the server whole. Returns the length written (NUL-terminated),
 * or -1 when it does not fit in len bytes.
 */
int cmd_telnet_quote(const char *line, char *out, size_t len);

/*
 * Splits line (NUL-terminated, CRLF already removed) in place into an
 * upper-cased verb of 1..CMD_VERB_MAX ASCII letters and an argument (the
 * rest after one space, possibly empty; NULL when there is none). Returns 0,
 * or -1 if the verb is malformed.
 */
int cmd_split(char *line, char **verb, char **arg);

#endif
