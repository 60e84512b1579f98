/*
 * app: the full-screen client's main loop and what each key does; see
 * app.h for the state and client.h for client_run().
 *
 * One thread (this one) owns the screen, the panes and a connection for
 * browsing; transfers run on the queue's worker with a login of its own
 * (tui/queue.h), so the screen only waits on the network for what the
 * user is looking at (a listing, a rename). The loop waits for a key at
 * most POLL_MS, then looks at the queue: a new generation redraws, a
 * question opens the conflict dialog, an ended item reloads the pane of
 * the side it wrote to.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto/util.h"
#include "tui/app.h"
#include "tui/client.h"
#include "tui/draw.h"
#include "tui/edit.h"
#include "tui/keys.h"
#include "tui/remote.h"
#include "tui/sitelist.h"
#include "tui/syncview.h"
#include "tui/xfer.h"

#define POLL_MS		100
#define DELETE_DEPTH	64	/* folder levels F8 removes at most */
#define RECENT_WINDOW	(APP_RECENT + 2)	/* item views read to find the
					   newest ended */

static void
status(struct app *a, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_error = error;
}

void
app_status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_error = error;
}

/* Told by the browsing connection (trusted on first use, reconnected). */
static void
on_notice(void *arg, const char *msg)
{
	status(arg, 0, "%s", msg);
}

/*
 * A certificate no CA vouches for, seen for the first time: shown with
 * its fingerprint and asked about, as ssh does, before it is pinned. The
 * connection waits for the answer, so this is a little loop of its own;
 * only y accepts (an Enter meant for something else must not).
 */
static int
ask_trust(void *arg, const char *server, const char *fp, const char *file)
{
	struct app *a = arg;
	struct dialog *saved;
	char body[1024];
	int key, r = DLG_PENDING;

	if ((saved = malloc(sizeof(*saved))) == NULL)
		return 0;
	*saved = a->dlg;	/* a reconnection may come from a dialog's
				   action; it is put back */
	snprintf(body, sizeof(body), "%s shows a certificate that no CA you "
	    "trust\nvouches for, and that this computer has not seen before:"
	    "\n  SHA-256 %.47s\n          %s\nCompare it with the one the "
	    "server's administrator gives.\nTrust it, and pin it in %s?",
	    server, fp, strlen(fp) > 48 ? fp + 48 : "", file);
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_NOTHING, "New certificate",
	    body, NULL);
	while (r != DLG_OK && r != DLG_CANCEL && !draw_interrupted()) {
		draw_app(a);
		key = draw_key(POLL_MS);
		if (key != KEYS_NONE && key != '\r' && key != '\n' &&
		    !keys_is_resize(key))
			r = dialog_key(&a->dlg, key);
	}
	dialog_close(&a->dlg);
	a->dlg = *saved;
	free(saved);
	return r == DLG_OK;
}

/* The worker's file systems: a second login, and the local side. */
static int
open_worker_fs(void *arg, struct fs **remote, struct fs **local, char *err,
    size_t errlen)
{
	const struct app_login *l = arg;
	struct ftp_opts o = l->opts;

	o.notice = NULL;	/* the screen heard it from its own login */
	o.trust_ask = NULL;	/* no screen here; the screen's login asked */
	if ((*remote = fs_remote_new(&l->url, l->password, &o, err,
	    errlen)) == NULL)
		return -1;
	if ((*local = fs_local_new("/", err, errlen)) == NULL) {
		fs_free(*remote);
		*remote = NULL;
		return -1;
	}
	return 0;
}

static void
load_pane(struct app *a, enum side s)
{
	char err[1024];

	if (a->fs[s] == NULL)
		return;
	if (pane_load(&a->pane[s], a->fs[s], err, sizeof(err)) < 0)
		status(a, 1, "%s", err);
}

static void
update_avbl(struct app *a)
{
	char err[256];

	a->have_avbl = a->fs[SIDE_REMOTE] != NULL &&
	    fs_remote_avbl(a->fs[SIDE_REMOTE], NULL, &a->avbl, err,
	    sizeof(err)) == FS_OK;
}

/* Ends F3's or F4's work on a server's file, removing its copy. */
static void
edit_end(struct app *a)
{
	if (a->edit == NULL)
		return;
	edit_cleanup(a->edit);
	free(a->edit);
	a->edit = NULL;
}

static void
disconnect(struct app *a)
{
	edit_end(a);	/* it holds the remote fs */
	syncview_clear(a);
	/* What the queue has not finished stays in the journal, for the
	 * next connection to this server. */
	if (a->queue != NULL)
		queue_journal(a->queue, NULL);
	queue_free(a->queue);
	a->queue = NULL;
	journal_close(a->journal);
	a->journal = NULL;
	journal_items_free(a->pending, a->npending);
	a->pending = NULL;
	a->npending = 0;
	memset(&a->qs, 0, sizeof(a->qs));
	a->nrecent = 0;
	a->recent_ended = a->recent_items = 0;
	a->notice_seen = 0;
	fs_free(a->fs[SIDE_REMOTE]);
	a->fs[SIDE_REMOTE] = NULL;
	pane_free(&a->pane[SIDE_REMOTE]);
	pane_init(&a->pane[SIDE_REMOTE]);
	pane_set_sort(&a->pane[SIDE_REMOTE], a->opts->sort);
	a->have_avbl = 0;
	a->server[0] = '\0';
}

/*
 * 1 when a failed login's reply says the server wants TLS first: 534
 * (RFC 4217), or a 530 that names TLS, SSL or encryption (burrowd's
 * "requires TLS", vsftpd's "must use encryption").
 */
static int
wants_tls(const char *err)
{
	const char *r = strstr(err, "login as");

	if (r == NULL || (r = strstr(r, " failed: ")) == NULL)
		return 0;
	r += strlen(" failed: ");
	return strncmp(r, "534", 3) == 0 || (strncmp(r, "530", 3) == 0 &&
	    (strcasestr(r, "TLS") != NULL || strcasestr(r, "SSL") != NULL ||
	    strcasestr(r, "encrypt") != NULL));
}

/* Puts the server just logged in to first in the recent list (F2). */
static void
remember_server(struct app *a)
{
	char u[FS_PATH_MAX + URL_HOST_MAX + URL_USER_MAX], err[512];

	if (a->servers_file[0] == '\0' ||
	    url_format(&a->login.url, u, sizeof(u)) < 0 ||
	    recent_add(&a->servers, u) < 0)
		return;
	if (recent_save(&a->servers, a->servers_file, err, sizeof(err)) < 0 &&
	    !a->status_error)
		status(a, 1, "Recent servers not saved: %s", err);
}

/*
 * F2's dialog: the current server's address to start from (or the last
 * one used), the others one Up away; text, when given, instead.
 */
static void
open_connect(struct app *a, const char *text)
{
	char u[FS_PATH_MAX + URL_HOST_MAX + URL_USER_MAX], body[256];

	if (text == NULL && a->fs[SIDE_REMOTE] != NULL &&
	    url_format(&a->login.url, u, sizeof(u)) == 0)
		text = u;
	else if (text == NULL && a->servers.n > 0)
		text = a->servers.v[0];
	snprintf(body, sizeof(body), "Server (ftp[s]://user@host[:port]"
	    "[/path]):\n(or a site's name; Ctrl-\\: the saved sites%s)",
	    a->servers.n > 1 ? "; Up, Down: the servers used before" : "");
	dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_URL, "Connect", body, text);
	dialog_set_history(&a->dlg, a->servers.v, a->servers.n);
}

static void	open_journal(struct app *);
static void	site_local_dir(struct app *);

