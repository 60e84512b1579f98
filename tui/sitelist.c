/*
 * sitelist: the full-screen client's list of saved sites (Ctrl-\, as
 * mc's hotlist, or from F2's dialog): Enter connects to the site under
 * the cursor, a adds the current connection under a name typed for it,
 * e edits a site (name, URL, user, remote and local folders, one dialog
 * after another), d deletes one after asking. Every change is written
 * to sites.conf at once (tui/sites.h). The list is a view of
 * a->sites; tui/draw.c draws it.
 */
#include "config.h"

#include <curses.h>	/* its KEY_* codes only: nothing here draws */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/remote.h"
#include "tui/sitelist.h"

/* Writes the list; says what was done, or why it was not saved. */
static void
save(struct app *a, const char *done)
{
	char err[1024];

	if (a->sites_file[0] == '\0')
		app_status(a, 1, "Sites not saved: no $HOME for sites.conf");
	else if (sites_save(&a->sites, a->sites_file, err, sizeof(err)) < 0)
		app_status(a, 1, "Sites not saved: %s", err);
	else
		app_status(a, 0, "%s (%s)", done, a->sites_file);
}

/* The questions of an edit, in order, and the field each one sets. */
static const struct {
	enum dialog_purpose	 p;
	const char		*prompt;
	size_t			 off, size;
} fields[] = {
	{ DLG_FOR_SITE_NAME, "Name (1 of 5):",
	  offsetof(struct site, name), SITE_NAME_MAX },
	{ DLG_FOR_SITE_URL, "Address, ftp[s]://host[:port] (2 of 5):",
	  offsetof(struct site, url), SITE_URL_MAX },
	{ DLG_FOR_SITE_USER, "User (empty: the address's, else anonymous) "
	  "(3 of 5):", offsetof(struct site, user), URL_USER_MAX },
	{ DLG_FOR_SITE_RDIR, "Remote folder to start in (empty: the login's) "
	  "(4 of 5):", offsetof(struct site, remote_dir), SITE_PATH_MAX },
	{ DLG_FOR_SITE_LDIR, "Local folder to start in (empty: where burrow "
	  "started) (5 of 5):", offsetof(struct site, local_dir),
	  SITE_PATH_MAX },
};

#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static size_t
field_index(enum dialog_purpose p)
{
	size_t i;

	for (i = 0; i < NFIELDS && fields[i].p != p; i++)
		;
	return i;
}

static char *
field(struct app *a, size_t i)
{
	return (char *)&a->site_edit + fields[i].off;
}

/* Asks field i of the edit, starting from text (NULL: its value). */
static void
ask(struct app *a, size_t i, const char *text)
{
	int adding = a->site_edit_at == SITES_NEW;

	dialog_open(&a->dlg, DLG_INPUT, fields[i].p, adding ? "Add site" :
	    "Edit site", adding ? "Save this connection (address, user, both "
	    "folders; no password) as the site named:" : fields[i].prompt,
	    text != NULL ? text : field(a, i));
}

void
sitelist_open(struct app *a)
{
	struct sites fresh = { NULL, 0 };
	char err[1024];

	/* The file may have been edited since: read it again. */
	if (a->sites_file[0] != '\0') {
		if (sites_load(&fresh, a->sites_file, err, sizeof(err)) < 0)
			app_status(a, 1, "%s", err);
		else {
			sites_free(&a->sites);
			a->sites = fresh;
		}
	}
	a->sites_open = 1;
	if (a->sites_cursor >= a->sites.n)
		a->sites_cursor = a->sites.n > 0 ? a->sites.n - 1 : 0;
}

/* A: the current connection as a new site; its name is asked. */
static void
add_current(struct app *a)
{
	struct site *s = &a->site_edit;
	struct url u;

	if (a->fs[SIDE_REMOTE] == NULL) {
		app_status(a, 1, "Not connected: connect first (F2), then add "
		    "the connection here");
		return;
	}
	memset(s, 0, sizeof(*s));
	/* The address alone: the user and folders have fields of their
	 * own, and the password is never kept. */
	u = a->login.url;
	u.have_user = u.have_pass = 0;
	u.user[0] = u.pass[0] = u.path[0] = '\0';
	if (url_format(&u, s->url, sizeof(s->url)) < 0) {
		url_wipe(&u);
		app_status(a, 1, "This address is too long for a site");
		return;
	}
	url_wipe(&u);
	if (a->login.url.have_user)
		snprintf(s->user, sizeof(s->user), "%s", a->login.url.user);
	s->tls = a->login.opts.tls && a->login.url.scheme == URL_FTP;
	if (a->have_site) {
		snprintf(s->cafile, sizeof(s->cafile), "%s", a->site.cafile);
		s->parallel = a->site.parallel;
	}
	snprintf(s->remote_dir, sizeof(s->remote_dir), "%s",
	    pane_path(&a->pane[SIDE_REMOTE]));
	snprintf(s->local_dir, sizeof(s->local_dir), "%s",
	    pane_path(&a->pane[SIDE_LOCAL]));
	a->site_edit_at = SITES_NEW;
	ask(a, 0, a->login.url.host);
}

