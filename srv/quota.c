/*
 * quota: per-user usage records. The table's lock guards the list and the
 * reference counts; each record's lock guards its used and limit, and is
 * held across the file operation that changes a size, so that the size
 * seen by fstat and the charge made for it cannot be separated by another
 * session's operation on the same file.
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

#include "srv/quota.h"
#include "srv/users.h"

struct quota {
	struct quota	*next;		/* table lock */
	unsigned	 refs;		/* table lock */
	int		 measuring;	/* table lock: the first walk runs */
	char		 user[USER_NAME_MAX + 1];
	/* lock guards used and limit. */
	pthread_mutex_t	 lock;
	uint64_t	 used;
	uint64_t	 limit;
};

struct quota_table {
	/* lock guards list and every record's next, refs and measuring. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 measured;	/* a record's measuring went to 0 */
	struct quota	*list;
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
	pthread_mutex_init(&q->lock, NULL);
	q->limit = limit;
	q->refs = 1;
	q->measuring = 1;
	q->next = t->list;
	t->list = q;
	pthread_mutex_unlock(&t->lock);

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
		pthread_mutex_destroy(&q->lock);
		free(q);
	}
	pthread_mutex_unlock(&t->lock);
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
	*used = q->used;
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

/* Applies a size change of a file from old to new bytes. Lock held. */
static void
charge(struct quota *q, uint64_t old, uint64_t new)
{
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
	/* An unlinked file is not charged, but it is still limited. */
	if (q->limit != 0) {
		room = q->limit + credit > q->used ? q->limit + credit - q->used : 0;
		end = off + n;
		growth = end > size ? end - size : 0;
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
	int rc = -1;

	pthread_mutex_lock(&q->lock);
	if (fstat(fd, &st) == 0 && length > st.st_size && q->limit != 0 &&
	    q->used + (uint64_t)(length - st.st_size) > q->limit)
		errno = EDQUOT;
	else if (fstat(fd, &st) == 0 && ftruncate(fd, length) == 0) {
		if (st.st_nlink > 0)
			charge(q, (uint64_t)st.st_size, (uint64_t)length);
		rc = 0;
	}
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
