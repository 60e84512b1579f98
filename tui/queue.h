/*
 * queue: the transfer queue of the full-screen client, a model with no
 * screen in it. The user adds uploads and downloads; one worker thread
 * runs them in order with the transfer engine (tui/xfer.c) while the
 * screen goes on browsing, and the screen looks at how they fare through
 * copies taken under a lock, so that it never waits on the network.
 *
 * The worker has a pair of file systems of its own: FTP moves one file at
 * a time per control connection, and the screen's connection must stay
 * free for listing. It gets them from queue_opts.open_fs, called on the
 * worker the first time an item needs them (the client logs in a second
 * time there); the queue frees them in queue_free().
 *
 * Each item is a file or a folder tree: WAITING, then RUNNING, then one
 * of DONE, SKIPPED (every file in it was skipped), FAILED or CANCELED. A
 * failed item does not stop the queue: the next one runs. Transfers
 * resume a shorter target, skip an equal one (same size, and same
 * checksum where both sides hash) and are verified afterwards.
 *
 * When a target exists that the rules would resume or overwrite, the
 * worker publishes a question (queue_question()) and waits until the
 * screen answers (queue_answer()); a target the rules find identical to
 * its source is skipped without one. An answer given "for all" is
 * applied to the conflicts that follow without asking, until the queue
 * runs dry (the last waiting item has ended), so that an "overwrite all"
 * given for one batch of work does not silently overwrite files in the
 * next one.
 *
 * The functions below hold the queue's lock only for a moment and may be
 * called from any thread, the callbacks included (they run without the
 * lock), except queue_free(): never from a callback, and never while
 * another call on the same queue is under way.
 */
#ifndef BURROW_QUEUE_H
#define BURROW_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/listing.h"
#include "tui/fs.h"
#include "tui/journal.h"
#include "tui/resume.h"
#include "tui/xfer.h"
#include "tui/xlog.h"

#define QUEUE_MSG_MAX	1024	/* an item's message, with the NUL */

enum queue_dir {
	QUEUE_UPLOAD,		/* local -> remote */
	QUEUE_DOWNLOAD,		/* remote -> local */
};

enum queue_state {
	QUEUE_WAITING,
	QUEUE_RUNNING,
	QUEUE_DONE,		/* ended without a failure */
	QUEUE_SKIPPED,		/* nothing transferred, something skipped */
	QUEUE_FAILED,		/* a file (or the item) failed; message says
				   why (the first failure) */
	QUEUE_CANCELED,		/* canceled while waiting or running; a
				   partial target stays, to be resumed */
};

/* queue_changed() bits: the side whose files an ended item wrote to. */
#define QUEUE_CHANGED_LOCAL	0x01
#define QUEUE_CHANGED_REMOTE	0x02

struct queue_opts {
	/*
	 * Opens the worker's file systems, on the worker thread. Returns 0
	 * with both set, or -1 with a one-line reason in err (errlen bytes)
	 * and neither set (the callback frees what it opened). On failure
	 * the item that needed them fails with that reason, and the next
	 * item calls this again. The queue points both fs->cancel at its
	 * own flag and frees them at queue_free(), which waits for a call
	 * in progress: it should not block for long (a connect timeout).
	 * Required.
	 */
	int	(*open_fs)(void *arg, struct fs **remote, struct fs **local,
		    char *err, size_t errlen);
	/*
	 * Called on the worker, without the queue's lock held, after each
	 * change the generation counts (an item starting or ending, each
	 * file, a question, progress up to ten times a second): a screen
	 * that sleeps in poll(2) can wake itself (a byte into a pipe). It
	 * may call the functions below but queue_free(). NULL: the screen
	 * polls queue_generation() instead.
	 */
	void	(*notify)(void *arg);
	void	*arg;
	/*
	 * Where the worker writes each file's result (tui/xlog.h), and an
	 * item's own failure (a login that failed) or cancel; it must outlive
	 * the queue. NULL: no log.
	 */
	struct xlog *log;
	/*
	 * Logins moving files at once (1 to XFER_PARALLEL_MAX; 0 or 1: the
	 * worker's alone). The others are opened with open_fs too, on their
	 * own threads, the first time a run needs them; one the server
	 * refuses is given up for good, said once (queue_status().notice).
	 */
	unsigned parallel;
};

