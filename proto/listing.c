/*
 * listing: `ls -l` lines and MLSx facts from struct stat, and the reverse:
 * `ls -l`, DOS and MLSD lines from any server into struct listing_entry.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/listing.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} facts[] = {
	{ "type", FACT_TYPE },
	{ "size", FACT_SIZE },
	{ "modify", FACT_MODIFY },
	{ "perm", FACT_PERM },
	{ "unique", FACT_UNIQUE },
	{ "UNIX.mode", FACT_UNIX_MODE },
};
#define NFACTS (sizeof(facts) / sizeof(facts[0]))

static char
type_char(mode_t m)
{
	if (S_ISDIR(m)) return 'd';
	if (S_ISLNK(m)) return 'l';
	if (S_ISCHR(m)) return 'c';
	if (S_ISBLK(m)) return 'b';
	if (S_ISFIFO(m)) return 'p';
	if (S_ISSOCK(m)) return 's';
	return '-';
}

int
listing_ls_line(const char *name, const struct stat *st, time_t now,
    char *buf, size_t len)
{
	static const char rwx[] = "rwxrwxrwx";
	char mode[11], when[16];
	struct tm tm;
	int i, n;

	mode[0] = type_char(st->st_mode);
	for (i = 0; i < 9; i++)
		mode[i + 1] = (st->st_mode & (0400 >> i)) ? rwx[i] : '-';
	mode[10] = '\0';
	gmtime_r(&st->st_mtime, &tm);
	if (st->st_mtime > now - 180 * 86400 && st->st_mtime <= now + 86400)
		strftime(when, sizeof(when), "%b %e %H:%M", &tm);
	else
		strftime(when, sizeof(when), "%b %e  %Y", &tm);
	n = snprintf(buf, len, "%s %3ju ftp      ftp      %12jd %s %s", mode,
	    (uintmax_t)st->st_nlink, (intmax_t)st->st_size, when, name);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
listing_facts(const char *name, const struct stat *st, const char *type,
    unsigned mask, int writable, char *buf, size_t len)
{
	char tmp[64];
	struct tm tm;
	size_t pos = 0;
	int n;

	if (type == NULL)
		type = S_ISDIR(st->st_mode) ? "dir" : S_ISREG(st->st_mode) ?
		    "file" : "OS.unix=other";
	buf[0] = '\0';
#define ADD(...) do {							\
	n = snprintf(buf + pos, len - pos, __VA_ARGS__);		\
	if (n < 0 || (size_t)n >= len - pos)				\
		return -1;						\
	pos += (size_t)n;						\
} while (0)
	if (mask & FACT_TYPE)
		ADD("type=%s;", type);
	if ((mask & FACT_SIZE) && S_ISREG(st->st_mode))
		ADD("size=%jd;", (intmax_t)st->st_size);
	if (mask & FACT_MODIFY) {
		gmtime_r(&st->st_mtime, &tm);
		strftime(tmp, sizeof(tmp), "%Y%m%d%H%M%S", &tm);
		ADD("modify=%s;", tmp);
	}
	if (mask & FACT_PERM) {
		if (S_ISDIR(st->st_mode))
			ADD("perm=el%s;", writable ? "cmpdf" : "");
		else
			ADD("perm=r%s;", writable ? "awdf" : "");
	}
	if (mask & FACT_UNIQUE)
		ADD("unique=%jxg%jx;", (uintmax_t)st->st_dev,
		    (uintmax_t)st->st_ino);
	if (mask & FACT_UNIX_MODE)
		ADD("UNIX.mode=0%o;", (unsigned)(st->st_mode & 07777));
	ADD(" %s", name);
#undef ADD
	return (int)pos;
}

unsigned
listing_parse_factlist(const char *list, char *out, size_t len)
{
	unsigned mask = 0;
	size_t i, n;
	const char *p = list;

	while (*p != '\0') {
		n = strcspn(p, ";");
		for (i = 0; i < NFACTS; i++)
			if (strlen(facts[i].name) == n &&
			    strncasecmp(facts[i].name, p, n) == 0)
				mask |= facts[i].bit;
		p += n;
		if (*p == ';')
			p++;
	}
	out[0] = '\0';
	for (i = 0; i < NFACTS; i++)
		if (mask & facts[i].bit) {
			size_t used = strlen(out);
			snprintf(out + used, len - used, "%s;", facts[i].name);
		}
	return mask;
}

void
listing_feat_facts(unsigned mask, char *out, size_t len)
{
	size_t i, used;

	out[0] = '\0';
	for (i = 0; i < NFACTS; i++) {
		used = strlen(out);
		snprintf(out + used, len - used, "%s%s;", facts[i].name,
		    (mask & facts[i].bit) ? "*" : "");
	}
}

/* ------------------------------------------------------------ parsing */

