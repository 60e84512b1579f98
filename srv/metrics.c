/*
 * metrics: the counters' names, and their text for Prometheus. One table
 * lists every series in the order it is served: a family's # HELP and
 * # TYPE lines come before its first series, so the rows of one family
 * stay together. Label values in the table are constants; the only value
 * that comes from outside (the version) is escaped.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/util.h"
#include "srv/metrics.h"

enum kind { COUNTER, GAUGE };

static const struct series {
	const char	*name;		/* family, and sample name */
	enum kind	 kind;
	const char	*help;
	const char	*labels;	/* "" or constant `key="value"` pairs */
	int		 index;		/* into counter[] or gauge[] */
} series[] = {
	{ "burrow_sessions_served", GAUGE,
	  "Sessions logged in and served now (at most max_clients).", "",
	  MG_SERVED },
	{ "burrow_sessions_queued", GAUGE,
	  "Connections and logins waiting for a place now.", "", MG_QUEUED },
	{ "burrow_sessions_total", COUNTER,
	  "Control connections accepted as sessions.", "", MC_SESSIONS },
	{ "burrow_logins_total", COUNTER, "Successful logins.", "", MC_LOGINS },
	{ "burrow_login_failures_total", COUNTER, "Failed logins by reason.",
	  "reason=\"password\"", MC_LOGIN_FAIL_PASSWORD },
	{ "burrow_login_failures_total", COUNTER, NULL,
	  "reason=\"unknown_user\"", MC_LOGIN_FAIL_UNKNOWN },
	{ "burrow_login_failures_total", COUNTER, NULL,
	  "reason=\"session_limit\"", MC_LOGIN_FAIL_SESSIONS },
	{ "burrow_login_failures_total", COUNTER, NULL,
	  "reason=\"unavailable\"", MC_LOGIN_FAIL_UNAVAILABLE },
	{ "burrow_bans_active", GAUGE,
	  "Addresses banned now after failed logins.", "", MG_BANNED },
	{ "burrow_bans_total", COUNTER,
	  "Addresses banned after failed logins.", "", MC_BANS },
	{ "burrow_data_bytes_total", COUNTER,
	  "Bytes of data connections (transfers and listings) by direction.",
	  "direction=\"in\"", MC_BYTES_IN },
	{ "burrow_data_bytes_total", COUNTER, NULL, "direction=\"out\"",
	  MC_BYTES_OUT },
	{ "burrow_transfers_total", COUNTER,
	  "Downloads and uploads (RETR, STOR, APPE) by result.",
	  "result=\"ok\"", MC_XFER_OK },
	{ "burrow_transfers_total", COUNTER, NULL, "result=\"aborted\"",
	  MC_XFER_ABORTED },
	{ "burrow_transfers_total", COUNTER, NULL, "result=\"failed\"",
	  MC_XFER_FAILED },
	{ "burrow_transfers_total", COUNTER, NULL, "result=\"quota\"",
	  MC_XFER_QUOTA },
	{ "burrow_quota_refusals_total", COUNTER,
	  "Uploads stopped and ALLOs refused by a user's quota.", "",
	  MC_QUOTA_REFUSALS },
	{ "burrow_tls_handshakes_total", COUNTER,
	  "TLS handshakes by connection and result.",
	  "channel=\"control\",result=\"ok\"", MC_TLS_CONTROL_OK },
	{ "burrow_tls_handshakes_total", COUNTER, NULL,
	  "channel=\"control\",result=\"failed\"", MC_TLS_CONTROL_FAILED },
	{ "burrow_tls_handshakes_total", COUNTER, NULL,
	  "channel=\"data\",result=\"ok\"", MC_TLS_DATA_OK },
	{ "burrow_tls_handshakes_total", COUNTER, NULL,
	  "channel=\"data\",result=\"failed\"", MC_TLS_DATA_FAILED },
};

void
metrics_read(struct metrics *m, struct metrics_snapshot *out)
{
	size_t i;

	for (i = 0; i < MC_COUNT; i++)
		out->counter[i] = atomic_load_explicit(&m->c[i],
		    memory_order_relaxed);
}

