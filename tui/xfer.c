/*
 * xfer: the transfer engine; see xfer.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/hash.h"
#include "proto/hashpipe.h"
#include "proto/util.h"
#include "tui/parts.h"
#include "tui/xfer.h"

#define XFER_BUF	(256 * 1024)
#define PROGRESS_EVERY	0.1		/* seconds between progress calls */

struct crew;

/*
 * What a folder's listing already said of a file's target, so that it is
 * not asked again file by file (an MLST per file is a round trip each).
 */
enum hint_kind {
	HINT_ASK,		/* nothing known: stat it */
	HINT_ABSENT,		/* not in the target folder's listing, or the
				   folder was just made */
	HINT_ENTRY,		/* this entry */
};

struct hint {
	enum hint_kind		 kind;
	struct listing_entry	 e;
};

struct job {
	struct fs		*src;
	struct fs		*dst;
	const struct xfer_opts	*o;
	struct xfer_stats	*st;
	struct crew		*crew;		/* parallel: the files shared out */
	unsigned		 slot;		/* the login this job moves on */
	const char		*algo;		/* both sides hash with it */
	char			*buf;
	int			 failed;
	char			 err[1024];	/* the first failure */
	char			 hash_err[512];	/* why a checksum of this file
						   could not be had, or "" */
};

static int
canceled(const struct job *j)
{
	/* Raised by another thread (the screen's): read atomically. */
	return (j->src->cancel != NULL &&
	    __atomic_load_n(j->src->cancel, __ATOMIC_RELAXED)) ||
	    (j->dst->cancel != NULL &&
	    __atomic_load_n(j->dst->cancel, __ATOMIC_RELAXED));
}

/*
 * A folder copied by several logins at once: the walk (on the caller's
 * pair) queues its files, and every login takes the next one when free.
 */
struct task {
	struct task		*next;
	struct listing_entry	 e;
	struct hint		 hint;
	char			 src[FS_PATH_MAX];
	char			 dst[FS_PATH_MAX];
};

struct crew {
	pthread_mutex_t		 lock;		/* the tasks, walked */
	pthread_cond_t		 more;
	struct task		*head;
	struct task		**tail;
	int			 walked;	/* no more tasks will come */
	pthread_mutex_t		 cb;		/* one callback at a time */
	struct xfer_pool	*pool;
};

struct xfer_pool {
	unsigned		 n;		/* logins wanted in all */
	int			 refused;	/* one was: ask for no more */
	xfer_open_pair		 open;
	void			*arg;
	pthread_mutex_t		 lock;		/* refused, why */
	char			 why[512];	/* the first refusal */
	int			 told;		/* the refusal was said */
	struct fs		*remote[XFER_PARALLEL_MAX];	/* [0] unused;
							   set under lock */
	struct fs		*local[XFER_PARALLEL_MAX];
	/* Logins opened ahead (xfer_pool_warm()), joined before use. */
	pthread_t		 warm_tid[XFER_PARALLEL_MAX];
	int			 warming[XFER_PARALLEL_MAX];
	/* Connections made ahead (xfer_pool_connect()) wait here before
	 * they log in: 0 held, 1 wanted, -1 not wanted. Under lock. */
	int			 gate;
	pthread_cond_t		 gate_cv;
};

static void
cb_lock(struct job *j)
{
	if (j->crew != NULL)
		pthread_mutex_lock(&j->crew->cb);
}

static void
cb_unlock(struct job *j)
{
	if (j->crew != NULL)
		pthread_mutex_unlock(&j->crew->cb);
}

static void
event(struct job *j, enum xfer_event ev, const char *src, const char *dst,
    const char *msg)
{
	if (j->o->event == NULL)
		return;
	cb_lock(j);
	j->o->event(j->o->arg, ev, src, dst, msg);
	cb_unlock(j);
}

/* 1 when path p ends with the path tail t at a component boundary. */
static int
ends_with_path(const char *p, size_t n, const char *t)
{
	size_t tn = strlen(t);

	while (tn > 0 && t[0] == '/' && n > 0 && p[0] != '/') {
		t++;		/* "/a" is the tail of "a" too */
		tn--;
	}
	if (tn == 0 || tn > n || memcmp(p + n - tn, t, tn) != 0)
		return 0;
	return tn == n || p[n - tn - 1] == '/' || t[0] == '/';
}

/*
 * why without a leading "PATH: " that names src or dst again (a file
 * system's reason starts with the path it failed on, and every message
 * already says which file it is about).
 */
static const char *
reason(const char *why, const char *src, const char *dst)
{
	const char *p;

	for (p = strstr(why, ": "); p != NULL; p = strstr(p + 1, ": "))
		if (ends_with_path(why, (size_t)(p - why), src) ||
		    ends_with_path(why, (size_t)(p - why), dst))
			return p + 2;
	return why;
}

/* Counts a failed file, keeping the first reason. Returns rc. */
static int
failed(struct job *j, int rc, const char *src, const char *dst,
    const char *why)
{
	why = reason(why, src, dst);
	if (rc == FS_CANCELED) {
		event(j, XFER_EV_CANCELED, src, dst, why);
		return rc;
	}
	j->st->failed++;
	if (!j->failed) {
		j->failed = 1;
		set_err(j->err, sizeof(j->err), "%s: %s", src, why);
	}
	event(j, XFER_EV_FAILED, src, dst, why);
	return rc;
}

/*
 * The algorithm both sides hash with: the remote side's choice (a server
 * computes only what it offers; the local side computes anything).
 */
static const char *
common_algo(const struct fs *a, const struct fs *b)
{
	if (!(a->flags & FS_HAS_HASH) || !(b->flags & FS_HAS_HASH))
		return NULL;
	if (strcmp(a->kind, "remote") == 0 && a->hash_algo != NULL)
		return a->hash_algo;
	if (b->hash_algo != NULL)
		return b->hash_algo;
	return a->hash_algo;
}

/* Whole-file (or [0, end)) digest into hex, or NULL when not to be had. */
static const char *
digest(struct job *j, struct fs *fs, const char *path, uint64_t end,
    char *hex, size_t len)
{
	char err[512];
	int rc;

	if (j->algo == NULL)
		return NULL;
	rc = fs_hash(fs, path, j->algo, 0, end, hex, len, err, sizeof(err));
	if (rc == FS_OK)
		return hex;
	/* Not offered is no news; a failure is worth telling. */
	if (rc != FS_NOTSUP && j->hash_err[0] == '\0')
		snprintf(j->hash_err, sizeof(j->hash_err), "%s", err);
	return NULL;
}

static void
progress(struct job *j, const char *src, const char *dst, uint64_t done,
    uint64_t total, uint64_t offset, double started)
{
	struct xfer_progress p;
	double el = now_mono() - started;

	if (j->o->progress == NULL)
		return;
	p.src = src;
	p.dst = dst;
	p.done = done;
	p.total = total;
	p.offset = offset;
	p.rate = el > 0 ? (double)(done - offset) / el : 0;
	p.phase = NULL;
	p.slot = j->slot;
	cb_lock(j);
	j->o->progress(j->o->arg, &p);
	cb_unlock(j);
}

/* Tells the progress callback that phase (see xfer.h) begins for src. */
static void
progress_phase(struct job *j, const char *src, const char *dst,
    uint64_t total, const char *phase)
{
	struct xfer_progress p;

	if (j->o->progress == NULL)
		return;
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.dst = dst;
	p.total = total;
	p.phase = phase;
	p.slot = j->slot;
	cb_lock(j);
	j->o->progress(j->o->arg, &p);
	cb_unlock(j);
}

/* The buffers of the hashing thread, each one read's worth. */
#define PIPE_BUFS	8

