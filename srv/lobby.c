/*
 * lobby: connections that are not logged in, held without a worker, and
 * the seats of logged-in sessions. One thread waits on an epoll set of the
 * parked sessions' sockets with a timeout that ends at the nearest
 * deadline; whatever becomes ready or due goes back to the pool. Parked
 * and queued sessions are few thousand at most (max_pending), so the
 * deadlines are found by walking the lists rather than kept in a heap.
 *
 * Only the lobby's thread takes a session out of the epoll set, so an
 * event it reads always names a session that is still parked.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "proto/util.h"
#include "srv/conf.h"
#include "srv/lobby.h"
#include "srv/log.h"
#include "srv/pool.h"
#include "srv/server.h"
#include "srv/session.h"

#define LOBBY_EVENTS	64

/* A doubly linked list of sessions through their lobby_next/lobby_prev. */
struct slist {
	struct session	*head, *tail;
	unsigned	 n;
};

struct lobby {
	struct server	*srv;
	int		 epfd;
	int		 kick;		/* eventfd: stop, or a nearer deadline */
	pthread_t	 thread;

	/* lock guards everything below and the sessions' lobby_* fields. */
	pthread_mutex_t	 lock;
	int		 stopping;
	struct slist	 parked;
	struct slist	 queued;	/* FIFO, for seats */
	unsigned	 queued_new;	/* of those, not yet greeted */
	unsigned	 seated;	/* seats taken */
	unsigned	 pending;	/* sessions not logged in */
	double		 next_wake;	/* when the thread wakes at the latest */
};

static void
slist_add(struct slist *l, struct session *s)
{
	s->lobby_next = NULL;
	s->lobby_prev = l->tail;
	if (l->tail != NULL)
		l->tail->lobby_next = s;
	else
		l->head = s;
	l->tail = s;
	l->n++;
}

static void
slist_del(struct slist *l, struct session *s)
{
	if (s->lobby_prev != NULL)
		s->lobby_prev->lobby_next = s->lobby_next;
	else
		l->head = s->lobby_next;
	if (s->lobby_next != NULL)
		s->lobby_next->lobby_prev = s->lobby_prev;
	else
		l->tail = s->lobby_prev;
	s->lobby_next = s->lobby_prev = NULL;
	l->n--;
}

static void
kick(struct lobby *l)
{
	uint64_t one = 1;

	if (write(l->kick, &one, sizeof(one)) == -1)
		log_warn("lobby: eventfd write");
}

/* Hands s to a worker; if the pool is gone, the session ends here. */
static void
to_pool(struct lobby *l, struct session *s)
{
	if (pool_submit(l->srv->pool, s) == -1)
		session_end(s, "Server shutting down.");
}

/* Unlinks s from wherever it waits. Called with the lock held. */
static void
unlink_locked(struct lobby *l, struct session *s)
{
	if (s->lobby_where == LOBBY_PARKED) {
		if (s->lobby_epoll &&
		    epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->ctl.fd, NULL) == -1)
			log_warn("lobby: epoll_ctl del");
		s->lobby_epoll = 0;
		slist_del(&l->parked, s);
	} else if (s->lobby_where == LOBBY_QUEUED) {
		if (!s->greeted)
			l->queued_new--;
		slist_del(&l->queued, s);
	}
	s->lobby_where = LOBBY_OUT;
}

/*
 * Gives free seats to the queue's head, in order: a connection not yet
 * greeted keeps its seat for its login, a waiting PASS uses it at once.
 * Called with the lock held; the sessions to serve are moved to out.
 */
static void
seat_queue_locked(struct lobby *l, struct slist *out)
{
	struct session *s;

	while (l->queued.head != NULL &&
	    l->seated < (unsigned)l->srv->cfg->max_clients) {
		s = l->queued.head;
		unlink_locked(l, s);
		s->seated = 1;
		l->seated++;
		slist_add(out, s);
	}
}

static void
serve_all(struct lobby *l, struct slist *ready)
{
	struct session *s;

	while ((s = ready->head) != NULL) {
		slist_del(ready, s);
		to_pool(l, s);
	}
}