/* Connects with a->login; on failure asks again for what was wrong. */
static void
connect_now(struct app *a)
{
	struct queue_opts qo;
	struct ftp *f;
	char err[1024], body[1200];

	disconnect(a);
	status(a, 0, "Connecting to %s...", a->login.url.host);
	draw_app(a);
	a->login.opts = a->opts->ftp;
	if (a->login.url.scheme == URL_FTPS || (a->have_site && a->site.tls))
		a->login.opts.tls = 1;
	if (a->have_site && a->site.cafile[0] != '\0' &&
	    a->login.opts.cafile == NULL)
		a->login.opts.cafile = a->site.cafile;
	a->login.opts.notice = on_notice;
	a->login.opts.notice_arg = a;
	a->login.opts.trust_ask = ask_trust;
	a->login.opts.trust_arg = a;
	a->fs[SIDE_REMOTE] = fs_remote_new(&a->login.url, a->login.password,
	    &a->login.opts, err, sizeof(err));
	if (a->fs[SIDE_REMOTE] == NULL) {
		status(a, 1, "%.*s", (int)strcspn(err, "\n"), err);
		if (strchr(err, '\n') != NULL)
			/* More than a status line holds (a changed
			 * certificate: both fingerprints and the way out). */
			dialog_open(&a->dlg, DLG_TEXT, DLG_FOR_NOTHING,
			    "Not connected", err, NULL);
		else if (!a->login.opts.tls && wants_tls(err)) {
			/* A password prompt cannot help there. */
			snprintf(body, sizeof(body), "%s\n\nThe server "
			    "requires TLS. Connect again with TLS (as "
			    "ftps://)?", err);
			dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_TLS,
			    "TLS required", body, NULL);
		} else if (strstr(err, "login as") != NULL)
			dialog_open(&a->dlg, DLG_SECRET, DLG_FOR_PASSWORD,
			    "Login failed", err, NULL);
		return;
	}
	f = fs_remote_ftp(a->fs[SIDE_REMOTE]);
	snprintf(a->server, sizeof(a->server), "%s@%s",
	    a->login.url.have_user ? a->login.url.user : "anonymous",
	    ftp_server(f));
	a->tls = ftp_is_tls(f);
	memset(&qo, 0, sizeof(qo));
	qo.open_fs = open_worker_fs;
	qo.arg = &a->login;
	qo.log = &a->log;
	qo.parallel = a->have_site && a->site.parallel > 0 &&
	    !a->opts->parallel_set ? a->site.parallel : a->opts->parallel;
	if ((a->queue = queue_new(&qo)) == NULL) {
		status(a, 1, "out of memory");
		return;
	}
	load_pane(a, SIDE_REMOTE);
	update_avbl(a);
	if (a->status_error == 0 && strncmp(a->status, "Connecting", 10) == 0)
		status(a, 0, "Connected to %s%s", a->server, a->tls ?
		    " (TLS)" : "");
	remember_server(a);
	open_journal(a);
	if (a->have_site)
		site_local_dir(a);
}

/*
 * Keeps the new connection's queue in its server's journal; when the
 * journal holds items that did not finish last time (burrow was killed,
 * the machine stopped, the user quit), asks whether to go on with them.
 */
static void
open_journal(struct app *a)
{
	char path[4096], err[512], body[2048];
	size_t used, i;
	int damaged, w;

	if (journal_path(a->server, path, sizeof(path)) < 0)
		return;		/* no place for it: no $HOME */
	if (journal_load(path, &a->pending, &a->npending, &damaged, err,
	    sizeof(err)) < 0 || (a->journal = journal_open(path, err,
	    sizeof(err))) == NULL) {
		journal_items_free(a->pending, a->npending);
		a->pending = NULL;
		a->npending = 0;
		status(a, 1, "The queue is not kept: %s", err);
		return;
	}
	if (damaged)
		status(a, 1, "%s: a damaged record, and what followed it, was "
		    "left out", path);
	if (a->npending == 0) {
		(void)journal_reset(a->journal);
		queue_journal(a->queue, a->journal);
		return;
	}
	used = (size_t)snprintf(body, sizeof(body), "%zu transfer%s with "
	    "this server did not finish last time:\n", a->npending,
	    a->npending == 1 ? "" : "s");
	for (i = 0; i < a->npending && i < 4 && used < sizeof(body); i++) {
		w = snprintf(body + used, sizeof(body) - used, "\n%s %s",
		    a->pending[i].upload ? "put" : "get", a->pending[i].src);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (i < a->npending && used < sizeof(body))
		used += (size_t)snprintf(body + used, sizeof(body) - used,
		    "\n... and %zu more", a->npending - i);
	if (used < sizeof(body))
		snprintf(body + used, sizeof(body) - used, "\n\nGo on with "
		    "them (partial files are resumed)? n forgets them.");
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_JOURNAL, "Unfinished "
	    "transfers", body, NULL);
}

/* The answer to open_journal()'s question: go on (ok), or forget. */
static void
journal_answer(struct app *a, int ok)
{
	size_t i, queued = 0;

	if (a->journal == NULL || a->queue == NULL)
		return;
	/* The items are added again with ids of this run: the old records
	 * go first. */
	(void)journal_reset(a->journal);
	queue_journal(a->queue, a->journal);
	queue_hold(a->queue);
	for (i = 0; ok && i < a->npending; i++)
		queued += queue_add_resumed(a->queue, a->pending[i].upload ?
		    QUEUE_UPLOAD : QUEUE_DOWNLOAD, a->pending[i].src,
		    a->pending[i].dst, a->pending[i].size) != 0;
	queue_release(a->queue);
	if (ok)
		status(a, 0, "Going on with %zu unfinished transfer%s", queued,
		    queued == 1 ? "" : "s");
	else
		status(a, 0, "Forgot %zu unfinished transfer%s", a->npending,
		    a->npending == 1 ? "" : "s");
	journal_items_free(a->pending, a->npending);
	a->pending = NULL;
	a->npending = 0;
}

/* A site's local folder, in the local pane. */
static void
site_local_dir(struct app *a)
{
	char dir[FS_PATH_MAX], err[1024];

	if (sites_local_dir(&a->site, dir, sizeof(dir)) < 0 || dir[0] == '\0')
		return;
	if (pane_chdir(&a->pane[SIDE_LOCAL], a->fs[SIDE_LOCAL], dir, err,
	    sizeof(err)) != FS_OK)
		status(a, 1, "%s: local folder: %s", a->site.name, err);
}

/*
 * Logs in to u (from site, when not NULL), or asks the password; u is
 * wiped.
 */
static void
connect_login(struct app *a, struct url *u, const struct site *site)
{
	char err[1024], prompt[URL_USER_MAX + URL_HOST_MAX + 32];
	int other, known;

	/* The worker reads a->login: it must be gone before that changes. */
	disconnect(a);
	url_wipe(&a->login.url);
	wipe(a->login.password, sizeof(a->login.password));
	a->login.url = *u;
	a->have_login = 1;
	a->have_site = site != NULL;
	if (site != NULL && site != &a->site)
		a->site = *site;
	/* BURROW_PASSWORD is the first login's: another user's password is
	 * asked for, not guessed with it. */
	other = a->first_user[0] != '\0' && !u->have_pass && u->have_user &&
	    strcmp(u->user, a->first_user) != 0;
	if (a->first_user[0] == '\0')
		snprintf(a->first_user, sizeof(a->first_user), "%s",
		    u->have_user ? u->user : "anonymous");
	if (!other || strcmp(u->user, "anonymous") == 0 ||
	    strcmp(u->user, "ftp") == 0)
		known = client_known_password(&a->login.url,
		    a->login.password, sizeof(a->login.password), err,
		    sizeof(err));
	else
		known = client_netrc_password(&a->login.url,
		    a->login.password, sizeof(a->login.password), err,
		    sizeof(err));
	if (known < 0)
		status(a, 1, "%s", err);	/* and the password is asked */
	if (known > 0)
		connect_now(a);
	else {
		snprintf(prompt, sizeof(prompt), "Password for %s@%s:",
		    a->login.url.user, a->login.url.host);
		dialog_open(&a->dlg, DLG_SECRET, DLG_FOR_PASSWORD, "Login",
		    prompt, NULL);
	}
	url_wipe(u);
}

/* Connects to site: its address, its options and its folders. */
static void
connect_site(struct app *a, const struct site *site)
{
	struct url u;
	char err[512];

	if (sites_url(site, &u, err, sizeof(err)) < 0) {
		status(a, 1, "%s: %s", site->name, err);
		return;
	}
	connect_login(a, &u, site);
}

void
app_connect_site(struct app *a, const struct site *site)
{
	connect_site(a, site);
}

/*
 * Parses text as the URL to use (a saved site's name when one has it),
 * then logs in or asks the password.
 */