/*
 * Moves the bytes from offset on. With the job's algorithm, what moves is
 * hashed on a thread beside the transfer (proto/hashpipe.h) into streamed
 * ("" otherwise): the digest of exactly what was read and written, so
 * that one side's own digest afterwards is enough to verify it. A resumed
 * transfer (offset > 0) whose local side holds the kept part (the target
 * of a download, the source of an upload) hashes that part from the local
 * file first, while the rest arrives: streamed is then the whole file's.
 * Returns FS_OK, or the FS_* code with the reason in err.
 */
static int
transfer(struct job *j, const char *sp, const char *dp, uint64_t offset,
    uint64_t total, char *streamed, size_t slen, char *err, size_t errlen)
{
	struct fs_file *in, *out;
	struct hashpipe *hp = NULL;
	const struct hash_alg *alg = hash_find(j->algo);
	char e2[512], *buf = j->buf;
	uint64_t done = offset;
	double started = now_mono(), last = 0, t;
	ssize_t n;
	int rc = FS_OK, code = FS_ERR, kept = -1;

	streamed[0] = '\0';
	if ((in = fs_open(j->src, sp, FS_RDONLY, offset, &code, err,
	    errlen)) == NULL)
		return code;
	if ((out = fs_open(j->dst, dp, FS_WRONLY, offset, &code, err,
	    errlen)) == NULL) {
		(void)fs_close(in, 1, e2, sizeof(e2));
		return code;
	}
	if (offset > 0 && (kept = fs_local_fd(out)) == -1)
		kept = fs_local_fd(in);
	if (alg != NULL && (offset == 0 || kept != -1) &&
	    (hp = hashpipe_new(alg, PIPE_BUFS, XFER_BUF)) != NULL &&
	    offset > 0)
		hashpipe_file(hp, kept, 0, offset);
	progress(j, sp, dp, done, total, offset, started);
	for (;;) {
		if (hp != NULL)
			buf = hashpipe_buf(hp);
		n = fs_read(in, buf, XFER_BUF, err, errlen);
		if (n == 0)
			break;
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if ((rc = fs_write(out, buf, (size_t)n, err, errlen)) !=
		    FS_OK)
			break;
		if (hp != NULL)
			hashpipe_put(hp, (size_t)n);
		done += (uint64_t)n;
		j->st->bytes += (uint64_t)n;
		if ((t = now_mono()) - last >= PROGRESS_EVERY) {
			last = t;
			progress(j, sp, dp, done, total, offset, started);
		}
	}
	if (rc != FS_OK) {
		/* Both ends given up; what arrived stays for a resume. */
		hashpipe_abandon(hp);
		(void)fs_close(in, 1, e2, sizeof(e2));
		(void)fs_close(out, 1, e2, sizeof(e2));
		return rc;
	}
	/* The digest is complete before the file is closed (the kept part
	 * is read through its descriptor). */
	if (hp != NULL && hashpipe_end(hp, streamed, slen) < 0)
		streamed[0] = '\0';
	/* The source's verdict first (a download's 226), then the target's
	 * (an upload's 226). */
	if ((rc = fs_close(in, 0, err, errlen)) != FS_OK) {
		streamed[0] = '\0';
		(void)fs_close(out, 1, e2, sizeof(e2));
		return rc;
	}
	if ((rc = fs_close(out, 0, err, errlen)) != FS_OK) {
		streamed[0] = '\0';
		return rc;
	}
	progress(j, sp, dp, done, total, offset, started);
	return FS_OK;
}

/* Asks the conflict callback; may change *dec, *off and dp. */
static int
ask(struct job *j, const char *sp, char *dp, size_t dplen,
    const struct listing_entry *se, const struct listing_entry *de,
    int prefix, enum xfer_decision *dec, uint64_t *off)
{
	char newname[LISTING_NAME_MAX], dir[FS_PATH_MAX];
	enum xfer_answer a;

	newname[0] = '\0';
	cb_lock(j);
	a = j->o->conflict(j->o->arg, sp, dp, se, de, *dec, prefix, newname,
	    sizeof(newname));
	cb_unlock(j);
	switch (a) {
	case XFER_ANS_AUTO:
		return 0;
	case XFER_ANS_OVERWRITE:
		*dec = XFER_DECIDE_OVERWRITE;
		*off = 0;
		return 0;
	case XFER_ANS_RESUME:
		if (de->have_size && se->have_size && de->size > 0 &&
		    de->size < se->size && prefix != XFER_PREFIX_DIFFERS) {
			*dec = XFER_DECIDE_RESUME;
			*off = de->size;
		} else {
			*dec = XFER_DECIDE_OVERWRITE;
			*off = 0;
		}
		return 0;
	case XFER_ANS_SKIP:
		*dec = XFER_DECIDE_SKIP;
		return 0;
	case XFER_ANS_RENAME:
		if (newname[0] == '\0' || strchr(newname, '/') != NULL ||
		    fs_join(fs_dirname(dp, dir, sizeof(dir)), newname, dp,
		    dplen) < 0)
			return failed(j, FS_ERR, sp, dp, "bad new name");
		return 1;	/* look at the new target again */
	}
	return 0;
}

/*
 * 1 when a resume may start at once and check the kept part afterwards:
 * a download into a local file that nobody is asked about. The whole
 * file's digest (the kept part hashed from the disk while the rest
 * arrives) against the server's HASH then proves the kept part was the
 * source's beginning; when it does not, cut_back() puts the target back
 * as it was before anything is sent again. An upload cannot be put back
 * (a server has no truncate), and the screen's conflict question needs
 * the answer before it asks, so both check first.
 */
static int
splice_then_check(const struct job *j)
{
	return j->o->conflict == NULL && strcmp(j->src->kind, "remote") == 0 &&
	    strcmp(j->dst->kind, "local") == 0;
}

/* Cuts the local target dp back to its first len bytes. */
static int
cut_back(struct job *j, const char *dp, uint64_t len, char *err,
    size_t errlen)
{
	struct fs_file *h;
	int code = FS_ERR;

	/* Opening to resume at len is exactly that cut. */
	if ((h = fs_open(j->dst, dp, FS_WRONLY, len, &code, err, errlen)) ==
	    NULL)
		return code;
	return fs_close(h, 0, err, errlen);
}

/*
 * A big download in ranges over the pool's logins (see xfer.h): each
 * range is REST + RETR, stopped at its end; every login writes its bytes
 * with pwrite() into the one target; the plan and how far each range got
 * are kept beside the target (tui/parts.h) so that an interrupted
 * download resumes every range where it stopped.
 */
#define SEGMENT_MIN	(32ULL << 20)	/* smaller files go whole */
#define PARTS_SAVE_EVERY (8ULL << 20)	/* bytes between saves of the plan */

static int pool_pair(struct job *);

struct segs {
	pthread_mutex_t		 lock;		/* all below */
	struct parts		 plan;
	unsigned		 next;		/* the next range to take */
	int			 fd;		/* the target, for pwrite() */
	char			 state[FS_PATH_MAX + 32];	/* the plan's file */
	uint64_t		 unsaved;	/* bytes since the last save */
	uint64_t		 moved;		/* over the wire, every login */
	uint64_t		 offset;	/* done before this run */
	double			 started, last;
	int			 failed;
	int			 code;		/* the first failure's FS_* */
	char			 err[1024];
	const char		*sp, *dp;
	struct job		*main;
	/* The digest of the whole, hashed from the target on a thread as
	 * its beginning fills (segs_hasher()). */
	pthread_cond_t		 grew;		/* done moved on, or all ended */
	int			 ended;		/* no more will come */
	int			 rfd;		/* the target, to read */
	const struct hash_alg	*alg;
	char			 hex[HASH_HEX_MAX];	/* "" unless complete */
};

