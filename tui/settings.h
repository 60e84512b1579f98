/*
 * settings: the client's own settings, in
 * $XDG_CONFIG_HOME/burrow/burrow.conf (~/.config/burrow/burrow.conf), a
 * libconfig file:
 *
 *   parallel = 4;            # logins moving files at once, 1 to 16
 *   keepalive = 60;          # seconds between NOOPs on an idle login; 0: none
 *   timeout = 30;            # seconds a silent connection is given
 *   confirm_delete = true;   # F8 asks first
 *   sort = "name";           # "name", "size" or "time"
 *   theme = "default";       # "default", "dark" or "mono"
 *
 * Every setting is optional and gives a default the command line may
 * override. One table names each with its type and limits, so an unknown
 * key, a wrong type and a value out of range are reported with the file
 * and line.
 */
#ifndef BURROW_SETTINGS_H
#define BURROW_SETTINGS_H

#include <stddef.h>

#include "tui/pane.h"

enum settings_theme {
	THEME_DEFAULT,		/* the terminal's background, a few colours */
	THEME_DARK,		/* brighter colours for a dark background */
	THEME_MONO,		/* no colour: bold and reverse only (also
				   whenever NO_COLOR is set) */
};

struct settings {
	int			 parallel;
	int			 keepalive;	/* seconds */
	int			 timeout;	/* seconds */
	int			 confirm_delete;
	enum pane_sort		 sort;
	enum settings_theme	 theme;
};

/* burrow's defaults: 4 logins, NOOP after 60 s, 30 s timeout, deletes
 * asked about, by name, the default theme. */
void	settings_defaults(struct settings *s);

/* The file's path into buf, or -1 when neither $XDG_CONFIG_HOME
 * (absolute) nor $HOME is set, or it does not fit. */
int	settings_default_file(char *buf, size_t len);

/*
 * Reads file over s (what it does not set keeps its value). A missing
 * file sets nothing. 0, or -1 with "file:line: reason" in err (s may be
 * partly set then).
 */
int	settings_load(struct settings *s, const char *file, char *err,
	    size_t errlen);

#endif