static void
connect_url(struct app *a, const char *text)
{
	const struct site *site;
	struct url u;
	char err[512], full[FS_PATH_MAX + 8];

	if (strstr(text, "://") == NULL &&
	    (site = sites_find(&a->sites, text)) != NULL) {
		connect_site(a, site);
		return;
	}
	/* "host" or "user@host:port" alone mean ftp:// */
	if (strstr(text, "://") == NULL) {
		snprintf(full, sizeof(full), "ftp://%s", text);
		text = full;
	}
	if (url_parse(text, &u, err, sizeof(err)) < 0) {
		status(a, 1, "%s", err);
		open_connect(a, text);
	} else
		connect_login(a, &u, NULL);
	url_wipe(&u);
	wipe(full, sizeof(full));
}

static struct pane *
cur(struct app *a)
{
	return &a->pane[a->active];
}

/* The active pane's path joined with name. */
static int
path_of(struct app *a, enum side s, const char *name, char *out, size_t len)
{
	if (fs_join(pane_path(&a->pane[s]), name, out, len) < 0) {
		status(a, 1, "%s: path too long", name);
		return -1;
	}
	return 0;
}

static int
need_remote(struct app *a)
{
	if (a->fs[SIDE_REMOTE] != NULL)
		return 0;
	status(a, 1, "Not connected: F2 connects to a server");
	return -1;
}

/* Keeps the selection's names for the dialog that acts on them. */
static int
keep_selection(struct app *a)
{
	const struct listing_entry **sel;
	size_t n, i;

	free(a->sel);
	a->sel = NULL;
	a->nsel = 0;
	if (pane_selection(cur(a), &sel, &n) < 0 || n == 0) {
		free(sel);
		status(a, 1, "Nothing selected");
		return -1;
	}
	if ((a->sel = calloc(n, sizeof(*a->sel))) == NULL) {
		free(sel);
		status(a, 1, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		a->sel[i] = *sel[i];
	a->nsel = n;
	a->sel_side = a->active;
	free(sel);
	return 0;
}

static void
act_open(struct app *a)
{
	const struct listing_entry *e = pane_current(cur(a));
	char err[1024];

	if (e == NULL || a->fs[a->active] == NULL)
		return;
	if (e->type != LISTING_DIR && e->type != LISTING_LINK) {
		status(a, 0, "%s: F5 copies it to the other side", e->name);
		return;
	}
	if (pane_chdir(cur(a), a->fs[a->active], e->name, err,
	    sizeof(err)) < 0)
		status(a, 1, "%s", err);
	else
		a->status[0] = '\0';
}

static void
act_parent(struct app *a)
{
	char err[1024];

	if (a->fs[a->active] == NULL || strcmp(pane_path(cur(a)), "/") == 0)
		return;
	if (pane_chdir(cur(a), a->fs[a->active], "..", err, sizeof(err)) < 0)
		status(a, 1, "%s", err);
	else
		a->status[0] = '\0';
}

/* Queues a->sel (from a->sel_side) for the other side. */
static void
queue_selection(struct app *a)
{
	enum side from = a->sel_side, to = from == SIDE_LOCAL ? SIDE_REMOTE :
	    SIDE_LOCAL;
	char src[FS_PATH_MAX], dst[FS_PATH_MAX];
	size_t i, queued = 0;

	if (need_remote(a) < 0)
		return;
	queue_hold(a->queue);		/* one run for all of them */
	for (i = 0; i < a->nsel; i++) {
		const struct listing_entry *e = &a->sel[i];

		if (path_of(a, from, e->name, src, sizeof(src)) < 0 ||
		    path_of(a, to, e->name, dst, sizeof(dst)) < 0)
			continue;
		if (queue_add(a->queue, from == SIDE_LOCAL ? QUEUE_UPLOAD :
		    QUEUE_DOWNLOAD, src, dst, e->type == LISTING_FILE &&
		    e->have_size ? e->size : 0) != 0)
			queued++;
	}
	queue_release(a->queue);
	pane_unmark_all(&a->pane[from]);
	status(a, queued == a->nsel ? 0 : 1, "Queued %zu of %zu %s to %s",
	    queued, a->nsel, from == SIDE_LOCAL ? "uploads" : "downloads",
	    pane_path(&a->pane[to]));
}

/*
 * The bytes an upload of a->sel would send (folders walked on the local
 * side), to hold against the space the server says is left.
 */
static uint64_t
upload_bytes(struct app *a)
{
	char p[FS_PATH_MAX], err[256];
	uint64_t total = 0, n;
	size_t i;

	for (i = 0; i < a->nsel; i++) {
		n = 0;
		if (a->sel[i].type == LISTING_FILE && a->sel[i].have_size)
			n = a->sel[i].size;
		else if (path_of(a, SIDE_LOCAL, a->sel[i].name, p,
		    sizeof(p)) == 0 && xfer_measure(a->fs[SIDE_LOCAL], p, &n,
		    err, sizeof(err)) != FS_OK)
			n = 0;
		total = total + n < total ? UINT64_MAX : total + n;
	}
	return total;
}

static void
act_copy(struct app *a)
{
	char body[256], need[32], have[32];
	uint64_t bytes;

	if (need_remote(a) < 0 || keep_selection(a) < 0)
		return;
	if (a->sel_side == SIDE_LOCAL) {
		/* What AVBL says cannot fit is asked about before it is
		 * queued, not found out with a 552 part of the way. */
		update_avbl(a);
		if (a->have_avbl && (bytes = upload_bytes(a)) > a->avbl) {
			format_size(bytes, need, sizeof(need));
			format_size(a->avbl, have, sizeof(have));
			snprintf(body, sizeof(body), "This needs %s on the "
			    "server, which has %s free.\nUpload anyway (what "
			    "fits is kept, to be resumed)?", need, have);
			dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_COPY,
			    "Not enough space", body, NULL);
			return;
		}
	}
	queue_selection(a);
}

static void
act_move(struct app *a)
{
	char prompt[LISTING_NAME_MAX + 64];

	if (a->fs[a->active] == NULL || keep_selection(a) < 0)
		return;
	if (a->nsel == 1) {
		snprintf(prompt, sizeof(prompt), "Rename or move \"%s\" to "
		    "(a name, or a path on this side):", a->sel[0].name);
		dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_RENAME, "Rename/move",
		    prompt, a->sel[0].name);
	} else {
		snprintf(prompt, sizeof(prompt), "Move %zu entries into the "
		    "folder:", a->nsel);
		dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_RENAME, "Move", prompt,
		    pane_path(cur(a)));
	}
}

static void
do_rename(struct app *a, const char *to)
{
	struct fs *fs = a->fs[a->sel_side];
	struct listing_entry e;
	char src[FS_PATH_MAX], dst[FS_PATH_MAX], dir[FS_PATH_MAX], err[1024];
	char base[LISTING_NAME_MAX];
	size_t i, ok = 0;
	int into;

	if (fs == NULL || to[0] == '\0')
		return;
	if (path_of(a, a->sel_side, to, dst, sizeof(dst)) < 0)
		return;
	/* Into a folder when it is one (or when several are moved). */
	into = a->nsel > 1 || (fs_stat(fs, dst, &e, err, sizeof(err)) ==
	    FS_OK && e.type == LISTING_DIR);
	snprintf(dir, sizeof(dir), "%s", dst);
	for (i = 0; i < a->nsel; i++) {
		if (path_of(a, a->sel_side, a->sel[i].name, src,
		    sizeof(src)) < 0)
			continue;
		if (into && fs_join(dir, a->sel[i].name, dst, sizeof(dst)) < 0)
			continue;
		/* A rename replaces what is there, on every server: never
		 * without asking, and F6 does not ask. */
		if (fs_stat(fs, dst, &e, err, sizeof(err)) == FS_OK) {
			status(a, 1, "%s exists: not replaced", dst);
			continue;
		}
		if (fs_rename(fs, src, dst, err, sizeof(err)) != FS_OK) {
			status(a, 1, "%s: %s", a->sel[i].name, err);
			continue;
		}
		ok++;
	}
	load_pane(a, a->sel_side);
	if (ok == a->nsel) {
		if (ok == 1 && !into)
			pane_set_cursor_name(&a->pane[a->sel_side],
			    fs_basename(dst, base, sizeof(base)));
		status(a, 0, "Moved %zu", ok);
	}
}

/*
 * Makes the folders above path (which the typed name put after the
 * pane's folder from skip on) that are missing, as mkdir -p would: "a/b/c"
 * makes a and a/b first. FS_OK, or the code with the reason in err.
 */
