/*
 * syncview: the panes compared and the sync plan; see syncview.h.
 * Left is the local side (SIDE_LOCAL), right the remote one, as on the
 * screen.
 */
#include "config.h"

#include <curses.h>	/* its KEY_* codes only: nothing here draws */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/compare.h"
#include "tui/keys.h"
#include "tui/mirror.h"
#include "tui/rmtree.h"
#include "tui/syncview.h"

/* Whether the comparison is of the folders the panes show. */
static int
current(const struct app *a)
{
	return a->cmp_done &&
	    strcmp(a->cmp_path[SIDE_LOCAL], pane_path(&a->pane[SIDE_LOCAL])) ==
	    0 && strcmp(a->cmp_path[SIDE_REMOTE],
	    pane_path(&a->pane[SIDE_REMOTE])) == 0;
}

void
syncview_clear(struct app *a)
{
	free(a->cmp);
	a->cmp = NULL;
	a->ncmp = 0;
	a->cmp_done = 0;
	free(a->plan);
	a->plan = NULL;
	a->nplan = 0;
	a->plan_open = 0;
	a->plan_cursor = 0;
}

/* The tag of a kind as seen from side s. */
static const char *
tag_of(enum compare_kind k, enum side s)
{
	int left = s == SIDE_LOCAL;

	switch (k) {
	case COMPARE_ONLY_LEFT:
		return left ? "only" : NULL;
	case COMPARE_ONLY_RIGHT:
		return left ? NULL : "only";
	case COMPARE_NEWER_LEFT:
		return left ? "newer" : "older";
	case COMPARE_NEWER_RIGHT:
		return left ? "older" : "newer";
	case COMPARE_SIZE:
		return "size";
	case COMPARE_CONTENT:
		return "content";
	case COMPARE_TYPE:
		return "type";
	default:
		return NULL;
	}
}

const char *
syncview_tag(const struct app *a, enum side s, const char *name)
{
	size_t i, n = strlen(name);

	if (!current(a))
		return NULL;
	for (i = 0; i < a->ncmp; i++) {
		const struct compare_item *it = &a->cmp[i];

		if (strcmp(it->path, name) == 0) {
			if (it->kind != COMPARE_SAME)
				return tag_of(it->kind, s);
			continue;
		}
		if (strncmp(it->path, name, n) == 0 && it->path[n] == '/' &&
		    it->kind != COMPARE_SAME)
			return "inside";
	}
	return NULL;
}

void
syncview_counts(const struct app *a, enum side s, char *buf, size_t len)
{
	static const struct {
		const char	*word;
		int		 kind_l, kind_r;	/* as left, as right */
	} words[] = {
		{ "only", COMPARE_ONLY_LEFT, COMPARE_ONLY_RIGHT },
		{ "newer", COMPARE_NEWER_LEFT, COMPARE_NEWER_RIGHT },
		{ "older", COMPARE_NEWER_RIGHT, COMPARE_NEWER_LEFT },
		{ "size", COMPARE_SIZE, COMPARE_SIZE },
		{ "content", COMPARE_CONTENT, COMPARE_CONTENT },
		{ "type", COMPARE_TYPE, COMPARE_TYPE },
	};
	unsigned counts[COMPARE_NKINDS], c;
	size_t i, used;
	int any = 0;

	buf[0] = '\0';
	if (!current(a) || len < 8)
		return;
	mirror_count(a->cmp, a->ncmp, counts);
	snprintf(buf, len, "cmp:");
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		c = counts[s == SIDE_LOCAL ? words[i].kind_l :
		    words[i].kind_r];
		if (c == 0)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s %u %s", any ? "," : "",
		    c, words[i].word);
		any = 1;
	}
	used = strlen(buf);
	if (!any)
		snprintf(buf + used, len - used, " same");
	used = strlen(buf);
	snprintf(buf + used, len - used, " | ");
}

/* Marks the differing entries of both panes (and only those). */
static void
mark_panes(struct app *a)
{
	const struct listing_entry *e;
	enum side s;
	size_t i;

	for (s = SIDE_LOCAL; s <= SIDE_REMOTE; s++) {
		pane_unmark_all(&a->pane[s]);
		for (i = 0; i < pane_count(&a->pane[s]); i++) {
			e = pane_entry(&a->pane[s], i);
			if (strcmp(e->name, "..") != 0 &&
			    syncview_tag(a, s, e->name) != NULL)
				(void)pane_set_mark_name(&a->pane[s], e->name,
				    1);
		}
	}
}

