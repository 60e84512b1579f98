/*
 * check_listing: unit tests for the listing parsers of proto/listing.c,
 * one suite per format and one test case per behaviour:
 *
 *   ls     Unix `ls -l` lines as vsftpd, Pure-FTPd, ProFTPD and burrowd
 *          write them (the last round-tripped through listing_ls_line)
 *   dos    DOS/IIS lines
 *   facts  RFC 3659 MLSD lines
 *
 * The samples are real server output; times are UTC.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <check.h>

#include "proto/listing.h"

static time_t
utc(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

/* "now" for the ls tests: 2026-11-22 06:30:00 UTC */
#define NOW	utc(2026, 11, 22, 6, 30, 0)

/* A line of n bytes: prefix, then fill up to n. Caller frees. */
static char *
long_line(const char *prefix, char fill, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, fill, n);
	memcpy(s, prefix, strlen(prefix));
	s[n] = '\0';
	return s;
}

/* -------------------------------------------------------------------- ls */

START_TEST(test_ls_vsftpd_dir)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("drwxr-xr-x    2 1000     1000     "
	    "    4096 Nov 22 05:41 docs", NOW, &e), 0);
	ck_assert_str_eq(e.name, "docs");
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_int_eq(e.have_size, 1);
	ck_assert_uint_eq(e.size, 4096);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 5, 41, 0));
	ck_assert_int_eq(e.have_mode, 1);
	ck_assert_uint_eq(e.mode, 0755);
	ck_assert_str_eq(e.link_target, "");
}
END_TEST

START_TEST(test_ls_vsftpd_year)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r--    1 0        0       "
	    "     1234 Jan 01  2023 old.txt", NOW, &e), 0);
	ck_assert_str_eq(e.name, "old.txt");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_uint_eq(e.size, 1234);
	ck_assert_int_eq(e.mtime, utc(2023, 1, 1, 0, 0, 0));
	ck_assert_uint_eq(e.mode, 0644);
}
END_TEST

START_TEST(test_ls_pureftpd_spaces)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r--    1 harry      harry "
	    "           42 Nov 22 06:00 a b.txt", NOW, &e), 0);
	ck_assert_str_eq(e.name, "a b.txt");
	ck_assert_uint_eq(e.size, 42);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 6, 0, 0));
}
END_TEST

START_TEST(test_ls_proftpd)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r--   1 ftp      ftp      "
	    "     12 Nov 22 06:00 file", NOW, &e), 0);
	ck_assert_str_eq(e.name, "file");
	ck_assert_uint_eq(e.size, 12);
}
END_TEST

START_TEST(test_ls_name_edges)
{
	struct listing_entry e;

	/* exactly one space separates the date from the name */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 5 Nov 22 06:00 "
	    "  lead", NOW, &e), 0);
	ck_assert_str_eq(e.name, "  lead");
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 5 Nov 22 06:00 "
	    "trail  \r\n", NOW, &e), 0);
	ck_assert_str_eq(e.name, "trail  ");
	/* a date-like name is not taken for the date */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 5 Nov 22 06:00 "
	    "Dec 01 10:00 x", NOW, &e), 0);
	ck_assert_str_eq(e.name, "Dec 01 10:00 x");
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 6, 0, 0));
}
END_TEST

START_TEST(test_ls_utf8)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 5 Nov 22 06:00 "
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt", NOW, &e), 0);
	ck_assert_str_eq(e.name, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt");
	/* Latin-1, not UTF-8: still passed on byte for byte */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 5 Nov 22 06:00 "
	    "caf\xe9", NOW, &e), 0);
	ck_assert_str_eq(e.name, "caf\xe9");
}
END_TEST

START_TEST(test_ls_owner_spaces)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 John Doe Domain Users"
	    " 77 Nov 22 06:00 x", NOW, &e), 0);
	ck_assert_str_eq(e.name, "x");
	ck_assert_uint_eq(e.size, 77);
	/* no group column */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 owner 78 Nov 22 06:00"
	    " y", NOW, &e), 0);
	ck_assert_uint_eq(e.size, 78);
}
END_TEST

