/*
 * xlog: the transfer log; see xlog.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/xlog.h"

void
xlog_init(struct xlog *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->cap = cap > 0 ? cap : XLOG_MAX;
}

void
xlog_free(struct xlog *l)
{
	xlog_lines_free(l->v, l->n);
	l->v = NULL;
	l->n = 0;
	pthread_mutex_destroy(&l->lock);
}

void
xlog_counts(struct xlog *l, unsigned long *added, unsigned long *failed)
{
	pthread_mutex_lock(&l->lock);
	*added = l->added;
	*failed = l->failed;
	pthread_mutex_unlock(&l->lock);
}

/* Makes room for one more line: the oldest that is not a failure goes,
 * or the oldest of all when every line is one. */
static void
drop_one(struct xlog *l)
{
	size_t i;

	for (i = 0; i < l->n && l->v[i].kind == XLOG_FAILED; i++)
		;
	if (i == l->n)
		i = 0;
	free(l->v[i].text);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
	l->n--;
	l->dropped++;
}

static const char *const words[] = {
	[XLOG_DONE] = "ok  ",
	[XLOG_SKIPPED] = "skip",
	[XLOG_FAILED] = "FAIL",
	[XLOG_CANCELED] = "stop",
};

int
xlog_add(struct xlog *l, time_t when, enum xlog_kind kind, int upload,
    const char *src, const char *dst, const char *msg)
{
	struct xlog_line *v;
	struct tm tm;
	char at[16];
	char *text, *p;

	if (localtime_r(&when, &tm) == NULL ||
	    strftime(at, sizeof(at), "%H:%M:%S", &tm) == 0)
		snprintf(at, sizeof(at), "--:--:--");
	if (msg == NULL)
		msg = "";
	if (asprintf(&text, "%s %s %s %s -> %s%s%s", at, upload ? "up  " :
	    "down", words[kind], src, dst, msg[0] != '\0' ? ": " : "",
	    msg) < 0)
		return -1;
	for (p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	pthread_mutex_lock(&l->lock);
	if (l->v == NULL && (l->v = calloc(l->cap, sizeof(*l->v))) == NULL) {
		pthread_mutex_unlock(&l->lock);
		free(text);
		return -1;
	}
	if (l->n == l->cap)
		drop_one(l);
	v = &l->v[l->n++];
	v->text = text;
	v->kind = kind;
	l->added++;
	if (kind == XLOG_FAILED)
		l->failed++;
	pthread_mutex_unlock(&l->lock);
	return 0;
}

long
xlog_copy(struct xlog *l, int failed_only, struct xlog_line **out)
{
	size_t i, n = 0;

	*out = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->n > 0 && (*out = calloc(l->n, sizeof(**out))) == NULL)
		goto fail;
	for (i = 0; i < l->n; i++) {
		if (failed_only && l->v[i].kind != XLOG_FAILED)
			continue;
		if (((*out)[n].text = strdup(l->v[i].text)) == NULL)
			goto fail;
		(*out)[n++].kind = l->v[i].kind;
	}
	pthread_mutex_unlock(&l->lock);
	return (long)n;
fail:
	pthread_mutex_unlock(&l->lock);
	xlog_lines_free(*out, n);
	*out = NULL;
	return -1;
}

void
xlog_lines_free(struct xlog_line *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}
