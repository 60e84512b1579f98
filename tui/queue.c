/*
 * queue: the transfer queue and its worker thread; see queue.h.
 *
 * Items are a singly linked list in the order added. The screen's calls
 * and the worker meet under one mutex; the worker takes it only for short
 * copies (a progress figure, a finished item), never across network or
 * disk work, so the screen waits for it at most a moment. The worker
 * waits on two condition variables: for work, and for the answer to a
 * question.
 *
 * The worker takes a run: the first waiting item, and with more logins
 * (queue_opts.parallel) the waiting items after it that go the same way,
 * and copies them as one (xfer_copy_list()), so that their files are
 * shared out to the logins one by one. The engine's callbacks name files;
 * owner() finds the run's item a path belongs to. An item whose own
 * event comes (a file, or a folder that failed whole) ends then; the
 * others when the run ends.
 *
 * Canceling cannot wait for the lock: the engine reads the cancel flag
 * between blocks through both file systems' fs->cancel, without it. So the
 * flag is an int read and written with __atomic builtins. It is raised
 * (under the mutex, so it belongs to the run under way) by the cancel
 * calls and queue_free(), and lowered by the worker, under the mutex too,
 * as the canceled run ends and before the next one starts. It stops the
 * whole run: items of it that had not begun wait again.
 */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/queue.h"

#define RUN_MAX		256	/* items one run takes at most */

struct item {
	struct item		*next;
	unsigned		 id;
	enum queue_dir		 dir;
	char			*src;		/* set at queue_add(), then */
	char			*dst;		/* read-only: the worker reads
						   them without the lock */
	uint64_t		 size_hint;
	/* The rest under queue.lock. */
	enum queue_state	 state;
	char			 message[QUEUE_MSG_MAX];
	char			 renamed[LISTING_NAME_MAX];	/* or "" */
	unsigned		 files;
	unsigned		 skipped;
	unsigned		 failed;
	unsigned		 verified;
	uint64_t		 bytes;
	int			 cancel_req;	/* canceled while running */
	unsigned		 batch;		/* the batch it came in */
	int			 measured;	/* size_hint is the total */
	int			 resumed;	/* from the journal: resume
						   without asking */
	int			 replace;	/* a sync plan's: overwrite
						   without asking */
	/* While a run has it: */
	int			 in_run;	/* taken by the running run */
	int			 began;		/* a file of it moved or ended */
	int			 ended;		/* its own event ended it */
	int			 wrote;		/* the target side changed */
	int			 user_skip;	/* the last answer was SKIP */
	uint64_t		 ended_bytes;	/* of its files that ended */
	unsigned		 logged;	/* files' lines in the log */
	unsigned		 logged_failed;	/* of them, failures */
	char			 done_msg[QUEUE_MSG_MAX];
	char			 skip_msg[QUEUE_MSG_MAX];
	char			 fail_msg[QUEUE_MSG_MAX];	/* the first */
};

/* A login's file in flight, for the panel. */
struct slot {
	unsigned		 item;		/* its item's id; 0: idle */
	char			 file[FS_PATH_MAX];
	char			 phase[16];
	uint64_t		 done;
	uint64_t		 total;
	uint64_t		 offset;
	double			 rate;
};

struct queue {
	struct queue_opts	 o;		/* read-only after queue_new() */

	/*
	 * lock guards: head, tailp, next_id, running, started, stopping,
	 * gen, changed, the slots, the question (asking, question, answered,
	 * answer, newname), the "for all" answer (have_for_all, for_all),
	 * batch, and every item's fields but src, dst, id and dir.
	 */
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* an item was added, or stop */
	pthread_cond_t		 reply;		/* an answer, a cancel, or stop */
	struct item		*head;
	struct item		**tailp;
	unsigned		 next_id;
	int			 running;	/* a run is under way */
	int			 started;	/* the worker exists */
	int			 stopping;	/* queue_free() has begun */
	unsigned		 held;		/* queue_hold()s not released */
	unsigned		 gen;
	unsigned		 changed;	/* QUEUE_CHANGED_* */
	unsigned		 batch;		/* raised by an item added to
						   an idle queue */
	struct slot		 slot[XFER_PARALLEL_MAX];
	char			 note[QUEUE_MSG_MAX];	/* the pool's */
	unsigned		 note_gen;

	int			 asking;
	struct queue_question	 question;
	int			 answered;
	enum xfer_answer	 answer;
	char			 newname[LISTING_NAME_MAX];
	int			 have_for_all;
	enum xfer_answer	 for_all;

	pthread_t		 thread;	/* when started */

	/* The worker's alone until it has been joined; no lock. */
	struct fs		*remote;
	struct fs		*local;
	struct xfer_pool	*pool;		/* more logins, or NULL */

	/* Atomic, outside the lock (see the top of this file). */
	int			 cancel;

	/* The journal, and the lock for it and its writes (taken after
	 * lock when both are; a sync holds jlock alone). */
	pthread_mutex_t		 jlock;
	struct journal		*journal;
};