START_TEST(test_ls_symlink)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("lrwxrwxrwx 1 u g 7 Nov 22 06:00 "
	    "link -> target", NOW, &e), 0);
	ck_assert_int_eq(e.type, LISTING_LINK);
	ck_assert_str_eq(e.name, "link");
	ck_assert_str_eq(e.link_target, "target");
	ck_assert_uint_eq(e.size, 7);
	ck_assert_int_eq(listing_parse_ls("lrwxrwxrwx 1 u g 7 Nov 22 06:00 "
	    "a b -> ../x y/z", NOW, &e), 0);
	ck_assert_str_eq(e.name, "a b");
	ck_assert_str_eq(e.link_target, "../x y/z");
	/* a link without its target shown */
	ck_assert_int_eq(listing_parse_ls("lrwxrwxrwx 1 u g 7 Nov 22 06:00 "
	    "bare", NOW, &e), 0);
	ck_assert_str_eq(e.name, "bare");
	ck_assert_str_eq(e.link_target, "");
	/* " -> " splits only links */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 7 Nov 22 06:00 "
	    "a -> b", NOW, &e), 0);
	ck_assert_str_eq(e.name, "a -> b");
}
END_TEST

START_TEST(test_ls_total)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("total 12", NOW, &e), 1);
	ck_assert_int_eq(listing_parse_ls("total 0\r\n", NOW, &e), 1);
	ck_assert_int_eq(listing_parse_ls("", NOW, &e), 1);
	ck_assert_int_eq(listing_parse_ls("   \r\n", NOW, &e), 1);
}
END_TEST

START_TEST(test_ls_dot_dirs)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("drwxr-xr-x 3 u g 4096 Nov 22 06:00"
	    " .", NOW, &e), 1);
	ck_assert_str_eq(e.name, ".");
	ck_assert_int_eq(listing_parse_ls("drwxr-xr-x 3 u g 4096 Nov 22 06:00"
	    " ..", NOW, &e), 1);
	ck_assert_int_eq(listing_parse_ls("drwxr-xr-x 3 u g 4096 Nov 22 06:00"
	    " .hidden", NOW, &e), 0);
}
END_TEST

START_TEST(test_ls_device)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("crw-rw-rw-    1 0        0        "
	    "  1,   3 Nov 22 06:00 null", NOW, &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	ck_assert_str_eq(e.name, "null");
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(listing_parse_ls("brw-rw---- 1 0 6 8,0 Nov 22 06:00 "
	    "sda", NOW, &e), 0);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(listing_parse_ls("prw-r--r-- 1 u g 0 Nov 22 06:00 "
	    "fifo", NOW, &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	ck_assert_int_eq(e.have_size, 1);
}
END_TEST

START_TEST(test_ls_year_rollback)
{
	struct listing_entry e;

	/* within a day ahead of now (clock skew): this year */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Nov 23 06:00 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 23, 6, 0, 0));
	/* more than a day ahead: last year */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Nov 24 06:00 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(2025, 11, 24, 6, 0, 0));
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Dec 31 23:59 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(2025, 12, 31, 23, 59, 0));
	/* early in the year, December is last year's */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Dec 30 10:00 "
	    "x", utc(2027, 1, 5, 0, 0, 0), &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 12, 30, 10, 0, 0));
	/* February 29 goes back to the last leap year */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Feb 29 10:00 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(2024, 2, 29, 10, 0, 0));
}
END_TEST

START_TEST(test_ls_month_case)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 NOV  2 06:00 x",
	    NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 2, 6, 0, 0));
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 sep 9  1999 x",
	    NOW, &e), 0);
	ck_assert_int_eq(e.mtime, utc(1999, 9, 9, 0, 0, 0));
}
END_TEST

START_TEST(test_ls_modes)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rwsr-sr-t 1 u g 1 Nov 22 06:00 x",
	    NOW, &e), 0);
	ck_assert_uint_eq(e.mode, 07755);
	ck_assert_int_eq(listing_parse_ls("-rwSr-Sr-T 1 u g 1 Nov 22 06:00 x",
	    NOW, &e), 0);
	ck_assert_uint_eq(e.mode, 07644);
	/* ACL and SELinux markers */
	ck_assert_int_eq(listing_parse_ls("-rw-r--r--+ 1 u g 1 Nov 22 06:00 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(listing_parse_ls("drwxr-xr-x. 1 u g 1 Nov 22 06:00 "
	    "x", NOW, &e), 0);
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_int_eq(listing_parse_ls("-rw-r--r--x 1 u g 1 Nov 22 06:00 "
	    "x", NOW, &e), -1);
	ck_assert_int_eq(listing_parse_ls("-rw-r-Zr-- 1 u g 1 Nov 22 06:00 x",
	    NOW, &e), -1);
	ck_assert_int_eq(listing_parse_ls("?rw-r--r-- 1 u g 1 Nov 22 06:00 x",
	    NOW, &e), -1);
}
END_TEST

START_TEST(test_ls_big_size)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g "
	    "18446744073709551615 Nov 22 06:00 x", NOW, &e), 0);
	ck_assert_uint_eq(e.size, UINT64_MAX);
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g "
	    "18446744073709551616 Nov 22 06:00 x", NOW, &e), -1);
}
END_TEST