int
metrics_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in != '\0'; in++) {
		const char *rep = *in == '\\' ? "\\\\" : *in == '"' ? "\\\"" :
		    *in == '\n' ? "\\n" : NULL;
		size_t n = rep != NULL ? 2 : 1;

		if (o + n >= len)
			return -1;
		if (rep != NULL)
			memcpy(out + o, rep, n);
		else
			out[o] = *in;
		o += n;
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return 0;
}

/* Appends to buf at *at; -1 once it does not fit. */
static int
put(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

/* The # HELP and # TYPE lines of a family. */
static int
put_family(char *buf, size_t len, size_t *at, const char *name,
    const char *type, const char *help)
{
	return put(buf, len, at, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

int
metrics_format(const struct metrics_snapshot *snap, char *buf, size_t len)
{
	char version[256];
	const struct series *sr;
	size_t at = 0, i;
	uint64_t v;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (metrics_escape(snap->version != NULL ? snap->version : "",
	    version, sizeof(version)) == -1)
		return -1;
	if (put_family(buf, len, &at, "burrow_build_info", "gauge",
	    "The version of burrowd, as a label; always 1.") == -1 ||
	    put(buf, len, &at, "burrow_build_info{version=\"%s\"} 1\n",
	    version) == -1 ||
	    put_family(buf, len, &at, "burrow_start_time_seconds", "gauge",
	    "When burrowd started, in seconds since the Unix epoch.") == -1 ||
	    put(buf, len, &at, "burrow_start_time_seconds %jd\n",
	    (intmax_t)snap->start_time) == -1)
		return -1;
	for (i = 0; i < sizeof(series) / sizeof(series[0]); i++) {
		sr = &series[i];
		if (sr->help != NULL && put_family(buf, len, &at, sr->name,
		    sr->kind == COUNTER ? "counter" : "gauge", sr->help) == -1)
			return -1;
		v = sr->kind == COUNTER ? snap->counter[sr->index] :
		    snap->gauge[sr->index];
		if (put(buf, len, &at, "%s%s%s%s %ju\n", sr->name,
		    sr->labels[0] != '\0' ? "{" : "", sr->labels,
		    sr->labels[0] != '\0' ? "}" : "", (uintmax_t)v) == -1)
			return -1;
	}
	return (int)at;
}

int
metrics_parse_listen(const char *text, struct sockaddr_storage *sa,
    socklen_t *salen, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *port, *end;
	long long p;
	size_t n;

	memset(&ss, 0, sizeof(ss));
	if (text[0] == '[') {
		if ((end = strchr(text, ']')) == NULL || end[1] != ':')
			goto bad;
		n = (size_t)(end - text - 1);
		port = end + 2;
		if (n == 0 || n >= sizeof(host))
			goto bad;
		memcpy(host, text + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad;
		ss.ss_family = AF_INET6;
	} else {
		if ((end = strrchr(text, ':')) == NULL)
			goto bad;
		n = (size_t)(end - text);
		port = end + 1;
		if (n == 0 || n >= sizeof(host))
			goto bad;
		memcpy(host, text, n);
		host[n] = '\0';
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			goto bad;
		ss.ss_family = AF_INET;
	}
	if (parse_num(port, 1, 65535, &p, NULL) == -1)
		goto bad;
	if (ss.ss_family == AF_INET)
		in4->sin_port = htons((uint16_t)p);
	else
		in6->sin6_port = htons((uint16_t)p);
	if (sa != NULL)
		*sa = ss;
	if (salen != NULL)
		*salen = ss.ss_family == AF_INET ? sizeof(*in4) : sizeof(*in6);
	return 0;
bad:
	snprintf(why, whylen, "metrics_listen: \"%s\" is not ADDRESS:PORT "
	    "such as \"127.0.0.1:9121\" or \"[::1]:9121\" (numeric address, "
	    "port 1-65535), or \"\" for none", text);
	return -1;
}