static void *
lobby_main(void *arg)
{
	struct lobby *l = arg;
	struct epoll_event ev[LOBBY_EVENTS];
	struct slist ready = { 0 }, expired = { 0 };
	struct session *s, *next;
	double now, wake, qt;
	uint64_t junk;
	int n, i, ms;

	for (;;) {
		pthread_mutex_lock(&l->lock);
		now = now_mono();
		/* At least once a second: cheap, and bounds any clock surprise. */
		wake = now + 1;
		for (s = l->parked.head; s != NULL; s = s->lobby_next)
			if (s->lobby_until < wake)
				wake = s->lobby_until;
		qt = l->srv->cfg->queue_timeout;
		if (l->queued.head != NULL && l->queued.head->lobby_since + qt <
		    wake)
			wake = l->queued.head->lobby_since + qt;
		l->next_wake = wake;
		pthread_mutex_unlock(&l->lock);

		ms = wake <= now ? 0 : (int)((wake - now) * 1000) + 1;
		n = epoll_wait(l->epfd, ev, LOBBY_EVENTS, ms);
		if (n == -1 && errno != EINTR)
			log_warn("lobby: epoll_wait");

		pthread_mutex_lock(&l->lock);
		if (l->stopping) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		for (i = 0; i < n; i++) {
			if ((s = ev[i].data.ptr) == NULL) {
				if (read(l->kick, &junk, sizeof(junk)) == -1 &&
				    errno != EAGAIN)
					log_warn("lobby: eventfd read");
				continue;
			}
			if (s->lobby_where != LOBBY_PARKED)
				continue;
			unlink_locked(l, s);
			slist_add(&ready, s);
		}
		now = now_mono();
		for (s = l->parked.head; s != NULL; s = next) {
			next = s->lobby_next;
			if (s->lobby_until <= now) {
				unlink_locked(l, s);
				slist_add(&ready, s);
			}
		}
		/* The queue is in arrival order: the expired ones lead it. */
		while ((s = l->queued.head) != NULL &&
		    s->lobby_since + qt <= now) {
			unlink_locked(l, s);
			slist_add(&expired, s);
		}
		pthread_mutex_unlock(&l->lock);

		serve_all(l, &ready);
		while ((s = expired.head) != NULL) {
			slist_del(&expired, s);
			log_info("%s: waited %.0f s for a place: closing",
			    s->peer, qt);
			session_end(s, "Timed out waiting in the queue; try "
			    "again later.");
		}
	}
	return NULL;
}

struct lobby *
lobby_start(struct server *srv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	struct lobby *l;
	int err;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->srv = srv;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->epfd == -1 || l->kick == -1 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->kick, &ev) == -1)
		goto fail;
	pthread_mutex_init(&l->lock, NULL);
	if ((err = pthread_create(&l->thread, NULL, lobby_main, l)) != 0) {
		pthread_mutex_destroy(&l->lock);
		errno = err;
		goto fail;
	}
	return l;
fail:
	err = errno;
	if (l->epfd != -1)
		close(l->epfd);
	if (l->kick != -1)
		close(l->kick);
	free(l);
	errno = err;
	return NULL;
}

void
lobby_stop(struct lobby *l)
{
	struct slist all = { 0 };
	struct session *s;

	pthread_mutex_lock(&l->lock);
	l->stopping = 1;
	pthread_mutex_unlock(&l->lock);
	kick(l);
	pthread_join(l->thread, NULL);

	pthread_mutex_lock(&l->lock);
	while ((s = l->parked.head) != NULL || (s = l->queued.head) != NULL) {
		unlink_locked(l, s);
		slist_add(&all, s);
	}
	pthread_mutex_unlock(&l->lock);
	while ((s = all.head) != NULL) {
		slist_del(&all, s);
		session_end(s, "Server shutting down.");
	}
}