START_TEST(test_ls_unsafe_names)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Nov 22 06:00 "
	    "../../etc/passwd", NOW, &e), -1);
	ck_assert_int_eq(listing_parse_ls("lrwxrwxrwx 1 u g 1 Nov 22 06:00 "
	    "a/b -> c", NOW, &e), -1);
}
END_TEST

/* Names with control bytes are files like any other: kept byte for byte
 * (the screen and batch mode show the bytes as '?'). */
START_TEST(test_control_names)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Nov 22 06:00 "
	    "a\x1b[2Jb", NOW, &e), 0);
	ck_assert_str_eq(e.name, "a\x1b[2Jb");
	ck_assert_int_eq(listing_parse_ls("-rw-r--r-- 1 u g 1 Nov 22 06:00 "
	    "a\tb", NOW, &e), 0);
	ck_assert_str_eq(e.name, "a\tb");
	ck_assert_int_eq(listing_parse_ls("lrwxrwxrwx 1 u g 1 Nov 22 06:00 "
	    "ab -> c\x07", NOW, &e), 0);
	ck_assert_str_eq(e.name, "ab");
	ck_assert_str_eq(e.link_target, "c\x07");
	ck_assert_int_eq(listing_parse_facts("type=file;size=3; ctl\x01x.txt",
	    &e), 0);
	ck_assert_str_eq(e.name, "ctl\x01x.txt");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_uint_eq(e.size, 3);
	ck_assert_int_eq(listing_parse_facts("type=file; \x7f", &e), 0);
	ck_assert_str_eq(e.name, "\x7f");
	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00AM  5 x\x1by", &e),
	    0);
	ck_assert_str_eq(e.name, "x\x1by");
	/* A '/' is still refused, control bytes or not. */
	ck_assert_int_eq(listing_parse_facts("type=file; \x01/x", &e), -1);
}
END_TEST

START_TEST(test_ls_garbage)
{
	static const char *lines[] = {
		"garbage",
		"drwxr-xr-x",
		"drwxr-xr-x 2 u g 4096 Nov 22 05:41",
		"drwxr-xr-x 2 u g 4096 Nov 22 05:41 ",
		"drwxr-xr-x 2 u g many Nov 22 05:41 x",
		"drwxr-xr-x 2 u g 4096 Foo 22 05:41 x",
		"drwxr-xr-x 2 u g 4096 Nov 32 05:41 x",
		"drwxr-xr-x 2 u g 4096 Nov 0 05:41 x",
		"drwxr-xr-x 2 u g 4096 Feb 30  2024 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 24:00 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 05:60 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 5:4 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 123 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 -2024 x",
		"drwxr-xr-x 4096 Nov 22 05:41 x",
		"11-22-26  06:00AM       <DIR>          docs",
		"type=file;size=12; name",
		"Nov 22 05:41 x",
		"\xff\xfe\xfd",
	};
	struct listing_entry e;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(listing_parse_ls(lines[i], NOW, &e) == -1,
		    "accepted \"%s\"", lines[i]);
}
END_TEST

START_TEST(test_ls_long_lines)
{
	struct listing_entry e;
	char *s;
	const char *head = "-rw-r--r-- 1 u g 1 Nov 22 06:00 ";
	size_t hl = strlen(head);

	/* the longest name that fits */
	s = long_line(head, 'n', hl + LISTING_NAME_MAX - 1);
	ck_assert_int_eq(listing_parse_ls(s, NOW, &e), 0);
	ck_assert_uint_eq(strlen(e.name), LISTING_NAME_MAX - 1);
	free(s);
	/* one more is refused, not cut */
	s = long_line(head, 'n', hl + LISTING_NAME_MAX);
	ck_assert_int_eq(listing_parse_ls(s, NOW, &e), -1);
	free(s);
	/* a megabyte of spaces and tokens */
	s = long_line("-rw-r--r--", ' ', 1 << 20);
	ck_assert_int_eq(listing_parse_ls(s, NOW, &e), -1);
	free(s);
	s = long_line("-rw-r--r-- ", 'x', 1 << 20);
	ck_assert_int_eq(listing_parse_ls(s, NOW, &e), -1);
	free(s);
	s = long_line("-rw-r--r-- ", ' ', 1 << 16);
	for (size_t i = 12; i + 2 < (1 << 16); i += 3)
		s[i] = 'a';
	ck_assert_int_eq(listing_parse_ls(s, NOW, &e), -1);
	free(s);
}
END_TEST