static int
make_parents(struct fs *fs, const char *path, size_t skip, char *err,
    size_t errlen)
{
	struct listing_entry e;
	char p[FS_PATH_MAX];
	size_t i;
	int rc;

	snprintf(p, sizeof(p), "%s", path);
	for (i = skip + 1; p[i] != '\0'; i++) {
		if (p[i] != '/' || p[i - 1] == '/')
			continue;
		p[i] = '\0';
		rc = fs_stat(fs, p, &e, err, errlen);
		if (rc == FS_NOENT)
			rc = fs_mkdir(fs, p, err, errlen);
		else if (rc == FS_OK && e.type != LISTING_DIR) {
			set_err(err, errlen, "%s: not a folder", p);
			rc = FS_ERR;
		}
		if (rc != FS_OK)
			return rc;
		p[i] = '/';
	}
	return FS_OK;
}

static void
do_mkdir(struct app *a, const char *name)
{
	struct fs *fs = a->fs[a->active];
	char p[FS_PATH_MAX], err[1024], base[LISTING_NAME_MAX];
	char first[LISTING_NAME_MAX], typed[FS_PATH_MAX];
	size_t skip, n;

	snprintf(typed, sizeof(typed), "%s", name);
	for (n = strlen(typed); n > 1 && typed[n - 1] == '/'; n--)
		typed[n - 1] = '\0';	/* "a/b/" is "a/b" */
	name = typed;
	if (fs == NULL || name[0] == '\0' ||
	    path_of(a, a->active, name, p, sizeof(p)) < 0)
		return;
	/* What the pane's folder gives of p is known to be there. */
	skip = name[0] == '/' ? 0 : strlen(p) - strlen(name);
	if (make_parents(fs, p, skip, err, sizeof(err)) != FS_OK ||
	    fs_mkdir(fs, p, err, sizeof(err)) != FS_OK) {
		load_pane(a, a->active);	/* parents may have been made */
		/* A server's reply does not say which folder it refused. */
		if (strstr(err, p) != NULL)
			status(a, 1, "%s", err);
		else
			status(a, 1, "%s: %s", p, err);
		return;
	}
	load_pane(a, a->active);
	/* The cursor on what now shows in the pane: the first new level. */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(name, "/"), name);
	pane_set_cursor_name(cur(a), name[0] == '/' || strchr(name, '/') ==
	    NULL ? fs_basename(p, base, sizeof(base)) : first);
	status(a, 0, "Made %s", p);
}

/*
 * Removes path, of type type as its folder's listing gave it, and, for a
 * folder, everything in it. The type comes from the listing (which does
 * not follow links), never from a stat: a link is removed itself or not
 * at all, and what it points to is never entered.
 */
static int
remove_tree(struct fs *fs, const char *path, int type, int depth, char *err,
    size_t errlen)
{
	struct listing_entry *v = NULL;
	char child[FS_PATH_MAX];
	size_t n = 0, i;
	int rc;

	if (type != LISTING_DIR)
		return fs_remove(fs, path, err, errlen);
	if (depth > DELETE_DEPTH) {
		set_err(err, errlen, "%s: folders nested too deep", path);
		return FS_ERR;
	}
	if ((rc = fs_list(fs, path, &v, &n, err, errlen)) != FS_OK)
		return rc;
	for (i = 0; i < n && rc == FS_OK; i++) {
		if (strcmp(v[i].name, ".") == 0 || strcmp(v[i].name, "..") ==
		    0 || v[i].type == LISTING_CDIR || v[i].type == LISTING_PDIR)
			continue;
		if (fs_join(path, v[i].name, child, sizeof(child)) < 0) {
			set_err(err, errlen, "%s: path too long", path);
			rc = FS_ERR;
			break;
		}
		rc = remove_tree(fs, child, v[i].type, depth + 1, err, errlen);
	}
	free(v);
	if (rc == FS_OK)
		rc = fs_rmdir(fs, path, err, errlen);
	return rc;
}

static void do_delete(struct app *a);

static void
act_delete(struct app *a)
{
	char body[LISTING_NAME_MAX + 128];

	if (a->fs[a->active] == NULL || keep_selection(a) < 0)
		return;
	if (!a->opts->confirm_delete) {
		/* burrow.conf's confirm_delete = false */
		do_delete(a);
		free(a->sel);
		a->sel = NULL;
		a->nsel = 0;
		return;
	}
	dialog_delete_question(a->sel, a->nsel, body, sizeof(body));
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_DELETE, "Delete", body,
	    NULL);
}

static void
do_delete(struct app *a)
{
	struct fs *fs = a->fs[a->sel_side];
	char p[FS_PATH_MAX], err[1024];
	size_t i, ok = 0;

	if (fs == NULL)
		return;
	for (i = 0; i < a->nsel; i++) {
		if (path_of(a, a->sel_side, a->sel[i].name, p, sizeof(p)) < 0)
			continue;
		if (remove_tree(fs, p, a->sel[i].type, 0, err,
		    sizeof(err)) != FS_OK) {
			status(a, 1, "%s", err);
			continue;
		}
		ok++;
	}
	load_pane(a, a->sel_side);
	if (a->sel_side == SIDE_REMOTE)
		update_avbl(a);
	if (ok == a->nsel)
		status(a, 0, "Deleted %zu", ok);
}

/* Ctrl-X c: the selection's mode, to edit in octal. */
static void
act_chmod(struct app *a)
{
	char body[LISTING_NAME_MAX + 160], text[8];

	if (a->fs[a->active] == NULL || keep_selection(a) < 0)
		return;
	dialog_chmod_question(a->sel, a->nsel, body, sizeof(body), text,
	    sizeof(text));
	dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_CHMOD, "Chmod", body, text);
}

static void
do_chmod(struct app *a, const char *text)
{
	struct fs *fs = a->fs[a->sel_side];
	char p[FS_PATH_MAX], err[1024];
	size_t i, ok = 0;
	unsigned mode;
	int rc;

	if (fs == NULL)
		return;
	if (parse_mode(text, &mode) < 0) {
		status(a, 1, "\"%s\" is not a mode: one to four octal digits, "
		    "such as 644", text);
		return;
	}
	for (i = 0; i < a->nsel; i++) {
		if (path_of(a, a->sel_side, a->sel[i].name, p, sizeof(p)) < 0)
			continue;
		if ((rc = fs_chmod(fs, p, mode, err, sizeof(err))) != FS_OK) {
			/* A server's reply does not say which file it refused. */
			if (strstr(err, a->sel[i].name) != NULL)
				status(a, 1, "%s", err);
			else
				status(a, 1, "%s: %s", a->sel[i].name, err);
			if (rc == FS_NOTSUP)	/* nor for the others */
				break;
			continue;
		}
		ok++;
	}
	load_pane(a, a->sel_side);
	if (ok == a->nsel)
		status(a, 0, "Mode %04o set on %zu", mode, ok);
}

/* ------------------------------------------------------ F3 view, F4 edit */

/* The pager or the editor on path, with the terminal given to it. */
static int
run_program(enum edit_mode mode, const char *path, char *err, size_t errlen)
{
	int rc;

	draw_suspend();
	rc = edit_run(edit_program(mode), path, err, errlen);
	draw_resume();
	return rc;
}

/* A local file's digest where it is cheap enough to take twice. */
static void
local_digest(const char *path, const struct listing_entry *st, char *hex,
    size_t len)
{
	char err[256];

	hex[0] = '\0';
	if (st->have_size && st->size <= EDIT_BIG &&
	    edit_digest(path, "SHA-256", hex, len, err, sizeof(err)) < 0)
		hex[0] = '\0';
}

/* A local file opened where it is; the panes read again after an edit. */
static void
view_local(struct app *a, enum edit_mode mode, const char *p,
    const struct listing_entry *st)
{
	char err[1024], before[HASH_HEX_MAX], after[HASH_HEX_MAX];

	local_digest(p, st, before, sizeof(before));
	if (run_program(mode, p, err, sizeof(err)) < 0)
		status(a, 1, "%s", err);
	if (mode == EDIT_VIEW)
		return;
	load_pane(a, SIDE_LOCAL);
	load_pane(a, SIDE_REMOTE);
	if (a->status_error)
		return;
	local_digest(p, st, after, sizeof(after));
	if (before[0] != '\0' && strcmp(before, after) == 0)
		status(a, 0, "%s: not changed", st->name);
	else
		status(a, 0, "Edited %s", st->name);
}

/* How far a copy for F3 or F4 got, drawn while it moves; Esc stops it
 * (other keys typed meanwhile are dropped: the screen is busy). */
