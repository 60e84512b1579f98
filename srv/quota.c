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

#define MEASURE_MAXDEPTH	1024

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

static int
measure(int dfd, uint64_t *total, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd, rc = 0;

	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;	/* removed meanwhile */
		if (S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
		else if (S_ISDIR(st.st_mode)) {
			/*
			 * A folder that cannot be measured fails the whole
			 * walk: an undercount would let the user pass the
			 * quota.
			 */
			if (depth == MEASURE_MAXDEPTH) {
				errno = ELOOP;
				rc = -1;
				break;
			}
			fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd == -1 || measure(fd, total, depth + 1) == -1) {
				rc = -1;
				break;
			}
		}
	}
	closedir(dir);
	return rc;
}

int
quota_measure(int dfd, uint64_t *total)
{
	int fd;

	*total = 0;
	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	return measure(fd, total, 0);
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