/* burrowd writes what the client reads back. */
START_TEST(test_ls_burrowd_roundtrip)
{
	static const struct {
		const char	*name;
		mode_t		 mode;
		off_t		 size;
		time_t		 mtime;
		int		 type;
	} cases[] = {
		{ "notes.txt", S_IFREG | 0644, 1234, 0, LISTING_FILE },
		{ "sub dir", S_IFDIR | 0755, 4096, 0, LISTING_DIR },
		{ " lead", S_IFREG | 0600, 0, 0, LISTING_FILE },
		{ "big", S_IFREG | 0644, (off_t)5 << 40, 0, LISTING_FILE },
		{ "caf\xc3\xa9", S_IFREG | 0644, 1, 0, LISTING_FILE },
		{ "old", S_IFREG | 0644, 7, 1, LISTING_FILE },
		{ "day2", S_IFREG | 0644, 7, 2, LISTING_FILE },
	};
	struct listing_entry e;
	struct stat st;
	char buf[512];
	time_t now = NOW, when;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&st, 0, sizeof(st));
		st.st_mode = cases[i].mode;
		st.st_nlink = 1;
		st.st_size = cases[i].size;
		/* recent (with a time), a year old (date only), and a
		 * single-digit day */
		when = cases[i].mtime == 0 ? now - 3600 - 17 * 60 :
		    cases[i].mtime == 1 ? utc(2025, 3, 14, 0, 0, 0) :
		    utc(2026, 11, 2, 23, 5, 0);
		st.st_mtime = when;
		ck_assert_int_gt(listing_ls_line(cases[i].name, &st, now, buf,
		    sizeof(buf)), 0);
		ck_assert_msg(listing_parse_ls(buf, now, &e) == 0,
		    "cannot read back \"%s\"", buf);
		ck_assert_str_eq(e.name, cases[i].name);
		ck_assert_int_eq(e.type, cases[i].type);
		ck_assert_uint_eq(e.size, (uint64_t)cases[i].size);
		ck_assert_uint_eq(e.mode, cases[i].mode & 07777);
		/* ls shows minutes */
		ck_assert_int_eq(e.mtime, when - when % 60);
	}
}
END_TEST

/* ------------------------------------------------------------------- dos */

START_TEST(test_dos_dir)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00AM       <DIR>    "
	    "      docs", &e), 0);
	ck_assert_str_eq(e.name, "docs");
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 6, 0, 0));
	ck_assert_int_eq(e.have_mode, 0);
}
END_TEST

START_TEST(test_dos_file)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM                "
	    " 1234 a file.txt\r\n", &e), 0);
	ck_assert_str_eq(e.name, "a file.txt");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_int_eq(e.have_size, 1);
	ck_assert_uint_eq(e.size, 1234);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 18, 0, 0));
}
END_TEST

