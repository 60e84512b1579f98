/*
 * parts: the plan of a download in ranges (tui/xfer.c's segmented
 * download) and the small file beside the target that remembers it, so
 * that an interrupted download resumes every range where it stopped.
 *
 * The file is text, one record per line:
 *
 *   burrow-parts 1
 *   size 268435456
 *   mtime 1764772800
 *   range 0 67108864 1048576
 *   range 67108864 134217728 0
 *   ...
 *
 * "range START END DONE": the bytes [START, END) of the source, of which
 * the first DONE are on the target. The ranges cover [0, size) in order
 * without a gap or an overlap (in memory, struct parts keeps them in any
 * order: parts_split() adds at the end); mtime is the source's modify time (Unix
 * seconds, 0 when not known). No I/O here: the caller reads and writes
 * the file.
 */
#ifndef BURROW_PARTS_H
#define BURROW_PARTS_H

#include <stddef.h>
#include <stdint.h>

#define PARTS_MAX	16
#define PARTS_TEXT_MAX	(64 + PARTS_MAX * 72)	/* parts_format()'s worst */

struct parts_range {
	uint64_t	 start;
	uint64_t	 end;		/* exclusive */
	uint64_t	 done;		/* from start on */
};

struct parts {
	uint64_t		 size;
	int64_t			 mtime;
	unsigned		 n;
	struct parts_range	 r[PARTS_MAX];
};

/*
 * n ranges of about equal length covering [0, size) (fewer when size is
 * small: none shorter than one byte), nothing done. n is 1 to PARTS_MAX.
 * Returns 0, or -1 for size 0 or n out of range.
 */
int		 parts_plan(struct parts *p, uint64_t size, int64_t mtime,
		    unsigned n);

/* The file's text into buf; its length, or -1 when len is too small. */
int		 parts_format(const struct parts *p, char *buf, size_t len);

/*
 * Reads the text back. -1 unless it is exactly such a file: every line
 * well formed, the ranges in order covering [0, size), each DONE within
 * its range.
 */
int		 parts_parse(const char *text, struct parts *p);

/*
 * Splits what is left of range i in two when both halves are at least min
 * bytes: range i ends at the middle, and a new range (its index is
 * returned) takes the rest, nothing done. -1 when it is too short or the
 * plan is full.
 */
int		 parts_split(struct parts *p, unsigned i, uint64_t min);

/* Bytes on the target in all, and 1 when every range is done. */
uint64_t	 parts_done(const struct parts *p);
int		 parts_complete(const struct parts *p);

/*
 * Where the file for target (a path) lives: ".NAME.burrow-parts" in the
 * same folder. 0, or -1 when it does not fit in len.
 */
int		 parts_path(const char *target, char *out, size_t len);

#endif