#define DAY_SECS	86400

/* Length of line without its trailing CR and LF bytes. */
static size_t
line_len(const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	return n;
}

/* Parses n (> 0) decimal digits at s into *out, refusing overflow. */
static int
parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Same for a small number of at most maxdigits digits. */
static int
parse_small(const char *s, size_t n, size_t maxdigits, int *out)
{
	uint64_t v;

	if (n > maxdigits || parse_u64(s, n, &v) == -1)
		return -1;
	*out = (int)v;
	return 0;
}

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Seconds since the epoch of a UTC date (mon 1-12), checking every field;
 * sec may be 60 (a leap second). Days from the civil date by Howard
 * Hinnant's algorithm, so no time zone or libc state is involved.
 */
static int
utc_time(long y, int mon, int d, int h, int min, int sec, time_t *out)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	long era, yoe, doy, doe, days;
	int dim;

	if (y < 1900 || y > 9999 || mon < 1 || mon > 12 || h < 0 || h > 23 ||
	    min < 0 || min > 59 || sec < 0 || sec > 60)
		return -1;
	dim = mdays[mon - 1] + (mon == 2 && is_leap(y));
	if (d < 1 || d > dim)
		return -1;
	y -= mon <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	*out = (time_t)days * DAY_SECS + h * 3600 + min * 60 + sec;
	return 0;
}

/*
 * 1 if the n bytes at s hold a NUL or (unless allow_slash) a '/'. Control
 * bytes are kept: such a name is a real file the user must be able to see
 * and remove; whoever prints a name makes them harmless (tui/text.h).
 */
static int
bad_name_bytes(const char *s, size_t n, int allow_slash)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || (s[i] == '/' && !allow_slash))
			return 1;
	return 0;
}