START_TEST(test_dos_clock)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_dos("01-02-26  12:05AM 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 1, 2, 0, 5, 0));
	ck_assert_int_eq(listing_parse_dos("01-02-26  12:05PM 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 1, 2, 12, 5, 0));
	ck_assert_int_eq(listing_parse_dos("01-02-26  11:59pm 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 1, 2, 23, 59, 0));
	/* 24-hour, four-digit year */
	ck_assert_int_eq(listing_parse_dos("01-02-2026  18:30 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 1, 2, 18, 30, 0));
	/* two-digit years: 70-99 are 19xx */
	ck_assert_int_eq(listing_parse_dos("12-31-99  01:00AM 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(1999, 12, 31, 1, 0, 0));
	ck_assert_int_eq(listing_parse_dos("01-01-70  01:00AM 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(1970, 1, 1, 1, 0, 0));
	ck_assert_int_eq(listing_parse_dos("01-01-69  01:00AM 1 x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2069, 1, 1, 1, 0, 0));
}
END_TEST

START_TEST(test_dos_names)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM 5 "
	    "\xe6\x97\xa5 x  y ", &e), 0);
	ck_assert_str_eq(e.name, "\xe6\x97\xa5 x  y ");
	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM <DIR> .", &e),
	    1);
	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM <DIR> ..", &e),
	    1);
	ck_assert_int_eq(listing_parse_dos("", &e), 1);
	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM 5 a/b", &e), -1);
	ck_assert_int_eq(listing_parse_dos("11-22-26  06:00PM 5 a\rb", &e),
	    0);
	ck_assert_str_eq(e.name, "a\rb");
}
END_TEST

START_TEST(test_dos_garbage)
{
	static const char *lines[] = {
		"garbage",
		"11-22-26",
		"11-22-26  06:00AM",
		"11-22-26  06:00AM       <DIR>",
		"11-22-26  06:00AM       <DIR>   ",
		"11-22-26  06:00AM       <JUNK>   x",
		"11-22-26  06:00AM       -5   x",
		"13-22-26  06:00AM 1 x",
		"02-30-26  06:00AM 1 x",
		"11/22-26  06:00AM 1 x",
		"11-22-2  06:00AM 1 x",
		"11-22-26  13:00AM 1 x",
		"11-22-26  00:00PM 1 x",
		"11-22-26  06:00XM 1 x",
		"11-22-26  24:00 1 x",
		"11-22-26  06:0 1 x",
		"1x-22-26  06:00AM 1 x",
		"drwxr-xr-x 2 u g 4096 Nov 22 05:41 docs",
		"type=file;size=12; name",
	};
	struct listing_entry e;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(listing_parse_dos(lines[i], &e) == -1,
		    "accepted \"%s\"", lines[i]);
	ck_assert_int_eq(listing_parse_dos("11/22/26  06:00AM 1 x", &e), 0);
}
END_TEST

START_TEST(test_dos_long)
{
	struct listing_entry e;
	char *s;

	s = long_line("11-22-26  06:00PM 5 ", 'n', 20 + LISTING_NAME_MAX - 1);
	ck_assert_int_eq(listing_parse_dos(s, &e), 0);
	free(s);
	s = long_line("11-22-26  06:00PM 5 ", 'n', 20 + LISTING_NAME_MAX);
	ck_assert_int_eq(listing_parse_dos(s, &e), -1);
	free(s);
	s = long_line("11-22-26  06:00PM 5", ' ', 1 << 20);
	ck_assert_int_eq(listing_parse_dos(s, &e), -1);
	free(s);
}
END_TEST

/* ----------------------------------------------------------------- facts */

START_TEST(test_facts_file)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=file;size=12;modify="
	    "20261122054100;perm=r; name", &e), 0);
	ck_assert_str_eq(e.name, "name");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_int_eq(e.have_size, 1);
	ck_assert_uint_eq(e.size, 12);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 5, 41, 0));
	ck_assert_int_eq(e.have_mode, 0);
}
END_TEST

START_TEST(test_facts_fraction)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("modify=20261122054100.123;"
	    "type=file; x", &e), 0);
	ck_assert_int_eq(e.mtime, utc(2026, 11, 22, 5, 41, 0));
	ck_assert_int_eq(e.have_mtime, 1);
	/* a bad modify value is ignored, the entry kept */
	ck_assert_int_eq(listing_parse_facts("modify=20261122054100.;"
	    "type=file; x", &e), 0);
	ck_assert_int_eq(e.have_mtime, 0);
	ck_assert_int_eq(listing_parse_facts("modify=2026112205410;"
	    "type=file; x", &e), 0);
	ck_assert_int_eq(e.have_mtime, 0);
	ck_assert_int_eq(listing_parse_facts("modify=20261322054100; x", &e),
	    0);
	ck_assert_int_eq(e.have_mtime, 0);
	ck_assert_int_eq(listing_parse_facts("modify=20261122054100.1a; x",
	    &e), 0);
	ck_assert_int_eq(e.have_mtime, 0);
}
END_TEST

/* Parses all of s as a time-val; -1 when it is not one. */
static int
ptime(const char *s, time_t *t, long *ns)
{
	return listing_parse_time(s, strlen(s), t, ns);
}