/* What one run's callbacks share; the worker's alone (the items' fields
 * are read and written under the lock). */
struct run {
	struct queue		*q;
	struct item		*its[RUN_MAX];
	size_t			 n;
};

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int
finished(enum queue_state s)
{
	return s == QUEUE_DONE || s == QUEUE_SKIPPED || s == QUEUE_FAILED ||
	    s == QUEUE_CANCELED;
}

/* Called with the lock held after any change the screen may show. */
static void
bump(struct queue *q)
{
	q->gen++;
}

/* Called on the worker without the lock held. */
static void
notify(struct queue *q)
{
	if (q->o.notify != NULL)
		q->o.notify(q->o.arg);
}

static void
raise_cancel(struct queue *q)
{
	__atomic_store_n(&q->cancel, 1, __ATOMIC_RELAXED);
}

static void
clear_slots(struct queue *q)
{
	memset(q->slot, 0, sizeof(q->slot));
}

/* The first item waiting that no run has taken. */
static struct item *
first_waiting(struct queue *q)
{
	struct item *it;

	for (it = q->head; it != NULL; it = it->next)
		if (it->state == QUEUE_WAITING && !it->in_run)
			return it;
	return NULL;
}

/* 1 when path is top or lies below it. */
static int
under(const char *path, const char *top)
{
	size_t n = strlen(top);

	return strncmp(path, top, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/' || (n > 0 && top[n - 1] == '/'));
}

/* The run's item the source path belongs to: the deepest match, as one
 * item may lie inside another's folder. */
static struct item *
owner(struct run *r, const char *path)
{
	struct item *best = NULL;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (under(path, r->its[i]->src) && (best == NULL ||
		    strlen(r->its[i]->src) > strlen(best->src)))
			best = r->its[i];
	return best;
}

/* The slot moving file, or NULL. Lock held. */
static struct slot *
slot_of(struct queue *q, const char *file)
{
	size_t i;

	for (i = 0; i < XFER_PARALLEL_MAX; i++)
		if (q->slot[i].item != 0 && strcmp(q->slot[i].file, file) == 0)
			return &q->slot[i];
	return NULL;
}

/* An item shown running from its first sign of life on. Lock held. */
static void
begin(struct item *it)
{
	it->began = 1;
	if (it->state == QUEUE_WAITING)
		it->state = QUEUE_RUNNING;
}

/* --------------------------------------------------- the engine's callbacks */

static void
on_progress(void *arg, const struct xfer_progress *p)
{
	struct run *r = arg;
	struct queue *q = r->q;
	struct item *it;
	struct slot *s;

	if (p->slot >= XFER_PARALLEL_MAX)
		return;
	pthread_mutex_lock(&q->lock);
	if ((it = owner(r, p->src)) != NULL) {
		begin(it);
		s = &q->slot[p->slot];
		snprintf(s->phase, sizeof(s->phase), "%s", p->phase != NULL ?
		    p->phase : "");
		if (p->phase == NULL || s->item != it->id ||
		    strcmp(s->file, p->src) != 0) {
			/* (A phase after the bytes keeps their count.) */
			s->item = it->id;
			snprintf(s->file, sizeof(s->file), "%s", p->src);
			s->done = p->done;
			s->total = p->total;
			s->offset = p->offset;
			s->rate = p->rate;
		}
		bump(q);
	}
	pthread_mutex_unlock(&q->lock);
	notify(q);
}

/* The log's word for an ended file or item. */
static const enum xlog_kind log_kind[] = {
	[XFER_EV_DONE] = XLOG_DONE,
	[XFER_EV_SKIPPED] = XLOG_SKIPPED,
	[XFER_EV_FAILED] = XLOG_FAILED,
	[XFER_EV_CANCELED] = XLOG_CANCELED,
};

/* A line in the transfer log for it. */
static void
log_line(struct queue *q, struct item *it, enum xlog_kind kind,
    const char *src, const char *dst, const char *msg)
{
	if (q->o.log == NULL)
		return;
	(void)xlog_add(q->o.log, time(NULL), kind, it->dir == QUEUE_UPLOAD,
	    src, dst, msg);
	it->logged++;
	if (kind == XLOG_FAILED)
		it->logged_failed++;
}

static void	finish(struct queue *, struct item *, enum queue_state,
		    const char *);
static void	journal_end(struct queue *, struct item *);

/* How a run's item ends, from what its files did. Lock held. */
static void
settle(struct queue *q, struct item *it, int canceled)
{
	if (finished(it->state))
		return;		/* canceled while it waited in the run */
	if (it->cancel_req || (canceled && it->began))
		finish(q, it, QUEUE_CANCELED, "canceled");
	else if (it->failed > 0)
		finish(q, it, QUEUE_FAILED, it->fail_msg[0] != '\0' ?
		    it->fail_msg : "failed");
	else if (it->files == 0 && it->skipped > 0)
		finish(q, it, QUEUE_SKIPPED, it->skip_msg);
	else
		finish(q, it, QUEUE_DONE, it->done_msg[0] != '\0' ?
		    it->done_msg : "done");
}

static void
on_event(void *arg, enum xfer_event ev, const char *src, const char *dst,
    const char *msg)
{
	struct run *r = arg;
	struct queue *q = r->q;
	struct item *it;
	struct slot *s;

	if (msg == NULL)
		msg = "";
	pthread_mutex_lock(&q->lock);
	if ((it = owner(r, src)) == NULL) {
		pthread_mutex_unlock(&q->lock);
		return;
	}
	begin(it);
	switch (ev) {
	case XFER_EV_DONE:
		snprintf(it->done_msg, sizeof(it->done_msg), "%s", msg);
		snprintf(it->message, sizeof(it->message), "%s", msg);
		it->files++;
		if (strstr(msg, "verified by ") != NULL &&
		    strstr(msg, "verified by size") == NULL)
			it->verified++;
		it->wrote = 1;
		break;
	case XFER_EV_SKIPPED:
		/* The engine words a skip by the sizes it saw; after the
		 * user's "skip" that would read as "identical". */
		if (it->user_skip)
			msg = "skipped: the target exists";
		snprintf(it->skip_msg, sizeof(it->skip_msg), "%s", msg);
		it->skipped++;
		break;
	case XFER_EV_CANCELED:
	case XFER_EV_MKDIR:
		it->wrote = 1;
		break;
	case XFER_EV_FAILED:
		it->failed++;
		if (it->fail_msg[0] == '\0')
			snprintf(it->fail_msg, sizeof(it->fail_msg), "%s%s%s",
			    strcmp(src, it->src) != 0 ? src : "",
			    strcmp(src, it->src) != 0 ? ": " : "", msg);
		break;
	}
	if (ev >= XFER_EV_DONE && ev <= XFER_EV_CANCELED)
		log_line(q, it, log_kind[ev], src, dst, msg);
	it->user_skip = 0;
	if (ev != XFER_EV_MKDIR && strcmp(src, it->src) == 0 &&
	    strcmp(dst, it->dst) != 0)
		/* A file the user gave another name in the conflict dialog. */
		fs_basename(dst, it->renamed, sizeof(it->renamed));
	if (ev != XFER_EV_MKDIR && (s = slot_of(q, src)) != NULL) {
		/* This file has ended: its bytes count whole. */
		if (ev == XFER_EV_FAILED && s->done > s->offset)
			it->wrote = 1;		/* a partial upload stays */
		it->ended_bytes = sat_add(it->ended_bytes, s->done);
		it->bytes = sat_add(it->bytes, s->done - s->offset);
		memset(s, 0, sizeof(*s));
	}
	if (ev != XFER_EV_MKDIR && strcmp(src, it->src) == 0) {
		/* The item itself (a file, or a folder that failed whole):
		 * nothing more comes for it. */
		it->ended = 1;
		settle(q, it, ev == XFER_EV_CANCELED);
	}
	bump(q);
	pthread_mutex_unlock(&q->lock);
	notify(q);
}

/* The pool's word (a login refused), kept for the screen to show. */
static void
on_notice(void *arg, const char *msg)
{
	struct run *r = arg;
	struct queue *q = r->q;

	pthread_mutex_lock(&q->lock);
	snprintf(q->note, sizeof(q->note), "%s", msg);
	q->note_gen++;
	bump(q);
	pthread_mutex_unlock(&q->lock);
	notify(q);
}

/* Publishes the question and waits; the answer, or SKIP. Lock held. */
static enum xfer_answer
ask(struct queue *q, struct item *it, const char *dst,
    const struct listing_entry *se, const struct listing_entry *de,
    enum xfer_decision suggested, int prefix, char *newname, size_t len)
{
	enum xfer_answer ans = XFER_ANS_SKIP;

	memset(&q->question, 0, sizeof(q->question));
	q->question.id = it->id;
	q->question.dir = it->dir;
	snprintf(q->question.dst, sizeof(q->question.dst), "%s", dst);
	q->question.src_entry = *se;
	q->question.dst_entry = *de;
	q->question.suggested = suggested;
	q->question.prefix = prefix;
	q->asking = 1;
	q->answered = 0;
	bump(q);
	pthread_mutex_unlock(&q->lock);
	notify(q);
	pthread_mutex_lock(&q->lock);
	while (!q->answered && !q->stopping && !it->cancel_req)
		pthread_cond_wait(&q->reply, &q->lock);
	if (q->answered) {
		ans = q->answer;
		snprintf(newname, len, "%s", q->newname);
	}
	q->asking = 0;
	q->answered = 0;
	bump(q);
	return ans;
}

static enum xfer_answer
on_conflict(void *arg, const char *src, const char *dst,
    const struct listing_entry *se, const struct listing_entry *de,
    enum xfer_decision suggested, int prefix, char *newname, size_t len)
{
	struct run *r = arg;
	struct queue *q = r->q;
	struct item *it;
	struct slot *s;
	enum xfer_answer ans = XFER_ANS_SKIP;
	char base[LISTING_NAME_MAX];
	size_t i;

	newname[0] = '\0';
	pthread_mutex_lock(&q->lock);
	for (i = 0; i < XFER_PARALLEL_MAX; i++) {
		s = &q->slot[i];
		if (s->item != 0 && strcmp(s->phase, "comparing") == 0)
			s->phase[0] = '\0';	/* the comparing is over */
	}
	if ((it = owner(r, src)) == NULL || q->stopping || it->cancel_req)
		ans = XFER_ANS_SKIP;	/* the cancel flag does the rest */
	else if (it->replace)
		ans = XFER_ANS_OVERWRITE;	/* the plan found it differs */
	else if (suggested == XFER_DECIDE_SKIP)
		ans = XFER_ANS_AUTO;	/* identical: nothing to decide */
	else if (it->resumed && suggested == XFER_DECIDE_RESUME &&
	    prefix != XFER_PREFIX_DIFFERS)
		ans = XFER_ANS_RESUME;	/* the journal's: going on */
	else if (q->have_for_all)
		ans = q->for_all;
	else
		ans = ask(q, it, dst, se, de, suggested, prefix, newname, len);
	if (it != NULL)
		it->user_skip = ans == XFER_ANS_SKIP;
	pthread_mutex_unlock(&q->lock);
	notify(q);
	if (ans == XFER_ANS_RENAME && newname[0] == '\0' &&
	    queue_next_name(fs_basename(dst, base, sizeof(base)), newname,
	    len) < 0)
		ans = XFER_ANS_SKIP;
	return ans;
}

/* ------------------------------------------------------------- the worker */

/* Ends it in state s with message msg. Lock held. */
static void
finish(struct queue *q, struct item *it, enum queue_state s, const char *msg)
{
	size_t n = strlen(it->src);

	/* The panel names the item already: "SRC: why" is said as "why". */
	if (strncmp(msg, it->src, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	/* A failure no file's line told (a login, a listing), or a cancel
	 * before any file: the item's own line. */
	if ((s == QUEUE_FAILED && it->logged_failed == 0) ||
	    (s == QUEUE_CANCELED && it->logged == 0))
		log_line(q, it, s == QUEUE_FAILED ? XLOG_FAILED :
		    XLOG_CANCELED, it->src, it->dst, msg);
	it->state = s;
	it->cancel_req = 0;
	it->ended = 1;
	journal_end(q, it);
	if (msg != it->message)
		snprintf(it->message, sizeof(it->message), "%s", msg);
	if (it->wrote)
		q->changed |= it->dir == QUEUE_UPLOAD ? QUEUE_CHANGED_REMOTE :
		    QUEUE_CHANGED_LOCAL;
	bump(q);
}

/* Opens the worker's file systems when it has none. 0, or -1 and err. */
static int
open_fs(struct queue *q, char *err, size_t errlen)
{
	struct fs *remote = NULL, *local = NULL;

	if (q->remote != NULL)
		return 0;
	err[0] = '\0';
	if (q->o.open_fs(q->o.arg, &remote, &local, err, errlen) != 0)
		goto fail;
	if (remote == NULL || local == NULL) {
		/* Said it worked, yet one is missing. */
		fs_free(remote);
		fs_free(local);
		goto fail;
	}
	remote->cancel = &q->cancel;
	local->cancel = &q->cancel;
	q->remote = remote;
	q->local = local;
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "cannot open the file systems");
	return -1;
}

/*
 * Gives the overall bar its real total: every item of the current batch
 * that came without a size (a folder) is measured once, before the next
 * run. Each is looked up again by id after the walk, as the list may
 * change meanwhile.
 */
static void
measure_batch(struct queue *q)
{
	struct item *it;
	char path[FS_PATH_MAX], err[512];
	enum queue_dir dir;
	uint64_t bytes;
	unsigned id;
	int rc;

	for (;;) {
		pthread_mutex_lock(&q->lock);
		for (it = q->head; it != NULL; it = it->next)
			if (it->batch == q->batch && !it->measured &&
			    it->size_hint == 0 && !finished(it->state))
				break;
		if (it == NULL) {
			pthread_mutex_unlock(&q->lock);
			return;
		}
		it->measured = 1;
		id = it->id;
		dir = it->dir;
		snprintf(path, sizeof(path), "%s", it->src);
		pthread_mutex_unlock(&q->lock);
		rc = xfer_measure(dir == QUEUE_UPLOAD ? q->local : q->remote,
		    path, &bytes, err, sizeof(err));
		if (rc == FS_CANCELED)
			return;
		if (rc != FS_OK)
			continue;	/* the copy will say what is wrong */
		pthread_mutex_lock(&q->lock);
		for (it = q->head; it != NULL && it->id != id; it = it->next)
			;
		if (it != NULL)
			it->size_hint = bytes;
		bump(q);
		pthread_mutex_unlock(&q->lock);
		notify(q);
	}
}

/*
 * Ends the run: each item that its own event did not end is settled, but
 * one that a cancel stopped before it began waits again (the cancel was
 * meant for what ran), unless canceled itself.
 */
static void
end_run(struct queue *q, struct run *r, int rc)
{
	struct item *it;
	size_t i;

	pthread_mutex_lock(&q->lock);
	for (i = 0; i < r->n; i++) {
		it = r->its[i];
		it->in_run = 0;
		if (it->ended || finished(it->state))
			continue;
		if (rc == FS_CANCELED && !it->began && !it->cancel_req &&
		    !q->stopping) {
			it->state = QUEUE_WAITING;
			continue;
		}
		settle(q, it, rc == FS_CANCELED);
	}
	q->running = 0;
	clear_slots(q);
	if (!q->stopping)
		__atomic_store_n(&q->cancel, 0, __ATOMIC_RELAXED);
	if (first_waiting(q) == NULL)
		q->have_for_all = 0;	/* the queue has run dry */
	bump(q);
	pthread_mutex_unlock(&q->lock);
	notify(q);
}

static void
run_items(struct queue *q, struct run *r)
{
	const char *srcs[RUN_MAX], *dsts[RUN_MAX];
	struct xfer_opts o;
	struct xfer_stats st;
	struct fs *src, *dst;
	char err[QUEUE_MSG_MAX];
	size_t i, n = 0;
	int rc;

	if (open_fs(q, err, sizeof(err)) < 0) {
		pthread_mutex_lock(&q->lock);
		for (i = 0; i < r->n; i++)
			finish(q, r->its[i], QUEUE_FAILED, err);
		pthread_mutex_unlock(&q->lock);
		end_run(q, r, FS_ERR);
		return;
	}
	measure_batch(q);
	pthread_mutex_lock(&q->lock);
	for (i = 0; i < r->n; i++) {
		if (r->its[i]->cancel_req || finished(r->its[i]->state)) {
			if (!finished(r->its[i]->state))
				finish(q, r->its[i], QUEUE_CANCELED,
				    "canceled");
			continue;
		}
		srcs[n] = r->its[i]->src;
		dsts[n++] = r->its[i]->dst;
	}
	pthread_mutex_unlock(&q->lock);
	src = r->its[0]->dir == QUEUE_UPLOAD ? q->local : q->remote;
	dst = r->its[0]->dir == QUEUE_UPLOAD ? q->remote : q->local;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.resume_flags = RESUME_ALLOW | RESUME_SKIP_SIZE_ONLY;
	o.verify = 1;
	o.conflict = on_conflict;
	o.progress = on_progress;
	o.event = on_event;
	o.notice = on_notice;
	o.pool = q->pool;
	o.arg = r;
	err[0] = '\0';
	rc = n == 0 ? FS_OK : xfer_copy_list(src, n, srcs, dst, dsts, &o, &st,
	    err, sizeof(err));
	if (rc == FS_ERR) {
		/* A failure no event told (out of memory) falls to the items
		 * that nothing was heard of. */
		pthread_mutex_lock(&q->lock);
		for (i = 0; i < r->n; i++)
			if (!r->its[i]->began && !finished(r->its[i]->state)) {
				r->its[i]->failed++;
				snprintf(r->its[i]->fail_msg,
				    sizeof(r->its[i]->fail_msg), "%s", err);
			}
		pthread_mutex_unlock(&q->lock);
	}
	end_run(q, r, rc);
}

/*
 * Takes the next run: the first waiting item and, with a pool, the
 * waiting items after it that go the same way, so that many small items
 * share the logins as a folder's files do. Lock held.
 */
static void
take_run(struct queue *q, struct run *r, struct item *first)
{
	struct item *it;
	int many = xfer_pool_size(q->pool) > 1;

	r->n = 0;
	for (it = first; it != NULL && r->n < RUN_MAX; it = it->next) {
		if (it->state != QUEUE_WAITING || it->in_run)
			continue;
		if (it->dir != first->dir)
			break;		/* the order of directions is kept */
		it->in_run = 1;
		it->began = it->ended = it->wrote = it->user_skip = 0;
		it->logged = it->logged_failed = 0;
		it->ended_bytes = 0;
		it->done_msg[0] = it->skip_msg[0] = it->fail_msg[0] = '\0';
		r->its[r->n++] = it;
		if (!many)
			break;
	}
	begin(first);
}

/* Records its end in the journal. Lock held. */
static void
journal_end(struct queue *q, struct item *it)
{
	pthread_mutex_lock(&q->jlock);
	if (q->journal != NULL)
		(void)journal_ended(q->journal, it->id);
	pthread_mutex_unlock(&q->jlock);
}

/* Nothing waits: when nothing runs either, every item has ended and the
 * journal is emptied. Lock held. */
static void
journal_dry(struct queue *q)
{
	struct item *it;

	for (it = q->head; it != NULL; it = it->next)
		if (!finished(it->state))
			return;
	pthread_mutex_lock(&q->jlock);
	if (q->journal != NULL)
		(void)journal_reset(q->journal);
	pthread_mutex_unlock(&q->jlock);
}

static void *
worker(void *arg)
{
	struct queue *q = arg;
	struct item *it;
	struct run *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->q = q;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		if (!q->stopping && first_waiting(q) == NULL)
			journal_dry(q);
		while (!q->stopping && (q->held > 0 ||
		    (it = first_waiting(q)) == NULL))
			pthread_cond_wait(&q->work, &q->lock);
		if (q->stopping)
			break;
		take_run(q, r, it);
		q->running = 1;
		clear_slots(q);
		bump(q);
		pthread_mutex_unlock(&q->lock);
		notify(q);
		/* What is about to move is on the disk first. */
		pthread_mutex_lock(&q->jlock);
		(void)journal_sync(q->journal);
		pthread_mutex_unlock(&q->jlock);
		run_items(q, r);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	free(r);
	return NULL;
}

/* Starts the worker with every signal blocked: they are the screen's. */
static int
start(struct queue *q)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, worker, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- the screen */

struct queue *
queue_new(const struct queue_opts *o)
{
	struct queue *q;

	if (o == NULL || o->open_fs == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->o = *o;
	q->tailp = &q->head;
	if (o->parallel > 1 && (q->pool = xfer_pool_new(o->parallel >
	    XFER_PARALLEL_MAX ? XFER_PARALLEL_MAX : o->parallel, o->open_fs,
	    o->arg)) == NULL) {
		free(q);
		return NULL;
	}
	if (pthread_mutex_init(&q->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&q->work, NULL) != 0)
		goto fail_lock;
	if (pthread_cond_init(&q->reply, NULL) != 0)
		goto fail_work;
	if (pthread_mutex_init(&q->jlock, NULL) != 0)
		goto fail_reply;
	return q;
fail_reply:
	pthread_cond_destroy(&q->reply);
fail_work:
	pthread_cond_destroy(&q->work);
fail_lock:
	pthread_mutex_destroy(&q->lock);
fail:
	xfer_pool_free(q->pool);
	free(q);
	return NULL;
}

void
queue_free(struct queue *q)
{
	struct item *it, *next;
	int started;

	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	raise_cancel(q);
	pthread_cond_broadcast(&q->work);
	pthread_cond_broadcast(&q->reply);
	started = q->started;
	pthread_mutex_unlock(&q->lock);
	if (started)
		pthread_join(q->thread, NULL);
	xfer_pool_free(q->pool);
	fs_free(q->remote);
	fs_free(q->local);
	for (it = q->head; it != NULL; it = next) {
		next = it->next;
		free(it->src);
		free(it->dst);
		free(it);
	}
	pthread_mutex_destroy(&q->jlock);
	pthread_cond_destroy(&q->reply);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

static int
good_path(const char *p)
{
	return p != NULL && p[0] == '/' && strlen(p) < FS_PATH_MAX;
}

static unsigned
add(struct queue *q, enum queue_dir dir, const char *src, const char *dst,
    uint64_t size_hint, int resumed, int replace)
{
	struct item *it;
	unsigned id;

	if (q == NULL || (dir != QUEUE_UPLOAD && dir != QUEUE_DOWNLOAD) ||
	    !good_path(src) || !good_path(dst))
		return 0;
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return 0;
	if ((it->src = strdup(src)) == NULL ||
	    (it->dst = strdup(dst)) == NULL) {
		free(it->src);
		free(it);
		return 0;
	}
	it->dir = dir;
	it->size_hint = size_hint;
	it->state = QUEUE_WAITING;
	it->resumed = resumed;
	it->replace = replace;
	pthread_mutex_lock(&q->lock);
	if (!q->started) {
		if (start(q) < 0) {
			pthread_mutex_unlock(&q->lock);
			free(it->src);
			free(it->dst);
			free(it);
			return 0;
		}
		q->started = 1;
	}
	if (!q->running && first_waiting(q) == NULL)
		q->batch++;	/* new work after the last has ended */
	it->batch = q->batch;
	if (++q->next_id == 0)
		q->next_id = 1;
	id = it->id = q->next_id;
	*q->tailp = it;
	q->tailp = &it->next;
	/* Under lock, so that its end can never be recorded first. */
	pthread_mutex_lock(&q->jlock);
	if (q->journal != NULL)
		(void)journal_added(q->journal, id, dir == QUEUE_UPLOAD,
		    size_hint, src, dst);
	pthread_mutex_unlock(&q->jlock);
	bump(q);
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
	return id;
}

unsigned
queue_add(struct queue *q, enum queue_dir dir, const char *src,
    const char *dst, uint64_t size_hint)
{
	return add(q, dir, src, dst, size_hint, 0, 0);
}

unsigned
queue_add_replacing(struct queue *q, enum queue_dir dir, const char *src,
    const char *dst, uint64_t size_hint)
{
	return add(q, dir, src, dst, size_hint, 0, 1);
}

unsigned
queue_add_resumed(struct queue *q, enum queue_dir dir, const char *src,
    const char *dst, uint64_t size_hint)
{
	return add(q, dir, src, dst, size_hint, 1, 0);
}

void
queue_hold(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->held++;
	pthread_mutex_unlock(&q->lock);
}

void
queue_release(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	if (q->held > 0 && --q->held == 0)
		pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

void
queue_journal(struct queue *q, struct journal *j)
{
	pthread_mutex_lock(&q->lock);
	pthread_mutex_lock(&q->jlock);
	q->journal = j;
	pthread_mutex_unlock(&q->jlock);
	pthread_mutex_unlock(&q->lock);
}

/* Cancels the run under way; lock held. 1 when one was. */
static int
cancel_current(struct queue *q)
{
	struct item *it;

	if (!q->running)
		return 0;
	for (it = q->head; it != NULL; it = it->next)
		if (it->in_run && it->began && !finished(it->state))
			it->cancel_req = 1;
	raise_cancel(q);
	pthread_cond_broadcast(&q->reply);
	bump(q);
	return 1;
}

int
queue_cancel_current(struct queue *q)
{
	int rc;

	pthread_mutex_lock(&q->lock);
	rc = cancel_current(q);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void
queue_cancel_all(struct queue *q)
{
	struct item *it;

	pthread_mutex_lock(&q->lock);
	for (it = q->head; it != NULL; it = it->next)
		if (it->state == QUEUE_WAITING) {
			it->state = QUEUE_CANCELED;
			snprintf(it->message, sizeof(it->message),
			    "canceled before it ran");
			journal_end(q, it);
		}
	(void)cancel_current(q);
	if (!q->running)
		q->have_for_all = 0;
	bump(q);
	pthread_mutex_unlock(&q->lock);
}

int
queue_question(struct queue *q, struct queue_question *out)
{
	int rc;

	pthread_mutex_lock(&q->lock);
	if ((rc = q->asking && !q->answered))
		*out = q->question;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int
queue_answer(struct queue *q, enum xfer_answer ans, int for_all,
    const char *newname)
{
	if (newname == NULL)
		newname = "";
	if (ans == XFER_ANS_RENAME && (strchr(newname, '/') != NULL ||
	    strcmp(newname, ".") == 0 || strcmp(newname, "..") == 0 ||
	    strlen(newname) >= LISTING_NAME_MAX))
		return -1;
	switch (ans) {
	case XFER_ANS_AUTO:
	case XFER_ANS_OVERWRITE:
	case XFER_ANS_RESUME:
	case XFER_ANS_SKIP:
	case XFER_ANS_RENAME:
		break;
	default:
		return -1;
	}
	pthread_mutex_lock(&q->lock);
	if (!q->asking || q->answered) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	q->answer = ans;
	snprintf(q->newname, sizeof(q->newname), "%s",
	    ans == XFER_ANS_RENAME ? newname : "");
	q->answered = 1;
	if (for_all) {
		q->have_for_all = 1;
		q->for_all = ans;
	}
	pthread_cond_broadcast(&q->reply);
	bump(q);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

unsigned
queue_generation(struct queue *q)
{
	unsigned g;

	pthread_mutex_lock(&q->lock);
	g = q->gen;
	pthread_mutex_unlock(&q->lock);
	return g;
}

void
queue_status(struct queue *q, struct queue_status *st)
{
	struct queue_slot_view *v;
	struct item *it;
	uint64_t part;
	size_t i;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&q->lock);
	for (it = q->head; it != NULL; it = it->next) {
		st->items++;
		switch (it->state) {
		case QUEUE_WAITING:
			st->waiting++;
			break;
		case QUEUE_RUNNING:
			st->running++;
			break;
		case QUEUE_DONE:
			st->done++;
			break;
		case QUEUE_SKIPPED:
			st->skipped++;
			break;
		case QUEUE_FAILED:
			st->failed++;
			break;
		case QUEUE_CANCELED:
			st->canceled++;
			break;
		}
		if (it->batch != q->batch)
			continue;	/* the overall bar: this batch only */
		st->batch_items++;
		if (finished(it->state))
			st->batch_ended++;
		if (it->state == QUEUE_CANCELED)
			continue;	/* nor what was canceled */
		st->overall_total = sat_add(st->overall_total, it->size_hint);
		if (finished(it->state))
			st->overall_done = sat_add(st->overall_done,
			    it->size_hint);
	}
	st->asking = q->asking && !q->answered;
	for (i = 0; i < XFER_PARALLEL_MAX; i++) {
		const struct slot *s = &q->slot[i];

		if (s->item == 0)
			continue;
		for (it = q->head; it != NULL && it->id != s->item;
		    it = it->next)
			;
		if (it == NULL)
			continue;
		v = &st->slot[st->nslots++];
		v->id = it->id;
		v->dir = it->dir;
		snprintf(v->file, sizeof(v->file), "%s", s->file);
		snprintf(v->phase, sizeof(v->phase), "%s", s->phase);
		v->done = s->done;
		v->total = s->total;
		v->rate = s->rate;
	}
	for (it = q->head; it != NULL; it = it->next) {
		if (it->state != QUEUE_RUNNING)
			continue;
		if (st->id == 0) {
			/* The first running item, for a one-line panel. */
			st->id = it->id;
			st->dir = it->dir;
			snprintf(st->src, sizeof(st->src), "%s", it->src);
			for (i = 0; i < st->nslots && st->slot[i].id != it->id;
			    i++)
				;
			if (i < st->nslots) {
				snprintf(st->file, sizeof(st->file), "%s",
				    st->slot[i].file);
				snprintf(st->phase, sizeof(st->phase), "%s",
				    st->slot[i].phase);
				st->file_done = st->slot[i].done;
				st->file_total = st->slot[i].total;
				st->rate = st->slot[i].rate;
			}
		}
		if (it->batch != q->batch)
			continue;
		part = it->ended_bytes;
		for (i = 0; i < st->nslots; i++)
			if (st->slot[i].id == it->id)
				part = sat_add(part, st->slot[i].done);
		st->overall_done = sat_add(st->overall_done,
		    part < it->size_hint ? part : it->size_hint);
	}
	snprintf(st->notice, sizeof(st->notice), "%s", q->note);
	st->notice_gen = q->note_gen;
	pthread_mutex_unlock(&q->lock);
}

static void
view(const struct item *it, struct queue_item_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = it->id;
	v->dir = it->dir;
	v->state = it->state;
	snprintf(v->src, sizeof(v->src), "%s", it->src);
	snprintf(v->dst, sizeof(v->dst), "%s", it->dst);
	v->size_hint = it->size_hint;
	snprintf(v->message, sizeof(v->message), "%s", it->message);
	snprintf(v->renamed, sizeof(v->renamed), "%s", it->renamed);
	v->files = it->files;
	v->skipped = it->skipped;
	v->failed = it->failed;
	v->bytes = it->bytes;
	v->verified = it->files > 0 && it->verified == it->files;
}

size_t
queue_items(struct queue *q, struct queue_item_view *out, size_t max,
    size_t first)
{
	struct item *it;
	size_t i = 0, n = 0;

	pthread_mutex_lock(&q->lock);
	for (it = q->head; it != NULL && n < max; it = it->next, i++)
		if (i >= first)
			view(it, &out[n++]);
	pthread_mutex_unlock(&q->lock);
	return n;
}

unsigned
queue_changed(struct queue *q)
{
	unsigned c;

	pthread_mutex_lock(&q->lock);
	c = q->changed;
	q->changed = 0;
	pthread_mutex_unlock(&q->lock);
	return c;
}

int
queue_busy(struct queue *q)
{
	int busy;

	pthread_mutex_lock(&q->lock);
	busy = q->running || first_waiting(q) != NULL;
	pthread_mutex_unlock(&q->lock);
	return busy;
}

void
queue_clear_finished(struct queue *q)
{
	struct item **pp, *it;
	int dropped = 0;

	pthread_mutex_lock(&q->lock);
	pp = &q->head;
	while ((it = *pp) != NULL) {
		if (!finished(it->state)) {
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		free(it->src);
		free(it->dst);
		free(it);
		dropped = 1;
	}
	q->tailp = pp;
	if (dropped)
		bump(q);
	pthread_mutex_unlock(&q->lock);
}

/* ------------------------------------------------------------------ names */

int
queue_next_name(const char *name, char *out, size_t len)
{
	const char *dot, *ext;
	size_t stem, p, digits;
	unsigned long n = 0;
	int w;

	if (name == NULL || *name == '\0' || strchr(name, '/') != NULL)
		return -1;
	/* The last extension; a leading dot starts a name, not one. */
	dot = strrchr(name, '.');
	ext = dot != NULL && dot != name ? dot : name + strlen(name);
	stem = (size_t)(ext - name);
	/* A " (N)" already before it: count on from N. */
	if (stem >= 4 && name[stem - 1] == ')') {
		for (p = stem - 2; p > 0 && name[p] >= '0' && name[p] <= '9';
		    p--)
			;
		digits = stem - 2 - p;
		if (digits >= 1 && digits <= 9 && name[p] == '(' && p >= 1 &&
		    name[p - 1] == ' ') {
			n = strtoul(name + p + 1, NULL, 10);
			stem = p - 1;
		}
	}
	if (stem > INT_MAX)
		return -1;
	w = snprintf(out, len, "%.*s (%lu)%s", (int)stem, name, n + 1, ext);
	if (w < 0 || (size_t)w >= len)
		return -1;
	return 0;
}