static int
copy_field(char *dst, size_t dstlen, const char *s, size_t n)
{
	if (n >= dstlen)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/*
 * Sets e's name to the n bytes at s: 0, 1 for "." and "..", -1 for an
 * empty, too long or unsafe name.
 */
static int
set_name(struct listing_entry *e, const char *s, size_t n)
{
	if (n == 0 || bad_name_bytes(s, n, 0) ||
	    copy_field(e->name, sizeof(e->name), s, n) == -1)
		return -1;
	return strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0;
}

static void
entry_clear(struct listing_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = LISTING_OTHER;
}

/* --- ls -l */

struct tok {
	const char	*s;
	size_t		 n;
};

#define LS_MAX_TOKENS	32	/* before the date: mode, links, owner... */

static int
month_of(const struct tok *t)
{
	static const char months[12][4] = { "jan", "feb", "mar", "apr",
	    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	int i;

	if (t->n != 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncasecmp(t->s, months[i], 3) == 0)
			return i + 1;
	return 0;
}

/* "HH:MM" into h and m, or "YYYY" into y. 0 or -1. */
static int
ls_time_or_year(const struct tok *t, int *h, int *m, long *y)
{
	const char *colon = memchr(t->s, ':', t->n);
	int year;

	*y = -1;
	if (colon == NULL) {
		if (t->n != 4 || parse_small(t->s, 4, 4, &year) == -1)
			return -1;
		*y = year;
		*h = *m = 0;
		return 0;
	}
	if (parse_small(t->s, (size_t)(colon - t->s), 2, h) == -1 ||
	    (size_t)(t->s + t->n - colon - 1) != 2 ||
	    parse_small(colon + 1, 2, 2, m) == -1)
		return -1;
	return 0;
}

/* The date in tokens mon, day, tim, read as described in listing.h. */
static int
ls_date(const struct tok *tk, time_t now, time_t *out)
{
	struct tm tm;
	long y, back;
	int mon, day, h, m;

	if ((mon = month_of(&tk[0])) == 0 ||
	    parse_small(tk[1].s, tk[1].n, 2, &day) == -1 ||
	    ls_time_or_year(&tk[2], &h, &m, &y) == -1)
		return -1;
	if (y != -1)
		return utc_time(y, mon, day, h, m, 0, out);
	/* No year: the latest year that puts it at most a day ahead of now
	 * (going back up to eight years finds a February 29). */
	gmtime_r(&now, &tm);
	for (back = 0; back <= 8; back++)
		if (utc_time(tm.tm_year + 1900L - back, mon, day, h, m, 0,
		    out) == 0 && *out <= now + DAY_SECS)
			return 0;
	return -1;
}

/* The mode string's type and permission bits; -1 if it is not one. */
static int
ls_mode(const struct tok *t, struct listing_entry *e)
{
	static const char want[9] = "rwxrwxrwx";
	unsigned mode = 0;
	int i;

	if (t->n < 10 || t->n > 11)
		return -1;
	switch (t->s[0]) {
	case '-': e->type = LISTING_FILE; break;
	case 'd': e->type = LISTING_DIR; break;
	case 'l': e->type = LISTING_LINK; break;
	case 'c': case 'b': case 'p': case 's': case 'D':
		e->type = LISTING_OTHER; break;
	default:
		return -1;
	}
	for (i = 0; i < 9; i++) {
		char c = t->s[i + 1];
		unsigned bit = 0400u >> i;
		unsigned special = i == 2 ? 04000 : i == 5 ? 02000 : 01000;

		if (c == want[i])
			mode |= bit;
		else if (c == '-')
			;
		else if (i % 3 == 2 && (c == 's' || c == 't'))
			mode |= bit | special;
		else if (i % 3 == 2 && (c == 'S' || c == 'T' ||
		    (i == 5 && c == 'l')))
			mode |= special;
		else
			return -1;
	}
	if (t->n == 11 && strchr("+.@", t->s[10]) == NULL)
		return -1;
	e->mode = mode;
	e->have_mode = 1;
	return 0;
}

int
listing_parse_ls(const char *line, time_t now, struct listing_entry *e)
{
	struct tok tk[LS_MAX_TOKENS];
	size_t len = line_len(line), pos = 0, nt = 0, i, nlen;
	const char *name, *arrow;
	int device;

	entry_clear(e);
	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			break;
	if (i == len)
		return 1;
	if (len >= 5 && strncasecmp(line, "total", 5) == 0 &&
	    (len == 5 || line[5] == ' '))
		return 1;

	/* Tokens until one date fits: month, day, time or year. */
	for (;;) {
		while (pos < len && (line[pos] == ' ' || line[pos] == '\t'))
			pos++;
		if (pos == len || nt == LS_MAX_TOKENS)
			return -1;
		tk[nt].s = line + pos;
		while (pos < len && line[pos] != ' ' && line[pos] != '\t')
			pos++;
		tk[nt].n = (size_t)(line + pos - tk[nt].s);
		nt++;
		if (nt == 1 && ls_mode(&tk[0], e) == -1)
			return -1;
		/* mode, links, [owner, group,] size, month, day, time */
		if (nt < 6 || pos == len)
			continue;
		device = tk[0].s[0] == 'c' || tk[0].s[0] == 'b';
		if (!device && parse_u64(tk[nt - 4].s, tk[nt - 4].n,
		    &e->size) == -1)
			continue;
		if (ls_date(&tk[nt - 3], now, &e->mtime) == -1)
			continue;
		e->have_size = !device;
		e->have_mtime = 1;
		break;
	}

	/* The name starts one byte after the date. */
	name = line + pos + 1;
	nlen = len - pos - 1;
	if (e->type == LISTING_LINK &&
	    (arrow = memmem(name, nlen, " -> ", 4)) != NULL) {
		size_t tlen = nlen - (size_t)(arrow - name) - 4;

		if (tlen == 0 || bad_name_bytes(arrow + 4, tlen, 1) ||
		    copy_field(e->link_target, sizeof(e->link_target),
		    arrow + 4, tlen) == -1)
			return -1;
		nlen = (size_t)(arrow - name);
	}
	return set_name(e, name, nlen);
}

/* --- DOS / IIS */

/*
 * The next blank-separated word of line[0..len) from *pos: skips blanks,
 * returns where the word starts, sets *n to its length and moves *pos past.
 */
static const char *
next_word(const char *line, size_t len, size_t *pos, size_t *n)
{
	size_t start;

	while (*pos < len && line[*pos] == ' ')
		(*pos)++;
	start = *pos;
	while (*pos < len && line[*pos] != ' ')
		(*pos)++;
	*n = *pos - start;
	return line + start;
}

int
listing_parse_dos(const char *line, struct listing_entry *e)
{
	size_t len = line_len(line), pos = 0, n;
	int mon, day, h, m, year;
	const char *p;

	entry_clear(e);
	while (pos < len && line[pos] == ' ')
		pos++;
	if (pos == len)
		return 1;

	/* MM-DD-YY or MM-DD-YYYY ('/' also taken) */
	p = next_word(line, len, &pos, &n);
	if ((n != 8 && n != 10) || (p[2] != '-' && p[2] != '/') ||
	    p[5] != p[2] || parse_small(p, 2, 2, &mon) == -1 ||
	    parse_small(p + 3, 2, 2, &day) == -1 ||
	    parse_small(p + 6, n - 6, 4, &year) == -1)
		return -1;
	if (n == 8)
		year += year < 70 ? 2000 : 1900;

	/* HH:MM, HH:MMAM or HH:MMPM */
	p = next_word(line, len, &pos, &n);
	if (n < 5 || p[2] != ':' || parse_small(p, 2, 2, &h) == -1 ||
	    parse_small(p + 3, 2, 2, &m) == -1)
		return -1;
	if (n == 7) {
		if (h < 1 || h > 12)
			return -1;
		if (strncasecmp(p + 5, "AM", 2) == 0)
			h = h == 12 ? 0 : h;
		else if (strncasecmp(p + 5, "PM", 2) == 0)
			h = h == 12 ? 12 : h + 12;
		else
			return -1;
	} else if (n != 5)
		return -1;
	if (utc_time(year, mon, day, h, m, 0, &e->mtime) == -1)
		return -1;
	e->have_mtime = 1;

	/* <DIR> or a size */
	p = next_word(line, len, &pos, &n);
	if (n == 5 && strncasecmp(p, "<DIR>", 5) == 0)
		e->type = LISTING_DIR;
	else if (parse_u64(p, n, &e->size) == 0) {
		e->type = LISTING_FILE;
		e->have_size = 1;
	} else
		return -1;

	while (pos < len && line[pos] == ' ')
		pos++;
	return set_name(e, line + pos, len - pos);
}

/* --- MLSD facts */

/* type=VALUE into e; the link target of OS.unix=slink:TARGET too. */
static void
fact_type(const char *v, size_t n, struct listing_entry *e)
{
	static const struct {
		const char	*value;
		int		 type;
	} types[] = {
		{ "file", LISTING_FILE },
		{ "dir", LISTING_DIR },
		{ "cdir", LISTING_CDIR },
		{ "pdir", LISTING_PDIR },
		{ "OS.unix=symlink", LISTING_LINK },
		{ "OS.unix=slink", LISTING_LINK },
	};
	size_t i, tn = 0;

	e->type = LISTING_OTHER;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		tn = strlen(types[i].value);
		if (n >= tn && strncasecmp(v, types[i].value, tn) == 0 &&
		    (n == tn || (types[i].type == LISTING_LINK &&
		    v[tn] == ':'))) {
			e->type = types[i].type;
			break;
		}
	}
	if (e->type == LISTING_LINK && n > tn + 1 &&
	    !bad_name_bytes(v + tn + 1, n - tn - 1, 1))
		copy_field(e->link_target, sizeof(e->link_target), v + tn + 1,
		    n - tn - 1);
}

int
listing_parse_time(const char *v, size_t n, time_t *out, long *nsec)
{
	int f[6], i;
	size_t k;
	long ns = 0, scale = 100000000L;

	if (n < 14 || (n > 14 && (v[14] != '.' || n == 15)))
		return -1;
	for (k = 15; k < n; k++) {
		if (v[k] < '0' || v[k] > '9')
			return -1;
		if (scale > 0) {
			ns += (v[k] - '0') * scale;
			scale /= 10;
		}
	}
	if (parse_small(v, 4, 4, &f[0]) == -1)
		return -1;
	for (i = 1; i < 6; i++)
		if (parse_small(v + 2 + 2 * i, 2, 2, &f[i]) == -1)
			return -1;
	if (utc_time(f[0], f[1], f[2], f[3], f[4], f[5], out) == -1)
		return -1;
	if (nsec != NULL)
		*nsec = ns;
	return 0;
}

int
listing_format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900 || len < 15)
		return -1;
	return strftime(buf, len, "%Y%m%d%H%M%S", &tm) == 14 ? 0 : -1;
}