static void
edit(struct app *a)
{
	if (a->sites.n == 0)
		return;
	a->site_edit = a->sites.v[a->sites_cursor];
	a->site_edit_at = a->sites_cursor;
	ask(a, 0, NULL);
}

static void
ask_delete(struct app *a)
{
	char body[SITE_NAME_MAX + 128];

	if (a->sites.n == 0)
		return;
	snprintf(body, sizeof(body), "Delete the site \"%s\"? (Nothing on "
	    "the server or here is touched.)", a->sites.v[a->sites_cursor].name);
	dialog_open(&a->dlg, DLG_CONFIRM, DLG_FOR_SITE_DELETE, "Delete site",
	    body, NULL);
}

static void
cursor_by(struct app *a, long d)
{
	size_t last = a->sites.n > 0 ? a->sites.n - 1 : 0;

	if (d < 0)
		a->sites_cursor = (size_t)-d > a->sites_cursor ? 0 :
		    a->sites_cursor - (size_t)-d;
	else
		a->sites_cursor = a->sites_cursor + (size_t)d > last ? last :
		    a->sites_cursor + (size_t)d;
}

void
sitelist_key(struct app *a, int key)
{
	long page = 10;

	switch (key) {
	case 'a':
	case 'A':
	case KEYS_FN(KEY_IC):	/* Insert, as mc's hotlist adds */
		add_current(a);
		return;
	case 'e':
	case 'E':
		edit(a);
		return;
	case 'd':
	case 'D':
		ask_delete(a);
		return;
	case KEYS_CTRL('\\'):
		a->sites_open = 0;
		return;
	}
	switch (keys_action(key)) {
	case ACT_UP: cursor_by(a, -1); break;
	case ACT_DOWN: cursor_by(a, 1); break;
	case ACT_PGUP: cursor_by(a, -page); break;
	case ACT_PGDN: cursor_by(a, page); break;
	case ACT_HOME: a->sites_cursor = 0; break;
	case ACT_END: cursor_by(a, (long)a->sites.n); break;
	case ACT_DELETE: ask_delete(a); break;
	case ACT_OPEN:
		if (a->sites.n == 0)
			break;
		a->sites_open = 0;
		app_connect_site(a, &a->sites.v[a->sites_cursor]);
		break;
	case ACT_CANCEL:
	case ACT_QUIT:		/* q and F10 close the list, not burrow */
		a->sites_open = 0;
		break;
	default:
		break;
	}
}

/* Puts a->site_edit in the list and saves the list. */
static void
commit(struct app *a)
{
	char err[1024], done[SITE_NAME_MAX + 32];
	int added = a->site_edit_at == SITES_NEW;

	if (sites_put(&a->sites, &a->site_edit, a->site_edit_at, err,
	    sizeof(err)) < 0) {
		app_status(a, 1, "Not saved: %s", err);
		return;
	}
	a->sites_cursor = added ? a->sites.n - 1 : a->site_edit_at;
	snprintf(done, sizeof(done), "%s site \"%s\"", added ? "Added" :
	    "Saved", a->site_edit.name);
	save(a, done);
}

int
sitelist_dialog_done(struct app *a, enum dialog_purpose p, int r,
    const char *text)
{
	const struct site *other;
	char err[1024];
	size_t i;

	if (p == DLG_FOR_SITE_DELETE) {
		if (r != DLG_OK || a->sites_cursor >= a->sites.n) {
			app_status(a, 0, "No site deleted");
			return 1;
		}
		snprintf(err, sizeof(err), "Deleted site \"%s\"",
		    a->sites.v[a->sites_cursor].name);
		sites_remove(&a->sites, a->sites_cursor);
		if (a->sites_cursor >= a->sites.n && a->sites_cursor > 0)
			a->sites_cursor--;
		save(a, err);
		return 1;
	}
	if ((i = field_index(p)) == NFIELDS)
		return 0;
	if (r != DLG_OK) {
		app_status(a, 0, "No site changed");
		return 1;
	}
	if (strlen(text) >= fields[i].size) {
		app_status(a, 1, "Too long: %zu bytes at most",
		    fields[i].size - 1);
		ask(a, i, text);
		return 1;
	}
	memcpy(field(a, i), text, strlen(text) + 1);
	other = sites_find(&a->sites, a->site_edit.name);
	if (p == DLG_FOR_SITE_NAME && other != NULL &&
	    (a->site_edit_at == SITES_NEW ||
	    other != &a->sites.v[a->site_edit_at])) {
		app_status(a, 1, "There is a site named \"%s\" already",
		    a->site_edit.name);
		ask(a, i, text);
		return 1;
	}
	if (sites_check(&a->site_edit, err, sizeof(err)) < 0) {
		app_status(a, 1, "%s", err);
		ask(a, i, text);	/* the same question, with what was
					   typed */
		return 1;
	}
	if (a->site_edit_at == SITES_NEW || i + 1 == NFIELDS)
		commit(a);
	else
		ask(a, i + 1, NULL);
	return 1;
}
