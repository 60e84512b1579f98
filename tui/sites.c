/*
 * sites: the saved sites; see sites.h. One table (keys[]) says what a
 * site may hold; reading walks the file's settings against it.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "proto/util.h"
#include "tui/lcfile.h"
#include "tui/sites.h"
#include "tui/url.h"
#include "tui/xfer.h"

enum key_type { KEY_STR, KEY_BOOL, KEY_UINT };

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* of the field in struct site */
	size_t		 size;		/* KEY_STR: the field's bytes */
	unsigned	 min, max;	/* KEY_UINT */
	const char	*help;		/* what it is, for errors */
};

#define F(x) offsetof(struct site, x), sizeof(((struct site *)0)->x)

static const struct key keys[] = {
	{ "name", KEY_STR, F(name), 0, 0, "the name burrow NAME opens" },
	{ "url", KEY_STR, F(url), 0, 0, "ftp[s]://host[:port][/path]" },
	{ "user", KEY_STR, F(user), 0, 0, "the login" },
	{ "tls", KEY_BOOL, F(tls), 0, 1, "explicit TLS with ftp://" },
	{ "cafile", KEY_STR, F(cafile), 0, 0, "a CA file (PEM) to trust" },
	{ "remote_dir", KEY_STR, F(remote_dir), 0, 0,
	  "the server's folder to start in" },
	{ "local_dir", KEY_STR, F(local_dir), 0, 0,
	  "the local folder to start in" },
	{ "parallel", KEY_UINT, F(parallel), 1, XFER_PARALLEL_MAX,
	  "logins moving files at once" },
};

#undef F

static char *
field_str(struct site *s, const struct key *k)
{
	return (char *)s + k->off;
}

static int *
field_int(struct site *s, const struct key *k)
{
	return (int *)(void *)((char *)s + k->off);
}

static unsigned *
field_uint(struct site *s, const struct key *k)
{
	return (unsigned *)(void *)((char *)s + k->off);
}

