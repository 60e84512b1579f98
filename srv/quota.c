/*
 * quota: per-user usage records. The table's lock guards the list and the
 * reference counts; each record's lock guards its used and limit, and is
 * held across the file operation that changes a size, so that the size
 * seen by fstat and the charge made for it cannot be separated by another
 * session's operation on the same file.
 *
 * Shared (quota_table_share), the usage is a row in PostgreSQL that every
 * node changes (srv/pgquota.c) and the record holds this node's
 * reservation of it: a write that grows a file first reserves, in chunks,
 * enough for its growth, then consumes it; what shrinks or goes is
 * credited to the row at once; what an upload did not use is given back
 * when it ends. The record's lock is then also held across those
 * statements, so that this node's lease row always says what it holds.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/util.h"
#include "srv/log.h"
#include "srv/pgdb.h"
#include "srv/pgquota.h"
#include "srv/quota.h"
#include "srv/users.h"

/* Bytes a shared record reserves at a time (more if one write needs it). */
#define QUOTA_CHUNK	(256 * 1024)

struct quota {
	struct quota	*next;		/* table lock */
	unsigned	 refs;		/* table lock */
	int		 measuring;	/* table lock: the first walk runs */
	char		 user[USER_NAME_MAX + 1];
	struct quota_table *table;
	/* lock guards used, limit, reserved and synced. */
	pthread_mutex_t	 lock;
	uint64_t	 used;		/* shared: as last read */
	uint64_t	 limit;
	uint64_t	 reserved;	/* shared: reserved and not yet written */
	uint64_t	 synced;	/* shared: reserved as the lease row says */
	double		 synced_at;	/* shared: now_mono() of that */
	char		 lease[128];	/* shared: the lease row's id */
};

struct quota_table {
	/* lock guards list and every record's next, refs and measuring. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 measured;	/* a record's measuring went to 0 */
	struct quota	*list;
	/* Set once before any record, then read only. */
	struct pgdb	*pg;		/* shared: usage in PostgreSQL */
	char		 node[64];	/* shared: this node's name */
	int		 lease_secs;	/* shared: a lease's life */
};

struct quota_table *
quota_table_new(void)
{
	struct quota_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->measured, NULL);
	return t;
}

void
quota_table_share(struct quota_table *t, struct pgdb *pg, const char *node,
    int lease_secs)
{
	t->pg = pg;
	snprintf(t->node, sizeof(t->node), "%s", node);
	t->lease_secs = lease_secs;
}

void
quota_table_free(struct quota_table *t)
{
	struct quota *q, *next;

	if (t == NULL)
		return;
	for (q = t->list; q != NULL; q = next) {
		next = q->next;
		pthread_mutex_destroy(&q->lock);
		free(q);
	}
	pthread_cond_destroy(&t->measured);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/*
 * The walk of quota_measure. It holds one descriptor, on the folder it is
 * in, however deep the tree: each folder is read to the end at once, its
 * regular files summed and its subfolders' names kept on a stack in memory;
 * the walk then opens the last name kept, and when a folder has no names
 * left it climbs back to the parent through "..". The stack holds, for
 * every folder on the way down, its device and inode (checked on the way
 * back up, so that a folder moved meanwhile fails the walk instead of
 * leading it elsewhere) and where its names begin. Memory is bounded by the
 * tree: one frame per level, and the names not yet visited.
 */
struct measure_frame {
	dev_t	 dev;
	ino_t	 ino;
	size_t	 first;		/* index of its first name in names */
};

struct measure {
	struct measure_frame	*frames;
	size_t			 nframes, framecap;
	char			*buf;	/* the names, each ending in NUL */
	size_t			 buflen, bufcap;
	size_t			*names;	/* offset of each name in buf */
	size_t			 nnames, namecap;
};

/*
 * Makes room in the array p (cap elements of elem bytes, len in use) for
 * more elements. Returns the array, moved perhaps, or NULL with errno.
 */
static void *
grow(void *p, size_t *cap, size_t len, size_t more, size_t elem)
{
	size_t n = *cap;

	if (len + more <= *cap)
		return p;
	while (n < len + more) {
		if (n > SIZE_MAX / 2 / elem) {
			errno = ENOMEM;
			return NULL;
		}
		n = n == 0 ? 64 : n * 2;
	}
	if ((p = realloc(p, n * elem)) != NULL)
		*cap = n;
	return p;
}

static int
measure_push_name(struct measure *m, const char *name)
{
	size_t len = strlen(name) + 1;
	size_t *names;
	char *buf;

	if ((buf = grow(m->buf, &m->bufcap, m->buflen, len, 1)) == NULL)
		return -1;
	m->buf = buf;
	if ((names = grow(m->names, &m->namecap, m->nnames, 1,
	    sizeof(*names))) == NULL)
		return -1;
	m->names = names;
	memcpy(m->buf + m->buflen, name, len);
	m->names[m->nnames++] = m->buflen;
	m->buflen += len;
	return 0;
}

/*
 * Pushes the frame of the folder fd (which stays open) and reads it: adds
 * its regular files to *total and keeps its subfolders' names. Returns 0,
 * or -1 with errno if it cannot be read to the end: an undercount would let
 * the user pass the quota.
 */
static int
measure_enter(struct measure *m, int fd, uint64_t *total)
{
	struct measure_frame *f, *frames;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int dfd, rc = 0;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((frames = grow(m->frames, &m->framecap, m->nframes, 1,
	    sizeof(*frames))) == NULL)
		return -1;
	m->frames = frames;
	f = &m->frames[m->nframes++];
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->first = m->nnames;
	/* A descriptor of its own for readdir: fd stays for openat. */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL) {
			if (errno != 0)
				rc = -1;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;	/* removed meanwhile */
		if (S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode) &&
		    measure_push_name(m, de->d_name) == -1) {
			rc = -1;
			break;
		}
	}
	closedir(dir);
	return rc;
}

