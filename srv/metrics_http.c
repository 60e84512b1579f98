/*
 * metrics_http: the HTTP side of metrics, through libmicrohttpd rather
 * than a parser of our own. The socket is bound by burrowd (so that an
 * address in use is reported on the terminal, and so that it is bound
 * while still root) and handed to libmicrohttpd, whose one internal
 * thread polls it: poll, not select, since burrowd's descriptors go past
 * FD_SETSIZE. A scrape takes the lobby's and the bans' locks for an
 * instant; the counters need none.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv/conf.h"
#include "srv/log.h"
#include "srv/metrics.h"
#include "srv/metrics_http.h"
#include "srv/server.h"

#ifdef HAVE_METRICS

#include <netinet/in.h>
#include <stdarg.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "srv/lobby.h"

/* Scrapers served at once; more wait in the backlog. */
#define METRICS_CONNECTIONS	4
/* Seconds an idle or slow HTTP connection is kept. */
#define METRICS_TIMEOUT		10
/* Bytes of request (headers) and buffers per connection. */
#define METRICS_MEMORY		(16 * 1024)

#define CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct metrics_http {
	struct server		*srv;
	int			 fd;		/* the bound socket, until started */
	struct MHD_Daemon	*daemon;
	int64_t			 start_time;	/* Unix time of metrics_http_open */
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* libmicrohttpd's own messages, into burrowd's log. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warnx("metrics: %s", msg);
}

/* Queues a response of status with text (copied) and an optional Allow. */
static enum MHD_Result
respond(struct MHD_Connection *c, unsigned status, const char *type,
    char *text, size_t len, int owned, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, text, owned ?
	    MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (owned)
			free(text);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) == MHD_NO || (allow != NULL && MHD_add_response_header(r,
	    MHD_HTTP_HEADER_ALLOW, allow) == MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static char not_found[] = "Not found: the metrics are at /metrics.\n";
static char not_allowed[] = "Method not allowed: use GET.\n";
static char unavailable[] = "Metrics unavailable.\n";

/* Counters and gauges of this instant. */
static void
collect(struct metrics_http *mh, struct metrics_snapshot *snap)
{
	struct server *srv = mh->srv;
	unsigned pending, seated;

	memset(snap, 0, sizeof(*snap));
	metrics_read(&srv->metrics, snap);
	lobby_stats(srv->lobby, &pending, &seated);
	snap->gauge[MG_SERVED] = seated;
	snap->gauge[MG_QUEUED] = lobby_queued(srv->lobby);
	snap->gauge[MG_BANNED] = server_bans_active(srv);
	snap->version = PACKAGE_VERSION;
	snap->start_time = mh->start_time;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct metrics_snapshot snap;
	char *text;
	int n;

	if (strcmp(url, "/metrics") != 0)
		return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
		    strlen(not_found), 0, NULL);
	/* HEAD is GET without the body (libmicrohttpd leaves it out). */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
		    not_allowed, strlen(not_allowed), 0, "GET, HEAD");
	collect(cls, &snap);
	if ((text = malloc(METRICS_TEXT_MAX)) == NULL ||
	    (n = metrics_format(&snap, text, METRICS_TEXT_MAX)) < 0) {
		free(text);
		log_warnx("metrics: cannot format the scrape");
		return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
		    unavailable, strlen(unavailable), 0, NULL);
	}
	return respond(c, MHD_HTTP_OK, CONTENT_TYPE, text, (size_t)n, 1, NULL);
}

int
metrics_http_open(struct server *srv, struct metrics_http **out, char *err,
    size_t errlen)
{
	const struct srv_config *cfg = srv->cfg;
	struct sockaddr_storage sa;
	struct metrics_http *mh;
	socklen_t salen;
	int fd, one = 1;

	*out = NULL;
	if (cfg->metrics_listen[0] == '\0')
		return 0;
	if (metrics_parse_listen(cfg->metrics_listen, &sa, &salen, err,
	    errlen) == -1)
		return -1;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	/* An IPv6 address is that address alone, never IPv4 as well. */
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (sa.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (struct sockaddr *)&sa, salen) == -1 ||
	    listen(fd, 16) == -1) {
		snprintf(err, errlen, "%s: metrics_listen %s: %s", cfg->path,
		    cfg->metrics_listen, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if ((mh = calloc(1, sizeof(*mh))) == NULL) {
		snprintf(err, errlen, "metrics_listen: out of memory");
		close(fd);
		return -1;
	}
	mh->srv = srv;
	mh->fd = fd;
	mh->start_time = (int64_t)time(NULL);
	*out = mh;
	return 0;
}

int
metrics_http_start(struct metrics_http *mh)
{
	if (mh == NULL)
		return 0;
	mh->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, answer, mh,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)mh->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_TIMEOUT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEMORY,
	    MHD_OPTION_END);
	if (mh->daemon == NULL) {
		log_warnx("metrics: cannot start serving %s",
		    mh->srv->cfg->metrics_listen);
		return -1;
	}
	log_info("metrics on http://%s/metrics", mh->srv->cfg->metrics_listen);
	return 0;
}

void
metrics_http_stop(struct metrics_http *mh)
{
	if (mh == NULL)
		return;
	/* A started daemon closes the socket it was given. */
	if (mh->daemon != NULL)
		MHD_stop_daemon(mh->daemon);
	else if (mh->fd != -1)
		close(mh->fd);
	free(mh);
}

#else /* !HAVE_METRICS */

int
metrics_http_open(struct server *srv, struct metrics_http **out, char *err,
    size_t errlen)
{
	*out = NULL;
	if (srv->cfg->metrics_listen[0] == '\0')
		return 0;
	snprintf(err, errlen, "%s: metrics_listen: this burrowd was built "
	    "without metrics (configure --without-metrics)", srv->cfg->path);
	return -1;
}

int
metrics_http_start(struct metrics_http *mh)
{
	return 0;
}

void
metrics_http_stop(struct metrics_http *mh)
{
}

#endif /* HAVE_METRICS */