START_TEST(test_time_good)
{
	time_t t;
	long ns = -1;

	ck_assert_int_eq(ptime("20261122054100", &t, &ns), 0);
	ck_assert_int_eq(t, utc(2026, 11, 22, 5, 41, 0));
	ck_assert_int_eq(ns, 0);
	ck_assert_int_eq(ptime("19700101000000", &t, NULL), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(ptime("20010909014640", &t, NULL), 0);
	ck_assert_int_eq(t, 1000000000);
	/* 29 February only in a leap year (2000 is one, 2100 is not) */
	ck_assert_int_eq(ptime("20000229120000", &t, NULL), 0);
	ck_assert_int_eq(t, utc(2000, 2, 29, 12, 0, 0));
	ck_assert_int_eq(ptime("21000229120000", &t, NULL), -1);
	ck_assert_int_eq(ptime("20250229120000", &t, NULL), -1);
	/* a leap second is the next minute's first */
	ck_assert_int_eq(ptime("20161231235960", &t, NULL), 0);
	ck_assert_int_eq(t, utc(2017, 1, 1, 0, 0, 0));
}
END_TEST

START_TEST(test_time_fraction)
{
	time_t t;
	long ns;

	ck_assert_int_eq(ptime("20261122054100.5", &t, &ns), 0);
	ck_assert_int_eq(t, utc(2026, 11, 22, 5, 41, 0));
	ck_assert_int_eq(ns, 500000000L);
	ck_assert_int_eq(ptime("20261122054100.123", &t, &ns), 0);
	ck_assert_int_eq(ns, 123000000L);
	ck_assert_int_eq(ptime("20261122054100.123456789", &t, &ns), 0);
	ck_assert_int_eq(ns, 123456789L);
	/* digits past nanoseconds are read and dropped */
	ck_assert_int_eq(ptime("20261122054100.9999999999999", &t, &ns), 0);
	ck_assert_int_eq(ns, 999999999L);
	ck_assert_int_eq(ptime("20261122054100.", &t, &ns), -1);
	ck_assert_int_eq(ptime("20261122054100.1a", &t, &ns), -1);
	ck_assert_int_eq(ptime("20261122054100,5", &t, &ns), -1);
	ck_assert_int_eq(ptime("20261122054100.-5", &t, &ns), -1);
}
END_TEST

START_TEST(test_time_bad)
{
	static const char *bad[] = {
		"", "2026120112", "2026112205410", "202611220541000",
		"20261301000000", "20260001000000", "20260100000000",
		"20260132000000", "20260431000000", "20261122240000",
		"20261122236000", "20261122235961", "18991231235959",
		"2026112205410a", "abcdefghijklmn", " 20261122054100",
		"20261122054100 ", "+2026112205410", "-2026112205410",
		"2026 1122054100",
	};
	time_t t = 42;
	long ns = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ptime(bad[i], &t, &ns) == -1, "took \"%s\"",
		    bad[i]);
		ck_assert_int_eq(ns, 42);
	}
	/* only the n bytes given are read */
	ck_assert_int_eq(listing_parse_time("20261122054100 x", 14, &t, NULL),
	    0);
	ck_assert_int_eq(t, utc(2026, 11, 22, 5, 41, 0));
}
END_TEST

START_TEST(test_time_format)
{
	char buf[32];
	time_t t;

	ck_assert_int_eq(listing_format_time(1000000000, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "20010909014640");
	ck_assert_int_eq(listing_format_time(0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "19700101000000");
	/* 15 bytes are enough, 14 are not */
	ck_assert_int_eq(listing_format_time(0, buf, 15), 0);
	ck_assert_int_eq(listing_format_time(0, buf, 14), -1);
	/* outside four-digit years */
	ck_assert_int_eq(listing_format_time((time_t)-2300000000LL, buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(listing_format_time((time_t)253402300800LL, buf,
	    sizeof(buf)), -1);
	/* and back again */
	ck_assert_int_eq(listing_format_time(1796394471, buf, sizeof(buf)), 0);
	ck_assert_int_eq(ptime(buf, &t, NULL), 0);
	ck_assert_int_eq(t, 1796394471);
}
END_TEST

START_TEST(test_facts_case)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("Type=DIR;SIZE=4096;Modify="
	    "20261122054100;unix.MODE=0750; Docs", &e), 0);
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_uint_eq(e.size, 4096);
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(e.have_mode, 1);
	ck_assert_uint_eq(e.mode, 0750);
	ck_assert_str_eq(e.name, "Docs");
}
END_TEST

START_TEST(test_facts_unknown)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=file;charset=UTF-8;"
	    "media-type=text/plain;unique=803g1a2b;UNIX.owner=1000;"
	    "x.vendor=a=b; f", &e), 0);
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_str_eq(e.name, "f");
	/* a fact without '=' is not a fact line */
	ck_assert_int_eq(listing_parse_facts("type=file;size; f", &e), -1);
	ck_assert_int_eq(listing_parse_facts("=file; f", &e), -1);
}
END_TEST

START_TEST(test_facts_cdir_pdir)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=cdir;modify=20261122054100;"
	    "perm=flcdmpe; /home/harry", &e), 1);
	ck_assert_int_eq(e.type, LISTING_CDIR);
	ck_assert_str_eq(e.name, "/home/harry");
	ck_assert_int_eq(e.have_mtime, 1);
	ck_assert_int_eq(listing_parse_facts("type=pdir;perm=e; ..", &e), 1);
	ck_assert_int_eq(e.type, LISTING_PDIR);
	ck_assert_int_eq(listing_parse_facts("type=CDir; .", &e), 1);
	ck_assert_int_eq(e.type, LISTING_CDIR);
}
END_TEST

START_TEST(test_facts_name_spaces)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=file;size=1; a b;c=d; e",
	    &e), 0);
	ck_assert_str_eq(e.name, "a b;c=d; e");
	ck_assert_uint_eq(e.size, 1);
	/* leading spaces belong to the name */
	ck_assert_int_eq(listing_parse_facts("type=file;size=1;   lead\r\n",
	    &e), 0);
	ck_assert_str_eq(e.name, "  lead");
	ck_assert_int_eq(listing_parse_facts("type=file; trail ", &e), 0);
	ck_assert_str_eq(e.name, "trail ");
}
END_TEST