/*
 * Leaves the folder fd, whose names are all visited, for its parent.
 * Returns the parent's fd (fd is closed), or -1 with errno (fd is closed
 * too): ESTALE if the parent is not the folder the walk came down from.
 */
static int
measure_leave(struct measure *m, int fd)
{
	const struct measure_frame *up = &m->frames[m->nframes - 2];
	struct stat st;
	int pfd;

	pfd = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (pfd == -1)
		return -1;
	if (fstat(pfd, &st) == -1) {
		close(pfd);
		return -1;
	}
	if (st.st_dev != up->dev || st.st_ino != up->ino) {
		close(pfd);
		errno = ESTALE;
		return -1;
	}
	m->nframes--;
	return pfd;
}

/*
 * Walks the tree below dfd, adding its regular files to *total. Returns 0,
 * 1 as soon as it meets a folder more than levels below dfd (its own
 * subfolders are 1 level below), or -1 with errno.
 */
static int
measure_walk(int dfd, size_t levels, uint64_t *total)
{
	struct measure m = { 0 };
	const char *name;
	int fd, sub, rc = -1, err;

	*total = 0;
	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (measure_enter(&m, fd, total) == -1)
		goto out;
	for (;;) {
		if (m.nnames > m.frames[m.nframes - 1].first) {
			if (m.nframes > levels) {
				rc = 1;
				break;
			}
			/* The name's bytes are reused by the folder's own. */
			name = m.buf + m.names[--m.nnames];
			m.buflen = m.names[m.nnames];
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (sub == -1 && errno == ENOENT)
				continue;	/* removed meanwhile */
			if (sub == -1)
				goto out;
			close(fd);
			fd = sub;
			if (measure_enter(&m, fd, total) == -1)
				goto out;
		} else if (m.nframes == 1) {
			rc = 0;
			break;
		} else if ((fd = measure_leave(&m, fd)) == -1)
			goto out;
	}
out:
	err = errno;
	if (fd != -1)
		close(fd);
	free(m.frames);
	free(m.buf);
	free(m.names);
	errno = err;
	return rc;
}

int
quota_measure(int dfd, uint64_t *total)
{
	return measure_walk(dfd, SIZE_MAX, total);
}

int
quota_deeper_than(int dfd, unsigned levels)
{
	uint64_t total = 0;

	return measure_walk(dfd, levels, &total);
}

static struct quota *
find(struct quota_table *t, const char *user)
{
	struct quota *q;

	for (q = t->list; q != NULL; q = q->next)
		if (strcmp(q->user, user) == 0)
			return q;
	return NULL;
}

/*
 * Shared: the usage of a user seen for the first time on this node comes
 * from its row; only a user without one (never logged in anywhere) has
 * the home measured, and the first node to insert the row wins.
 */