static const struct key *
key_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
sites_default_file(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/burrow/sites.conf", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.config/burrow/sites.conf", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
sites_free(struct sites *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* 1 when s has a control byte or DEL. */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
check_name(const char *name, char *err, size_t errlen)
{
	if (name[0] == '\0') {
		set_err(err, errlen, "a site needs a name");
		return -1;
	}
	if (has_control(name) || name[0] == '-' || strstr(name, "://") !=
	    NULL) {
		set_err(err, errlen, "\"%s\" is not a usable site name (no "
		    "control characters, no leading '-', no \"://\")", name);
		return -1;
	}
	return 0;
}

static int
check_url(const char *s, char *err, size_t errlen)
{
	struct url u;
	char why[512];
	int pass;

	if (url_parse(s, &u, why, sizeof(why)) < 0) {
		set_err(err, errlen, "url: %s", why);
		return -1;
	}
	pass = u.have_pass;
	url_wipe(&u);
	if (pass) {
		set_err(err, errlen, "url: passwords are not kept in sites.conf "
		    "(give it in BURROW_PASSWORD or ~/.netrc, or when asked)");
		return -1;
	}
	return 0;
}

int
sites_check(const struct site *site, char *err, size_t errlen)
{
	if (check_name(site->name, err, errlen) < 0)
		return -1;
	if (site->url[0] == '\0') {
		set_err(err, errlen, "site \"%s\" has no url", site->name);
		return -1;
	}
	if (check_url(site->url, err, errlen) < 0)
		return -1;
	if (has_control(site->user) || has_control(site->cafile) ||
	    has_control(site->remote_dir) || has_control(site->local_dir)) {
		set_err(err, errlen, "site \"%s\": a control character in a "
		    "user or a folder", site->name);
		return -1;
	}
	if (site->parallel > XFER_PARALLEL_MAX) {
		set_err(err, errlen, "parallel: 1 to %d", XFER_PARALLEL_MAX);
		return -1;
	}
	return 0;
}

const struct site *
sites_find(const struct sites *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

int
sites_put(struct sites *s, const struct site *site, size_t at, char *err,
    size_t errlen)
{
	struct site *v;
	size_t i;

	if (sites_check(site, err, errlen) < 0)
		return -1;
	for (i = 0; i < s->n; i++)
		if (i != at && strcmp(s->v[i].name, site->name) == 0) {
			set_err(err, errlen, "there is a site named \"%s\" "
			    "already", site->name);
			return -1;
		}
	if (at < s->n) {
		s->v[at] = *site;
		return 0;
	}
	if (s->n >= SITES_MAX) {
		set_err(err, errlen, "%d sites at most", SITES_MAX);
		return -1;
	}
	if ((v = realloc(s->v, (s->n + 1) * sizeof(*v))) == NULL) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	s->v = v;
	s->v[s->n++] = *site;
	return 0;
}

void
sites_remove(struct sites *s, size_t i)
{
	if (i >= s->n)
		return;
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(s->v[0]));
	s->n--;
}

void
sites_names(const struct sites *s, char *buf, size_t len)
{
	size_t i, used = 0;
	int w;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < s->n; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
		    s->v[i].name);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* Sets one setting s of a site from the file; -1 with why. */
static int
apply(struct site *site, const struct key *k, config_setting_t *s,
    char *why, size_t whylen)
{
	const char *str;
	int t = config_setting_type(s);
	long long n;

	switch (k->type) {
	case KEY_STR:
		if (t != CONFIG_TYPE_STRING) {
			set_err(why, whylen, "%s must be a string (%s)",
			    k->name, k->help);
			return -1;
		}
		str = config_setting_get_string(s);
		if (strlen(str) >= k->size) {
			set_err(why, whylen, "%s: longer than %zu bytes",
			    k->name, k->size - 1);
			return -1;
		}
		memcpy(field_str(site, k), str, strlen(str) + 1);
		return 0;
	case KEY_BOOL:
		if (t != CONFIG_TYPE_BOOL) {
			set_err(why, whylen, "%s must be true or false (%s)",
			    k->name, k->help);
			return -1;
		}
		*field_int(site, k) = config_setting_get_bool(s) ? 1 : 0;
		return 0;
	case KEY_UINT:
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
			set_err(why, whylen, "%s must be a number (%s)",
			    k->name, k->help);
			return -1;
		}
		n = config_setting_get_int64(s);
		if (n < k->min || n > k->max) {
			set_err(why, whylen, "%s: %u to %u (%s)", k->name,
			    k->min, k->max, k->help);
			return -1;
		}
		*field_uint(site, k) = (unsigned)n;
		return 0;
	}
	return -1;
}

/* Reads the site in group g into site; -1 with "line: why" parts. */
static int
read_site(config_setting_t *g, struct site *site, unsigned *line,
    char *why, size_t whylen)
{
	config_setting_t *s;
	const struct key *k;
	const char *name;
	int i, n = config_setting_length(g);

	memset(site, 0, sizeof(*site));
	site->line = config_setting_source_line(g);
	*line = site->line;
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		*line = config_setting_source_line(s);
		name = config_setting_name(s);
		if ((k = key_find(name)) == NULL) {
			set_err(why, whylen, "unknown setting \"%s\" in a site "
			    "(name, url, user, tls, cafile, remote_dir, "
			    "local_dir, parallel)", name);
			return -1;
		}
		if (apply(site, k, s, why, whylen) < 0)
			return -1;
		if (strcmp(name, "url") == 0 && check_url(site->url, why,
		    whylen) < 0)
			return -1;
		if (strcmp(name, "name") == 0 && check_name(site->name, why,
		    whylen) < 0)
			return -1;
	}
	*line = site->line;
	return sites_check(site, why, whylen);
}

