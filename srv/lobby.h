/*
 * lobby: where connections that are not logged in wait without a worker.
 *
 * A worker thread serves a session only while it has something to do. A
 * connection that has not logged in and has nothing to read is parked
 * here: its socket sits in an epoll set watched by the lobby's thread, and
 * a worker takes it again (through the pool) when it becomes readable or
 * when its deadline passes (the login timeout, or the end of the delay
 * after a failed login). So connections that never send a byte cost a
 * descriptor and a session record, never a worker, and cannot keep anyone
 * else out.
 *
 * Seats: at most max_clients sessions are logged in at once. A seat is
 * taken by a successful PASS and given back when the session ends. A new
 * connection is greeted at once while seats are free; when every seat is
 * taken it waits in the queue (queue_length places, told its place with
 * 120) and is greeted when a seat frees, which is then kept for it. A PASS
 * that finds no free seat waits in the same queue, silently, and is
 * answered when a seat frees. Waiting longer than queue_timeout ends with
 * 421.
 */
#ifndef BURROW_LOBBY_H
#define BURROW_LOBBY_H

struct lobby;
struct server;
struct session;

/* Where a session is, as far as the lobby knows (its lobby_where). */
enum lobby_where {
	LOBBY_OUT,	/* with a worker, or in the pool's queue */
	LOBBY_PARKED,	/* waiting for its socket or its deadline */
	LOBBY_QUEUED	/* waiting for a seat */
};

/* Starts the lobby's thread. NULL with errno on failure. */
struct lobby	*lobby_start(struct server *srv);

/*
 * Stops the thread and ends every session parked or queued with 421;
 * sessions handed to the lobby afterwards end at once the same way.
 */
void		 lobby_stop(struct lobby *l);
void		 lobby_free(struct lobby *l);

/*
 * A new connection: greeted now if a seat is free, else queued (with 120)
 * or refused (421) if the queue or max_pending is full. Takes s.
 */
void		 lobby_admit(struct lobby *l, struct session *s);

/*
 * Hands back a worker's session until its socket is ready for events
 * (POLLIN/POLLOUT; 0 for none) or now_mono() reaches until, whichever
 * comes first; then it goes to the pool again. Takes s.
 */
void		 lobby_park(struct lobby *l, struct session *s, short events,
		    double until);

/*
 * Takes a seat for s if it has none: 0 if s holds one now, -1 if every
 * seat is taken (then lobby_wait_seat() queues it).
 */
int		 lobby_seat_take(struct lobby *l, struct session *s);

/* Queues s for the next free seat; the pool serves it then. Takes s. */
void		 lobby_wait_seat(struct lobby *l, struct session *s);

/* Gives back s's seat, if it holds one, to the next in the queue. */
void		 lobby_seat_give(struct lobby *l, struct session *s);

/* s has logged in: it no longer counts against max_pending. */
void		 lobby_logged_in(struct lobby *l, struct session *s);

/* s ends: its seat and its pending place, if any, are given back. */
void		 lobby_gone(struct lobby *l, struct session *s);

/* Sessions not logged in, and logged-in seats taken, at one instant. */
void		 lobby_stats(struct lobby *l, unsigned *pending,
		    unsigned *seated);

/* Sessions waiting for a seat (queued connections and logins), now. */
unsigned	 lobby_queued(struct lobby *l);

#endif
