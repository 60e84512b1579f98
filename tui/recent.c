/*
 * recent: the recent servers; see recent.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/util.h"
#include "tui/recent.h"
#include "tui/url.h"

int
recent_default_file(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/burrow/recent", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.local/state/burrow/recent", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
recent_free(struct recent *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	memset(r, 0, sizeof(*r));
}

static int
has(const struct recent *r, const char *url)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i], url) == 0)
			return 1;
	return 0;
}

/* 1 when line is an address to keep: parsed, and with no password. */
static int
usable(const char *line)
{
	struct url u;
	char err[128];
	int ok;

	ok = url_parse(line, &u, err, sizeof(err)) == 0 && !u.have_pass;
	url_wipe(&u);
	return ok;
}

int
recent_load(struct recent *r, const char *file, char *err, size_t errlen)
{
	char line[RECENT_LINE_MAX + 2];
	size_t n;
	FILE *f;
	int ch;

	recent_free(r);
	if ((f = fopen(file, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	while (r->n < RECENT_MAX && fgets(line, sizeof(line), f) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;	/* too long: not ours */
			continue;
		}
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || !usable(line) || has(r, line))
			continue;
		if ((r->v[r->n] = strdup(line)) == NULL)
			break;
		r->n++;
	}
	if (ferror(f)) {
		set_err(err, errlen, "%s: read error", file);
		fclose(f);
		recent_free(r);
		return -1;
	}
	fclose(f);
	return 0;
}

int
recent_add(struct recent *r, const char *url)
{
	char *s;
	size_t i;

	if ((s = strdup(url)) == NULL)
		return -1;
	for (i = 0; i < r->n && strcmp(r->v[i], url) != 0; i++)
		;
	if (i == r->n && r->n == RECENT_MAX)
		i = r->n - 1;		/* the oldest goes */
	if (i < r->n) {
		free(r->v[i]);
		memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) *
		    sizeof(r->v[0]));
		r->n--;
	}
	memmove(&r->v[1], &r->v[0], r->n * sizeof(r->v[0]));
	r->v[0] = s;
	r->n++;
	return 0;
}

int
recent_save(const struct recent *r, const char *file, char *err,
    size_t errlen)
{
	char tmp[4096 + 16];
	size_t i;
	FILE *f;

	if ((f = replace_begin(file, tmp, sizeof(tmp), err, errlen)) == NULL)
		return -1;
	for (i = 0; i < r->n; i++)
		fprintf(f, "%s\n", r->v[i]);
	return replace_end(f, tmp, file, err, errlen);
}