/* A file in flight on one of the logins. */
struct queue_slot_view {
	unsigned	 id;		/* its item */
	enum queue_dir	 dir;
	char		 file[FS_PATH_MAX];
	char		 phase[16];	/* as queue_status.phase */
	uint64_t	 done;
	uint64_t	 total;
	double		 rate;
};

/* What queue_status() reports: the whole queue at a glance. */
struct queue_status {
	size_t		 items;		/* in the list */
	unsigned	 waiting;	/* items in each state */
	unsigned	 running;
	unsigned	 done;
	unsigned	 skipped;
	unsigned	 failed;
	unsigned	 canceled;
	int		 asking;	/* a question waits for an answer */

	/* The first running item; id 0 and the rest empty when none is. */
	unsigned	 id;
	enum queue_dir	 dir;
	char		 src[FS_PATH_MAX];
	char		 file[FS_PATH_MAX];	/* the file being transferred
						   ("" between files) */
	char		 phase[16];	/* "comparing", "verifying" (the
						   checksums), or "" */
	uint64_t	 file_done;	/* bytes of it on the target */
	uint64_t	 file_total;	/* its size, 0 when not known */
	double		 rate;		/* bytes/s since it started */

	/*
	 * The overall bar, over the current batch (the items added since
	 * the queue was last idle) that are not canceled: overall_total is
	 * the sum of their sizes (an item added without a size hint, a
	 * folder, is measured by the worker before the next item runs, and
	 * counts 0 until then); in overall_done a finished item counts
	 * whole and the running one with the bytes of its files on the
	 * target so far (at most its size). batch_items counts the batch's
	 * items, batch_ended those that have ended (canceled ones too).
	 */
	uint64_t	 overall_done;
	uint64_t	 overall_total;
	size_t		 batch_items;
	size_t		 batch_ended;

	/* Every file in flight, one a login (the first running item's is
	 * also in the fields above). */
	struct queue_slot_view slot[XFER_PARALLEL_MAX];
	size_t		 nslots;
	/* What the user should hear once (a login the server refused), and
	 * a count raised each time it changes. */
	char		 notice[QUEUE_MSG_MAX];
	unsigned	 notice_gen;
};

/* One item as the list shows it. */
struct queue_item_view {
	unsigned		 id;
	enum queue_dir		 dir;
	enum queue_state	 state;
	char			 src[FS_PATH_MAX];
	char			 dst[FS_PATH_MAX];
	uint64_t		 size_hint;
	/* The last "file done" message ("verified by SHA-256"), or why it
	 * failed, or how it was skipped or canceled; "" while waiting. */
	char			 message[QUEUE_MSG_MAX];
	/* The target's last component when the user renamed it in the
	 * conflict dialog (a file item), else "". */
	char			 renamed[LISTING_NAME_MAX];
	unsigned		 files;		/* transferred */
	unsigned		 skipped;
	unsigned		 failed;
	uint64_t		 bytes;		/* moved over the wire */
	int			 verified;	/* files > 0, and each of them
						   checked by checksum */
};

/* A conflict waiting for the user. */
struct queue_question {
	unsigned		 id;		/* the item asking */
	enum queue_dir		 dir;
	char			 dst[FS_PATH_MAX];	/* the existing target */
	struct listing_entry	 src_entry;	/* the file to transfer */
	struct listing_entry	 dst_entry;	/* what is there now */
	enum xfer_decision	 suggested;	/* what the rules would do */
	int			 prefix;	/* XFER_PREFIX_*, tui/xfer.h */
};

struct queue;

/*
 * A new, empty queue; no thread runs until the first queue_add(). The
 * options are copied. NULL when memory runs out, or o or o->open_fs is
 * NULL.
 */
struct queue	*queue_new(const struct queue_opts *o);

/*
 * Cancels what runs and everything waiting, answers a pending question
 * (SKIP), waits for the worker to end (an open_fs callback in progress
 * is waited for) and frees the file systems and the queue. NULL is
 * fine.
 */
void		 queue_free(struct queue *q);

/*
 * Appends a WAITING item copying src (absolute, on the source side: the
 * local fs for an upload, the remote one for a download) to dst
 * (absolute, on the other side). size_hint is its size where known (0
 * for a folder or an unknown size): it feeds the overall bar only.
 * Starts the worker the first time. Returns the item's id (from 1 on,
 * never reused), or 0 when a path is not absolute or too long, memory
 * runs out or the thread cannot be started (nothing is added then).
 */