void
lobby_free(struct lobby *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	close(l->kick);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void
lobby_admit(struct lobby *l, struct session *s)
{
	const struct srv_config *cfg = l->srv->cfg;
	const char *refuse = NULL;
	char text[128];
	unsigned place = 0;

	pthread_mutex_lock(&l->lock);
	if (l->stopping)
		refuse = "Server shutting down.";
	else if (l->pending >= (unsigned)cfg->max_pending)
		refuse = "Too many connections waiting to log in; try again "
		    "later.";
	else if (l->seated >= (unsigned)cfg->max_clients &&
	    l->queued_new >= (unsigned)cfg->queue_length)
		refuse = "Too many users; the queue is full. Try again later.";
	else {
		l->pending++;
		s->pending = 1;
		if (l->seated >= (unsigned)cfg->max_clients) {
			s->lobby_where = LOBBY_QUEUED;
			s->lobby_since = now_mono();
			slist_add(&l->queued, s);
			l->queued_new++;
			place = l->queued.n;
			/*
			 * The 120 goes out under the lock, before a free seat
			 * can move s to a worker that greets it. An implicit
			 * FTPS client gets nothing in clear.
			 */
			if (!s->cl->implicit_tls) {
				snprintf(text, sizeof(text), "120 All %d places "
				    "are taken: you are number %u in the "
				    "queue.\r\n", cfg->max_clients, place);
				session_say(s, text);
			}
		}
	}
	pthread_mutex_unlock(&l->lock);

	if (refuse != NULL) {
		log_info("%s: refused: %s", s->peer, refuse);
		session_end(s, refuse);
	} else if (place == 0)
		to_pool(l, s);
	else
		log_info("%s: queued, number %u", s->peer, place);
}

void
lobby_park(struct lobby *l, struct session *s, short events, double until)
{
	struct epoll_event ev = { .data.ptr = s };
	int stopping, kicked = 0;

	pthread_mutex_lock(&l->lock);
	if (!(stopping = l->stopping)) {
		s->lobby_where = LOBBY_PARKED;
		s->lobby_until = until;
		slist_add(&l->parked, s);
		if (events != 0) {
			ev.events = EPOLLONESHOT |
			    (events & POLLOUT ? EPOLLOUT : 0) |
			    (events & POLLIN ? EPOLLIN | EPOLLRDHUP : 0);
			if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, s->ctl.fd, &ev) == 0)
				s->lobby_epoll = 1;
			else {
				log_warn("lobby: epoll_ctl add");
				s->lobby_until = 0;	/* served again at once */
			}
		}
		kicked = s->lobby_until < l->next_wake;
	}
	pthread_mutex_unlock(&l->lock);
	if (stopping)
		session_end(s, "Server shutting down.");
	else if (kicked)
		kick(l);
}

int
lobby_seat_take(struct lobby *l, struct session *s)
{
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	if (!s->seated) {
		if (l->seated < (unsigned)l->srv->cfg->max_clients) {
			l->seated++;
			s->seated = 1;
		} else
			rc = -1;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void
lobby_wait_seat(struct lobby *l, struct session *s)
{
	struct slist ready = { 0 };
	int stopping;

	pthread_mutex_lock(&l->lock);
	if (!(stopping = l->stopping)) {
		s->lobby_where = LOBBY_QUEUED;
		s->lobby_since = now_mono();
		slist_add(&l->queued, s);
		/* A seat may have freed since the caller looked. */
		seat_queue_locked(l, &ready);
	}
	pthread_mutex_unlock(&l->lock);
	if (stopping)
		session_end(s, "Server shutting down.");
	else {
		log_info("%s: login waits for a place", s->peer);
		serve_all(l, &ready);
	}
}

/* Gives back s's seat and, if gone, its pending place. */
static void
release(struct lobby *l, struct session *s, int gone)
{
	struct slist ready = { 0 };

	pthread_mutex_lock(&l->lock);
	if (s->seated) {
		s->seated = 0;
		l->seated--;
		if (!l->stopping)
			seat_queue_locked(l, &ready);
	}
	if (gone && s->pending) {
		s->pending = 0;
		l->pending--;
	}
	pthread_mutex_unlock(&l->lock);
	serve_all(l, &ready);
}

void
lobby_seat_give(struct lobby *l, struct session *s)
{
	release(l, s, 0);
}

void
lobby_logged_in(struct lobby *l, struct session *s)
{
	pthread_mutex_lock(&l->lock);
	if (s->pending) {
		s->pending = 0;
		l->pending--;
	}
	pthread_mutex_unlock(&l->lock);
}

void
lobby_gone(struct lobby *l, struct session *s)
{
	release(l, s, 1);
}

void
lobby_stats(struct lobby *l, unsigned *pending, unsigned *seated)
{
	pthread_mutex_lock(&l->lock);
	*pending = l->pending;
	*seated = l->seated;
	pthread_mutex_unlock(&l->lock);
}

unsigned
lobby_queued(struct lobby *l)
{
	unsigned n;

	pthread_mutex_lock(&l->lock);
	n = l->queued.n;
	pthread_mutex_unlock(&l->lock);
	return n;
}
