/*
 * cmd_list: directory listings for LIST (ls -l lines), NLST (names) and
 * MLSD (RFC 3659 facts), and the one-entry listing of a file. Entries come
 * sorted by name; symlinks are shown as what they lead to inside the jail,
 * and one that leads nowhere inside (dangling, or out of the home) as a
 * link with nothing of its target: its owner must see it to delete it.
 * A name holding a line feed (made on disk by other means: no command line
 * can carry one, so no client could name it anyway) is left out, since
 * every listing is one entry per line: it would forge entries, or reply
 * lines in STAT.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/listing.h"
#include "srv/commands.h"
#include "srv/jail.h"
#include "srv/log.h"
#include "srv/session.h"

struct textbuf {
	char	*p;
	size_t	 len, cap;
};

static int
tb_add(struct textbuf *tb, const char *line, size_t n)
{
	char *np;
	size_t need = tb->len + n + 3;

	if (need > tb->cap) {
		size_t cap = tb->cap ? tb->cap : 4096;
		while (cap < need)
			cap *= 2;
		if ((np = realloc(tb->p, cap)) == NULL)
			return -1;
		tb->p = np;
		tb->cap = cap;
	}
	memcpy(tb->p + tb->len, line, n);
	tb->len += n;
	memcpy(tb->p + tb->len, "\r\n", 3);
	tb->len += 2;
	return 0;
}

static int
one_line(struct session *s, struct textbuf *tb, const char *name,
    const struct stat *st, enum list_style style, time_t now)
{
	char line[VPATH_MAX + 256];
	const char *type = S_ISLNK(st->st_mode) ? "OS.unix=symlink" : NULL;
	int n;

	switch (style) {
	case LIST_NAMES:
		return tb_add(tb, name, strlen(name));
	case LIST_LONG:
		n = listing_ls_line(name, st, now, line, sizeof(line));
		break;
	case LIST_FACTS:
	default:
		n = listing_facts(name, st, type, s->mlst_facts, 1, line,
		    sizeof(line));
		break;
	}
	return n < 0 ? 0 : tb_add(tb, line, (size_t)n);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The link vpath itself, when it is one that the jail does not resolve
 * (dangling, or leading out of the home): 0 with st describing it with
 * its size at 0 (the length would hint at the target), else -1.
 */
static int
lost_link(struct session *s, const char *vpath, struct stat *st)
{
	int fd, rc;

	if ((fd = jail_open(s->rootfd, vpath, O_PATH | O_NOFOLLOW, 0)) == -1)
		return -1;
	rc = fstat(fd, st);
	close(fd);
	if (rc == -1 || !S_ISLNK(st->st_mode))
		return -1;
	st->st_size = 0;
	return 0;
}

/* Reads the names in the directory dfd (closed here), sorted. */
static char **
read_names(int dfd, size_t *count)
{
	DIR *dir;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0;

	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return NULL;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				goto fail;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto fail;
		n++;
	}
	closedir(dir);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	return names;
fail:
	while (n > 0)
		free(names[--n]);
	free(names);
	closedir(dir);
	errno = ENOMEM;
	return NULL;
}

char *
list_build(struct session *s, const char *vpath, enum list_style style,
    size_t *len)
{
	struct textbuf tb = { NULL, 0, 0 };
	char child[VPATH_MAX], **names;
	const char *base;
	struct stat st;
	time_t now = time(NULL);
	size_t i, n = 0, unlisted = 0;
	int dfd, oom = 0;

	if (jail_stat(s->rootfd, vpath, &st) == -1)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		base = strrchr(vpath, '/') + 1;
		if (one_line(s, &tb, style == LIST_NAMES ? vpath : base, &st,
		    style, now) == -1)
			goto nomem;
		goto done;
	}
	if ((dfd = jail_open(s->rootfd, vpath, O_RDONLY | O_DIRECTORY, 0)) == -1)
		return NULL;
	if ((names = read_names(dfd, &n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strchr(names[i], '\n') != NULL) {
			unlisted++;
			free(names[i]);
			continue;
		}
		/* An entry that vanished meanwhile is left out. */
		if (!oom && jail_normalize(vpath, names[i], child,
		    sizeof(child)) == 0 && (jail_stat(s->rootfd, child,
		    &st) == 0 || lost_link(s, child, &st) == 0) &&
		    one_line(s, &tb, names[i], &st, style, now) == -1)
			oom = 1;
		free(names[i]);
	}
	free(names);
	if (unlisted > 0)
		log_info("%s: %s: %zu name%s with a line feed left out of the "
		    "listing of %s", s->peer, s->user, unlisted, unlisted == 1 ?
		    "" : "s", vpath);
	if (oom)
		goto nomem;
done:
	if (tb.p == NULL && (tb.p = calloc(1, 1)) == NULL)
		goto nomem;
	*len = tb.len;
	return tb.p;
nomem:
	free(tb.p);
	errno = ENOMEM;
	return NULL;
}
