/*
 * listing: `ls -l` lines and MLSx facts from struct stat.
 */
#include "config.h"

#include <inttypes.h>
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
