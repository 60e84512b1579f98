/*
 * netrc: the ~/.netrc reader; see netrc.h. netrc_parse() is a pure
 * function over a buffer; netrc_lookup() only adds the file's checks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/util.h"
#include "tui/netrc.h"

/* Where the reader is in the text. */
struct lexer {
	const char	*p, *end;
	const char	*file;
	unsigned	 line;
	int		 bol;		/* only blanks since the last newline */
};

enum entry_kind { ENTRY_NONE, ENTRY_MACHINE, ENTRY_DEFAULT };

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
lex_fail(struct lexer *lx, unsigned line, char *err, size_t errlen,
    const char *what, const char *arg)
{
	set_err(err, errlen, "%s:%u: %s%s%.40s%s", lx->file, line, what,
	    arg != NULL ? " \"" : "", arg != NULL ? arg : "",
	    arg != NULL ? "\"" : "");
	return -1;
}

/* Skips to the newline ending this line (not past it). */
static void
skip_line(struct lexer *lx)
{
	while (lx->p < lx->end && *lx->p != '\n')
		lx->p++;
}

/*
 * The next token into buf (len bytes) and the line it is on. 1 with a
 * token, 0 at the end of the text, -1 with the reason in err.
 */
static int
next_token(struct lexer *lx, char *buf, size_t len, unsigned *line,
    char *err, size_t errlen)
{
	size_t n = 0;
	char c;

	for (;;) {
		while (lx->p < lx->end && blank(*lx->p))
			lx->p++;
		if (lx->p == lx->end)
			return 0;
		if (*lx->p == '\n') {
			lx->p++;
			lx->line++;
			lx->bol = 1;
			continue;
		}
		if (*lx->p == '#' && lx->bol) {
			skip_line(lx);
			continue;
		}
		break;
	}
	lx->bol = 0;
	*line = lx->line;
	if (*lx->p != '"') {
		while (lx->p < lx->end && !blank(*lx->p) && *lx->p != '\n') {
			if (n + 1 >= len)
				return lex_fail(lx, *line, err, errlen,
				    "a word longer than the longest login or "
				    "password", NULL);
			buf[n++] = *lx->p++;
		}
		buf[n] = '\0';
		return 1;
	}
	for (lx->p++; lx->p < lx->end && *lx->p != '"'; lx->p++) {
		c = *lx->p;
		if (c == '\n')
			break;		/* a quote ends on its own line */
		if (c == '\\' && lx->p + 1 < lx->end && lx->p[1] != '\n') {
			c = *++lx->p;
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ?
			    '\t' : c;
		}
		if (n + 1 >= len)
			return lex_fail(lx, *line, err, errlen, "a quoted word "
			    "longer than the longest login or password", NULL);
		buf[n++] = c;
	}
	if (lx->p == lx->end || *lx->p != '"')
		return lex_fail(lx, *line, err, errlen, "a quote (\") that is "
		    "not closed on its line", NULL);
	lx->p++;
	buf[n] = '\0';
	return 1;
}

/* After "macdef NAME": the rest of that line, then lines up to the
 * first empty one (or the end). */
static void
skip_macro(struct lexer *lx)
{
	const char *q;

	skip_line(lx);
	while (lx->p < lx->end) {
		lx->p++;		/* the newline */
		lx->line++;
		for (q = lx->p; q < lx->end && blank(*q); q++)
			;
		if (q == lx->end || *q == '\n') {
			lx->p = q;	/* the empty line ends the macro */
			break;
		}
		skip_line(lx);
	}
	lx->bol = 1;
}

static int
login_fits(const struct netrc_entry *c, const char *login)
{
	return login == NULL || !c->have_login || strcmp(c->login, login) == 0;
}

void
netrc_wipe(struct netrc_entry *e)
{
	wipe(e, sizeof(*e));
}