static void
edit_progress(void *arg, uint64_t done, uint64_t total)
{
	struct app *a = arg;
	char d[32], t[32];
	int key;

	format_size(done, d, sizeof(d));
	format_size(total, t, sizeof(t));
	status(a, 0, "%s %s: %s of %s (Esc stops)", a->edit->dest[0] != '\0' ?
	    "Sending" : "Fetching", a->edit->name, d, t);
	draw_app(a);
	while ((key = draw_key(0)) != KEYS_NONE)
		if (key == KEYS_ESC)
			a->edit->cancel = 1;
}

/* Sends the edited copy to rpath; a failure asks whether to try again. */
static void
edit_send(struct app *a, const char *rpath)
{
	struct edit *e = a->edit;
	char err[1024], body[FS_PATH_MAX + 2048], base[LISTING_NAME_MAX];

	if (e->dest != rpath)
		snprintf(e->dest, sizeof(e->dest), "%s", rpath);
	status(a, 0, "Sending %s back...", e->name);
	draw_app(a);
	if (edit_upload(e, e->dest, err, sizeof(err)) != FS_OK) {
		status(a, 1, "%s: not sent back: %s", e->name, err);
		snprintf(body, sizeof(body), "%s was not sent back:\n%s\n"
		    "Try again? (n: your changes are discarded)", e->dest, err);
		dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_EDIT_RETRY,
		    "Not saved", body, NULL);
		return;
	}
	load_pane(a, SIDE_REMOTE);
	update_avbl(a);
	status(a, 0, "Saved %s to the server, %s", fs_basename(e->dest, base,
	    sizeof(base)), e->msg);
	edit_end(a);
}

/* The copy changed: sent back unless the server's changed too, which
 * is asked about. */
static void
edit_check(struct app *a)
{
	struct edit *e = a->edit;
	char why[1024], body[FS_PATH_MAX + 2048];
	int r;

	e->dest[0] = '\0';
	if ((r = edit_server_changed(e, why, sizeof(why))) < 0) {
		status(a, 1, "%s: %s", e->name, why);
		snprintf(body, sizeof(body), "%s cannot be looked at on the "
		    "server:\n%s\nTry again? (n: your changes are discarded)",
		    e->rpath, why);
		dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_EDIT_RETRY,
		    "Not saved", body, NULL);
		return;
	}
	if (r == 0) {
		edit_send(a, e->rpath);
		return;
	}
	snprintf(body, sizeof(body), "%s changed on the server while you "
	    "edited it:\n%s.\n  o: send yours over it\n  s: keep the "
	    "server's, and discard yours\n  n: send yours under a new name",
	    e->rpath, why);
	dialog_open(&a->dlg, DLG_CONFLICT, DLG_FOR_EDIT_CHANGED,
	    "Changed meanwhile", body, NULL);
	a->dlg.no_resume = 1;
	a->dlg.one_file = 1;
}

/* Fetches a->edit's file, opens it, and, after an edit, goes on to send
 * a changed copy back. */
static void
edit_fetch_open(struct app *a)
{
	struct edit *e = a->edit;
	char err[1024];
	int r;

	status(a, 0, "Fetching %s...", e->name);
	draw_app(a);
	if ((r = edit_fetch(e, err, sizeof(err))) != FS_OK) {
		if (r == FS_CANCELED)
			status(a, 0, "%s: not fetched (stopped)", e->name);
		else
			status(a, 1, "%s: not fetched: %s", e->name, err);
		edit_end(a);
		return;
	}
	a->status[0] = '\0';
	if (run_program(e->mode, e->path, err, sizeof(err)) < 0) {
		status(a, 1, "%s%s", err, e->mode == EDIT_EDIT ?
		    "; not sent back" : "");
		edit_end(a);
		return;
	}
	if (e->mode == EDIT_VIEW) {
		status(a, 0, "Viewed %s (fetched, %s)", e->name, e->msg);
		edit_end(a);
		return;
	}
	if ((r = edit_copy_changed(e, err, sizeof(err))) <= 0) {
		status(a, r < 0, r < 0 ? "%s; not sent back" :
		    "%s not changed: not sent back", r < 0 ? err : e->name);
		edit_end(a);
		return;
	}
	edit_check(a);
}

/* F3 and F4. A folder is opened by F3, as Enter does (mc's way). */
static void
act_view(struct app *a, enum edit_mode mode)
{
	const struct listing_entry *e = pane_current(cur(a));
	struct listing_entry st;
	char p[FS_PATH_MAX], err[1024], body[LISTING_NAME_MAX + 128];
	char size[32];
	int rc;

	if (a->active == SIDE_REMOTE && need_remote(a) < 0)
		return;
	if (e == NULL || a->fs[a->active] == NULL || a->edit != NULL ||
	    path_of(a, a->active, e->name, p, sizeof(p)) < 0)
		return;
	/* The entry's own type does not follow a link; this does. */
	rc = fs_stat(a->fs[a->active], p, &st, err, sizeof(err));
	if (rc == FS_NOENT && e->type == LISTING_LINK) {
		status(a, 1, "%s: a link that leads nowhere", e->name);
		return;
	}
	if (rc != FS_OK) {
		status(a, 1, "%s", err);
		return;
	}
	if (st.type == LISTING_DIR) {
		if (mode == EDIT_VIEW)
			act_open(a);
		else
			status(a, 1, "%s is a folder: nothing to edit",
			    e->name);
		return;
	}
	if (st.type != LISTING_FILE) {
		status(a, 1, "%s is not a file", e->name);
		return;
	}
	snprintf(st.name, sizeof(st.name), "%s", e->name);
	if (a->active == SIDE_LOCAL) {
		view_local(a, mode, p, &st);
		return;
	}
	if ((a->edit = malloc(sizeof(*a->edit))) == NULL) {
		status(a, 1, "out of memory");
		return;
	}
	if (edit_init(a->edit, mode, a->fs[SIDE_REMOTE], p, err,
	    sizeof(err)) < 0) {
		status(a, 1, "%s", err);
		edit_end(a);
		return;
	}
	a->edit->progress = edit_progress;
	a->edit->progress_arg = a;
	if (st.have_size && st.size > EDIT_BIG) {
		format_size(st.size, size, sizeof(size));
		snprintf(body, sizeof(body), "%s is %s. Fetch all of it to "
		    "%s it?", e->name, size, mode == EDIT_VIEW ? "view" :
		    "edit");
		dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_EDIT_BIG, "Big file",
		    body, NULL);
		return;
	}
	edit_fetch_open(a);
}

/* The answers to F3's and F4's questions (a dialog of purpose p). */
static void
edit_answer(struct app *a, enum dialog_purpose p, int r,
    enum dialog_answer ans, const char *text)
{
	struct edit *e = a->edit;
	struct listing_entry st;
	char dir[FS_PATH_MAX], to[FS_PATH_MAX], next[LISTING_NAME_MAX];
	char err[1024];

	if (e == NULL)
		return;
	if (p == DLG_FOR_EDIT_BIG && r == DLG_OK) {
		edit_fetch_open(a);
		return;
	}
	if (p == DLG_FOR_EDIT_CHANGED && r == DLG_OK &&
	    ans == DLG_ANS_OVERWRITE) {
		edit_send(a, e->rpath);
		return;
	}
	if ((p == DLG_FOR_EDIT_CHANGED && r == DLG_OK &&
	    ans == DLG_ANS_RENAME) || (p == DLG_FOR_EDIT_NAME && r == DLG_OK &&
	    text[0] == '\0')) {
		if (queue_next_name(e->name, next, sizeof(next)) < 0)
			snprintf(next, sizeof(next), "%s", e->name);
		dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_EDIT_NAME, "Save as",
		    "Send your copy to the server under the name:", next);
		return;
	}
	if (p == DLG_FOR_EDIT_NAME && r == DLG_OK) {
		fs_dirname(e->rpath, dir, sizeof(dir));
		if (fs_join(dir, text, to, sizeof(to)) < 0 ||
		    fs_stat(e->remote, to, &st, err, sizeof(err)) != FS_NOENT) {
			status(a, 1, "%s: exists, or not a usable name", text);
			dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_EDIT_NAME,
			    "Save as", "Send your copy to the server under "
			    "the name:", text);
			return;
		}
		edit_send(a, to);
		return;
	}
	if (p == DLG_FOR_EDIT_NAME) {
		edit_check(a);	/* Esc: back to the question */
		return;
	}
	if (p == DLG_FOR_EDIT_RETRY && r == DLG_OK) {
		if (e->dest[0] != '\0')
			edit_send(a, e->dest);
		else
			edit_check(a);
		return;
	}
	if (p == DLG_FOR_EDIT_BIG)
		status(a, 0, "%s: not fetched", e->name);
	else
		status(a, 0, "Kept the server's %s; your changes are "
		    "discarded", e->name);
	edit_end(a);
}