/* Compares the panes' folders now, as asked. */
static void
compare_now(struct app *a, int recursive, int checksum)
{
	struct mirror_opts mo;
	struct compare_item *items;
	char err[1024];
	size_t n, i, differ = 0;
	int rc;

	if (a->fs[SIDE_REMOTE] == NULL) {
		app_status(a, 1, "Not connected: F2 connects to a server");
		return;
	}
	syncview_clear(a);
	memset(&mo, 0, sizeof(mo));
	mo.recursive = recursive;
	mo.checksum = checksum;
	app_status(a, 0, "Comparing...");
	rc = mirror_compare(a->fs[SIDE_LOCAL],
	    pane_path(&a->pane[SIDE_LOCAL]), a->fs[SIDE_REMOTE],
	    pane_path(&a->pane[SIDE_REMOTE]), &mo, &items, &n, err,
	    sizeof(err));
	if (rc != FS_OK) {
		app_status(a, 1, "Compare: %s", err);
		return;
	}
	a->cmp = items;
	a->ncmp = n;
	a->cmp_done = 1;
	a->cmp_recursive = recursive;
	a->cmp_checksum = checksum;
	snprintf(a->cmp_path[SIDE_LOCAL], sizeof(a->cmp_path[0]), "%s",
	    pane_path(&a->pane[SIDE_LOCAL]));
	snprintf(a->cmp_path[SIDE_REMOTE], sizeof(a->cmp_path[0]), "%s",
	    pane_path(&a->pane[SIDE_REMOTE]));
	for (i = 0; i < n; i++)
		differ += items[i].kind != COMPARE_SAME;
	mark_panes(a);
	if (differ == 0)
		app_status(a, 0, "Compared%s%s: the folders are the same",
		    recursive ? " with subfolders" : "", checksum ?
		    " and checksums" : "");
	else
		app_status(a, 0, "Compared%s%s: %zu differ, marked (Ctrl-X s "
		    "plans a sync)", recursive ? " with subfolders" : "",
		    checksum ? " and checksums" : "", differ);
}

void
syncview_compare(struct app *a, int ask)
{
	if (!ask) {
		compare_now(a, 0, 0);
		return;
	}
	dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_COMPARE, "Compare",
	    "r: go into the folders both have\n"
	    "c: compare same-looking files by checksum (HASH)\n"
	    "Letters to use (Enter: names, sizes and times only):", "r");
}

void
syncview_plan_open(struct app *a)
{
	if (!current(a))
		compare_now(a, 0, 0);
	if (!current(a))
		return;
	free(a->plan);
	a->nplan = 0;
	a->plan_cursor = 0;
	if ((a->plan = calloc(a->ncmp > 0 ? a->ncmp : 1,
	    sizeof(*a->plan))) == NULL) {
		app_status(a, 1, "Out of memory");
		return;
	}
	a->nplan = plan_make_both(a->cmp, a->ncmp, a->plan);
	if (a->nplan == 0) {
		app_status(a, 0, "Nothing to sync: the folders are the same");
		return;
	}
	a->plan_open = 1;
}

/* The words of an action: what, and where. */
static const char *
op_words(const struct plan_action *p)
{
	int up = p->from == PLAN_LEFT;

	switch (p->op) {
	case PLAN_COPY:
		return up ? "upload" : "download";
	case PLAN_DELETE:
		return up ? "delete remote" : "delete local";
	case PLAN_REPLACE:
		return up ? "replace remote" : "replace local";
	case PLAN_CONFLICT:
		break;
	}
	return "keep";
}