/* The bytes from 0 that are all on the target. Lock held. */
static uint64_t
segs_prefix(const struct segs *g)
{
	uint64_t x = 0;
	unsigned i;
	int moved = 1;

	while (moved) {
		moved = 0;
		for (i = 0; i < g->plan.n; i++)
			if (g->plan.r[i].start == x && g->plan.r[i].done > 0) {
				x += g->plan.r[i].done;
				moved = g->plan.r[i].done == g->plan.r[i].end -
				    g->plan.r[i].start;
				break;
			}
	}
	return x;
}

/*
 * Hashes the target from its start as far as it is filled, following the
 * ranges, so that the whole file's digest is ready (nearly) when its last
 * byte arrives rather than read again afterwards.
 */
static void *
segs_hasher(void *arg)
{
	struct segs *g = arg;
	struct hash_ctx *h = hash_begin(g->alg);
	uint64_t at = 0, to;
	char *buf = malloc(XFER_BUF);
	int ended;

	if (h == NULL || buf == NULL)
		goto out;
	for (;;) {
		pthread_mutex_lock(&g->lock);
		while ((to = segs_prefix(g)) == at && !g->ended)
			pthread_cond_wait(&g->grew, &g->lock);
		ended = g->ended;
		pthread_mutex_unlock(&g->lock);
		if (to > at && hash_update_fd(h, g->rfd, at, to, buf, XFER_BUF,
		    NULL) < 0)
			goto out;
		at = to;
		if (ended && to == at) {
			pthread_mutex_lock(&g->lock);
			to = segs_prefix(g);
			pthread_mutex_unlock(&g->lock);
			if (to != at)
				continue;
			break;
		}
	}
	if (at == g->plan.size && hash_end(h, g->hex, sizeof(g->hex)) == 0)
		h = NULL;
out:
	hash_abandon(h);
	free(buf);
	return NULL;
}

