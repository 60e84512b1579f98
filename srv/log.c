/*
 * log: one lock serialises writers so lines from different workers never
 * interleave; syslog is thread-safe on its own.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/err.h>

#include "srv/log.h"

/* log_lock guards log_target, log_fp and log_path. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_target log_target = LOGTO_STDERR;
static FILE *log_fp;
static char *log_path;

int
log_open(enum log_target target, const char *path)
{
	FILE *fp = NULL;

	if (target == LOGTO_FILE) {
		if ((fp = fopen(path, "ae")) == NULL)
			return -1;
		setvbuf(fp, NULL, _IOLBF, 0);
	} else if (target == LOGTO_SYSLOG)
		openlog("burrowd", LOG_PID | LOG_NDELAY, LOG_FTP);

	pthread_mutex_lock(&log_lock);
	if (log_fp != NULL)
		fclose(log_fp);
	free(log_path);
	log_path = path != NULL ? strdup(path) : NULL;
	log_fp = fp;
	log_target = target;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_reopen(void)
{
	FILE *fp;

	pthread_mutex_lock(&log_lock);
	if (log_target == LOGTO_FILE && log_path != NULL &&
	    (fp = fopen(log_path, "ae")) != NULL) {
		setvbuf(fp, NULL, _IOLBF, 0);
		fclose(log_fp);
		log_fp = fp;
	}
	pthread_mutex_unlock(&log_lock);
}

void
log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	free(log_path);
	log_path = NULL;
	if (log_target == LOGTO_SYSLOG)
		closelog();
	log_target = LOGTO_STDERR;
	pthread_mutex_unlock(&log_lock);
}

static void log_vemit(int, const char *, va_list, const char *)
    __attribute__((format(printf, 2, 0)));

static void
log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024], stamp[32];
	struct tm tm;
	time_t t;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Names come from clients: no CR, ESC or other control may forge a line. */
	for (char *p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	pthread_mutex_lock(&log_lock);
	if (log_target == LOGTO_SYSLOG) {
		syslog(prio, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
	} else {
		t = time(NULL);
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(log_fp != NULL ? log_fp : stderr, "%s %s%s%s\n", stamp,
		    msg, suffix ? ": " : "", suffix ? suffix : "");
	}
	pthread_mutex_unlock(&log_lock);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	char err[256];
	va_list ap;
	int saved = errno;

	/* strerror_r: the GNU version returns the string it chose. */
	const char *s = strerror_r(saved, err, sizeof(err));
	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap, s);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_ssl(const char *what)
{
	unsigned long e;
	char buf[256];
	int any = 0;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("%s: %s", what, buf);
		any = 1;
	}
	if (!any)
		log_warnx("%s: no OpenSSL error queued", what);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	abort();
}