unsigned	 queue_add(struct queue *q, enum queue_dir dir,
		    const char *src, const char *dst, uint64_t size_hint);

/*
 * queue_add() for an item taken back from the journal (tui/journal.h):
 * a target the rules would resume, and that is the source's beginning
 * as far as the checksums tell, is resumed without a question.
 */
unsigned	 queue_add_resumed(struct queue *q, enum queue_dir dir,
		    const char *src, const char *dst, uint64_t size_hint);

/*
 * queue_add() for an item of a sync plan (tui/compare.h): its target is
 * known to differ from its source (newer, older, another size or
 * content), so an existing target is overwritten without a question,
 * even one the rules would skip as the same size.
 */
unsigned	 queue_add_replacing(struct queue *q, enum queue_dir dir,
		    const char *src, const char *dst, uint64_t size_hint);

/*
 * Holds the worker from starting a run until queue_release(), so that
 * items added one by one in between (a selection, the journal's) go
 * into one run, moved over all the logins at once: without it the
 * worker could start on the first alone. What runs already goes on.
 * Holds nest.
 */
void		 queue_hold(struct queue *q);
void		 queue_release(struct queue *q);

/*
 * Keeps the queue in journal j (tui/journal.h; NULL: no longer): each
 * item added from now on is recorded, and its end; what a run is about
 * to move is synced first; the journal is emptied whenever every item
 * has ended. The caller closes j after the queue is freed or another
 * journal is set. Setting NULL before queue_cancel_all() at quit keeps
 * the unfinished items in the journal for the next start.
 */
void		 queue_journal(struct queue *q, struct journal *j);

/*
 * Cancels the running item, if any: its transfer stops at the next
 * block (a pending question is answered SKIP), the item ends CANCELED
 * and the next one runs. Returns 1 when an item was running, else 0.
 */
int		 queue_cancel_current(struct queue *q);

/* Cancels the running item and marks every waiting one CANCELED. */
void		 queue_cancel_all(struct queue *q);

/*
 * Fills out and returns 1 while a conflict question is pending, else
 * returns 0 (out untouched).
 */
int		 queue_question(struct queue *q, struct queue_question *out);

/*
 * Answers the pending question: ans as tui/xfer.h means it, newname the
 * new last component for XFER_ANS_RENAME (NULL or "" there: the next
 * free-looking name from queue_next_name()). With for_all, later
 * conflicts get the same answer without a question until the queue runs
 * dry; for RENAME each gets a name of its own from queue_next_name().
 * Returns 0, or -1 when no question is pending or newname is unusable
 * (it holds '/', is "." or "..", or is too long); the question then
 * stays.
 */
int		 queue_answer(struct queue *q, enum xfer_answer ans,
		    int for_all, const char *newname);

/*
 * A counter raised by every change (an item added or ended, a question,
 * progress): redraw when it differs from the last value seen.
 */
unsigned	 queue_generation(struct queue *q);

/* The queue at a glance, into st. */
void		 queue_status(struct queue *q, struct queue_status *st);

/*
 * Copies the views of up to max items, from the first-th on (in the
 * order added), into out; returns how many. A view is large (two paths):
 * allocate out rather than putting many on the stack.
 */
size_t		 queue_items(struct queue *q, struct queue_item_view *out,
		    size_t max, size_t first);

/*
 * The QUEUE_CHANGED_* sides written to by items that ended since the last
 * call (0 when none), cleared by the call: reload the panes showing them.
 */
unsigned	 queue_changed(struct queue *q);

/* 1 while an item waits or runs, else 0. */
int		 queue_busy(struct queue *q);

/* Drops the ended items (DONE, SKIPPED, FAILED, CANCELED) from the list. */
void		 queue_clear_finished(struct queue *q);

/*
 * The name to try after name (a last component) when it is taken: " (1)"
 * before the last extension ("a.txt" -> "a (1).txt", "a.tar.gz" ->
 * "a.tar (1).gz", "noext" -> "noext (1)", ".hidden" -> ".hidden (1)"),
 * or the number there raised by one ("a (1).txt" -> "a (2).txt"). Into
 * out (len bytes). Returns 0, or -1 when name is empty or holds '/', or
 * the result does not fit.
 */
int		 queue_next_name(const char *name, char *out, size_t len);

#endif
