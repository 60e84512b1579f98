/*
 * batch: commands from a stream; see batch.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/hash.h"
#include "proto/util.h"
#include "tui/batch.h"
#include "tui/compare.h"
#include "tui/mirror.h"
#include "tui/progress.h"
#include "tui/remote.h"
#include "tui/rmtree.h"
#include "tui/wild.h"
#include "tui/xfer.h"

#define LINE_MAX_BATCH	8192
#define BAR_WIDTH	24

struct batch {
	struct fs	*remote;
	struct fs	*local;
	FILE		*out;
	FILE		*err;
	int		 progress;
	int		 bar_shown;	/* a progress line is on the terminal */
	struct xfer_pool *pool;
	unsigned	 ev_failed;	/* files that failed in this command */
	struct progress_meter meter[XFER_PARALLEL_MAX];	/* per login */
	const char	*line;		/* the command, for error messages */
};

int
batch_split(const char *line, char **argv, int max, char *buf, size_t len,
    const char **why)
{
	const char *p = line;
	size_t used = 0;
	int argc = 0;
	char q;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			return argc;
		if (argc == max) {
			*why = "too many words";
			return -1;
		}
		argv[argc++] = buf + used;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n') {
			if (*p == '"' || *p == '\'') {
				for (q = *p++; *p != q; p++) {
					if (*p == '\0') {
						*why = "unclosed quote";
						return -1;
					}
					if (q == '"' && *p == '\\' && p[1] != '\0')
						p++;
					if (used + 2 > len)
						goto full;
					buf[used++] = *p;
				}
				p++;
				continue;
			}
			if (*p == '\\' && *++p == '\0') {
				*why = "backslash at the end";
				return -1;
			}
			if (used + 2 > len)	/* this byte and a NUL */
				goto full;
			buf[used++] = *p++;
		}
		if (used + 1 > len)
			goto full;
		buf[used++] = '\0';
	}
full:
	*why = "line too long";
	return -1;
}

/*
 * Writes s with control bytes as '?': names from a server or a disk may
 * hold any byte, and an escape sequence must not drive the terminal.
 */