static const char *
why_words(enum compare_kind k)
{
	switch (k) {
	case COMPARE_ONLY_LEFT:
		return "only local";
	case COMPARE_ONLY_RIGHT:
		return "only remote";
	case COMPARE_NEWER_LEFT:
		return "local newer";
	case COMPARE_NEWER_RIGHT:
		return "remote newer";
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

void
syncview_row(const struct app *a, size_t i, char *buf, size_t len)
{
	const struct plan_action *p = &a->plan[i];
	const struct compare_item *it = p->item;
	int dir = (it->in_left ? it->left.type : it->right.type) ==
	    LISTING_DIR;

	snprintf(buf, len, " [%c] %-15s %s%s  (%s)", p->on ? 'x' : ' ',
	    op_words(p), it->path, dir ? "/" : "", why_words(it->kind));
}

/* Deletions the plan would make now. */
static size_t
deletions(const struct app *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nplan; i++)
		n += a->plan[i].on && (a->plan[i].op == PLAN_DELETE ||
		    a->plan[i].op == PLAN_REPLACE);
	return n;
}

static void
on_removed(void *arg, const char *path, int folder)
{
	(void)arg;
	(void)path;
	(void)folder;
}

static void
on_not_removed(void *arg, const char *path, const char *why)
{
	app_status(arg, 1, "%s: %s", path, why);
}

/* Runs the plan: deletions, then the copies in one run of the queue. */
static void
run_plan(struct app *a)
{
	const struct rmtree_cb cb = { on_removed, on_not_removed, a };
	char src[FS_PATH_MAX], dst[FS_PATH_MAX];
	size_t i, queued = 0, deleted = 0, want = 0, bad = 0;

	if (a->fs[SIDE_REMOTE] == NULL || a->queue == NULL) {
		app_status(a, 1, "Not connected: F2 connects to a server");
		return;
	}
	for (i = 0; i < a->nplan; i++) {
		struct plan_action *p = &a->plan[i];
		enum side to = p->from == PLAN_LEFT ? SIDE_REMOTE : SIDE_LOCAL;

		if (!p->on || (p->op != PLAN_DELETE && p->op != PLAN_REPLACE))
			continue;
		if (fs_join(a->cmp_path[to], p->item->path, dst,
		    sizeof(dst)) < 0 || rmtree(a->fs[to], dst, &cb) != 0) {
			/* A replace whose old entry stayed is not copied
			 * over it. */
			p->on = 0;
			bad++;
			continue;
		}
		deleted++;
	}
	queue_hold(a->queue);		/* one run for all of them */
	for (i = 0; i < a->nplan; i++) {
		const struct plan_action *p = &a->plan[i];
		const struct compare_entry *e = p->from == PLAN_LEFT ?
		    &p->item->left : &p->item->right;
		enum side from = p->from == PLAN_LEFT ? SIDE_LOCAL :
		    SIDE_REMOTE;
		enum side to = from == SIDE_LOCAL ? SIDE_REMOTE : SIDE_LOCAL;

		if (!p->on || (p->op != PLAN_COPY && p->op != PLAN_REPLACE))
			continue;
		want++;
		if (fs_join(a->cmp_path[from], p->item->path, src,
		    sizeof(src)) < 0 || fs_join(a->cmp_path[to],
		    p->item->path, dst, sizeof(dst)) < 0)
			continue;
		if (queue_add_replacing(a->queue, from == SIDE_LOCAL ?
		    QUEUE_UPLOAD : QUEUE_DOWNLOAD, src, dst, e->type ==
		    LISTING_FILE && e->have_size ? e->size : 0) != 0)
			queued++;
	}
	queue_release(a->queue);
	if (deleted > 0 || bad > 0) {
		char err[1024];
		enum side s;

		for (s = SIDE_LOCAL; s <= SIDE_REMOTE; s++)
			if (pane_load(&a->pane[s], a->fs[s], err,
			    sizeof(err)) != FS_OK)
				app_status(a, 1, "%s", err);
	}
	syncview_clear(a);
	pane_unmark_all(&a->pane[SIDE_LOCAL]);
	pane_unmark_all(&a->pane[SIDE_REMOTE]);
	if (bad == 0)
		app_status(a, queued == want ? 0 : 1, "Sync: %zu deleted, %zu "
		    "of %zu copies queued", deleted, queued, want);
}

/* Enter: asks about deletions first, naming how many. */
static void
plan_enter(struct app *a)
{
	char body[256];
	size_t n = deletions(a);

	if (n == 0) {
		run_plan(a);
		return;
	}
	snprintf(body, sizeof(body), "This sync deletes %zu entr%s (folders "
	    "with all they hold).\nDelete and run the plan?", n, n == 1 ?
	    "y" : "ies");
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_SYNC_DELETE, "Sync",
	    body, NULL);
}

void
syncview_key(struct app *a, int key)
{
	size_t rows = 10;	/* PgUp, PgDn: a step, not the screen's height
				   (nothing here knows it) */

	switch (key) {
	case KEYS_FN(KEY_UP):
	case 'k':
		if (a->plan_cursor > 0)
			a->plan_cursor--;
		break;
	case KEYS_FN(KEY_DOWN):
	case 'j':
		if (a->plan_cursor + 1 < a->nplan)
			a->plan_cursor++;
		break;
	case KEYS_FN(KEY_PPAGE):
		a->plan_cursor = a->plan_cursor > rows ? a->plan_cursor -
		    rows : 0;
		break;
	case KEYS_FN(KEY_NPAGE):
		a->plan_cursor = a->plan_cursor + rows < a->nplan ?
		    a->plan_cursor + rows : a->nplan - 1;
		break;
	case KEYS_FN(KEY_HOME):
		a->plan_cursor = 0;
		break;
	case KEYS_FN(KEY_END):
		a->plan_cursor = a->nplan - 1;
		break;
	case ' ':
	case KEYS_FN(KEY_IC):
		a->plan[a->plan_cursor].on = !a->plan[a->plan_cursor].on;
		if (a->plan_cursor + 1 < a->nplan)
			a->plan_cursor++;
		break;
	case '\t':
	case 'f':
		plan_flip(&a->plan[a->plan_cursor]);
		break;
	case '\r':
	case '\n':
	case KEYS_FN(KEY_ENTER):
		plan_enter(a);
		break;
	case KEYS_ESC:
	case 'q':
	case KEYS_FN(KEY_F(10)):
		a->plan_open = 0;
		app_status(a, 0, "Nothing synced");
		break;
	default:
		break;
	}
}

int
syncview_dialog_done(struct app *a, enum dialog_purpose p, int r,
    const char *text)
{
	switch (p) {
	case DLG_FOR_COMPARE:
		if (r == DLG_OK)
			compare_now(a, strchr(text, 'r') != NULL ||
			    strchr(text, 'R') != NULL, strchr(text, 'c') !=
			    NULL || strchr(text, 'C') != NULL);
		return 1;
	case DLG_FOR_SYNC_DELETE:
		if (r == DLG_OK)
			run_plan(a);
		else
			app_status(a, 0, "Nothing deleted or copied; the plan "
			    "is still open");
		return 1;
	default:
		return 0;
	}
}
