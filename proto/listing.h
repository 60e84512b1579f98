/*
 * listing: directory entries as text. The server writes `ls -l` lines for
 * LIST and RFC 3659 fact lines for MLSD/MLST.
 */
#ifndef BURROW_LISTING_H
#define BURROW_LISTING_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

/* MLST facts the server can show, as a bit set. */
#define FACT_TYPE	0x01
#define FACT_SIZE	0x02
#define FACT_MODIFY	0x04
#define FACT_PERM	0x08
#define FACT_UNIQUE	0x10
#define FACT_UNIX_MODE	0x20
#define FACT_ALL	0x3f

/*
 * Writes an `ls -l` style line (no CRLF) for name with st into buf:
 * "-rw-r--r-- 1 ftp ftp 1234 Nov 22 05:41 name". Files older than six months
 * (relative to now) show the year instead of the time. Returns the length,
 * or -1 if buf is too small.
 */
int listing_ls_line(const char *name, const struct stat *st, time_t now,
    char *buf, size_t len);

/*
 * Writes an RFC 3659 fact line "type=file;size=12;modify=...; name" for
 * the facts in mask. type is "file", "dir", "cdir" or "pdir"; NULL derives
 * it from st. writable says whether the user may change the entry (perm).
 * Returns the length, or -1 if buf is too small.
 */
int listing_facts(const char *name, const struct stat *st, const char *type,
    unsigned mask, int writable, char *buf, size_t len);

/*
 * Parses OPTS MLST's fact list ("type;size;") into a mask of known facts;
 * unknown ones are ignored. Writes the accepted list back into out as the
 * reply text wants it ("type;size;").
 */
unsigned listing_parse_factlist(const char *list, char *out, size_t len);

/* The FEAT line's fact list with '*' after facts in mask. */
void listing_feat_facts(unsigned mask, char *out, size_t len);

#endif