static int
shared_open(struct quota_table *t, const char *user, int rootfd,
    uint64_t *used)
{
	char err[512];
	PGconn *c;
	uint64_t disk;
	int exists, rc = -1;

	if ((c = pgdb_get(t->pg, err, sizeof(err))) == NULL)
		goto out;
	if (pgquota_used(c, user, used, &exists, err, sizeof(err)) == -1)
		goto out;
	if (!exists) {
		if (quota_measure(rootfd, &disk) == -1) {
			pgdb_put(t->pg, c);
			return -1;	/* errno from the walk */
		}
		if (pgquota_create(c, user, disk, err, sizeof(err)) == -1 ||
		    pgquota_used(c, user, used, &exists, err, sizeof(err)) == -1)
			goto out;
		if (!exists) {
			snprintf(err, sizeof(err), "no account %s", user);
			goto out;
		}
	}
	rc = 0;
out:
	pgdb_put(t->pg, c);
	if (rc == -1) {
		log_warnx("quota of %s: %s", user, err);
		errno = EIO;
	}
	return rc;
}

/*
 * Shared: reserves until q holds need bytes or the limit (plus credit, a
 * replacement's allowance) is reached: a chunk if it fits, else exactly
 * what is missing, else what is left. Lock held. Returns 0 (q->reserved
 * may still be short of need: the quota is reached), or -1 with errno EIO
 * if the database fails.
 */
static int
shared_reserve(struct quota *q, uint64_t need, uint64_t credit)
{
	struct quota_table *t = q->table;
	uint64_t limit = q->limit == 0 ? 0 : q->limit + credit;
	uint64_t want = need - q->reserved, chunk = QUOTA_CHUNK;
	char err[512];
	int64_t got = -1;
	int lost = 0;
	PGconn *c;

	if ((c = pgdb_get(t->pg, err, sizeof(err))) != NULL) {
		got = 0;
		if (chunk > want)
			got = pgquota_reserve(c, q->lease, t->node, q->user, chunk,
			    limit, 0, q->reserved, t->lease_secs, &lost, err,
			    sizeof(err));
		if (got == 0)
			got = pgquota_reserve(c, q->lease, t->node, q->user, want,
			    limit, 1, q->reserved, t->lease_secs, &lost, err,
			    sizeof(err));
		pgdb_put(t->pg, c);
	}
	if (got < 0) {
		log_warnx("quota of %s: reserving: %s", q->user, err);
		errno = EIO;
		return -1;
	}
	if (lost) {
		/* Silent longer than the lease: what it held went back. */
		log_warnx("quota of %s: the lease expired, its %ju reserved "
		    "bytes were taken back", q->user, (uintmax_t)q->reserved);
		q->reserved = 0;
	}
	q->reserved += (uint64_t)got;
	if (got > 0) {
		q->synced = q->reserved;
		q->synced_at = now_mono();
	}
	/* The lease is back: reserve again what it lost (once: it is there). */
	if (lost && got > 0 && q->reserved < need)
		return shared_reserve(q, need, credit);
	return 0;
}

/*
 * Shared: credits n bytes to the row and writes q's reservation to the
 * lease. Lock held. A failure is logged: the row then counts more than
 * the disk until `burrow-passwd rescan`.
 */
static void
shared_credit(struct quota *q, uint64_t n)
{
	struct quota_table *t = q->table;
	char err[512];
	PGconn *c;

	if (n == 0 && q->reserved == q->synced)
		return;
	if ((c = pgdb_get(t->pg, err, sizeof(err))) == NULL ||
	    pgquota_credit(c, q->lease, q->user, n, q->reserved, err,
	    sizeof(err)) == -1)
		log_warnx("quota of %s: crediting %ju bytes: %s (burrow-passwd "
		    "rescan %s sets it right)", q->user, (uintmax_t)n, err,
		    q->user);
	else {
		q->synced = q->reserved;
		q->synced_at = now_mono();
	}
	pgdb_put(t->pg, c);
}

/*
 * Shared: before q spends a reservation, makes sure its lease still holds
 * it when the last renewal is older than half a lease (the process was
 * stopped, or the heartbeat could not reach the database): a lease that
 * expired meanwhile has had its bytes taken back, which must not then be
 * written uncounted. Lock held. Returns 0, or -1 with errno EIO.
 */
