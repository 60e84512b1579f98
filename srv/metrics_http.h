/*
 * metrics_http: the metrics_listen endpoint. libmicrohttpd serves GET
 * /metrics on its own thread, from a socket bound here before burrowd
 * detaches and gives up root; each scrape reads the counters and the
 * gauges and formats them (srv/metrics.h). Few connections at once, short
 * timeouts and a small memory limit keep it from being a way to exhaust
 * the server. Built without libmicrohttpd (configure --without-metrics),
 * a configured metrics_listen is refused at startup.
 */
#ifndef BURROW_METRICS_HTTP_H
#define BURROW_METRICS_HTTP_H

#include <stddef.h>

struct server;
struct metrics_http;

/*
 * Binds srv->cfg->metrics_listen. Returns 0 with *out set, or with *out
 * NULL when metrics_listen is "" (off); -1 with a message in err.
 */
int metrics_http_open(struct server *srv, struct metrics_http **out,
    char *err, size_t errlen);

/*
 * Starts answering scrapes; after daemonizing (its thread would not
 * survive the fork) and with the signals blocked. mh may be NULL.
 * Returns 0, or -1 (logged).
 */
int metrics_http_start(struct metrics_http *mh);

/* Stops answering, closes the socket and frees mh (NULL: nothing). */
void metrics_http_stop(struct metrics_http *mh);

#endif