START_TEST(test_facts_links)
{
	struct listing_entry e;

	/* Pure-FTPd */
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=slink:/srv/x;"
	    "size=5; l", &e), 0);
	ck_assert_int_eq(e.type, LISTING_LINK);
	ck_assert_str_eq(e.link_target, "/srv/x");
	ck_assert_str_eq(e.name, "l");
	/* facts end at the first space, whatever the target holds */
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=slink:/x y;"
	    "size=5; l", &e), 0);
	ck_assert_str_eq(e.link_target, "/x");
	ck_assert_str_eq(e.name, "y;size=5; l");
	/* ProFTPD */
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=symlink;"
	    "UNIX.mode=0777; l2", &e), 0);
	ck_assert_int_eq(e.type, LISTING_LINK);
	ck_assert_str_eq(e.link_target, "");
	ck_assert_uint_eq(e.mode, 0777);
	/* other OS types */
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=chr-1/3; null",
	    &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=other; o", &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	ck_assert_int_eq(listing_parse_facts("type=files; o", &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	ck_assert_int_eq(listing_parse_facts("type=OS.unix=slinky; o", &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
}
END_TEST

START_TEST(test_facts_no_type)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("size=3; x", &e), 0);
	ck_assert_int_eq(e.type, LISTING_OTHER);
	/* no facts at all */
	ck_assert_int_eq(listing_parse_facts(" bare", &e), 0);
	ck_assert_str_eq(e.name, "bare");
	ck_assert_int_eq(e.type, LISTING_OTHER);
	/* empty facts between ';' */
	ck_assert_int_eq(listing_parse_facts("type=file;;size=2;; y", &e), 0);
	ck_assert_uint_eq(e.size, 2);
}
END_TEST

START_TEST(test_facts_bad_values)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=file;size=-1; x", &e), 0);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(listing_parse_facts("type=file;size=; x", &e), 0);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(listing_parse_facts("type=file;size="
	    "99999999999999999999; x", &e), 0);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_eq(listing_parse_facts("type=file;size="
	    "18446744073709551615; x", &e), 0);
	ck_assert_uint_eq(e.size, UINT64_MAX);
	ck_assert_int_eq(listing_parse_facts("UNIX.mode=0789; x", &e), 0);
	ck_assert_int_eq(e.have_mode, 0);
	ck_assert_int_eq(listing_parse_facts("UNIX.mode=104755; x", &e), 0);
	ck_assert_uint_eq(e.mode, 04755);
}
END_TEST