/* Writes the plan's file (a new one renamed over the old). Lock held. */
static void
segs_save(struct segs *g)
{
	char text[PARTS_TEXT_MAX], tmp[sizeof(g->state) + 8];
	int n = parts_format(&g->plan, text, sizeof(text)), fd;

	g->unsaved = 0;
	snprintf(tmp, sizeof(tmp), "%s.new", g->state);
	if (n < 0 || (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return;
	if (write(fd, text, (size_t)n) != n || close(fd) != 0 ||
	    rename(tmp, g->state) != 0)
		(void)unlink(tmp);
}

/* The plan kept for a target of this source, if there is a valid one. */
static int
segs_load(const char *state, const struct listing_entry *se,
    struct parts *out)
{
	char text[PARTS_TEXT_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = open(state, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	if (parts_parse(text, out) < 0 || out->size != se->size ||
	    (se->have_mtime && out->mtime != 0 &&
	    out->mtime != (int64_t)se->mtime))
		return -1;
	return 0;
}

static void
segs_fail(struct segs *g, int code, const char *why)
{
	pthread_mutex_lock(&g->lock);
	if (!g->failed) {
		g->failed = 1;
		g->code = code;
		snprintf(g->err, sizeof(g->err), "%s", why);
	}
	pthread_mutex_unlock(&g->lock);
}

/* Moves what is left of range i over w's login. FS_OK or FS_*. */
static int
segs_range(struct job *w, struct segs *g, unsigned i, char *err,
    size_t errlen)
{
	struct parts_range *r = &g->plan.r[i];
	struct fs_file *in;
	uint64_t at, end;
	int last, code = FS_ERR, rc = FS_OK;
	ssize_t n, put;
	size_t m;
	double t;

	pthread_mutex_lock(&g->lock);
	at = r->start + r->done;
	end = r->end;
	last = end == g->plan.size;
	pthread_mutex_unlock(&g->lock);
	if (at >= end)
		return FS_OK;
	if ((in = fs_open(w->src, g->sp, FS_RDONLY, at, &code, err,
	    errlen)) == NULL)
		return code;
	for (;;) {
		n = fs_read(in, w->buf, XFER_BUF, err, errlen);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0) {
			if (at < end) {
				set_err(err, errlen, "the file ended at %llu "
				    "bytes, before %llu", (unsigned long long)at,
				    (unsigned long long)end);
				rc = FS_ERR;
			}
			break;
		}
		m = (uint64_t)n > end - at ? (size_t)(end - at) : (size_t)n;
		for (put = 0; (size_t)put < m; ) {
			ssize_t k = pwrite(g->fd, w->buf + put, m - (size_t)put,
			    (off_t)(at + (uint64_t)put));

			if (k < 0) {
				set_err(err, errlen, "%s: %s", g->dp,
				    strerror(errno));
				rc = FS_ERR;
				break;
			}
			put += k;
		}
		if (rc != FS_OK)
			break;
		at += m;
		pthread_mutex_lock(&g->lock);
		/* Another login may have taken the end of this range meanwhile
		 * (segs_take()): what was written past it is the same bytes. */
		end = r->end;
		last = end == g->plan.size;
		if (at > end) {
			m -= (size_t)(at - end);
			at = end;
		}
		r->done = at - r->start;
		pthread_cond_signal(&g->grew);
		g->moved += m;
		w->st->bytes += m;
		g->unsaved += m;
		if (g->unsaved >= PARTS_SAVE_EVERY)
			segs_save(g);
		t = now_mono();
		if (t - g->last >= PROGRESS_EVERY) {
			uint64_t done = parts_done(&g->plan);

			g->last = t;
			pthread_mutex_unlock(&g->lock);
			progress(g->main, g->sp, g->dp, done, g->plan.size,
			    g->offset, g->started);
		} else
			pthread_mutex_unlock(&g->lock);
		if (at >= end && !last)
			break;		/* the range's end: no more wanted */
	}
	if (rc != FS_OK) {
		char e2[256];

		(void)fs_close(in, 1, e2, sizeof(e2));
		return rc;
	}
	if (last)
		return fs_close(in, 0, err, errlen);
	/* Stopped before the file's end: ABOR, which says "canceled". */
	(void)fs_close(in, 1, err, errlen);
	return canceled(w) ? FS_CANCELED : FS_OK;
}

#define STEAL_MIN	(4ULL << 20)	/* no range is split below this */

/*
 * None left to take: the range with the most still to come gives its
 * second half to the caller, so that every login ends at about the same
 * time however late it began. Its index, or plan.n. Lock held.
 */
static unsigned
segs_steal(struct segs *g)
{
	uint64_t most = 0, left;
	unsigned i, best = g->plan.n;
	int k;

	for (i = 0; i < g->plan.n; i++) {
		left = g->plan.r[i].end - g->plan.r[i].start -
		    g->plan.r[i].done;
		if (left > most) {
			most = left;
			best = i;
		}
	}
	if (best == g->plan.n ||
	    (k = parts_split(&g->plan, best, STEAL_MIN)) < 0)
		return g->plan.n;
	g->next = g->plan.n;
	return (unsigned)k;
}

/* Takes ranges until none is left (or one failed). */
static void
segs_take(struct job *w, struct segs *g)
{
	char err[1024];
	unsigned i;
	int rc, tries;

	for (;;) {
		pthread_mutex_lock(&g->lock);
		if (g->failed || canceled(w))
			i = g->plan.n;
		else if ((i = g->next) < g->plan.n)
			g->next++;
		else
			i = segs_steal(g);
		pthread_mutex_unlock(&g->lock);
		if (i >= g->plan.n)
			return;
		for (tries = 0; ; tries++) {
			err[0] = '\0';
			rc = segs_range(w, g, i, err, sizeof(err));
			/* A dropped connection: the next call mends it, and
			 * the range goes on from where it got. */
			if (rc == FS_ERR && (w->src->lost || w->dst->lost) &&
			    tries < 2 && !canceled(w)) {
				w->src->lost = w->dst->lost = 0;
				continue;
			}
			break;
		}
		if (rc != FS_OK) {
			segs_fail(g, rc, err);
			return;
		}
	}
}

struct seg_worker {
	struct job	 w;
	struct segs	*g;
	struct xfer_stats st;
};

static void *
seg_thread(void *arg)
{
	struct seg_worker *sw = arg;

	if (pool_pair(&sw->w) < 0 || (sw->w.buf = malloc(XFER_BUF)) == NULL)
		return NULL;
	segs_take(&sw->w, sw->g);
	free(sw->w.buf);
	sw->w.buf = NULL;
	return NULL;
}

/* 1 when the file goes in ranges: see copy_file(). */
static int
segmentable(const struct job *j, const struct listing_entry *se)
{
	return j->crew == NULL && j->o->pool != NULL &&
	    strcmp(j->src->kind, "remote") == 0 &&
	    strcmp(j->dst->kind, "local") == 0 &&
	    (j->src->flags & FS_HAS_REST) && se->have_size &&
	    se->size >= SEGMENT_MIN && xfer_pool_size(j->o->pool) > 1;
}

/*
 * Downloads sp into dp (target: its absolute path) in ranges: from
 * nothing (kept NULL), or going on with the plan kept beside an
 * interrupted one, whose target holds have bytes. FS_OK once every range
 * is on the target (the plan's file, state, is then removed; the caller
 * verifies the whole against hex, the target's digest by the job's
 * algorithm, or "" when it could not be had), else the FS_* code with the
 * reason in err and the plan kept for the next try.
 */
static int
segmented(struct job *j, const char *sp, const char *dp,
    const struct listing_entry *se, const struct parts *kept, uint64_t have,
    const char *target, const char *state, char *hex, size_t hexlen,
    char *err, size_t errlen)
{
	pthread_t hasher;
	int hashing = 0;
	struct xfer_pool *p = j->o->pool;
	struct seg_worker sw[XFER_PARALLEL_MAX];
	pthread_t tid[XFER_PARALLEL_MAX];
	int started[XFER_PARALLEL_MAX], rc, code = FS_ERR;
	unsigned n = xfer_pool_size(p), i;
	struct fs_file *out;
	struct crew c;
	struct segs g;

	memset(&g, 0, sizeof(g));
	if (kept != NULL)
		g.plan = *kept;
	else if (parts_plan(&g.plan, se->size, se->have_mtime ?
	    (int64_t)se->mtime : 0, n) < 0) {
		set_err(err, errlen, "cannot plan the ranges");
		return FS_ERR;
	}
	/* Opening at what the target holds keeps every range's bytes. */
	if ((out = fs_open(j->dst, dp, FS_WRONLY, kept != NULL ? have : 0,
	    &code, err, errlen)) == NULL)
		return code;
	g.fd = fs_local_wfd(out);
	snprintf(g.state, sizeof(g.state), "%s", state);
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.grew, NULL);
	hex[0] = '\0';
	g.alg = j->algo != NULL ? hash_find(j->algo) : NULL;
	/* The target, read as it fills. */
	g.rfd = g.alg != NULL ? open(target, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW) : -1;
	if (g.rfd >= 0)
		hashing = pthread_create(&hasher, NULL, segs_hasher, &g) == 0;
	g.sp = sp;
	g.dp = dp;
	g.main = j;
	g.offset = parts_done(&g.plan);
	g.started = now_mono();
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.cb, NULL);
	c.pool = p;
	j->crew = &c;
	pthread_mutex_lock(&g.lock);
	segs_save(&g);
	pthread_mutex_unlock(&g.lock);
	progress(j, sp, dp, g.offset, se->size, g.offset, g.started);
	for (i = 1; i < n && i < g.plan.n; i++) {
		sw[i].w = *j;
		sw[i].w.slot = i;
		memset(&sw[i].st, 0, sizeof(sw[i].st));
		sw[i].w.st = &sw[i].st;
		sw[i].w.buf = NULL;
		sw[i].g = &g;
		started[i] = pthread_create(&tid[i], NULL, seg_thread,
		    &sw[i]) == 0;
	}
	segs_take(j, &g);
	for (i = 1; i < n && i < g.plan.n; i++)
		if (started[i]) {
			pthread_join(tid[i], NULL);
			j->st->bytes += sw[i].st.bytes;
		}
	pthread_mutex_lock(&g.lock);
	g.ended = 1;
	pthread_cond_signal(&g.grew);
	pthread_mutex_unlock(&g.lock);
	if (hashing)
		pthread_join(hasher, NULL);
	if (g.rfd >= 0)
		close(g.rfd);
	j->crew = NULL;
	pthread_mutex_destroy(&c.cb);
	if (!g.failed && canceled(j)) {
		g.failed = 1;
		g.code = FS_CANCELED;
		snprintf(g.err, sizeof(g.err), "canceled");
	}
	rc = fs_close(out, g.failed, err, errlen);
	if (!g.failed && rc == FS_OK && parts_complete(&g.plan)) {
		(void)unlink(state);
		snprintf(hex, hexlen, "%s", g.hex);
	}
	else {
		segs_save(&g);
		if (g.failed) {
			rc = g.code;
			set_err(err, errlen, "%s (%llu of %llu bytes kept; "
			    "get it again to go on)", g.err,
			    (unsigned long long)parts_done(&g.plan),
			    (unsigned long long)g.plan.size);
		} else if (rc == FS_OK) {
			rc = FS_ERR;
			set_err(err, errlen, "not every range arrived");
		}
	}
	progress(j, sp, dp, parts_done(&g.plan), se->size, g.offset,
	    g.started);
	pthread_cond_destroy(&g.grew);
	pthread_mutex_destroy(&g.lock);
	return rc;
}

/*
 * Gives the target dp the source's modification time, when it is known to
 * the second: from the source's entry where its side lists times so
 * (FS_EXACT_TIMES), else asked of that side (a server's MDTM). A side
 * that has no way to tell or to set a time is no news; a time set that
 * fails fails nothing either, but note (len bytes) then says why, to be
 * added to the file's message ("" otherwise).
 */
static void
keep_time(struct job *j, const char *sp, const char *dp,
    const struct listing_entry *se, char *note, size_t len)
{
	char err[512];
	time_t t;
	int rc;

	note[0] = '\0';
	if (se->have_mtime && (j->src->flags & FS_EXACT_TIMES))
		t = se->mtime;
	else if (fs_gettime(j->src, sp, &t, err, sizeof(err)) != FS_OK)
		return;
	rc = fs_settime(j->dst, dp, t, err, sizeof(err));
	if (rc != FS_OK && rc != FS_NOTSUP)
		snprintf(note, len, "; time not kept: %s", reason(err, sp, dp));
}

static int
copy_file(struct job *j, const char *sp, const char *dpath,
    const struct listing_entry *se, const struct hint *h)
{
	struct listing_entry de, after;
	struct xfer_side s, d;
	enum xfer_decision dec, prev = XFER_DECIDE_FRESH;
	enum xfer_verdict v;
	char dp[FS_PATH_MAX], err[1024], shex[HASH_HEX_MAX], dhex[HASH_HEX_MAX];
	char phex[HASH_HEX_MAX], streamed[HASH_HEX_MAX], msg[1700], why[256];
	char abs[FS_PATH_MAX], state[FS_PATH_MAX + 32], tnote[600];
	struct parts kept;
	uint64_t off = 0;
	int rc, asks = 0, again = 0, user_skip = 0, prefix, tried;
	int optimistic = 0;
	const char *far;

	snprintf(dp, sizeof(dp), "%s", dpath);
	why[0] = '\0';
	j->hash_err[0] = '\0';
look:
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.exists = 1;
	s.have_size = se->have_size;
	s.size = se->size;
	if (h != NULL && h->kind == HINT_ABSENT)
		rc = FS_NOENT;
	else if (h != NULL && h->kind == HINT_ENTRY && h->e.type ==
	    LISTING_FILE && h->e.have_size) {
		de = h->e;
		rc = FS_OK;
	} else
		rc = fs_stat(j->dst, dp, &de, err, sizeof(err));
	h = NULL;		/* a second look (a new name, a retry) asks */
	if (rc != FS_OK && rc != FS_NOENT)
		return failed(j, rc, sp, dp, err);
	if (rc == FS_OK && de.type == LISTING_DIR)
		return failed(j, FS_ERR, sp, dp, "the target is a folder");
	d.exists = rc == FS_OK;
	d.have_size = d.exists && de.have_size;
	d.size = de.size;
	if (!again && segmentable(j, se) && (dp[0] == '/' ?
	    snprintf(abs, sizeof(abs), "%s", dp) >= (int)sizeof(abs) :
	    fs_join(fs_cwd(j->dst), dp, abs, sizeof(abs)) < 0) == 0 &&
	    parts_path(abs, state, sizeof(state)) == 0) {
		/* A big download goes in ranges: a new one, or one that an
		 * interruption left with its plan beside it. */
		int going_on = d.exists && d.have_size && de.size <= se->size &&
		    segs_load(state, se, &kept) == 0;

		if (going_on || !d.exists) {
			rc = segmented(j, sp, dp, se, going_on ? &kept : NULL,
			    de.size, abs, state, streamed, sizeof(streamed),
			    err, sizeof(err));
			if (rc != FS_OK)
				return failed(j, rc, sp, dp, err);
			off = going_on ? de.size : 0;
			snprintf(why, sizeof(why), "; in ranges over %u "
			    "connections", xfer_pool_size(j->o->pool));
			goto moved;
		}
	}
	if (d.exists && s.have_size && d.have_size && s.size == d.size) {
		if (j->algo != NULL)
			progress_phase(j, sp, dp, s.size, "comparing");
		s.hash = digest(j, j->src, sp, UINT64_MAX, shex, sizeof(shex));
		if (s.hash != NULL)
			d.hash = digest(j, j->dst, dp, UINT64_MAX, dhex,
			    sizeof(dhex));
	}
	dec = resume_decide(&s, &d, j->o->resume_flags, &off);
	prefix = XFER_PREFIX_UNCHECKED;
	tried = 0;
	if (dec == XFER_DECIDE_RESUME && off > 0 && j->algo != NULL &&
	    !(again && prev == XFER_DECIDE_OVERWRITE) && splice_then_check(j))
		tried = optimistic = 1;
	else if (dec == XFER_DECIDE_RESUME && off > 0 && j->algo != NULL &&
	    !(again && prev == XFER_DECIDE_OVERWRITE)) {
		/* Is the target the source's beginning? Sizes alone cannot
		 * tell a partial copy from another file; and the question
		 * below must not offer a resume that would not happen. */
		const char *p;
		const char *t;

		progress_phase(j, sp, dp, s.size, "comparing");
		p = digest(j, j->src, sp, off, phex, sizeof(phex));
		t = digest(j, j->dst, dp, UINT64_MAX, dhex, sizeof(dhex));
		tried = 1;
		if (p != NULL && t != NULL)
			prefix = resume_prefix_ok(p, t) ? XFER_PREFIX_SAME :
			    XFER_PREFIX_DIFFERS;
		if (prefix == XFER_PREFIX_DIFFERS) {
			dec = XFER_DECIDE_OVERWRITE;
			off = 0;
			snprintf(why, sizeof(why), "; the partial copy "
			    "differed, so all of it was sent again");
		}
	}
	if (again && prev == XFER_DECIDE_OVERWRITE) {
		/* Going on after a dropped connection: what was decided
		 * stands (a replacement left the old file as it was). */
		dec = XFER_DECIDE_OVERWRITE;
		off = 0;
	} else if (d.exists && j->o->conflict != NULL && !again) {
		enum xfer_decision suggested = dec;

		if ((rc = ask(j, sp, dp, sizeof(dp), se, &de, prefix, &dec,
		    &off)) < 0)
			return rc;
		if (rc > 0) {
			/* A new name: is it free? Never write over one that
			 * is not, however many names were tried. */
			why[0] = '\0';
			if (++asks < 16)
				goto look;
			return failed(j, FS_ERR, sp, dp, "no free name after "
			    "16 tries");
		}
		user_skip = dec == XFER_DECIDE_SKIP &&
		    suggested != XFER_DECIDE_SKIP;
	}
	if (dec == XFER_DECIDE_RESUME && !tried && off > 0 &&
	    j->algo != NULL) {
		/* A resume the rules did not suggest: the same check. */
		const char *p = digest(j, j->src, sp, off, phex, sizeof(phex));
		const char *t = digest(j, j->dst, dp, UINT64_MAX, dhex,
		    sizeof(dhex));

		if (!resume_prefix_ok(p, t)) {
			dec = XFER_DECIDE_OVERWRITE;
			off = 0;
			snprintf(why, sizeof(why), "; the partial copy "
			    "differed, so all of it was sent again");
		}
	}
	if (dec == XFER_DECIDE_SKIP) {
		j->st->skipped++;
		event(j, XFER_EV_SKIPPED, sp, dp, user_skip ?
		    "the target exists (kept as it is)" : s.hash != NULL &&
		    d.hash != NULL ? "identical (same size and checksum)" :
		    d.exists ? "identical (same size)" : "skipped");
		return FS_OK;
	}
	prev = dec;
send:
	rc = transfer(j, sp, dp, off, s.have_size ? s.size : 0, streamed,
	    sizeof(streamed), err, sizeof(err));
	if (rc != FS_OK) {
		/* A dropped connection is mended by the next call; one more
		 * go resumes from what arrived. */
		if (rc == FS_ERR && (j->src->lost || j->dst->lost) &&
		    !again++ && !canceled(j)) {
			j->src->lost = j->dst->lost = 0;
			goto look;
		}
		return failed(j, rc, sp, dp, err);
	}
moved:
	j->st->files++;
	if (off > 0)
		j->st->resumed++;
	if (!j->o->verify) {
		keep_time(j, sp, dp, se, tnote, sizeof(tnote));
		snprintf(msg, sizeof(msg), "not verified%s%s", why, tnote);
		event(j, XFER_EV_DONE, sp, dp, msg);
		return FS_OK;
	}
	memset(&d, 0, sizeof(d));
	if (j->algo != NULL)
		progress_phase(j, sp, dp, s.have_size ? s.size : 0,
		    "verifying");
	far = NULL;
	if (j->algo != NULL && streamed[0] != '\0') {
		/* What went by was hashed on the way: the far side's own
		 * digest of what it holds now tells whether it all arrived
		 * (an upload) or all left (a download) intact. */
		int ask_dst = strcmp(j->dst->kind, "remote") == 0 ||
		    strcmp(j->src->kind, "remote") != 0;

		far = ask_dst ?
		    digest(j, j->dst, dp, UINT64_MAX, dhex, sizeof(dhex)) :
		    digest(j, j->src, sp, UINT64_MAX, shex, sizeof(shex));
		s.hash = far == NULL ? NULL : ask_dst ? streamed : far;
		d.hash = far == NULL ? NULL : ask_dst ? far : streamed;
	}
	if (far == NULL || strcmp(j->dst->kind, "local") == 0) {
		/* Sizes too, unless the digests settle it and asking would
		 * cost a round trip (a server's MLST). */
		rc = fs_stat(j->dst, dp, &after, err, sizeof(err));
		if (rc != FS_OK)
			return failed(j, rc, sp, dp, err);
		d.have_size = after.have_size;
		d.size = after.size;
	}
	if (j->algo != NULL && streamed[0] == '\0') {
		if (s.hash == NULL)
			s.hash = digest(j, j->src, sp, UINT64_MAX, shex,
			    sizeof(shex));
		if (s.hash != NULL)
			d.hash = digest(j, j->dst, dp, UINT64_MAX, dhex,
			    sizeof(dhex));
	}
	v = resume_verify(&s, &d, err, sizeof(err));
	if (v == XFER_VERIFY_MISMATCH && optimistic) {
		/* The kept part was not the source's beginning (or the rest
		 * arrived damaged): the target goes back to what it was,
		 * then all of it is sent, as when the check comes first. */
		optimistic = 0;
		j->st->files--;
		j->st->resumed--;
		if ((rc = cut_back(j, dp, off, err, sizeof(err))) != FS_OK)
			return failed(j, rc, sp, dp, err);
		dec = prev = XFER_DECIDE_OVERWRITE;
		off = 0;
		snprintf(why, sizeof(why), "; the partial copy differed, so "
		    "all of it was sent again");
		goto send;
	}
	if (v == XFER_VERIFY_MISMATCH)
		return failed(j, FS_ERR, sp, dp, err);
	if (v == XFER_VERIFY_HASH)
		j->st->verified++;
	keep_time(j, sp, dp, se, tnote, sizeof(tnote));
	snprintf(msg, sizeof(msg), "%s%s%s%s%s%s%s",
	    off > 0 ? "resumed, " : "",
	    v == XFER_VERIFY_HASH ? "verified by " : v == XFER_VERIFY_SIZE ?
	    "verified by size" : "not verified",
	    v == XFER_VERIFY_HASH ? j->algo : "", why,
	    v != XFER_VERIFY_HASH && j->hash_err[0] != '\0' ?
	    "; no checksum: " : "", v != XFER_VERIFY_HASH ? j->hash_err : "",
	    tnote);
	event(j, XFER_EV_DONE, sp, dp, msg);
	return FS_OK;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->name,
	    ((const struct listing_entry *)b)->name);
}