static void
act_help(struct app *a)
{
	const struct keys_help *h;
	char body[DLG_TEXT_MAX];
	size_t n, i, used = 0;
	int w;

	h = keys_help(&n);
	for (i = 0; i < n; i++) {
		w = snprintf(body + used, sizeof(body) - used, "%-20s %s%s",
		    h[i].keys, h[i].what, i + 1 < n ? "\n" : "");
		if (w < 0 || (size_t)w >= sizeof(body) - used)
			break;
		used += (size_t)w;
	}
	dialog_open(&a->dlg, DLG_TEXT, DLG_FOR_NOTHING, "burrow: keys", body,
	    NULL);
}

static void
act_quit(struct app *a)
{
	if (a->queue != NULL && queue_busy(a->queue)) {
		dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_QUIT, "Quit",
		    "Transfers are running. Quit? They are kept: the next "
		    "connection to this server offers to go on with them, "
		    "resuming the partial files.", NULL);
		return;
	}
	a->quit = 1;
}

/*
 * Esc: clears the active pane's filter when it has one, else asks
 * whether to cancel the running transfer. One key used to do both, the
 * transfer first: clearing a filter set during a download canceled it.
 */
static void
act_cancel(struct app *a)
{
	struct queue_status st;
	char body[1024], names[512], base[LISTING_NAME_MAX];
	size_t i, used = 0;
	int w;

	if (pane_filter(cur(a))[0] != '\0') {
		pane_set_filter(cur(a), "");
		status(a, 0, "Filter cleared");
		return;
	}
	if (a->queue == NULL)
		return;
	queue_status(a->queue, &st);
	if (st.running == 0)
		return;
	/* Say which: the files in flight by name. */
	names[0] = '\0';
	for (i = 0; i < st.nslots && i < 4; i++) {
		w = snprintf(names + used, sizeof(names) - used, "%s%s",
		    i > 0 ? ", " : "", fs_basename(st.slot[i].file, base,
		    sizeof(base)));
		if (w < 0 || (size_t)w >= sizeof(names) - used)
			break;
		used += (size_t)w;
	}
	if (st.nslots > 4)
		snprintf(names + used, sizeof(names) - used, " and %zu more",
		    st.nslots - 4);
	if (names[0] == '\0')
		fs_basename(st.src, names, sizeof(names));
	snprintf(body, sizeof(body), "Cancel the running transfer%s (%u "
	    "item%s: %s)? The partial files stay; F5 resumes them.\n"
	    "y: those, and what waits goes on; a: all, the %u waiting too.",
	    st.running > 1 ? "s" : "", st.running, st.running > 1 ? "s" : "",
	    names, st.waiting);
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_CANCEL, "Cancel", body,
	    NULL);
	a->dlg.offer_all = 1;
}

static void
do_cancel(struct app *a, int all)
{
	struct queue_status st;

	if (a->queue == NULL)
		return;
	queue_status(a->queue, &st);
	if (all) {
		queue_cancel_all(a->queue);
		status(a, 0, "Canceled every transfer, running (%u) and "
		    "waiting (%u); the partial files stay, F5 resumes them",
		    st.running, st.waiting);
	} else if (queue_cancel_current(a->queue))
		status(a, 0, "Canceled the running transfer%s (%u); the "
		    "partial files stay, F5 resumes them", st.running > 1 ?
		    "s" : "", st.running);
	else
		status(a, 0, "Nothing was running any more");
}

/* Opens the conflict dialog for the queue's question. */
static void
ask_conflict(struct app *a)
{
	const struct queue_question *q = &a->question;
	char body[FS_PATH_MAX + 512], ssz[32], dsz[32], sd[32], dd[32];
	char verdict[256];
	struct tm tm;
	int resumable;

	format_size(q->src_entry.size, ssz, sizeof(ssz));
	format_size(q->dst_entry.size, dsz, sizeof(dsz));
	sd[0] = dd[0] = '\0';
	if (q->src_entry.have_mtime && localtime_r(&q->src_entry.mtime, &tm))
		strftime(sd, sizeof(sd), ", %Y-%m-%d %H:%M", &tm);
	if (q->dst_entry.have_mtime && localtime_r(&q->dst_entry.mtime, &tm))
		strftime(dd, sizeof(dd), ", %Y-%m-%d %H:%M", &tm);
	resumable = dialog_conflict_verdict(&q->src_entry, &q->dst_entry,
	    q->suggested, q->prefix, verdict, sizeof(verdict));
	snprintf(body, sizeof(body), "%s exists.\n  there now: %s%s\n"
	    "  to copy:   %s%s\n%s", q->dst, dsz, dd, ssz, sd, verdict);
	dialog_open(&a->dlg, DLG_CONFLICT, DLG_FOR_CONFLICT,
	    "The target exists", body, NULL);
	a->dlg.no_resume = !resumable;
}

/* The conflict dialog's answers as the engine takes them. */
static const enum xfer_answer engine_answer[] = {
	[DLG_ANS_OVERWRITE] = XFER_ANS_OVERWRITE,
	[DLG_ANS_RESUME] = XFER_ANS_RESUME,
	[DLG_ANS_SKIP] = XFER_ANS_SKIP,
	[DLG_ANS_RENAME] = XFER_ANS_RENAME,
};

static void
answer_conflict(struct app *a, int r)
{
	char base[LISTING_NAME_MAX], next[LISTING_NAME_MAX];
	int for_all = a->dlg.for_all;
	enum dialog_answer ans = r == DLG_OK ? a->dlg.answer : DLG_ANS_SKIP;

	dialog_close(&a->dlg);
	if (ans == DLG_ANS_RENAME && !for_all) {
		fs_basename(a->question.dst, base, sizeof(base));
		if (queue_next_name(base, next, sizeof(next)) < 0)
			snprintf(next, sizeof(next), "%s", base);
		dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_CONFLICT_NAME,
		    "Rename", "Copy it under the name:", next);
		return;
	}
	(void)queue_answer(a->queue, engine_answer[ans], for_all, NULL);
}