static int
shared_check(struct quota *q)
{
	struct quota_table *t = q->table;
	char err[512];
	PGconn *c;
	int rc = -1;

	if (q->reserved == 0 || now_mono() - q->synced_at < t->lease_secs / 2.0)
		return 0;
	if ((c = pgdb_get(t->pg, err, sizeof(err))) != NULL)
		rc = pgquota_renew(c, q->lease, q->reserved, t->lease_secs, err,
		    sizeof(err));
	pgdb_put(t->pg, c);
	if (rc == -1) {
		log_warnx("quota of %s: renewing: %s", q->user, err);
		errno = EIO;
		return -1;
	}
	if (rc == 1) {
		log_warnx("quota of %s: the lease expired, its %ju reserved "
		    "bytes were taken back", q->user, (uintmax_t)q->reserved);
		q->reserved = 0;
	}
	q->synced = q->reserved;
	q->synced_at = now_mono();
	return 0;
}

/* Shared: reads the row's usage into q->used. Lock held. */
static int
shared_read(struct quota *q)
{
	struct quota_table *t = q->table;
	char err[512];
	uint64_t used;
	PGconn *c;
	int exists = 0, rc = -1;

	if ((c = pgdb_get(t->pg, err, sizeof(err))) != NULL &&
	    pgquota_used(c, q->user, &used, &exists, err, sizeof(err)) == 0 &&
	    exists) {
		q->used = used;
		rc = 0;
	} else if (c != NULL && !exists)
		snprintf(err, sizeof(err), "no usage row");
	pgdb_put(t->pg, c);
	if (rc == -1)
		log_warnx("quota of %s: %s", q->user, err);
	return rc;
}

void
quota_release(struct quota *q)
{
	if (q == NULL || q->table->pg == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	if (q->reserved > 0) {
		uint64_t n = q->reserved;
		q->reserved = 0;
		shared_credit(q, n);
	} else
		shared_credit(q, 0);
	pthread_mutex_unlock(&q->lock);
}

void
quota_heartbeat(struct quota_table *t)
{
	struct quota *q, **held = NULL;
	size_t n = 0, i;
	char err[512];
	PGconn *c;
	int rc;

	if (t->pg == NULL)
		return;
	/* References, so that no record goes while its lease is renewed. */
	pthread_mutex_lock(&t->lock);
	for (q = t->list; q != NULL; q = q->next)
		n += !q->measuring;
	if (n > 0 && (held = calloc(n, sizeof(*held))) != NULL) {
		n = 0;
		for (q = t->list; q != NULL; q = q->next)
			if (!q->measuring) {
				q->refs++;
				held[n++] = q;
			}
	} else
		n = 0;
	pthread_mutex_unlock(&t->lock);

	/*
	 * A record's lock, then a connection, as a write takes them: a
	 * connection is never held while waiting for a record.
	 */
	for (i = 0; i < n; i++) {
		q = held[i];
		pthread_mutex_lock(&q->lock);
		if ((q->reserved > 0 || q->synced > 0) &&
		    (c = pgdb_get(t->pg, err, sizeof(err))) != NULL) {
			rc = pgquota_renew(c, q->lease, q->reserved,
			    t->lease_secs, err, sizeof(err));
			pgdb_put(t->pg, c);
			if (rc == 1) {
				log_warnx("quota of %s: the lease expired, its %ju "
				    "reserved bytes were taken back", q->user,
				    (uintmax_t)q->reserved);
				q->reserved = 0;
			}
			if (rc != -1) {
				q->synced = q->reserved;
				q->synced_at = now_mono();
			}
		}
		pthread_mutex_unlock(&q->lock);
	}
	for (i = 0; i < n; i++)
		quota_put(t, held[i]);
	free(held);
	if ((c = pgdb_get(t->pg, err, sizeof(err))) == NULL)
		return;
	if ((rc = pgquota_reap(c, err, sizeof(err))) > 0)
		log_info("took back the reservations of %d expired leases", rc);
	else if (rc == -1)
		log_warnx("expired leases: %s", err);
	pgdb_put(t->pg, c);
}

struct quota *
quota_get(struct quota_table *t, const char *user, uint64_t limit, int rootfd)
{
	return quota_get_limited(t, user, limit, rootfd, 0);
}

struct quota *
quota_get_limited(struct quota_table *t, const char *user, uint64_t limit,
    int rootfd, unsigned max_refs)
{
	struct quota *q, **pp;
	uint64_t used;
	int rc, err;

	pthread_mutex_lock(&t->lock);
	/* Another session of the user may be measuring: wait for it. */
	while ((q = find(t, user)) != NULL && q->measuring)
		pthread_cond_wait(&t->measured, &t->lock);
	if (q != NULL) {
		if (max_refs != 0 && q->refs >= max_refs) {
			pthread_mutex_unlock(&t->lock);
			errno = EUSERS;
			return NULL;
		}
		/*
		 * The record keeps its limit: SIGHUP sets it on reload, and a
		 * login that read the users file just before the reload must
		 * not put the old limit back.
		 */
		q->refs++;
		pthread_mutex_unlock(&t->lock);
		return q;
	}

	/*
	 * The first session: insert the record now, marked as measuring, so
	 * that the user's other sessions wait for the walk instead of making
	 * their own, and walk the home without the table lock so that other
	 * users keep logging in.
	 */
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		pthread_mutex_unlock(&t->lock);
		return NULL;
	}
	snprintf(q->user, sizeof(q->user), "%s", user);
	snprintf(q->lease, sizeof(q->lease), "%s/%s", t->node, user);
	q->table = t;
	pthread_mutex_init(&q->lock, NULL);
	q->limit = limit;
	q->refs = 1;
	q->measuring = 1;
	q->next = t->list;
	t->list = q;
	pthread_mutex_unlock(&t->lock);

	if (t->pg != NULL)
		rc = shared_open(t, user, rootfd, &used);
	else
		rc = quota_measure(rootfd, &used);
	err = errno;

	pthread_mutex_lock(&t->lock);
	q->measuring = 0;
	if (rc == 0)
		q->used = used;
	else {
		for (pp = &t->list; *pp != NULL; pp = &(*pp)->next)
			if (*pp == q) {
				*pp = q->next;
				break;
			}
	}
	pthread_cond_broadcast(&t->measured);
	pthread_mutex_unlock(&t->lock);
	if (rc == 0)
		return q;
	pthread_mutex_destroy(&q->lock);
	free(q);
	errno = err;
	return NULL;
}