static void
put_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* printf() through put_safe(), then a newline. */
static void
put_line(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put_line(FILE *f, const char *fmt, ...)
{
	char buf[3 * FS_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put_safe(f, buf);
	fputc('\n', f);
}

static void
clear_bar(struct batch *b)
{
	if (b->bar_shown) {
		fputs("\r\033[K", b->err);
		fflush(b->err);
		b->bar_shown = 0;
	}
}

static void
fail(struct batch *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct batch *b, const char *fmt, ...)
{
	char msg[2 * FS_PATH_MAX];
	va_list ap;

	clear_bar(b);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_line(b->err, "burrow: %s: %s", b->line, msg);
}

static void
on_progress(void *arg, const struct xfer_progress *p)
{
	struct batch *b = arg;
	char base[LISTING_NAME_MAX], line[256];
	double r;

	if (!b->progress)
		return;
	if (p->phase != NULL) {
		snprintf(line, sizeof(line), "%-*.*s  %s (checksums)...",
		    PROGRESS_NAME_WIDTH, PROGRESS_NAME_MAX, fs_basename(p->src,
		    base, sizeof(base)), p->phase);
		fputs("\r\033[K", b->err);
		put_safe(b->err, line);
		fflush(b->err);
		b->bar_shown = 1;
		return;
	}
	if (p->done == p->offset)
		progress_meter_init(&b->meter[p->slot]);
	r = progress_meter_add(&b->meter[p->slot], now_mono(), p->done);
	progress_line(line, sizeof(line), fs_basename(p->src, base,
	    sizeof(base)), BAR_WIDTH, p->done, p->total, r);
	fputs("\r\033[K", b->err);
	put_safe(b->err, line);
	fflush(b->err);
	b->bar_shown = 1;
}

static void
on_notice(void *arg, const char *msg)
{
	struct batch *b = arg;

	clear_bar(b);
	put_line(b->err, "burrow: %s", msg);
}

static void
on_event(void *arg, enum xfer_event ev, const char *src, const char *dst,
    const char *msg)
{
	struct batch *b = arg;

	clear_bar(b);
	switch (ev) {
	case XFER_EV_DONE:
		put_line(b->out, "%s -> %s: %s", src, dst, msg);
		break;
	case XFER_EV_SKIPPED:
		put_line(b->out, "%s -> %s: skipped, %s", src, dst, msg);
		break;
	case XFER_EV_MKDIR:
		put_line(b->out, "%s/: %s", dst, msg);
		break;
	case XFER_EV_FAILED:
		b->ev_failed++;
		put_line(b->err, "burrow: %s: %s -> %s: %s", b->line, src,
		    dst, msg);
		break;
	case XFER_EV_CANCELED:
		put_line(b->err, "burrow: %s: %s -> %s: %s", b->line, src,
		    dst, msg);
		break;
	}
	fflush(b->out);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->name,
	    ((const struct listing_entry *)b)->name);
}

static int
cmd_ls(struct batch *b, int argc, char **argv)
{
	struct listing_entry *v;
	char err[1024], when[32];
	size_t n, i;
	struct tm tm;
	int rc;

	if ((rc = fs_list(b->remote, argc > 1 ? argv[1] : NULL, &v, &n, err,
	    sizeof(err))) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	for (i = 0; i < n; i++) {
		if (v[i].have_mtime && gmtime_r(&v[i].mtime, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		else
			snprintf(when, sizeof(when), "%-16s", "-");
		put_line(b->out, "%c %12llu %s %s%s%s",
		    "fdlo"[v[i].type <= LISTING_OTHER ? v[i].type :
		    LISTING_OTHER], (unsigned long long)v[i].size, when,
		    v[i].name, v[i].link_target[0] != '\0' ? " -> " : "",
		    v[i].link_target);
	}
	free(v);
	return 0;
}

/* Runs an fs call that takes one path, printing its error. */
static int
one_path(struct batch *b, struct fs *fs,
    int (*op)(struct fs *, const char *, char *, size_t), const char *path)
{
	char err[1024];

	if (op(fs, path, err, sizeof(err)) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	return 0;
}

/*
 * The target of a get or put: the given name, that name's folder plus the
 * source's last component when it names an existing folder, or the
 * source's last component in the current folder.
 */
static int
target(struct fs *dst, const char *src, const char *given, char *out,
    size_t len)
{
	struct listing_entry e;
	char base[LISTING_NAME_MAX], err[512];

	fs_basename(src, base, sizeof(base));
	if (given == NULL)
		return fs_join(fs_cwd(dst), base, out, len);
	if (fs_stat(dst, given, &e, err, sizeof(err)) == FS_OK &&
	    e.type == LISTING_DIR)
		return fs_join(given, base, out, len);
	return snprintf(out, len, "%s", given) >= (int)len ? -1 : 0;
}

/* Copies one file or tree from src to dst; given: the target, or NULL. */
static int
copy(struct batch *b, struct fs *src, const char *from, struct fs *dst,
    const char *given)
{
	struct xfer_opts o;
	struct xfer_stats st;
	char to[FS_PATH_MAX], err[1024];

	if (target(dst, from, given, to, sizeof(to)) < 0) {
		fail(b, "path too long");
		return -1;
	}
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.resume_flags = RESUME_ALLOW | RESUME_SKIP_SIZE_ONLY;
	o.verify = 1;
	o.progress = on_progress;
	o.event = on_event;
	o.notice = on_notice;
	o.pool = b->pool;
	o.arg = b;
	b->ev_failed = 0;
	if (xfer_copy(src, from, dst, to, &o, &st, err,
	    sizeof(err)) != FS_OK) {
		/* Each failed file has had its line; a tree gets a total. */
		if (b->ev_failed == 0)
			fail(b, "%s", err);
		else if (b->ev_failed > 1)
			fail(b, "%u files failed, %u transferred, %u skipped",
			    st.failed, st.files, st.skipped);
		else
			clear_bar(b);
		return -1;
	}
	clear_bar(b);
	return 0;
}

/* What a word of get, put or rm names on its source side. */
struct matches {
	char			 dir[FS_PATH_MAX];	/* their folder */
	struct listing_entry	*v;	/* NULL: the word as it is */
	size_t			 n;
};

/*
 * Expands word against a listing of its folder on fs (wild.h). A word
 * without wildcards, or one that names an entry as it is (a name that
 * holds a '*'), is taken as it is: m->v NULL. Returns 0, or -1 after
 * saying why (no match is an error).
 */
static int
expand(struct batch *b, struct fs *fs, const char *word, struct matches *m)
{
	struct listing_entry e;
	char base[LISTING_NAME_MAX], err[1024];
	size_t i;

	memset(m, 0, sizeof(*m));
	if (!wild_has(word))
		return 0;
	if (wild_split(word, m->dir, sizeof(m->dir), base,
	    sizeof(base)) < 0) {
		fail(b, "%s: no name to match", word);
		return -1;
	}
	if (wild_has(m->dir)) {
		if (fs_stat(fs, word, &e, err, sizeof(err)) == FS_OK)
			return 0;
		fail(b, "%s: wildcards may only be in the last part of a "
		    "path", word);
		return -1;
	}
	if (fs_list(fs, m->dir[0] != '\0' ? m->dir : NULL, &m->v, &m->n, err,
	    sizeof(err)) != FS_OK) {
		m->v = NULL;
		fail(b, "%s", err);
		return -1;
	}
	for (i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, base) == 0) {
			free(m->v);
			m->v = NULL;
			return 0;
		}
	if ((m->n = wild_select(base, m->v, m->n)) == 0) {
		free(m->v);
		m->v = NULL;
		fail(b, "no match for %s", word);
		return -1;
	}
	return 0;
}

/* The i-th match's path into out; -1 (said) when it does not fit. */
static int
match_path(struct batch *b, const struct matches *m, size_t i, char *out,
    size_t len)
{
	if (fs_join(m->dir, m->v[i].name, out, len) < 0) {
		fail(b, "%s: path too long", m->v[i].name);
		return -1;
	}
	return 0;
}

/* get and put: each match in turn, none stopping the others. */
static int
cmd_copy(struct batch *b, struct fs *src, struct fs *dst, int argc,
    char **argv)
{
	struct matches m;
	struct listing_entry e;
	const char *given = argc > 2 ? argv[2] : NULL;
	char path[FS_PATH_MAX], err[512];
	size_t i;
	int rc = 0;

	/* The other logins come up while this copy looks at its source and
	 * target, rather than when it first needs them (and not at all for
	 * a script that copies nothing). */
	xfer_pool_warm(b->pool);
	if (expand(b, src, argv[1], &m) < 0)
		return -1;
	if (m.v == NULL)
		return copy(b, src, argv[1], dst, given);
	if (m.n > 1 && given != NULL && (fs_stat(dst, given, &e, err,
	    sizeof(err)) != FS_OK || e.type != LISTING_DIR)) {
		fail(b, "%s: not a folder, and %zu names match %s", given, m.n,
		    argv[1]);
		free(m.v);
		return -1;
	}
	for (i = 0; i < m.n; i++)
		if (match_path(b, &m, i, path, sizeof(path)) < 0 ||
		    copy(b, src, path, dst, given) < 0)
			rc = -1;
	free(m.v);
	return rc;
}

/*
 * Removes one remote file (or link); named: say so on success, and name
 * path in a failure (it came from a pattern).
 */
static int
rm_one(struct batch *b, const char *path, int named)
{
	struct listing_entry e;
	char err[1024], e2[256];

	if (fs_remove(b->remote, path, err, sizeof(err)) == FS_OK) {
		if (named)
			put_line(b->out, "%s: removed", path);
		return 0;
	}
	if (fs_stat(b->remote, path, &e, e2, sizeof(e2)) == FS_OK &&
	    e.type == LISTING_DIR)
		fail(b, "%s: is a folder (use rm -r or rmdir)", path);
	else if (named)
		fail(b, "%s: %s", path, err);
	else
		fail(b, "%s", err);
	return -1;
}

static void
on_removed(void *arg, const char *path, int folder)
{
	struct batch *b = arg;

	put_line(b->out, "%s%s: removed", path, folder &&
	    path[strlen(path) - 1] != '/' ? "/" : "");
}

static void
on_not_removed(void *arg, const char *path, const char *why)
{
	fail(arg, "%s: %s", path, why);
}

/* rm -r of one path: refused, or the tree removed entry by entry. */
static int
rm_tree(struct batch *b, const char *path)
{
	const struct rmtree_cb cb = { on_removed, on_not_removed, b };
	const char *why;
	unsigned bad;

	if ((why = rmtree_refuses(fs_cwd(b->remote), path)) != NULL) {
		fail(b, "%s: %s", path, why);
		return -1;
	}
	if ((bad = rmtree(b->remote, path, &cb)) == 0)
		return 0;
	if (bad > 1)
		fail(b, "%s: %u entries not removed", path, bad);
	return -1;
}

/* rm [-r] path: each match of a pattern in turn. */
static int
cmd_rm(struct batch *b, int argc, char **argv)
{
	struct matches m;
	char path[FS_PATH_MAX];
	const char *word = argv[argc - 1];
	int r = 0, rc = 0;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "-r") != 0) {
		fail(b, "wrong number of arguments (try help)");
		return -1;
	}
	if (strcmp(word, "-r") == 0) {
		fail(b, "rm -r needs a path (./-r for a file called so)");
		return -1;
	}
	r = argc == 3;
	if (expand(b, b->remote, word, &m) < 0)
		return -1;
	if (m.v == NULL)
		return r ? rm_tree(b, word) : rm_one(b, word, 0);
	for (i = 0; i < m.n; i++)
		if (match_path(b, &m, i, path, sizeof(path)) < 0 ||
		    (r ? rm_tree(b, path) : rm_one(b, path, 1)) < 0)
			rc = -1;
	free(m.v);
	return rc;
}

/*
 * Sets the mode of one path on fs; named: say so on success, and name path
 * in a failure (it came from a pattern). Returns 0, -1, or FS_NOTSUP when
 * this side cannot at all.
 */
static int
chmod_one(struct batch *b, struct fs *fs, const char *path, unsigned mode,
    int named)
{
	char err[1024];
	int rc;

	if ((rc = fs_chmod(fs, path, mode, err, sizeof(err))) == FS_OK) {
		if (named)
			put_line(b->out, "%s: mode %04o", path, mode);
		return 0;
	}
	if (named && rc != FS_NOTSUP)
		fail(b, "%s: %s", path, err);
	else
		fail(b, "%s", err);
	return rc == FS_NOTSUP ? FS_NOTSUP : -1;
}

/* chmod and lchmod MODE path: each match of a pattern in turn. */
static int
cmd_chmod(struct batch *b, struct fs *fs, char **argv)
{
	struct matches m;
	char path[FS_PATH_MAX];
	unsigned mode;
	int rc = 0, r;
	size_t i;

	if (parse_mode(argv[1], &mode) < 0) {
		fail(b, "%s: not a mode (one to four octal digits, such as 644)",
		    argv[1]);
		return -1;
	}
	if (expand(b, fs, argv[2], &m) < 0)
		return -1;
	if (m.v == NULL)
		return chmod_one(b, fs, argv[2], mode, 0) == 0 ? 0 : -1;
	for (i = 0; i < m.n; i++) {
		if (match_path(b, &m, i, path, sizeof(path)) < 0) {
			rc = -1;
			continue;
		}
		if ((r = chmod_one(b, fs, path, mode, 1)) == 0)
			continue;
		rc = -1;
		if (r == FS_NOTSUP)	/* nor will it for the next ones */
			break;
	}
	free(m.v);
	return rc;
}

static int
cmd_hash(struct batch *b, const char *path)
{
	char hex[HASH_HEX_MAX], err[1024];
	const char *algo = b->remote->hash_algo;

	if (algo == NULL) {
		fail(b, "the server does not offer HASH");
		return -1;
	}
	if (fs_hash(b->remote, path, algo, 0, UINT64_MAX, hex, sizeof(hex),
	    err, sizeof(err)) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	put_line(b->out, "%s %s %s", algo, hex, path);
	return 0;
}

static int
cmd_quota(struct batch *b)
{
	unsigned long long n;
	char err[1024], human[32];

	if (fs_remote_avbl(b->remote, NULL, &n, err, sizeof(err)) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	format_size(n, human, sizeof(human));
	fprintf(b->out, "%llu bytes available (%s)\n", n, human);
	return 0;
}

static int
cmd_rename(struct batch *b, const char *from, const char *to)
{
	char err[1024];

	if (fs_rename(b->remote, from, to, err, sizeof(err)) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	return 0;
}

/* mirror's words after the name. */
struct mirror_args {
	int		 upload;	/* -R */
	int		 delete;
	int		 dry_run;
	struct mirror_opts mo;
	const char	*src;		/* remote, or local with -R */
	const char	*dst;
};

/* "[+-]H[:MM]" hours ahead of UTC into seconds; -1 when it is not one. */
static int
parse_offset(const char *s, long *out)
{
	long long h, m = 0;
	char buf[16], *colon;
	int neg = s[0] == '-';

	if (snprintf(buf, sizeof(buf), "%s", s + (s[0] == '-' ||
	    s[0] == '+')) >= (int)sizeof(buf))
		return -1;
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		if (parse_num(colon + 1, 0, 59, &m, NULL) < 0)
			return -1;
	}
	if (parse_num(buf, 0, 26, &h, NULL) < 0)
		return -1;
	*out = (long)((h * 3600 + m * 60) * (neg ? -1 : 1));
	return 0;
}

static int
mirror_parse(struct batch *b, int argc, char **argv, struct mirror_args *m)
{
	int i, k = 0;

	memset(m, 0, sizeof(*m));
	m->mo.recursive = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-R") == 0)
			m->upload = 1;
		else if (strcmp(argv[i], "--delete") == 0)
			m->delete = 1;
		else if (strcmp(argv[i], "--dry-run") == 0)
			m->dry_run = 1;
		else if (strcmp(argv[i], "--checksum") == 0)
			m->mo.checksum = 1;
		else if (strcmp(argv[i], "--time-offset") == 0) {
			if (++i == argc || parse_offset(argv[i],
			    &m->mo.offset) < 0) {
				fail(b, "--time-offset: hours ahead of UTC, "
				    "such as 2, -5 or +5:30");
				return -1;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0' && k == 0) {
			fail(b, "%s: unknown option (try help)", argv[i]);
			return -1;
		} else if (k == 0) {
			m->src = argv[i];
			k++;
		} else if (k == 1) {
			m->dst = argv[i];
			k++;
		} else {
			fail(b, "wrong number of arguments (try help)");
			return -1;
		}
	}
	if (k != 2) {
		fail(b, "mirror needs a source and a target folder (try "
		    "help)");
		return -1;
	}
	return 0;
}

/* Why an action is there, said from the source's side. */
static const char *
mirror_why(const struct compare_item *it)
{
	switch (it->kind) {
	case COMPARE_ONLY_LEFT:
		return "new";
	case COMPARE_ONLY_RIGHT:
		return "not on the source";
	case COMPARE_NEWER_LEFT:
		return it->flags & COMPARE_F_SIZE ? "newer, size differs" :
		    "newer";
	case COMPARE_NEWER_RIGHT:
		return it->flags & COMPARE_F_SIZE ?
		    "older than the target, size differs" :
		    "older than the target";
	case COMPARE_SIZE:
		return "size differs";
	case COMPARE_CONTENT:
		return "content differs";
	case COMPARE_TYPE:
		return "type differs";
	default:
		return "same";
	}
}

/* The plan, one line an action. */
static void
mirror_print(struct batch *b, const struct mirror_args *m,
    const struct plan_action *a, size_t na)
{
	const char *where = m->upload ? "remote" : "local";
	size_t i;

	for (i = 0; i < na; i++) {
		const struct compare_item *it = a[i].item;
		const struct compare_entry *e = it->in_left ? &it->left :
		    &it->right;
		const char *slash = e->type == LISTING_DIR ? "/" : "";

		switch (a[i].op) {
		case PLAN_COPY:
			put_line(b->out, "%s %s%s (%s)", m->upload ? "upload" :
			    "download", it->path, slash, mirror_why(it));
			break;
		case PLAN_DELETE:
			put_line(b->out, "delete %s %s%s (%s)", where,
			    it->path, slash, mirror_why(it));
			break;
		case PLAN_REPLACE:
			put_line(b->out, "replace %s %s%s (%s)", where,
			    it->path, slash, mirror_why(it));
			break;
		case PLAN_CONFLICT:
			put_line(b->out, "conflict %s%s (%s; kept, --delete "
			    "replaces it)", it->path, slash, mirror_why(it));
			break;
		}
	}
}

/* How many entries still differ, each said; -1 (said) when the compare
 * itself fails. */
static long
mirror_check(struct batch *b, struct fs *src, const char *sp, struct fs *dst,
    const char *dp, const struct mirror_opts *mo)
{
	struct compare_item *it;
	char err[1024];
	size_t n, i;
	long left = 0;

	if (mirror_compare(src, sp, dst, dp, mo, &it, &n, err,
	    sizeof(err)) != FS_OK) {
		fail(b, "comparing again: %s", err);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (it[i].kind != COMPARE_SAME) {
			put_line(b->out, "still differs: %s (%s)", it[i].path,
			    mirror_why(&it[i]));
			left++;
		}
	free(it);
	return left;
}

static int
cmd_mirror(struct batch *b, int argc, char **argv)
{
	struct mirror_args m;
	struct compare_item *it = NULL;
	struct plan_action *a = NULL;
	struct mirror_stats st;
	struct xfer_opts o;
	const struct rmtree_cb cb = { on_removed, on_not_removed, b };
	struct fs *src, *dst;
	const char *sp, *dp;
	char err[1024];
	size_t n, na, i;
	unsigned copies = 0, dels = 0, conflicts = 0;
	long still;
	int rc;

	if (mirror_parse(b, argc, argv, &m) < 0)
		return -1;
	src = m.upload ? b->local : b->remote;
	dst = m.upload ? b->remote : b->local;
	sp = m.src;
	dp = m.dst;
	xfer_pool_warm(b->pool);
	if ((rc = mirror_compare(src, sp, dst, dp, &m.mo, &it, &n, err,
	    sizeof(err))) != FS_OK) {
		fail(b, "%s", err);
		return -1;
	}
	if ((a = calloc(n > 0 ? n : 1, sizeof(*a))) == NULL) {
		free(it);
		fail(b, "out of memory");
		return -1;
	}
	na = plan_make(it, n, PLAN_LEFT, m.delete ? PLAN_DELETE_OK : 0, a);
	for (i = 0; i < na; i++) {
		copies += a[i].op == PLAN_COPY || a[i].op == PLAN_REPLACE;
		dels += a[i].op == PLAN_DELETE || a[i].op == PLAN_REPLACE;
		conflicts += a[i].op == PLAN_CONFLICT;
	}
	rc = 0;
	if (m.dry_run || na == 0) {
		mirror_print(b, &m, a, na);
		put_line(b->out, "mirror: %u to copy, %u to delete, %u "
		    "conflicts%s", copies, dels, conflicts,
		    m.dry_run ? " (dry run: nothing changed)" : "");
		/* The trees are the same only when nothing differs, extra
		 * entries on the target included. */
		for (i = 0; i < n && it[i].kind == COMPARE_SAME; i++)
			;
		if (i < n) {
			fail(b, "the trees differ");
			rc = -1;
		} else
			put_line(b->out, "mirror: the trees are the same");
		free(a);
		free(it);
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.resume_flags = RESUME_ALLOW;
	o.verify = 1;
	o.progress = on_progress;
	o.event = on_event;
	o.notice = on_notice;
	o.pool = b->pool;
	o.arg = b;
	b->ev_failed = 0;
	rc = mirror_run(src, sp, dst, dp, a, na, &o, &cb, &st, err,
	    sizeof(err));
	clear_bar(b);
	put_line(b->out, "mirror: %u copied (%u files), %u deleted, %u "
	    "failed, %u conflicts", st.copied, st.xfer.files, st.deleted,
	    st.failed, st.conflicts);
	if (rc != FS_OK && b->ev_failed == 0 && err[0] != '\0')
		fail(b, "%s", err);
	free(a);
	free(it);
	if ((still = mirror_check(b, src, sp, dst, dp, &m.mo)) == 0) {
		put_line(b->out, "mirror: the trees are the same");
		return rc == FS_OK ? 0 : -1;
	}
	if (still > 0)
		fail(b, "%ld entries still differ", still);
	return -1;
}

static const char usage[] =
    "ls [path]  pwd  cd path  lcd path  lpwd  mkdir path  rmdir path  "
    "rm [-r] path\nrename from to  get remote [local]  put local [remote]  "
    "hash path  quota  exit\n"
    "chmod mode path  lchmod mode path  (octal mode: chmod 644 notes.txt)\n"
    "get, put, rm, chmod and lchmod take wildcards in a path's last part: "
    "get logs/*.log dir\n"
    "mirror [-R] [--delete] [--dry-run] [--checksum] [--time-offset H] "
    "src dst\n"
    "  makes the local folder dst like the remote src (-R: the remote dst "
    "like the\n  local src); --delete removes what src has not, "
    "--dry-run prints the plan only,\n  --checksum compares contents too\n";

/* The commands: name, words allowed (min, max, counting the name). */
static const struct {
	const char	*name;
	int		 min, max;
} cmds[] = {
	{ "ls", 1, 2 }, { "pwd", 1, 1 }, { "cd", 2, 2 }, { "lcd", 2, 2 },
	{ "lpwd", 1, 1 }, { "mkdir", 2, 2 }, { "rmdir", 2, 2 },
	{ "rm", 2, 3 }, { "rename", 3, 3 }, { "get", 2, 3 }, { "put", 2, 3 },
	{ "hash", 2, 2 }, { "quota", 1, 1 }, { "chmod", 3, 3 },
	{ "lchmod", 3, 3 }, { "mirror", 1, BATCH_ARGS_MAX }, { "help", 1, 1 },
	{ "exit", 1, 1 },
};

/* Returns 0, -1 on failure, 1 for exit. */
static int
run_one(struct batch *b, int argc, char **argv)
{
	const char *c = argv[0];
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(c, cmds[i].name) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fail(b, "unknown command (try help)");
		return -1;
	}
	if (argc < cmds[i].min || argc > cmds[i].max) {
		fail(b, "wrong number of arguments (try help)");
		return -1;
	}
	if (strcmp(c, "ls") == 0)
		return cmd_ls(b, argc, argv);
	if (strcmp(c, "pwd") == 0 || strcmp(c, "lpwd") == 0) {
		put_line(b->out, "%s", fs_cwd(c[0] == 'l' ? b->local :
		    b->remote));
		return 0;
	}
	if (strcmp(c, "cd") == 0)
		return one_path(b, b->remote, b->remote->ops->chdir, argv[1]);
	if (strcmp(c, "lcd") == 0)
		return one_path(b, b->local, b->local->ops->chdir, argv[1]);
	if (strcmp(c, "mkdir") == 0)
		return one_path(b, b->remote, b->remote->ops->mkdir, argv[1]);
	if (strcmp(c, "rmdir") == 0)
		return one_path(b, b->remote, b->remote->ops->rmdir, argv[1]);
	if (strcmp(c, "rm") == 0)
		return cmd_rm(b, argc, argv);
	if (strcmp(c, "rename") == 0)
		return cmd_rename(b, argv[1], argv[2]);
	if (strcmp(c, "get") == 0)
		return cmd_copy(b, b->remote, b->local, argc, argv);
	if (strcmp(c, "put") == 0)
		return cmd_copy(b, b->local, b->remote, argc, argv);
	if (strcmp(c, "hash") == 0)
		return cmd_hash(b, argv[1]);
	if (strcmp(c, "quota") == 0)
		return cmd_quota(b);
	if (strcmp(c, "chmod") == 0)
		return cmd_chmod(b, b->remote, argv);
	if (strcmp(c, "lchmod") == 0)
		return cmd_chmod(b, b->local, argv);
	if (strcmp(c, "mirror") == 0)
		return cmd_mirror(b, argc, argv);
	if (strcmp(c, "help") == 0) {
		fputs(usage, b->out);
		return 0;
	}
	return 1;		/* exit */
}

int
batch_run(struct fs *remote, struct fs *local, FILE *in, FILE *out,
    FILE *err, int progress, struct xfer_pool *pool)
{
	struct batch b;
	char line[LINE_MAX_BATCH], buf[LINE_MAX_BATCH], *argv[BATCH_ARGS_MAX];
	const char *why;
	size_t n;
	int argc, failures = 0, rc;

	memset(&b, 0, sizeof(b));
	b.remote = remote;
	b.local = local;
	b.out = out;
	b.err = err;
	b.progress = progress;
	b.pool = pool;
	while (fgets(line, sizeof(line), in) != NULL) {
		n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			int ch;

			while ((ch = fgetc(in)) != EOF && ch != '\n')
				;
			b.line = "(line)";
			fail(&b, "longer than %zu bytes", sizeof(line) - 2);
			failures++;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		b.line = line;
		if ((argc = batch_split(line, argv, BATCH_ARGS_MAX, buf,
		    sizeof(buf), &why)) < 0) {
			fail(&b, "%s", why);
			failures++;
			continue;
		}
		if (argc == 0 || argv[0][0] == '#')
			continue;
		rc = run_one(&b, argc, argv);
		fflush(out);
		if (rc > 0)
			break;
		if (rc < 0)
			failures++;
	}
	return failures;
}