/* The dialog ended with r (DLG_OK or DLG_CANCEL): act on it. */
static void
dialog_done(struct app *a, int r)
{
	enum dialog_purpose p = a->dlg.purpose;
	enum dialog_answer ans;
	char text[FS_PATH_MAX];
	int for_all;

	if (p == DLG_FOR_CONFLICT) {
		answer_conflict(a, r);
		return;
	}
	snprintf(text, sizeof(text), "%s", a->dlg.text);
	for_all = a->dlg.for_all;
	ans = a->dlg.answer;
	dialog_close(&a->dlg);
	switch (p) {
	case DLG_FOR_MKDIR:
		if (r == DLG_OK)
			do_mkdir(a, text);
		break;
	case DLG_FOR_RENAME:
		if (r == DLG_OK)
			do_rename(a, text);
		break;
	case DLG_FOR_CHMOD:
		if (r == DLG_OK)
			do_chmod(a, text);
		else
			status(a, 0, "No mode changed");
		break;
	case DLG_FOR_FILTER:
		if (r != DLG_OK)
			pane_set_filter(cur(a), "");
		break;
	case DLG_FOR_DELETE:
		if (r == DLG_OK)
			do_delete(a);
		else
			status(a, 0, "Nothing deleted");
		break;
	case DLG_FOR_QUIT:
		if (r == DLG_OK)
			a->quit = 1;
		break;
	case DLG_FOR_JOURNAL:
		journal_answer(a, r == DLG_OK);
		break;
	case DLG_FOR_CANCEL:
		if (r == DLG_OK)
			do_cancel(a, for_all);
		break;
	case DLG_FOR_MARK:
	case DLG_FOR_UNMARK:
		if (r == DLG_OK && text[0] != '\0') {
			size_t changed = pane_mark_matching(cur(a), text,
			    p == DLG_FOR_MARK);

			status(a, 0, "%s %zu; %zu marked", p == DLG_FOR_MARK ?
			    "Marked" : "Unmarked", changed,
			    pane_marked_count(cur(a)));
		}
		break;
	case DLG_FOR_TLS:
		if (r == DLG_OK) {
			disconnect(a);	/* before the worker's login changes */
			a->login.opts.tls = 1;
			a->login.url.scheme = URL_FTPS;
			connect_now(a);
		} else
			status(a, 0, "Not connected: the server requires TLS");
		break;
	case DLG_FOR_COPY:
		if (r == DLG_OK)
			queue_selection(a);
		else
			status(a, 0, "Nothing queued");
		break;
	case DLG_FOR_URL:
		if (r == DLG_OK && text[0] != '\0')
			connect_url(a, text);
		break;
	case DLG_FOR_PASSWORD:
		if (r == DLG_OK && strlen(text) >= sizeof(a->login.password))
			status(a, 1, "The password is too long");
		else if (r == DLG_OK) {
			disconnect(a);	/* before the worker's login changes */
			memcpy(a->login.password, text, strlen(text) + 1);
			connect_now(a);
		} else
			status(a, 0, "Not connected: F2 connects to a server");
		break;
	case DLG_FOR_CONFLICT_NAME:
		if (r != DLG_OK || queue_answer(a->queue, XFER_ANS_RENAME, 0,
		    text) < 0) {
			if (r == DLG_OK)
				status(a, 1, "%s: not a usable name", text);
			(void)queue_answer(a->queue, XFER_ANS_SKIP, 0, NULL);
		}
		break;
	case DLG_FOR_EDIT_BIG:
	case DLG_FOR_EDIT_CHANGED:
	case DLG_FOR_EDIT_NAME:
	case DLG_FOR_EDIT_RETRY:
		edit_answer(a, p, r, ans, text);
		break;
	case DLG_FOR_SITE_NAME:
	case DLG_FOR_SITE_URL:
	case DLG_FOR_SITE_USER:
	case DLG_FOR_SITE_RDIR:
	case DLG_FOR_SITE_LDIR:
	case DLG_FOR_SITE_DELETE:
		(void)sitelist_dialog_done(a, p, r, text);
		break;
	case DLG_FOR_COMPARE:
	case DLG_FOR_SYNC_DELETE:
		(void)syncview_dialog_done(a, p, r, text);
		break;
	case DLG_FOR_CONFLICT:
	case DLG_FOR_NOTHING:
		break;
	}
	wipe(text, sizeof(text));
	free(a->sel);
	a->sel = NULL;
	a->nsel = 0;
}

static void
on_dialog_key(struct app *a, int key)
{
	int r;

	a->dlg.rows = (size_t)draw_dialog_rows();
	if (a->dlg.purpose == DLG_FOR_URL && key == KEYS_CTRL('\\')) {
		/* From F2's dialog to the saved sites. */
		dialog_close(&a->dlg);
		sitelist_open(a);
		return;
	}
	r = dialog_key(&a->dlg, key);

	if (r == DLG_EDITED && a->dlg.purpose == DLG_FOR_FILTER)
		pane_set_filter(cur(a), a->dlg.text);
	if (r == DLG_OK || r == DLG_CANCEL)
		dialog_done(a, r);
}

/* ------------------------------------------------------ the transfer log */

/* Copies the log's lines for the view again (after new ones came). */
static void
log_reload(struct app *a)
{
	struct xlog_line *v;
	long n;

	xlog_counts(&a->log, &a->log_added, &a->log_failed);
	if ((n = xlog_copy(&a->log, a->log_failed_only, &v)) < 0) {
		status(a, 1, "out of memory");
		return;
	}
	xlog_lines_free(a->log_v, a->log_n);
	a->log_v = v;
	a->log_n = (size_t)n;
	if (a->log_top >= a->log_n)
		a->log_top = a->log_n > 0 ? a->log_n - 1 : 0;
	if (a->log_follow)
		a->log_top = draw_log_last_top(a);
}

static void
log_close(struct app *a)
{
	xlog_lines_free(a->log_v, a->log_n);
	a->log_v = NULL;
	a->log_n = a->log_top = 0;
	a->log_open = 0;
}

static void
act_log(struct app *a)
{
	a->log_open = 1;
	a->log_follow = 1;	/* the newest lines first in sight */
	log_reload(a);
}

/* Moves the view's first line by d lines (negative: up). */
static void
log_scroll(struct app *a, long d)
{
	size_t last = draw_log_last_top(a);

	if (d < 0)
		a->log_top = (size_t)-d > a->log_top ? 0 : a->log_top -
		    (size_t)-d;
	else
		a->log_top = a->log_top + (size_t)d > last ? last :
		    a->log_top + (size_t)d;
	a->log_follow = a->log_top == last;
}

static void
on_log_key(struct app *a, int key)
{
	long page = draw_log_rows() > 1 ? draw_log_rows() - 1 : 1;

	if (key == 'f' || key == 'F') {
		a->log_failed_only = !a->log_failed_only;
		a->log_top = 0;
		a->log_follow = 1;
		log_reload(a);
		return;
	}
	switch (keys_action(key)) {
	case ACT_UP: log_scroll(a, -1); break;
	case ACT_DOWN: log_scroll(a, 1); break;
	case ACT_PGUP: log_scroll(a, -page); break;
	case ACT_PGDN: log_scroll(a, page); break;
	case ACT_HOME:
		a->log_top = 0;
		a->log_follow = draw_log_last_top(a) == 0;
		break;
	case ACT_END: log_scroll(a, (long)a->log_n); break;
	case ACT_LOG:
	case ACT_CANCEL:
	case ACT_QUIT:		/* q and F10 close the view, not burrow */
		log_close(a);
		break;
	default:
		if (!keys_is_resize(key))
			break;
		if (a->log_follow)
			a->log_top = draw_log_last_top(a);
		break;
	}
}

static void
on_key(struct app *a, int key)
{
	struct pane *p = cur(a);
	size_t rows = (size_t)draw_list_rows(a);
	enum action act;

	if (a->dlg.kind != DLG_NONE) {
		on_dialog_key(a, key);
		return;
	}
	if (a->log_open) {
		on_log_key(a, key);
		return;
	}
	if (!keys_is_resize(key))
		a->status[0] = '\0';
	if (a->sites_open) {
		sitelist_key(a, key);
		return;
	}
	if (a->plan_open) {
		syncview_key(a, key);
		return;
	}
	if (a->ctrl_x && !keys_is_resize(key)) {
		a->ctrl_x = 0;
		act = keys_ctrl_x_action(key);
		if (act == ACT_NONE) {
			status(a, 0, "Ctrl-X: c mode, d compare, D compare "
			    "(asking how), s sync (F1 lists the keys)");
			return;
		}
	} else
		act = keys_action(key);
	switch (act) {
	case ACT_UP: pane_move(p, -1); break;
	case ACT_DOWN: pane_move(p, 1); break;
	case ACT_PGUP: pane_page(p, -1, rows); break;
	case ACT_PGDN: pane_page(p, 1, rows); break;
	case ACT_HOME: pane_home(p); break;
	case ACT_END: pane_end(p); break;
	case ACT_SWITCH:
		a->active = a->active == SIDE_LOCAL ? SIDE_REMOTE : SIDE_LOCAL;
		break;
	case ACT_OPEN: act_open(a); break;
	case ACT_PARENT: act_parent(a); break;
	case ACT_MARK: pane_toggle_mark(p); break;
	case ACT_COPY: act_copy(a); break;
	case ACT_MOVE: act_move(a); break;
	case ACT_MKDIR:
		if (a->fs[a->active] != NULL)
			dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_MKDIR, "Mkdir",
			    "New folder:", NULL);
		break;
	case ACT_DELETE: act_delete(a); break;
	case ACT_REFRESH:
		load_pane(a, SIDE_LOCAL);
		load_pane(a, SIDE_REMOTE);
		update_avbl(a);
		break;
	case ACT_FILTER:
		dialog_open(&a->dlg, DLG_INPUT, DLG_FOR_FILTER, "Filter",
		    "Show names containing:", pane_filter(p));
		break;
	case ACT_SORT:
		status(a, 0, "Sorted by %s",
		    pane_sort_name(pane_sort_cycle(p)));
		break;
	case ACT_HELP: act_help(a); break;
	case ACT_QUIT: act_quit(a); break;
	case ACT_CANCEL: act_cancel(a); break;
	case ACT_CLEAR:
		if (a->queue != NULL)
			queue_clear_finished(a->queue);
		break;
	case ACT_CONNECT: open_connect(a, NULL); break;
	case ACT_MARK_MATCHING:
	case ACT_UNMARK_MATCHING:
		dialog_open(&a->dlg, DLG_INPUT, act ==
		    ACT_MARK_MATCHING ? DLG_FOR_MARK : DLG_FOR_UNMARK,
		    act == ACT_MARK_MATCHING ? "Mark" : "Unmark",
		    "The names matching (* ? [...]):", "*");
		break;
	case ACT_INVERT_MARKS:
		pane_invert_marks(p);
		status(a, 0, "%zu marked", pane_marked_count(p));
		break;
	case ACT_LOG: act_log(a); break;
	case ACT_CTRL_X:
		a->ctrl_x = 1;
		status(a, 0, "Ctrl-X: c mode, d compare, D compare (asking "
		    "how), s sync");
		break;
	case ACT_CHMOD: act_chmod(a); break;
	case ACT_VIEW: act_view(a, EDIT_VIEW); break;
	case ACT_EDIT: act_view(a, EDIT_EDIT); break;
	case ACT_SITES: sitelist_open(a); break;
	case ACT_COMPARE: syncview_compare(a, 0); break;
	case ACT_COMPARE_ASK: syncview_compare(a, 1); break;
	case ACT_SYNC: syncview_plan_open(a); break;
	case ACT_NONE:
		/* A function key that does nothing says so (mc users try
		 * the ones mc binds). */
		if (keys_fn_number(key) > 0)
			status(a, 0, "F%d does nothing here (F1 lists the keys)",
			    keys_fn_number(key));
		break;
	}
}

