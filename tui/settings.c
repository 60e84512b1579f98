/*
 * settings: burrow.conf; see settings.h. One table (opts[]) names every
 * setting; reading walks the file's settings against it.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "proto/util.h"
#include "tui/lcfile.h"
#include "tui/settings.h"
#include "tui/xfer.h"

enum opt_type { OPT_INT, OPT_BOOL, OPT_WORD };

struct opt {
	const char		*name;
	enum opt_type		 type;
	int			 min, max;	/* OPT_INT */
	const char *const	*words;		/* OPT_WORD: by value, NULL
						   ended */
	size_t			 off;		/* of the int in struct
						   settings */
	const char		*help;
};

static const char *const sort_words[] = { "name", "size", "time", NULL };
static const char *const theme_words[] = { "default", "dark", "mono", NULL };

#define F(x) offsetof(struct settings, x)

static const struct opt opts[] = {
	{ "parallel", OPT_INT, 1, XFER_PARALLEL_MAX, NULL, F(parallel),
	  "logins moving files at once" },
	{ "keepalive", OPT_INT, 0, 86400, NULL, F(keepalive),
	  "seconds between NOOPs on an idle login, 0 for none" },
	{ "timeout", OPT_INT, 1, 86400, NULL, F(timeout),
	  "seconds a silent connection is given" },
	{ "confirm_delete", OPT_BOOL, 0, 1, NULL, F(confirm_delete),
	  "F8 asks before deleting" },
	{ "sort", OPT_WORD, 0, 0, sort_words, F(sort),
	  "the panes' order at start" },
	{ "theme", OPT_WORD, 0, 0, theme_words, F(theme), "the colours" },
};

#undef F

/* Every field the table names is an int or an enum of int's size. */
static int *
field(struct settings *s, const struct opt *o)
{
	return (int *)(void *)((char *)s + o->off);
}

void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->parallel = 4;
	s->keepalive = 60;
	s->timeout = 30;
	s->confirm_delete = 1;
	s->sort = PANE_SORT_NAME;
	s->theme = THEME_DEFAULT;
}

int
settings_default_file(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/burrow/burrow.conf", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.config/burrow/burrow.conf", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The words of o, '|' between them, into buf. */
static void
words(const struct opt *o, char *buf, size_t len)
{
	size_t i, used = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; o->words[i] != NULL; i++) {
		w = snprintf(buf + used, len - used, "%s\"%s\"", i > 0 ? ", " :
		    "", o->words[i]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

static int
apply(struct settings *st, const struct opt *o, config_setting_t *s,
    char *why, size_t whylen)
{
	int t = config_setting_type(s), i;
	long long n;
	const char *str;
	char list[128];

	switch (o->type) {
	case OPT_INT:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			break;
		n = config_setting_get_int64(s);
		if (n < o->min || n > o->max) {
			set_err(why, whylen, "%s: %d to %d (%s)", o->name,
			    o->min, o->max, o->help);
			return -1;
		}
		*field(st, o) = (int)n;
		return 0;
	case OPT_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			break;
		*field(st, o) = config_setting_get_bool(s) ? 1 : 0;
		return 0;
	case OPT_WORD:
		if (t != CONFIG_TYPE_STRING)
			break;
		str = config_setting_get_string(s);
		for (i = 0; o->words[i] != NULL; i++)
			if (strcmp(o->words[i], str) == 0) {
				*field(st, o) = i;
				return 0;
			}
		words(o, list, sizeof(list));
		set_err(why, whylen, "%s: \"%s\" is not one of %s", o->name,
		    str, list);
		return -1;
	}
	if (o->type == OPT_WORD) {
		words(o, list, sizeof(list));
		set_err(why, whylen, "%s must be one of %s (%s)", o->name, list,
		    o->help);
	} else
		set_err(why, whylen, "%s must be %s (%s)", o->name,
		    o->type == OPT_INT ? "a number" : "true or false", o->help);
	return -1;
}

int
settings_load(struct settings *st, const char *file, char *err,
    size_t errlen)
{
	config_setting_t *root, *s;
	const struct opt *o;
	config_t lc;
	char why[512];
	size_t k;
	int i, n, rc = -1;

	if ((i = lc_load(&lc, file, err, errlen)) <= 0)
		return i;
	root = config_root_setting(&lc);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		for (k = 0, o = NULL; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcmp(opts[k].name, config_setting_name(s)) == 0)
				o = &opts[k];
		if (o == NULL) {
			set_err(why, sizeof(why), "unknown setting \"%s\" "
			    "(parallel, keepalive, timeout, confirm_delete, "
			    "sort, theme)", config_setting_name(s));
		}
		if (o == NULL || apply(st, o, s, why, sizeof(why)) < 0) {
			set_err(err, errlen, "%s:%u: %s", file,
			    config_setting_source_line(s), why);
			goto out;
		}
	}
	rc = 0;
out:
	config_destroy(&lc);
	return rc;
}
