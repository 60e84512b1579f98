/*
 * xferlog: one lock serialises writers; lines are written whole.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv/xferlog.h"

struct xferlog {
	/* lock guards fp. */
	pthread_mutex_t	 lock;
	FILE		*fp;
	char		*path;
};

static FILE *
open_append(const char *path)
{
	FILE *fp = fopen(path, "ae");

	if (fp != NULL)
		setvbuf(fp, NULL, _IOLBF, 0);
	return fp;
}

struct xferlog *
xferlog_open(const char *path)
{
	struct xferlog *x;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	if ((x->path = strdup(path)) == NULL || (x->fp = open_append(path)) == NULL) {
		free(x->path);
		free(x);
		return NULL;
	}
	pthread_mutex_init(&x->lock, NULL);
	return x;
}

void
xferlog_reopen(struct xferlog *x)
{
	FILE *fp;

	if (x == NULL || (fp = open_append(x->path)) == NULL)
		return;
	pthread_mutex_lock(&x->lock);
	fclose(x->fp);
	x->fp = fp;
	pthread_mutex_unlock(&x->lock);
}

void
xferlog_close(struct xferlog *x)
{
	if (x == NULL)
		return;
	fclose(x->fp);
	pthread_mutex_destroy(&x->lock);
	free(x->path);
	free(x);
}

void
xferlog_write(struct xferlog *x, const char *host, const char *user,
    const char *file, uint64_t bytes, double seconds, int incoming,
    int ascii, int complete)
{
	char when[64], name[4096];
	struct tm tm;
	time_t now;
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; file[i] != '\0' && i < sizeof(name) - 1; i++)
		name[i] = (unsigned char)file[i] <= ' ' || file[i] == 0x7f ?
		    '_' : file[i];
	name[i] = '\0';
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
	pthread_mutex_lock(&x->lock);
	fprintf(x->fp, "%s %.0f %s %" PRIu64 " %s %c _ %c r %s ftp 0 * %c\n",
	    when, seconds < 1 ? 1.0 : seconds, host, bytes, name,
	    ascii ? 'a' : 'b', incoming ? 'i' : 'o', user, complete ? 'c' : 'i');
	pthread_mutex_unlock(&x->lock);
}
