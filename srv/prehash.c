/*
 * prehash: a whole-file digest computed beside a download (see prehash.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/hash.h"
#include "proto/hcache.h"
#include "srv/conf.h"
#include "srv/jail.h"
#include "srv/log.h"
#include "srv/prehash.h"
#include "srv/server.h"
#include "srv/session.h"

struct prehash {
	struct server		*srv;
	pthread_t		 thread;
	int			 fd;		/* our own dup() */
	const struct hash_alg	*alg;
	struct stat		 st;		/* the file as it was opened */
	char			 vpath[VPATH_MAX];
	/* Set by the thread before it ends, read after the join. */
	int			 rc;
	char			 hex[HASH_HEX_MAX];
	int			 halt;		/* atomic: stop between chunks */
};

static void *
run(void *arg)
{
	struct prehash *p = arg;

	p->rc = hash_fd_range(p->fd, p->alg, 0, UINT64_MAX, p->hex,
	    sizeof(p->hex), &p->halt);
	if (p->rc == 0 && p->srv->cfg->hash_cache &&
	    hcache_put(p->fd, p->alg, &p->st, p->hex) == -1 &&
	    !hcache_expected(errno))
		log_warnx("digest of %s not kept: %s", p->vpath,
		    strerror(errno));
	atomic_fetch_sub(&p->srv->prehashing, 1);
	return NULL;
}

void
prehash_start(struct session *s, const char *vpath, int fd,
    const struct stat *st)
{
	const struct hash_alg *alg = s->hash_alg != NULL ? s->hash_alg :
	    hash_default();
	char hex[HASH_HEX_MAX];
	struct prehash *p;

	prehash_stop(s);
	if (!S_ISREG(st->st_mode) || st->st_size < PREHASH_MIN ||
	    (s->srv->cfg->hash_cache &&
	    hcache_get(fd, alg, hex, sizeof(hex)) == 0))
		return;
	if (atomic_fetch_add(&s->srv->prehashing, 1) >= s->srv->ncpu) {
		atomic_fetch_sub(&s->srv->prehashing, 1);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto fail;
	p->srv = s->srv;
	p->alg = alg;
	p->st = *st;
	snprintf(p->vpath, sizeof(p->vpath), "%s", vpath);
	if ((p->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		free(p);
		goto fail;
	}
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		close(p->fd);
		free(p);
		goto fail;
	}
	s->prehash = p;
	return;
fail:
	atomic_fetch_sub(&s->srv->prehashing, 1);
}

/* Waits for the thread and frees p. */
static void
reap(struct prehash *p)
{
	pthread_join(p->thread, NULL);
	close(p->fd);
	free(p);
}

/* The same file, unchanged: what fstat() showed then and now. */
static int
unchanged(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
prehash_take(struct session *s, const char *vpath,
    const struct hash_alg *alg, int fd, char *hex, size_t hexlen)
{
	struct prehash *p = s->prehash;
	struct stat now;
	int rc = -1;

	/* Another file's goes on undisturbed. */
	if (p == NULL || p->alg != alg || strcmp(p->vpath, vpath) != 0)
		return -1;
	s->prehash = NULL;
	pthread_join(p->thread, NULL);
	if (p->rc == 0) {
		/* Kept with the file (whose ctime the attribute moved), or,
		 * where it could not be kept, the file exactly as hashed. */
		if (p->srv->cfg->hash_cache &&
		    hcache_get(fd, alg, hex, hexlen) == 0)
			rc = 0;
		else if (fstat(fd, &now) == 0 && unchanged(&p->st, &now) &&
		    strlen(p->hex) < hexlen) {
			memcpy(hex, p->hex, strlen(p->hex) + 1);
			rc = 0;
		}
	}
	close(p->fd);
	free(p);
	return rc;
}

void
prehash_stop(struct session *s)
{
	struct prehash *p = s->prehash;

	if (p == NULL)
		return;
	s->prehash = NULL;
	__atomic_store_n(&p->halt, 1, __ATOMIC_RELAXED);
	reap(p);
}