/*
 * The last APP_RECENT finished items, newest last, into a->recent. Items
 * run in the order added, so the ended ones come first: a window just
 * before the ended-th item holds the newest of them.
 */
static void
recent_items(struct app *a, size_t ended)
{
	struct queue_item_view *v;
	size_t first = ended > APP_RECENT ? ended - APP_RECENT : 0, got, i, n;

	a->nrecent = 0;
	if ((v = calloc(RECENT_WINDOW, sizeof(*v))) == NULL)
		return;
	got = queue_items(a->queue, v, RECENT_WINDOW, first);
	for (i = got; i > 0 && a->nrecent < APP_RECENT; i--)
		if (v[i - 1].state != QUEUE_WAITING &&
		    v[i - 1].state != QUEUE_RUNNING)
			a->nrecent++;
	for (i = got, n = a->nrecent; i > 0 && n > 0; i--)
		if (v[i - 1].state != QUEUE_WAITING &&
		    v[i - 1].state != QUEUE_RUNNING)
			a->recent[--n] = v[i - 1];
	free(v);
}

/* Looks at the queue; returns 1 when the screen should be drawn again. */
static int
poll_queue(struct app *a)
{
	unsigned gen, changed;
	unsigned long added, failed;
	size_t ended;
	int asked = 0;

	if (a->log_open) {
		xlog_counts(&a->log, &added, &failed);
		if (added != a->log_added) {
			log_reload(a);
			asked = 1;	/* drawn again */
		}
	}
	if (a->queue == NULL)
		return asked;
	if (a->dlg.kind == DLG_NONE &&
	    queue_question(a->queue, &a->question)) {
		ask_conflict(a);
		asked = 1;	/* and the panel as it is now, below */
	}
	if ((gen = queue_generation(a->queue)) == a->queue_gen)
		return asked;
	a->queue_gen = gen;
	queue_status(a->queue, &a->qs);
	if (a->qs.notice_gen != a->notice_seen) {
		/* Said once: a login the server refused (fewer at once). */
		a->notice_seen = a->qs.notice_gen;
		status(a, 0, "%s", a->qs.notice);
	}
	ended = a->qs.done + a->qs.skipped + a->qs.failed + a->qs.canceled;
	if (ended != a->recent_ended || a->qs.items != a->recent_items) {
		/* An item ended (or the list was cleared): not on every
		 * progress tick, as views are large. */
		a->recent_ended = ended;
		a->recent_items = a->qs.items;
		recent_items(a, ended);
	}
	changed = queue_changed(a->queue);
	if (changed & QUEUE_CHANGED_LOCAL)
		load_pane(a, SIDE_LOCAL);
	if (changed & QUEUE_CHANGED_REMOTE) {
		load_pane(a, SIDE_REMOTE);
		update_avbl(a);
	}
	return 1;
}

static void
app_free(struct app *a)
{
	edit_end(a);
	syncview_clear(a);
	queue_free(a->queue);
	journal_close(a->journal);
	journal_items_free(a->pending, a->npending);
	fs_free(a->fs[SIDE_REMOTE]);
	fs_free(a->fs[SIDE_LOCAL]);
	pane_free(&a->pane[SIDE_LOCAL]);
	pane_free(&a->pane[SIDE_REMOTE]);
	dialog_close(&a->dlg);
	log_close(a);
	xlog_free(&a->log);
	recent_free(&a->servers);
	sites_free(&a->sites);
	free(a->recent);
	free(a->sel);
	url_wipe(&a->login.url);
	wipe(a->login.password, sizeof(a->login.password));
}

/*
 * The browsing login idles while the queue's logins move files, and while
 * the user reads: a NOOP now and then keeps the server's idle timeout
 * away. One lost anyway is mended on the next action, as always.
 */
static void
keep_alive(struct app *a)
{
	struct ftp *f = fs_remote_ftp(a->fs[SIDE_REMOTE]);

	if (f != NULL && a->opts->keepalive_ms > 0)
		(void)ftp_keepalive(f, a->opts->keepalive_ms);
}

int
client_run(const struct client_opts *o, const char *url,
    const struct site *site)
{
	struct app a;
	char err[1024];
	int key, dirty = 1;

	setlocale(LC_ALL, "");
	memset(&a, 0, sizeof(a));
	a.opts = o;
	xlog_init(&a.log, 0);
	pane_init(&a.pane[SIDE_LOCAL]);
	pane_init(&a.pane[SIDE_REMOTE]);
	pane_set_sort(&a.pane[SIDE_LOCAL], o->sort);
	pane_set_sort(&a.pane[SIDE_REMOTE], o->sort);
	if ((a.recent = calloc(APP_RECENT, sizeof(*a.recent))) == NULL ||
	    (a.fs[SIDE_LOCAL] = fs_local_new(NULL, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "burrow: %s\n", a.recent == NULL ?
		    "out of memory" : err);
		app_free(&a);
		return 1;
	}
	if (draw_open(o->theme, err, sizeof(err)) < 0) {
		fprintf(stderr, "burrow: %s\n", err);
		app_free(&a);
		return 1;
	}
	load_pane(&a, SIDE_LOCAL);
	/* The local pane is the active one, as in mc: F5 uploads. */
	a.active = SIDE_LOCAL;
	if (recent_default_file(a.servers_file, sizeof(a.servers_file)) < 0)
		a.servers_file[0] = '\0';
	else if (recent_load(&a.servers, a.servers_file, err,
	    sizeof(err)) < 0)
		status(&a, 1, "Recent servers not read: %s", err);
	if (sites_default_file(a.sites_file, sizeof(a.sites_file)) < 0)
		a.sites_file[0] = '\0';
	else if (sites_load(&a.sites, a.sites_file, err, sizeof(err)) < 0)
		status(&a, 1, "%s", err);	/* main() read it once */
	if (site != NULL)
		connect_site(&a, site);
	else if (url != NULL)
		connect_url(&a, url);
	else
		open_connect(&a, NULL);
	while (!a.quit && !draw_interrupted()) {
		if (dirty)
			draw_app(&a);
		dirty = 0;
		key = draw_key(POLL_MS);
		if (key != KEYS_NONE) {
			on_key(&a, key);
			dirty = 1;
		}
		if (poll_queue(&a))
			dirty = 1;
		keep_alive(&a);
	}
	/* What has not finished stays in the journal for the next start. */
	if (a.queue != NULL) {
		queue_journal(a.queue, NULL);
		queue_cancel_all(a.queue);
	}
	draw_close();
	app_free(&a);
	/* Stopped by a signal: say so the way a shell expects. */
	return draw_interrupted() ? 128 + draw_interrupted() : 0;
}