/* UNIX.mode=0644: octal, at most 07777 is kept. */
static int
fact_mode(const char *v, size_t n, unsigned *out)
{
	unsigned mode = 0;
	size_t i;

	if (n == 0 || n > 7)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '7')
			return -1;
		mode = mode << 3 | (unsigned)(v[i] - '0');
	}
	*out = mode & 07777;
	return 0;
}

static int
fact_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(s, name, n) == 0;
}

int
listing_parse_facts(const char *line, struct listing_entry *e)
{
	size_t len = line_len(line), pos = 0, flen, nlen, vlen;
	const char *sp, *f, *eq, *v, *name;

	entry_clear(e);
	if (len == 0)
		return 1;
	if ((sp = memchr(line, ' ', len)) == NULL)
		return -1;
	flen = (size_t)(sp - line);

	while (pos < flen) {
		f = line + pos;
		while (pos < flen && line[pos] != ';')
			pos++;
		if (line + pos == f) {		/* empty: ";;" */
			pos++;
			continue;
		}
		if ((eq = memchr(f, '=', (size_t)(line + pos - f))) == NULL ||
		    eq == f)
			return -1;
		v = eq + 1;
		vlen = (size_t)(line + pos - v);
		if (fact_is(f, (size_t)(eq - f), "type"))
			fact_type(v, vlen, e);
		else if (fact_is(f, (size_t)(eq - f), "size"))
			e->have_size = parse_u64(v, vlen, &e->size) == 0;
		else if (fact_is(f, (size_t)(eq - f), "modify"))
			e->have_mtime = listing_parse_time(v, vlen, &e->mtime,
			    NULL) == 0;
		else if (fact_is(f, (size_t)(eq - f), "UNIX.mode"))
			e->have_mode = fact_mode(v, vlen, &e->mode) == 0;
		if (pos < flen)
			pos++;
	}
	if (!e->have_size)
		e->size = 0;
	if (!e->have_mtime)
		e->mtime = 0;
	if (!e->have_mode)
		e->mode = 0;

	name = sp + 1;
	nlen = len - flen - 1;
	if (e->type == LISTING_CDIR || e->type == LISTING_PDIR) {
		/* Often a full path: kept for show. */
		if (bad_name_bytes(name, nlen, 1) ||
		    copy_field(e->name, sizeof(e->name), name, nlen) == -1)
			e->name[0] = '\0';
		return 1;
	}
	return set_name(e, name, nlen);
}