int
sites_load(struct sites *s, const char *file, char *err, size_t errlen)
{
	config_setting_t *root, *list, *g;
	const struct site *seen;
	struct site site;
	config_t lc;
	char why[1024];
	unsigned line = 0;
	int i, n;

	sites_free(s);
	if ((i = lc_load(&lc, file, err, errlen)) <= 0)
		return i;
	root = config_root_setting(&lc);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		list = config_setting_get_elem(root, (unsigned)i);
		if (strcmp(config_setting_name(list), "sites") != 0) {
			line = config_setting_source_line(list);
			set_err(why, sizeof(why), "unknown setting \"%s\" (the "
			    "file holds sites = ( { name = ...; url = ...; }, "
			    "... );)", config_setting_name(list));
			goto fail_line;
		}
	}
	if ((list = config_lookup(&lc, "sites")) == NULL)
		goto done;
	if (config_setting_type(list) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(list) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(list) == 0)) {
		line = config_setting_source_line(list);
		set_err(why, sizeof(why), "sites must be a list: sites = ( { "
		    "name = ...; url = ...; }, ... );");
		goto fail_line;
	}
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned)i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			line = config_setting_source_line(g);
			set_err(why, sizeof(why), "site %d must be a group: { "
			    "name = ...; url = ...; }", i + 1);
			goto fail_line;
		}
		if (read_site(g, &site, &line, why, sizeof(why)) < 0)
			goto fail_line;
		if ((seen = sites_find(s, site.name)) != NULL) {
			set_err(why, sizeof(why), "a second site named \"%s\" "
			    "(the first is on line %u)", site.name, seen->line);
			goto fail_line;
		}
		if (sites_put(s, &site, SITES_NEW, why, sizeof(why)) < 0)
			goto fail_line;
	}
done:
	config_destroy(&lc);
	return 0;
fail_line:
	set_err(err, errlen, "%s:%u: %s", file, line, why);
	config_destroy(&lc);
	sites_free(s);
	return -1;
}

/* s as a libconfig string, quoted and escaped. */
static void
put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
put_site(FILE *f, const struct site *site, int last)
{
	struct site copy = *site;
	const struct key *k;
	size_t i;

	fprintf(f, "  {\n");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		k = &keys[i];
		switch (k->type) {
		case KEY_STR:
			if (field_str(&copy, k)[0] == '\0')
				continue;
			fprintf(f, "    %s = ", k->name);
			put_string(f, field_str(&copy, k));
			break;
		case KEY_BOOL:
			if (!*field_int(&copy, k))
				continue;
			fprintf(f, "    %s = true", k->name);
			break;
		case KEY_UINT:
			if (*field_uint(&copy, k) == 0)
				continue;
			fprintf(f, "    %s = %u", k->name,
			    *field_uint(&copy, k));
			break;
		}
		fprintf(f, ";\n");
	}
	fprintf(f, "  }%s\n", last ? "" : ",");
}

int
sites_save(const struct sites *s, const char *file, char *err,
    size_t errlen)
{
	char tmp[4096 + 16];
	size_t i;
	FILE *f;

	if ((f = replace_begin(file, tmp, sizeof(tmp), err, errlen)) == NULL)
		return -1;
	fprintf(f, "# burrow's sites (see burrow(1), FILES): written by "
	    "burrow, which keeps\n# no comments here. Passwords are never "
	    "kept: BURROW_PASSWORD, ~/.netrc\n# or a prompt give them.\n"
	    "sites = (\n");
	for (i = 0; i < s->n; i++)
		put_site(f, &s->v[i], i + 1 == s->n);
	fprintf(f, ");\n");
	return replace_end(f, tmp, file, err, errlen);
}

int
sites_url(const struct site *site, struct url *u, char *err, size_t errlen)
{
	if (url_parse(site->url, u, err, errlen) < 0)
		return -1;
	if (u->have_pass) {
		url_wipe(u);
		set_err(err, errlen, "%s: a password in a site's url",
		    site->name);
		return -1;
	}
	if (site->user[0] != '\0') {
		snprintf(u->user, sizeof(u->user), "%s", site->user);
		u->have_user = 1;
	}
	if (site->remote_dir[0] != '\0')
		snprintf(u->path, sizeof(u->path), "%s", site->remote_dir);
	return 0;
}

int
sites_local_dir(const struct site *site, char *buf, size_t len)
{
	const char *home = getenv("HOME"), *d = site->local_dir;
	int n;

	if (home != NULL && home[0] != '\0' && d[0] == '~' && (d[1] == '/' ||
	    d[1] == '\0'))
		n = snprintf(buf, len, "%s%s", home, d + 1);
	else
		n = snprintf(buf, len, "%s", d);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