void
quota_put(struct quota_table *t, struct quota *q)
{
	struct quota **pp;

	if (q == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	if (--q->refs == 0) {
		for (pp = &t->list; *pp != NULL; pp = &(*pp)->next)
			if (*pp == q) {
				*pp = q->next;
				break;
			}
	} else
		q = NULL;
	pthread_mutex_unlock(&t->lock);
	if (q == NULL)
		return;
	/* Off the list: what it still holds goes back, then it goes. */
	quota_release(q);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void
quota_set_limit(struct quota_table *t, const char *user, uint64_t limit)
{
	struct quota *q;

	pthread_mutex_lock(&t->lock);
	if ((q = find(t, user)) != NULL) {
		pthread_mutex_lock(&q->lock);
		q->limit = limit;
		pthread_mutex_unlock(&q->lock);
	}
	pthread_mutex_unlock(&t->lock);
}

void
quota_usage(struct quota *q, uint64_t *used, uint64_t *limit)
{
	pthread_mutex_lock(&q->lock);
	/* Shared: what the last read said if the database fails now. */
	if (q->table->pg != NULL)
		(void)shared_read(q);
	*used = q->used;
	/* Our own unwritten reservation is room, not use. */
	if (q->table->pg != NULL)
		*used -= q->reserved < *used ? q->reserved : *used;
	*limit = q->limit;
	pthread_mutex_unlock(&q->lock);
}

uint64_t
quota_available(struct quota *q)
{
	uint64_t used, limit;

	quota_usage(q, &used, &limit);
	if (limit == 0)
		return UINT64_MAX;
	return used < limit ? limit - used : 0;
}

/*
 * Applies a size change of a file from old to new bytes. Lock held.
 * Shared, growth comes out of the reservation (made before it) and a
 * shrink is credited to the row.
 */
static void
charge(struct quota *q, uint64_t old, uint64_t new)
{
	if (q->table->pg != NULL) {
		if (new >= old)
			q->reserved -= new - old < q->reserved ? new - old :
			    q->reserved;
		else
			shared_credit(q, old - new);
		return;
	}
	if (new >= old)
		q->used += new - old;
	else
		q->used -= old - new < q->used ? old - new : q->used;
}

ssize_t
quota_write(struct quota *q, int fd, const void *buf, size_t n,
    uint64_t credit, int flags)
{
	const char *p = buf;
	struct stat st;
	uint64_t off, end, size, room, growth;
	size_t want, done = 0;
	ssize_t w;
	off_t cur;
	int fl, counted;

	pthread_mutex_lock(&q->lock);
	if (fstat(fd, &st) == -1 || (fl = fcntl(fd, F_GETFL)) == -1)
		goto fail;
	size = (uint64_t)st.st_size;
	counted = st.st_nlink > 0 || (flags & QUOTA_TMPFILE);
	if (fl & O_APPEND)
		off = size;
	else if ((cur = lseek(fd, 0, SEEK_CUR)) == -1)
		goto fail;
	else
		off = (uint64_t)cur;
	want = n;
	end = off + n;
	growth = end > size ? end - size : 0;
	if (q->table->pg != NULL) {
		/* Reserved first, in the database; written only what was. */
		if (growth > 0 && shared_check(q) == -1)
			goto fail;
		if (growth > q->reserved &&
		    shared_reserve(q, growth, credit) == -1)
			goto fail;
		if (growth > q->reserved) {
			uint64_t cut = growth - q->reserved;
			want = cut >= n ? 0 : n - (size_t)cut;
		}
	} else if (q->limit != 0) {
		/* An unlinked file is not charged, but it is still limited. */
		room = q->limit + credit > q->used ? q->limit + credit - q->used : 0;
		if (growth > room) {
			uint64_t cut = growth - room;
			want = cut >= n ? 0 : n - (size_t)cut;
		}
	}
	while (done < want) {
		w = write(fd, p + done, want - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (counted && done > 0 && off + done > size)
		charge(q, size, off + done);
	pthread_mutex_unlock(&q->lock);
	if (done < want)
		return done > 0 ? (ssize_t)done : -1;
	if (want < n)
		errno = EDQUOT;
	return (ssize_t)done;
fail:
	pthread_mutex_unlock(&q->lock);
	return -1;
}

int
quota_truncate(struct quota *q, int fd, off_t length)
{
	struct stat st;
	uint64_t growth;
	int rc = -1;

	pthread_mutex_lock(&q->lock);
	if (fstat(fd, &st) == -1)
		goto out;
	growth = length > st.st_size ? (uint64_t)(length - st.st_size) : 0;
	if (q->table->pg != NULL && growth > 0 && shared_check(q) == -1)
		goto out;
	if (q->table->pg != NULL && growth > q->reserved) {
		if (shared_reserve(q, growth, 0) == -1)
			goto out;
		if (growth > q->reserved) {
			errno = EDQUOT;
			goto out;
		}
	} else if (q->table->pg == NULL && growth > 0 && q->limit != 0 &&
	    q->used + growth > q->limit) {
		errno = EDQUOT;
		goto out;
	}
	if (ftruncate(fd, length) == 0) {
		if (st.st_nlink > 0)
			charge(q, (uint64_t)st.st_size, (uint64_t)length);
		rc = 0;
	}
out:
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int
quota_unlink(struct quota *q, int dfd, const char *name)
{
	struct stat st;
	int rc, have;

	pthread_mutex_lock(&q->lock);
	have = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if ((rc = unlinkat(dfd, name, 0)) == 0 && have && S_ISREG(st.st_mode))
		charge(q, (uint64_t)st.st_size, 0);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int
quota_rename(struct quota *q, int fdfd, const char *from, int tdfd,
    const char *to, int check)
{
	struct stat sf, st;
	uint64_t freed = 0;
	int rc;

	pthread_mutex_lock(&q->lock);
	if (fstatat(tdfd, to, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && !(fstatat(fdfd, from, &sf,
	    AT_SYMLINK_NOFOLLOW) == 0 && sf.st_dev == st.st_dev &&
	    sf.st_ino == st.st_ino))
		freed = (uint64_t)st.st_size;
	if (check && q->limit != 0 && q->table->pg != NULL) {
		/* Our own reservation is not usage: give it back first. */
		uint64_t mine = q->reserved;
		q->reserved = 0;
		shared_credit(q, mine);
		if (shared_read(q) == -1) {
			pthread_mutex_unlock(&q->lock);
			errno = EIO;
			return -1;
		}
	}
	if (check && q->limit != 0 && q->used - (freed < q->used ? freed :
	    q->used) > q->limit) {
		pthread_mutex_unlock(&q->lock);
		errno = EDQUOT;
		return -1;
	}
	if ((rc = renameat(fdfd, from, tdfd, to)) == 0)
		charge(q, freed, 0);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void
quota_discard(struct quota *q, int fd)
{
	struct stat st;

	pthread_mutex_lock(&q->lock);
	if (fstat(fd, &st) == 0)
		charge(q, (uint64_t)st.st_size, 0);
	pthread_mutex_unlock(&q->lock);
}