static int copy_any(struct job *, const char *, const char *,
    const struct listing_entry *, int, const struct hint *);

static int
copy_dir(struct job *j, const char *sp, const char *dp, int depth)
{
	struct listing_entry de, *v = NULL, *dv = NULL, *found;
	struct hint h;
	char err[1024], cs[FS_PATH_MAX], cd[FS_PATH_MAX];
	size_t n = 0, dn = 0, i;
	int rc, made = 0, listed = 0;

	if (depth > XFER_DEPTH_MAX)
		return failed(j, FS_ERR, sp, dp, "folders nested too deep");
	rc = fs_stat(j->dst, dp, &de, err, sizeof(err));
	if (rc == FS_NOENT) {
		if ((rc = fs_mkdir(j->dst, dp, err, sizeof(err))) != FS_OK)
			return failed(j, rc, sp, dp, err);
		event(j, XFER_EV_MKDIR, sp, dp, "folder made");
		made = 1;
	} else if (rc != FS_OK)
		return failed(j, rc, sp, dp, err);
	else if (de.type != LISTING_DIR)
		return failed(j, FS_ERR, sp, dp, "the target exists and is "
		    "not a folder");
	if ((rc = fs_list(j->src, sp, &v, &n, err, sizeof(err))) != FS_OK)
		return failed(j, rc, sp, dp, err);
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	/* A server's folder is listed once rather than asked about file by
	 * file; a local one costs nothing to ask. */
	if (!made && strcmp(j->dst->kind, "remote") == 0 &&
	    fs_list(j->dst, dp, &dv, &dn, err, sizeof(err)) == FS_OK) {
		listed = 1;
		if (dn > 1)
			qsort(dv, dn, sizeof(*dv), by_name);
	}
	for (i = 0; i < n && !canceled(j); i++) {
		if (v[i].type == LISTING_CDIR || v[i].type == LISTING_PDIR ||
		    strcmp(v[i].name, ".") == 0 || strcmp(v[i].name, "..") ==
		    0 || strchr(v[i].name, '/') != NULL)
			continue;
		if (fs_join(sp, v[i].name, cs, sizeof(cs)) < 0 ||
		    fs_join(dp, v[i].name, cd, sizeof(cd)) < 0) {
			failed(j, FS_ERR, v[i].name, dp, "path too long");
			continue;
		}
		memset(&h, 0, sizeof(h));
		if (made)
			h.kind = HINT_ABSENT;
		else if (listed) {
			found = dn > 0 ? bsearch(&v[i], dv, dn, sizeof(*dv),
			    by_name) : NULL;
			h.kind = found != NULL ? HINT_ENTRY : HINT_ABSENT;
			if (found != NULL)
				h.e = *found;
		}
		if (copy_any(j, cs, cd, &v[i], depth + 1, &h) == FS_CANCELED)
			break;
	}
	free(dv);
	free(v);
	return canceled(j) ? FS_CANCELED : FS_OK;
}

