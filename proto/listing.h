/*
 * listing: directory entries as text. The server writes `ls -l` lines for
 * LIST and RFC 3659 fact lines for MLSD/MLST.
 */
#ifndef BURROW_LISTING_H
#define BURROW_LISTING_H

#include <stddef.h>
#include <stdint.h>
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

/*
 * Parsing listings the other way round: what any FTP server (burrowd,
 * vsftpd, Pure-FTPd, ProFTPD, IIS) sends for LIST and MLSD, one line at a
 * time, into one entry form.
 *
 * Fixed arrays keep an entry free of allocations. A name or link target
 * that does not fit is refused rather than cut, as a cut name would name
 * another file. So is a name with '/' (no directory entry has one, and a
 * hostile server could otherwise steer a download out of its folder).
 * Names are otherwise passed on byte for byte: UTF-8 or not, leading and
 * trailing spaces kept, control bytes too (a file named so exists and
 * must be reachable); whatever prints a name must make those harmless.
 * Times carry no zone in any listing; they are read as UTC, which is what
 * burrowd writes and what MLSD requires.
 */
#define LISTING_NAME_MAX	1024	/* bytes, with the NUL */
#define LISTING_LINK_MAX	1024

enum listing_type {
	LISTING_FILE,
	LISTING_DIR,
	LISTING_LINK,		/* symbolic link */
	LISTING_OTHER,		/* device, fifo, socket, or not told */
	LISTING_CDIR,		/* MLSD's entry for the listed directory */
	LISTING_PDIR,		/* MLSD's entry for its parent */
};

struct listing_entry {
	char		 name[LISTING_NAME_MAX];
	int		 type;		/* enum listing_type */
	uint64_t	 size;
	int		 have_size;
	time_t		 mtime;		/* UTC */
	int		 have_mtime;
	unsigned	 mode;		/* permission bits, 07777 */
	int		 have_mode;
	char		 link_target[LISTING_LINK_MAX];	/* "" if not told */
};

/*
 * The three parsers share their results: 0 when e holds an entry; 1 when
 * the line is no entry to show (an empty line, ls's "total N", and the
 * entries for the directory itself and its parent: ".", "..", MLSD's cdir
 * and pdir), with e filled as far as the line allows; -1 when the line
 * cannot be read (e is then undefined). A trailing CR or LF is ignored.
 */

/*
 * Reads a Unix `ls -l` line: "drwxr-xr-x 2 1000 1000 4096 Nov 22 05:41 docs"
 * as vsftpd, Pure-FTPd, ProFTPD and burrowd write it. The date is found
 * as an English month, a day and a time or year, preceded by the size
 * (or a device's "major, minor", which gives no size); the name starts one
 * byte after the date, so owners and groups may hold spaces and names may
 * start with them. A link's "name -> target" is split at the first " -> ".
 * A date with a time but no year is taken in now's year, or the year
 * before when that would put it more than a day after now.
 */
int listing_parse_ls(const char *line, time_t now, struct listing_entry *e);

/*
 * Reads a DOS/IIS line: "11-22-26  06:00AM       <DIR>          docs" or
 * "11-22-2026  06:00PM   1234 a file.txt" (a time without AM/PM is read as
 * 24-hour). Two-digit years 70-99 are 19xx, 00-69 are 20xx. As the size
 * column is padded, the name cannot start with a space here.
 */
int listing_parse_dos(const char *line, struct listing_entry *e);

/*
 * Reads an RFC 3659 MLSD line "type=file;size=12;modify=20261122054100;
 * perm=r; name": the facts up to the first space, the name after it (spaces
 * and ';' in it kept). Fact names are matched without regard to case;
 * type (file, dir, cdir, pdir, OS.unix=slink:TARGET, OS.unix=symlink),
 * size, modify (fractions of a second ignored) and UNIX.mode are used,
 * others ignored, as is a known fact whose value cannot be read. Without a
 * type fact the type is LISTING_OTHER. cdir and pdir give 1.
 */
int listing_parse_facts(const char *line, struct listing_entry *e);

/*
 * Reads the n bytes at s as an RFC 3659 time-val, "YYYYMMDDHHMMSS" with
 * an optional fraction ".sss" (one digit or more), in UTC: MLSD's modify
 * fact, MDTM's reply, MFMT's argument. Every field is checked (month
 * 1-12, the day within its month, hours 0-23 and so on; a second of 60
 * is the next minute's first), the year within 1900-9999. Sets *out and,
 * when nsec is not NULL, *nsec to the fraction in nanoseconds (digits
 * past the ninth dropped). Returns 0, or -1 when s is not such a time.
 */
int listing_parse_time(const char *s, size_t n, time_t *out, long *nsec);

/*
 * Writes t as "YYYYMMDDHHMMSS" in UTC into buf (15 bytes at least).
 * Returns 0, or -1 when the year is not within 1900-9999 or buf is too
 * small.
 */
int listing_format_time(time_t t, char *buf, size_t len);

#endif
