/*
 * trust: the client's known_hosts file, trust on first use for TLS server
 * certificates that no CA vouches for (self-signed ones, typically).
 *
 * The file holds one line per server, "host:port SHA256-FINGERPRINT", the
 * host as given in the URL (IPv6 literals in brackets: "[::1]:21"), the
 * fingerprint as tls_peer_fingerprint() writes it ("AB:CD:...:EF").
 * Blank lines and lines starting with '#' are ignored; so are malformed
 * lines (they never match, and are kept when the file is appended to).
 * Hosts compare without regard to case, fingerprints too.
 *
 * The default file is $XDG_CONFIG_HOME/burrow/known_hosts, or
 * $HOME/.config/burrow/known_hosts without XDG_CONFIG_HOME; the folder is
 * made (0700) and the file created (0600) when the first host is added.
 */
#ifndef BURROW_TRUST_H
#define BURROW_TRUST_H

#include <stddef.h>

enum trust_result {
	TRUST_ERROR = -1,	/* the file could not be read or written */
	TRUST_MATCH = 0,	/* host:port is listed with this fingerprint */
	TRUST_ADDED = 1,	/* it was not listed; now it is */
	TRUST_UNKNOWN = 2,	/* not listed, and add was 0 */
	TRUST_CHANGED = 3,	/* listed with another fingerprint */
};

/*
 * Looks host:port up in file and compares fp. When it is not listed and
 * add is nonzero, appends it (making the folder and file as above).
 * TRUST_CHANGED leaves the file alone and puts the fingerprint on record
 * into old (oldlen bytes; may be NULL). TRUST_ERROR puts a one-line
 * reason in err.
 */
enum trust_result trust_check(const char *file, const char *host, int port,
    const char *fp, int add, char *old, size_t oldlen, char *err,
    size_t errlen);

/*
 * The line (from 1) of file where host:port is pinned, for a message
 * that tells which line to remove: 0 when it is not listed, -1 when the
 * file cannot be read.
 */
int trust_line(const char *file, const char *host, int port);

/*
 * The message for a certificate that is not the one pinned (TRUST_CHANGED)
 * into buf, over several '\n'-joined lines of 70 columns at most (a
 * fingerprint takes two): server ("host:port") and what happens, both
 * fingerprints (old: pinned, fp: now), and the way out: which line of
 * file to remove (line from trust_line(); < 1: "the line for host:port").
 */
void trust_changed_message(const char *server, const char *file, int line,
    const char *old, const char *fp, char *buf, size_t len);

/*
 * Writes the default file's path into buf. -1 when neither
 * XDG_CONFIG_HOME nor HOME is set (or buf is too small).
 */
int trust_default_file(char *buf, size_t len);

#endif
