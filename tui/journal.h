/*
 * journal: the screen's transfer queue kept on disk, so that it survives
 * burrow being killed (SIGKILL included) or the machine stopping. One
 * file per server, appended to: a record when an item is added (its
 * direction, fixed absolute source and target, size) and one when it
 * ends. What was added and never ended is what the next start with that
 * server offers to go on with; the partial targets on disk are the
 * progress, resumed by the transfer rules as usual.
 *
 * A record is framed as
 *
 *	u32 length (little-endian) | 8 bytes: SHA-256 of the payload, its
 *	first 8 | payload
 *
 * and its payload is NUL-separated fields: "A" id "u"|"d" size src dst,
 * or "E" id. A record that is cut short (a write the kill interrupted)
 * or whose digest does not match ends the reading there: nothing after
 * it is trusted, and the caller is told (a torn last record is what a
 * kill leaves; one in the middle is damage).
 */
#ifndef BURROW_JOURNAL_H
#define BURROW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_PAYLOAD_MAX	(2 * 4096 + 64)	/* two paths and numbers */

/* An item added and not ended. */
struct journal_item {
	unsigned	 id;
	int		 upload;	/* 1: local -> remote; 0: download */
	uint64_t	 size;
	char		*src;
	char		*dst;
};

/*
 * Reads the records in buf (len bytes): the items added and not ended,
 * in the order added, into *out (malloc'd; journal_items_free()) and *n.
 * *good is set to the bytes of whole, good records from the start; where
 * it is short of len, the rest was ignored (torn or damaged). -1 only
 * when memory runs out.
 */
int	journal_parse(const unsigned char *buf, size_t len,
	    struct journal_item **out, size_t *n, size_t *good);

void	journal_items_free(struct journal_item *v, size_t n);

/*
 * Formats one record into buf (len bytes): an added item (src and dst
 * non-NULL) or an ended one (both NULL). Returns its length, or -1 when a
 * path is too long or holds no room.
 */
int	journal_record(unsigned char *buf, size_t len, unsigned id,
	    int upload, uint64_t size, const char *src, const char *dst);

/*
 * The journal's file for a server (user@host:port, or any name) into
 * out: $XDG_STATE_HOME/burrow/queue-NAME, else ~/.local/state/burrow/...,
 * with every byte of NAME but [A-Za-z0-9.@_-] written as %XX. -1 when
 * there is no such place (no $HOME) or it does not fit.
 */
int	journal_path(const char *server, char *out, size_t len);

/*
 * Reads the file at path (see journal_parse()); a missing file is no
 * items. *damaged: 1 when records were ignored. -1 with err on a read
 * error.
 */
int	journal_load(const char *path, struct journal_item **out, size_t *n,
	    int *damaged, char *err, size_t errlen);

struct journal;

/*
 * Opens the journal at path to append (made, with its folders, 0600 and
 * 0700), cut to its good records first so that new ones never follow a
 * torn one, and locked (flock) for as long as it is open: another burrow
 * with the same server gets NULL ("in use by another burrow"). NULL with
 * err.
 */
struct journal	*journal_open(const char *path, char *err, size_t errlen);

/* Appends an added item's record (not yet synced), or an ended one's. 0,
 * or -1 (the journal goes on without it; errno says why). */
int	journal_added(struct journal *j, unsigned id, int upload,
	    uint64_t size, const char *src, const char *dst);
int	journal_ended(struct journal *j, unsigned id);

/* Syncs what was appended (fdatasync) when anything was. 0 or -1. */
int	journal_sync(struct journal *j);

/* Empties the journal (every item has ended). 0 or -1. */
int	journal_reset(struct journal *j);

/* Closes it (NULL is fine); the file stays. */
void	journal_close(struct journal *j);

#endif
