/*
 * app: the full-screen client's state, one struct app passed down from
 * client_run() (tui/app.c): the two file systems and their panes, the
 * transfer queue, the dialog and the status line. tui/app.c changes it in
 * answer to keys and to the queue; tui/draw.c only reads it.
 */
#ifndef BURROW_APP_H
#define BURROW_APP_H

#include <stddef.h>

#include "tui/client.h"
#include "tui/compare.h"
#include "tui/dialog.h"
#include "tui/journal.h"
#include "tui/edit.h"
#include "tui/pane.h"
#include "tui/queue.h"
#include "tui/recent.h"
#include "tui/sites.h"
#include "tui/url.h"
#include "tui/xlog.h"

enum side { SIDE_LOCAL, SIDE_REMOTE };

#define APP_RECENT	8	/* finished items the transfer panel shows at
				   most (fewer on a small screen) */

/* What the worker thread needs to log in on its own (never changed while
 * a queue uses it: a new connection gets a new queue). */
struct app_login {
	struct url		 url;
	char			 password[URL_PASS_MAX];
	struct ftp_opts		 opts;
};

struct app {
	const struct client_opts *opts;
	struct app_login	 login;
	int			 have_login;	/* url parsed */
	struct site		 site;		/* what the login came from, */
	int			 have_site;	/* when it came from a site */
	char			 first_user[URL_USER_MAX];	/* the first
						   login's, whom BURROW_PASSWORD
						   is for ("" before it) */
	struct fs		*fs[2];		/* [enum side]; remote may be
						   NULL (not connected) */
	struct pane		 pane[2];
	enum side		 active;
	struct queue		*queue;		/* NULL until connected */
	/* The queue's journal for this server (NULL: none), and the items
	 * it held from last time while the user is asked about them. */
	struct journal		*journal;
	struct journal_item	*pending;
	size_t			 npending;
	struct dialog		 dlg;
	char			 status[1024];
	int			 status_error;	/* show status as an error */
	int			 quit;

	/* The remote side, for its footer. */
	char			 server[300];
	int			 tls;
	int			 have_avbl;
	unsigned long long	 avbl;

	/* The transfer panel, copied from the queue at each change. */
	unsigned		 queue_gen;
	struct queue_status	 qs;
	struct queue_item_view	*recent;	/* APP_RECENT of them */
	size_t			 nrecent;
	size_t			 recent_ended;	/* qs's ended items and items */
	size_t			 recent_items;	/* when recent was read */
	unsigned		 notice_seen;	/* qs.notice_gen shown */

	/* The entries an open dialog will act on (F6, F8): copies, as the
	 * pane may be reloaded meanwhile. */
	struct listing_entry	*sel;
	size_t			 nsel;
	enum side		 sel_side;
	struct queue_question	 question;	/* the one being asked */

	/* A server's file viewed or edited (F3, F4) while its questions are
	 * asked (a big file, a file changed meanwhile); else NULL. */
	struct edit		*edit;

	/* The transfer log (F9), kept across connections, and its view: a
	 * copy of the lines, the first one shown, whether the view follows
	 * the newest line (it was at the bottom) and shows failures only. */
	struct xlog		 log;

	/* The servers connected to, for F2 (tui/recent.h); file "" when
	 * there is no place for them (no $HOME). */
	struct recent		 servers;
	char			 servers_file[4096];
	int			 ctrl_x;	/* Ctrl-X came: the next key
						   is one of its commands */

	/* The saved sites (tui/sites.h); file "" when there is no place
	 * for them. */
	struct sites		 sites;
	char			 sites_file[4096];
	/* Their list (Ctrl-\, tui/sitelist.c): shown, its cursor, and the
	 * site being added (at SITES_NEW) or edited (at its index). */
	int			 sites_open;
	size_t			 sites_cursor;
	struct site		 site_edit;
	size_t			 site_edit_at;
	int			 log_open;
	int			 log_failed_only;
	int			 log_follow;
	struct xlog_line	*log_v;
	size_t			 log_n;
	size_t			 log_top;
	unsigned long		 log_added;	/* when log_v was copied */
	unsigned long		 log_failed;

	/* The last comparison of the panes' folders (tui/syncview.c): its
	 * items (left: the local side), the folders it was of, how it was
	 * made; and the sync plan's list while it is open. */
	struct compare_item	*cmp;
	size_t			 ncmp;
	int			 cmp_done;
	char			 cmp_path[2][FS_PATH_MAX];	/* [side] */
	int			 cmp_recursive;
	int			 cmp_checksum;
	struct plan_action	*plan;
	size_t			 nplan;
	size_t			 plan_cursor;
	int			 plan_open;
};

/* What tui/app.c offers the screen's other modules (tui/sitelist.c). */

/* Sets the status line (an error in its colour when error is set). */
void	app_status(struct app *a, int error, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Connects to site, as burrow NAME does (asking a password when none is
 * known). */
void	app_connect_site(struct app *a, const struct site *site);

#endif