/* Queues a file of the walk for whichever login is free first. */
static int
share_out(struct job *j, const char *sp, const char *dp,
    const struct listing_entry *e, const struct hint *h)
{
	struct crew *c = j->crew;
	struct task *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return copy_file(j, sp, dp, e, h);	/* then at least here */
	t->e = *e;
	if (h != NULL)
		t->hint = *h;
	snprintf(t->src, sizeof(t->src), "%s", sp);
	snprintf(t->dst, sizeof(t->dst), "%s", dp);
	pthread_mutex_lock(&c->lock);
	*c->tail = t;
	c->tail = &t->next;
	pthread_cond_signal(&c->more);
	pthread_mutex_unlock(&c->lock);
	return FS_OK;
}

/* The next file to copy, or NULL when the walk has ended and none is
 * left, or the copy was canceled (what is left is dropped). */
static struct task *
next_task(struct job *j)
{
	struct crew *c = j->crew;
	struct task *t;
	struct timespec ts;

	pthread_mutex_lock(&c->lock);
	while (c->head == NULL && !c->walked && !canceled(j)) {
		/* The cancel flag raises no signal: look now and then. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&c->more, &c->lock, &ts);
	}
	t = canceled(j) ? NULL : c->head;
	if (t != NULL && (c->head = t->next) == NULL)
		c->tail = &c->head;
	pthread_mutex_unlock(&c->lock);
	return t;
}

/* Copies files from the crew's queue until it runs dry. */
static void
take_tasks(struct job *j)
{
	struct task *t;

	while ((t = next_task(j)) != NULL) {
		(void)copy_file(j, t->src, t->dst, &t->e, &t->hint);
		free(t);
	}
}

/* Copies what e (an entry of a listing, maybe a link) says sp is. */
static int
copy_any(struct job *j, const char *sp, const char *dp,
    const struct listing_entry *e, int depth, const struct hint *h)
{
	struct listing_entry st;
	char err[1024];
	int rc;

	if (e->type == LISTING_LINK || e->type == LISTING_OTHER ||
	    (e->type == LISTING_FILE && !e->have_size)) {
		/* What a link points at, or what a listing did not say. */
		rc = fs_stat(j->src, sp, &st, err, sizeof(err));
		if (rc == FS_NOENT && e->type == LISTING_LINK && depth > 0) {
			/* Dangling, or (on burrowd) out of the home: in a
			 * tree it is passed over; named alone it fails. */
			j->st->skipped++;
			event(j, XFER_EV_SKIPPED, sp, dp, "a link that leads "
			    "nowhere");
			return FS_OK;
		}
		if (rc != FS_OK)
			return failed(j, rc, sp, dp, err);
		if (e->type == LISTING_LINK && st.type == LISTING_DIR) {
			j->st->skipped++;
			event(j, XFER_EV_SKIPPED, sp, dp, "a link to a folder "
			    "(not followed)");
			return FS_OK;
		}
		e = &st;
	}
	switch (e->type) {
	case LISTING_DIR:
		return copy_dir(j, sp, dp, depth);
	case LISTING_FILE:
		if (j->crew != NULL)
			return share_out(j, sp, dp, e, h);
		return copy_file(j, sp, dp, e, h);
	default:
		j->st->skipped++;
		event(j, XFER_EV_SKIPPED, sp, dp, "not a file or folder");
		return FS_OK;
	}
}

struct xfer_pool *
xfer_pool_new(unsigned n, xfer_open_pair open, void *arg)
{
	struct xfer_pool *p;

	if (n < 1 || n > XFER_PARALLEL_MAX || open == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->n = n;
	p->open = open;
	p->arg = arg;
	p->gate = 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->gate_cv, NULL);
	return p;
}

static void *
free_pair(void *arg)
{
	struct fs **pair = arg;

	fs_free(pair[0]);
	fs_free(pair[1]);
	return NULL;
}

void
xfer_pool_free(struct xfer_pool *p)
{
	struct fs *pair[XFER_PARALLEL_MAX][2];
	pthread_t tid[XFER_PARALLEL_MAX];
	int started[XFER_PARALLEL_MAX];
	unsigned i;

	if (p == NULL)
		return;
	/* Connections held before their login are let go unused. */
	pthread_mutex_lock(&p->lock);
	if (p->gate == 0)
		p->gate = -1;
	pthread_cond_broadcast(&p->gate_cv);
	pthread_mutex_unlock(&p->lock);
	for (i = 1; i < p->n; i++)
		if (p->warming[i])
			pthread_join(p->warm_tid[i], NULL);
	/* Each login's QUIT waits for its 221: all at once, not in turn. */
	for (i = 1; i < p->n; i++) {
		pair[i][0] = p->remote[i];
		pair[i][1] = p->local[i];
		started[i] = pair[i][0] != NULL &&
		    pthread_create(&tid[i], NULL, free_pair, pair[i]) == 0;
		if (!started[i])
			free_pair(pair[i]);
	}
	for (i = 1; i < p->n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	pthread_cond_destroy(&p->gate_cv);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static unsigned
pool_open(struct xfer_pool *p)
{
	unsigned i, n = 1;

	for (i = 1; i < p->n; i++)
		n += p->remote[i] != NULL;
	return n;
}

unsigned
xfer_pool_size(const struct xfer_pool *cp)
{
	struct xfer_pool *p = (struct xfer_pool *)cp;
	unsigned n;

	if (p == NULL)
		return 1;
	pthread_mutex_lock(&p->lock);
	n = p->refused ? pool_open(p) : p->n;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/*
 * Gives worker w (its slot, and the caller's pair in w->src and w->dst
 * for the direction) the pool's pair for its slot, logging in the first
 * time, in the caller's folders on both sides. -1 when that login is
 * refused (the pool asks for no more) or its folders cannot be had.
 */
/* Logs slot i of p in, unless a login was refused already. 0, or -1
 * (then the pool asks for no more). */
static int
open_slot(struct xfer_pool *p, unsigned i)
{
	struct fs *r = NULL, *l = NULL;
	char err[512];

	pthread_mutex_lock(&p->lock);
	if (p->refused) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	pthread_mutex_unlock(&p->lock);
	if (p->open(p->arg, &r, &l, err, sizeof(err)) < 0) {
		pthread_mutex_lock(&p->lock);
		if (!p->refused)
			snprintf(p->why, sizeof(p->why), "%s", err);
		p->refused = 1;
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	p->remote[i] = r;
	p->local[i] = l;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

struct warm_arg {
	struct xfer_pool	*p;
	unsigned		 i;
};

static void *
warm_one(void *arg)
{
	struct warm_arg *a = arg;

	(void)open_slot(a->p, a->i);
	free(a);
	return NULL;
}

/* Starts a thread opening each slot not yet open or opening. */
static void
pool_start(struct xfer_pool *p)
{
	struct warm_arg *a;
	sigset_t all, old;
	unsigned i;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 1; i < p->n; i++) {
		if (p->warming[i] || p->remote[i] != NULL ||
		    (a = malloc(sizeof(*a))) == NULL)
			continue;
		a->p = p;
		a->i = i;
		if (pthread_create(&p->warm_tid[i], NULL, warm_one, a) == 0)
			p->warming[i] = 1;
		else
			free(a);
	}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
xfer_pool_connect(struct xfer_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->gate == 1)
		p->gate = 0;
	pthread_mutex_unlock(&p->lock);
	pool_start(p);
}

void
xfer_pool_warm(struct xfer_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->gate == 0)
		p->gate = 1;
	pthread_cond_broadcast(&p->gate_cv);
	pthread_mutex_unlock(&p->lock);
	pool_start(p);
}

/* A connection held this long may have met the server's login timeout
 * (vsftpd's, ProFTPD's: minutes; a strict one: less): it starts over. */
#define GATE_FRESH_SEC	10

int
xfer_pool_gate(void *arg)
{
	struct xfer_pool *p = arg;
	double since = now_mono();
	int gate;

	pthread_mutex_lock(&p->lock);
	while (p->gate == 0)
		pthread_cond_wait(&p->gate_cv, &p->lock);
	gate = p->gate;
	pthread_mutex_unlock(&p->lock);
	if (gate < 0)
		return -1;
	return now_mono() - since > GATE_FRESH_SEC ? 1 : 0;
}
static int
pool_pair(struct job *w)
{
	struct xfer_pool *p = w->crew->pool;
	struct fs *msrc = w->src, *mdst = w->dst, **rem, **loc, *s, *d;
	char err[512];
	int down = strcmp(msrc->kind, "remote") == 0;

	rem = &p->remote[w->slot];
	loc = &p->local[w->slot];
	if (p->warming[w->slot]) {
		pthread_join(p->warm_tid[w->slot], NULL);
		p->warming[w->slot] = 0;
	}
	if (*rem == NULL && open_slot(p, w->slot) < 0)
		return -1;
	s = down ? *rem : *loc;
	d = down ? *loc : *rem;
	/* Relative paths mean the same to every login. */
	if ((strcmp(fs_cwd(s), fs_cwd(msrc)) != 0 &&
	    fs_chdir(s, fs_cwd(msrc), err, sizeof(err)) != FS_OK) ||
	    (strcmp(fs_cwd(d), fs_cwd(mdst)) != 0 &&
	    fs_chdir(d, fs_cwd(mdst), err, sizeof(err)) != FS_OK))
		return -1;
	s->cancel = msrc->cancel;
	d->cancel = mdst->cancel;
	w->src = s;
	w->dst = d;
	return 0;
}

static void *
crew_worker(void *arg)
{
	struct job *w = arg;

	if (pool_pair(w) < 0 || (w->buf = malloc(XFER_BUF)) == NULL)
		return NULL;
	take_tasks(w);
	free(w->buf);
	w->buf = NULL;
	return NULL;
}

/*
 * Copies the n sources sp[i] (their entries e[i], NULL for one that could
 * not be looked at: skipped here, already told) to dp[i] with the pool's
 * logins beside the caller's: the walk runs here and queues the files,
 * the workers take them as they come, and this thread takes its share
 * once the walk has ended.
 */
static int
copy_parallel(struct job *j, size_t nsrc, const char *const *sp,
    const char *const *dp, const struct listing_entry *const *e)
{
	struct xfer_pool *p = j->o->pool;
	struct crew c;
	struct job w[XFER_PARALLEL_MAX];
	struct xfer_stats ws[XFER_PARALLEL_MAX];
	pthread_t tid[XFER_PARALLEL_MAX];
	int started[XFER_PARALLEL_MAX], tell, rc = FS_OK, r;
	unsigned n = xfer_pool_size(p), i;
	struct task *t;
	char msg[768];
	size_t k;

	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.lock, NULL);
	pthread_mutex_init(&c.cb, NULL);
	pthread_cond_init(&c.more, NULL);
	c.tail = &c.head;
	c.pool = p;
	j->crew = &c;
	for (i = 1; i < n; i++) {
		w[i] = *j;
		w[i].slot = i;
		memset(&ws[i], 0, sizeof(ws[i]));
		w[i].st = &ws[i];
		w[i].buf = NULL;
		w[i].failed = 0;
		w[i].err[0] = '\0';
		started[i] = pthread_create(&tid[i], NULL, crew_worker,
		    &w[i]) == 0;
	}
	for (k = 0; k < nsrc && !canceled(j); k++) {
		if (e[k] == NULL)
			continue;
		r = copy_any(j, sp[k], dp[k], e[k], 0, NULL);
		if (rc == FS_OK || r == FS_CANCELED)
			rc = r;
	}
	pthread_mutex_lock(&c.lock);
	c.walked = 1;
	pthread_cond_broadcast(&c.more);
	pthread_mutex_unlock(&c.lock);
	take_tasks(j);
	for (i = 1; i < n; i++) {
		if (!started[i])
			continue;
		pthread_join(tid[i], NULL);
		j->st->files += ws[i].files;
		j->st->resumed += ws[i].resumed;
		j->st->verified += ws[i].verified;
		j->st->skipped += ws[i].skipped;
		j->st->failed += ws[i].failed;
		j->st->bytes += ws[i].bytes;
		if (w[i].failed && !j->failed) {
			j->failed = 1;
			snprintf(j->err, sizeof(j->err), "%s", w[i].err);
		}
	}
	while ((t = c.head) != NULL) {		/* canceled: never started */
		c.head = t->next;
		free(t);
	}
	j->crew = NULL;
	pthread_cond_destroy(&c.more);
	pthread_mutex_destroy(&c.cb);
	pthread_mutex_destroy(&c.lock);
	pthread_mutex_lock(&p->lock);
	/* (A refusal while logging in ahead is said here too.) */
	tell = p->refused && !p->told;
	p->told = p->refused;
	pthread_mutex_unlock(&p->lock);
	if (tell && j->o->notice != NULL) {
		/* Said once: later copies ask for no more logins. */
		snprintf(msg, sizeof(msg), "the server took %u of the %u "
		    "connections asked for (%s); going on with %u",
		    pool_open(p), p->n, p->why, pool_open(p));
		j->o->notice(j->o->arg, msg);
	}
	return canceled(j) ? FS_CANCELED : rc;
}

/* Looks at the source sp: its entry into e, or the failure told. */
static int
look_at(struct job *j, const char *sp, const char *dp,
    struct listing_entry *e)
{
	char err[1024];
	int rc;

	if ((rc = fs_stat(j->src, sp, e, err, sizeof(err))) == FS_OK)
		return FS_OK;
	if (rc == FS_NOENT && strcmp(j->src->kind, "remote") == 0)
		/* Said plainly: a server's words for it ("550 Cannot list")
		 * do not tell a user that the name is wrong. (A local
		 * strerror() says it well, a dangling link's too.) */
		return failed(j, rc, sp, dp, "no such file or folder on the "
		    "server");
	return failed(j, rc, sp, dp, err);
}

int
xfer_copy_list(struct fs *src, size_t n, const char *const *src_paths,
    struct fs *dst, const char *const *dst_paths, const struct xfer_opts *o,
    struct xfer_stats *stats, char *err, size_t errlen)
{
	struct xfer_stats local;
	struct listing_entry *ents = NULL;
	const struct listing_entry **e = NULL;
	struct job j;
	size_t i, dirs = 0;
	int rc = FS_OK;

	memset(&j, 0, sizeof(j));
	memset(&local, 0, sizeof(local));
	j.src = src;
	j.dst = dst;
	j.o = o;
	j.st = stats != NULL ? stats : &local;
	j.algo = common_algo(src, dst);
	if (j.algo != NULL && hash_find(j.algo) == NULL)
		j.algo = NULL;
	if ((j.buf = malloc(XFER_BUF)) == NULL ||
	    (ents = calloc(n > 0 ? n : 1, sizeof(*ents))) == NULL ||
	    (e = calloc(n > 0 ? n : 1, sizeof(*e))) == NULL) {
		free(j.buf);
		free(ents);
		set_err(err, errlen, "out of memory");
		return FS_ERR;
	}
	for (i = 0; i < n && !canceled(&j); i++)
		if (look_at(&j, src_paths[i], dst_paths[i], &ents[i]) ==
		    FS_OK) {
			e[i] = &ents[i];
			dirs += ents[i].type == LISTING_DIR;
		}
	if (canceled(&j))
		rc = FS_CANCELED;
	else if (xfer_pool_size(o->pool) > 1 && (n > 1 || dirs > 0))
		rc = copy_parallel(&j, n, src_paths, dst_paths, e);
	else
		for (i = 0; i < n && rc != FS_CANCELED; i++)
			if (e[i] != NULL)
				rc = copy_any(&j, src_paths[i], dst_paths[i],
				    e[i], 0, NULL);
	free(j.buf);
	free(ents);
	free(e);
	if (rc == FS_CANCELED || canceled(&j)) {
		set_err(err, errlen, "canceled");
		return FS_CANCELED;
	}
	if (j.failed) {
		set_err(err, errlen, "%s", j.err);
		return FS_ERR;
	}
	return FS_OK;
}

int
xfer_copy(struct fs *src, const char *src_path, struct fs *dst,
    const char *dst_path, const struct xfer_opts *o, struct xfer_stats *stats,
    char *err, size_t errlen)
{
	return xfer_copy_list(src, 1, &src_path, dst, &dst_path, o, stats,
	    err, errlen);
}

static int
measure_dir(struct fs *src, const char *path, int depth, uint64_t *bytes,
    char *err, size_t errlen)
{
	struct listing_entry *v = NULL;
	char child[FS_PATH_MAX];
	size_t n = 0, i;
	int rc;

	if (depth > XFER_DEPTH_MAX)
		return FS_OK;		/* copy_dir() says why */
	if ((rc = fs_list(src, path, &v, &n, err, errlen)) != FS_OK)
		return rc;
	for (i = 0; i < n && rc == FS_OK; i++) {
		if (v[i].type == LISTING_FILE) {
			*bytes = *bytes + v[i].size < *bytes ? UINT64_MAX :
			    *bytes + v[i].size;
			continue;
		}
		if (v[i].type != LISTING_DIR || strcmp(v[i].name, ".") == 0 ||
		    strcmp(v[i].name, "..") == 0 ||
		    fs_join(path, v[i].name, child, sizeof(child)) < 0)
			continue;
		rc = measure_dir(src, child, depth + 1, bytes, err, errlen);
	}
	free(v);
	return rc;
}

int
xfer_measure(struct fs *src, const char *src_path, uint64_t *bytes,
    char *err, size_t errlen)
{
	struct listing_entry e;
	int rc;

	*bytes = 0;
	if ((rc = fs_stat(src, src_path, &e, err, errlen)) != FS_OK)
		return rc;
	if (e.type != LISTING_DIR) {
		*bytes = e.have_size ? e.size : 0;
		return FS_OK;
	}
	return measure_dir(src, src_path, 0, bytes, err, errlen);
}