int
netrc_parse(const char *text, size_t len, const char *file,
    const char *host, const char *login, struct netrc_entry *e, char *err,
    size_t errlen)
{
	struct lexer lx = { text, text + len, file, 1, 1 };
	struct netrc_entry cur, def;
	char tok[NETRC_FIELD_MAX], name[NETRC_FIELD_MAX], *field;
	enum entry_kind kind = ENTRY_NONE;
	int r, found = 0, found_def = 0, *have;
	unsigned line, vline;

	memset(&cur, 0, sizeof(cur));
	memset(&def, 0, sizeof(def));
	name[0] = '\0';
	netrc_wipe(e);
	for (;;) {
		r = next_token(&lx, tok, sizeof(tok), &line, err, errlen);
		if (r < 0)
			goto fail;
		/* The entry before this token ends at a new one or the end. */
		if (r == 0 || strcmp(tok, "machine") == 0 ||
		    strcmp(tok, "default") == 0) {
			if (kind == ENTRY_MACHINE && !found &&
			    strcasecmp(name, host) == 0 &&
			    login_fits(&cur, login)) {
				*e = cur;
				found = 1;
			} else if (kind == ENTRY_DEFAULT && !found_def &&
			    login_fits(&cur, login)) {
				def = cur;
				found_def = 1;
			}
			netrc_wipe(&cur);
			kind = ENTRY_NONE;
		}
		if (r == 0)
			break;
		if (strcmp(tok, "machine") == 0) {
			if ((r = next_token(&lx, name, sizeof(name), &vline,
			    err, errlen)) < 0)
				goto fail;
			if (r == 0) {
				lex_fail(&lx, line, err, errlen, "\"machine\" "
				    "without a host name after it", NULL);
				goto fail;
			}
			kind = ENTRY_MACHINE;
			cur.line = line;
			continue;
		}
		if (strcmp(tok, "default") == 0) {
			kind = ENTRY_DEFAULT;
			cur.line = line;
			cur.is_default = 1;
			continue;
		}
		if (strcmp(tok, "macdef") == 0) {
			/* Its name goes into tok: name is the entry's. */
			if ((r = next_token(&lx, tok, sizeof(tok), &vline,
			    err, errlen)) < 0)
				goto fail;
			if (r == 0 || vline != line) {
				lex_fail(&lx, line, err, errlen, "\"macdef\" "
				    "without a macro name on its line", NULL);
				goto fail;
			}
			skip_macro(&lx);
			continue;
		}
		if (strcmp(tok, "login") == 0) {
			field = cur.login;
			have = &cur.have_login;
		} else if (strcmp(tok, "password") == 0) {
			field = cur.password;
			have = &cur.have_password;
		} else if (strcmp(tok, "account") == 0) {
			field = cur.account;
			have = &cur.have_account;
		} else {
			lex_fail(&lx, line, err, errlen, "unknown word", tok);
			goto fail;
		}
		if (kind == ENTRY_NONE) {
			set_err(err, errlen, "%s:%u: \"%s\" before any "
			    "\"machine\" or \"default\"", file, line, tok);
			goto fail;
		}
		if ((r = next_token(&lx, field, NETRC_FIELD_MAX, &vline, err,
		    errlen)) < 0)
			goto fail;
		if (r == 0) {
			set_err(err, errlen, "%s:%u: \"%s\" without a value "
			    "after it", file, line, tok);
			goto fail;
		}
		*have = 1;
	}
	if (!found && found_def) {
		*e = def;
		found = 1;
	}
	netrc_wipe(&cur);
	netrc_wipe(&def);
	wipe(tok, sizeof(tok));
	return found;
fail:
	netrc_wipe(&cur);
	netrc_wipe(&def);
	netrc_wipe(e);
	wipe(tok, sizeof(tok));
	return -1;
}

int
netrc_default_file(char *buf, size_t len)
{
	const char *env = getenv("NETRC"), *home = getenv("HOME");
	int n;

	if (env != NULL && env[0] != '\0')
		n = snprintf(buf, len, "%s", env);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, len, "%s/.netrc", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
netrc_lookup(const char *file, const char *host, const char *login,
    struct netrc_entry *e, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t got = 0;
	size_t n = 0;
	int fd, r;

	netrc_wipe(e);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file: not used", file);
		close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
		set_err(err, errlen, "%s: readable or writable by others (mode "
		    "%03o): not used; chmod 600 %s", file,
		    (unsigned)(st.st_mode & 0777), file);
		close(fd);
		return -1;
	}
	if ((text = malloc(NETRC_FILE_MAX)) == NULL) {
		set_err(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (n < NETRC_FILE_MAX) {
		got = read(fd, text + n, NETRC_FILE_MAX - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	if (got < 0) {
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		r = -1;
	} else
		r = netrc_parse(text, n, file, host, login, e, err, errlen);
	close(fd);
	wipe(text, n);
	free(text);
	return r;
}