START_TEST(test_facts_utf8)
{
	struct listing_entry e;

	ck_assert_int_eq(listing_parse_facts("type=file;size=1; "
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.txt", &e), 0);
	ck_assert_str_eq(e.name,
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82.txt");
}
END_TEST

START_TEST(test_facts_garbage)
{
	static const char *lines[] = {
		"type=file;size=12;",
		"nospace",
		"type=file; ",
		"type=file; a/b",
		"type=file; ../x",
		"drwxr-xr-x 2 u g 4096 Nov 22 05:41 docs",
		"11-22-26  06:00AM       <DIR>          docs",
	};
	struct listing_entry e;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(listing_parse_facts(lines[i], &e) == -1,
		    "accepted \"%s\"", lines[i]);
	ck_assert_int_eq(listing_parse_facts("", &e), 1);
	ck_assert_int_eq(listing_parse_facts("type=dir; .", &e), 1);
}
END_TEST

START_TEST(test_facts_long)
{
	struct listing_entry e;
	char *s;

	s = long_line("type=file; ", 'n', 11 + LISTING_NAME_MAX - 1);
	ck_assert_int_eq(listing_parse_facts(s, &e), 0);
	free(s);
	s = long_line("type=file; ", 'n', 11 + LISTING_NAME_MAX);
	ck_assert_int_eq(listing_parse_facts(s, &e), -1);
	free(s);
	/* a megabyte of facts */
	s = long_line("type=file;", ';', 1 << 20);
	s[(1 << 20) - 2] = ' ';
	ck_assert_int_eq(listing_parse_facts(s, &e), 0);
	ck_assert_str_eq(e.name, ";");
	free(s);
	s = long_line("type=OS.unix=slink:", 'n', 1 << 16);
	memcpy(s + (1 << 16) - 3, "; x", 3);
	ck_assert_int_eq(listing_parse_facts(s, &e), 0);
	ck_assert_int_eq(e.type, LISTING_LINK);
	ck_assert_str_eq(e.link_target, "");	/* too long to keep */
	free(s);
}
END_TEST

/* burrowd's MLSD lines read back. */
START_TEST(test_facts_burrowd_roundtrip)
{
	struct listing_entry e;
	struct stat st;
	char buf[512];

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0640;
	st.st_size = 98765;
	st.st_mtime = utc(2026, 11, 22, 5, 41, 7);
	ck_assert_int_gt(listing_facts(" sp;ace", &st, NULL, FACT_ALL, 1, buf,
	    sizeof(buf)), 0);
	ck_assert_int_eq(listing_parse_facts(buf, &e), 0);
	ck_assert_str_eq(e.name, " sp;ace");
	ck_assert_int_eq(e.type, LISTING_FILE);
	ck_assert_uint_eq(e.size, 98765);
	ck_assert_int_eq(e.mtime, st.st_mtime);
	ck_assert_uint_eq(e.mode, 0640);

	st.st_mode = S_IFDIR | 0755;
	ck_assert_int_gt(listing_facts("d", &st, NULL, FACT_ALL, 0, buf,
	    sizeof(buf)), 0);
	ck_assert_int_eq(listing_parse_facts(buf, &e), 0);
	ck_assert_int_eq(e.type, LISTING_DIR);
	ck_assert_int_eq(e.have_size, 0);
	ck_assert_int_gt(listing_facts(".", &st, "cdir", FACT_ALL, 0, buf,
	    sizeof(buf)), 0);
	ck_assert_int_eq(listing_parse_facts(buf, &e), 1);
	ck_assert_int_eq(e.type, LISTING_CDIR);
}
END_TEST

/* ------------------------------------------------------------------ main */

struct tcase_def {
	const char	*name;
	const TTest	*test;
};

static Suite *
make_suite(const char *name, const struct tcase_def *defs, size_t n)
{
	Suite *s = suite_create(name);
	size_t i;

	for (i = 0; i < n; i++) {
		TCase *tc = tcase_create(defs[i].name);

		tcase_add_test(tc, defs[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

#define MAKE_SUITE(name, defs) make_suite(name, defs, \
    sizeof(defs) / sizeof(defs[0]))

int
main(void)
{
	const struct tcase_def ls[] = {
		{ "vsftpd_dir", test_ls_vsftpd_dir },
		{ "vsftpd_year", test_ls_vsftpd_year },
		{ "pureftpd_spaces", test_ls_pureftpd_spaces },
		{ "proftpd", test_ls_proftpd },
		{ "name_edges", test_ls_name_edges },
		{ "utf8", test_ls_utf8 },
		{ "owner_spaces", test_ls_owner_spaces },
		{ "symlink", test_ls_symlink },
		{ "total", test_ls_total },
		{ "dot_dirs", test_ls_dot_dirs },
		{ "device", test_ls_device },
		{ "year_rollback", test_ls_year_rollback },
		{ "month_case", test_ls_month_case },
		{ "modes", test_ls_modes },
		{ "big_size", test_ls_big_size },
		{ "unsafe_names", test_ls_unsafe_names },
		{ "control_names", test_control_names },
		{ "garbage", test_ls_garbage },
		{ "long_lines", test_ls_long_lines },
		{ "burrowd_roundtrip", test_ls_burrowd_roundtrip },
	};
	const struct tcase_def dos[] = {
		{ "dir", test_dos_dir },
		{ "file", test_dos_file },
		{ "clock", test_dos_clock },
		{ "names", test_dos_names },
		{ "garbage", test_dos_garbage },
		{ "long", test_dos_long },
	};
	const struct tcase_def facts[] = {
		{ "file", test_facts_file },
		{ "fraction", test_facts_fraction },
		{ "case", test_facts_case },
		{ "unknown", test_facts_unknown },
		{ "cdir_pdir", test_facts_cdir_pdir },
		{ "name_spaces", test_facts_name_spaces },
		{ "links", test_facts_links },
		{ "no_type", test_facts_no_type },
		{ "bad_values", test_facts_bad_values },
		{ "utf8", test_facts_utf8 },
		{ "garbage", test_facts_garbage },
		{ "long", test_facts_long },
		{ "burrowd_roundtrip", test_facts_burrowd_roundtrip },
	};
	const struct tcase_def times[] = {
		{ "good", test_time_good },
		{ "fraction", test_time_fraction },
		{ "bad", test_time_bad },
		{ "format", test_time_format },
	};
	SRunner *sr = srunner_create(MAKE_SUITE("ls", ls));
	int number_failed;

	srunner_add_suite(sr, MAKE_SUITE("dos", dos));
	srunner_add_suite(sr, MAKE_SUITE("facts", facts));
	srunner_add_suite(sr, MAKE_SUITE("time", times));
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
