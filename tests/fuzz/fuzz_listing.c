/*
 * fuzz_listing: the client's listing parsers (proto/listing.c): the input
 * is one line given to listing_parse_ls(), listing_parse_dos() and
 * listing_parse_facts(), and to OPTS MLST's listing_parse_factlist().
 * Checks that an entry's name is non-empty, has no '/', and that names,
 * link targets, types and modes stay in their bounds; and the round trip
 * through the server's side: a file or folder read from any of the three,
 * written back by listing_facts() and listing_ls_line(), reads back with
 * the same name, type, size and (for MLSD) time.
 */
#include "config.h"

#include <sys/stat.h>

#include "proto/listing.h"
#include "tests/fuzz/fuzz.h"

#define NOW	((time_t)1790000000)	/* 2026-09-21 */

static void
check_entry(const struct listing_entry *e)
{
	size_t n = strnlen(e->name, sizeof(e->name));

	FUZZ_CHECK(n > 0 && n < sizeof(e->name));
	FUZZ_CHECK(strchr(e->name, '/') == NULL);
	FUZZ_CHECK(strnlen(e->link_target, sizeof(e->link_target)) <
	    sizeof(e->link_target));
	FUZZ_CHECK(e->type >= LISTING_FILE && e->type <= LISTING_PDIR);
	FUZZ_CHECK(!e->have_mode || e->mode <= 07777);
}

/* The server writes e as MLSD and LIST would; the client reads it back. */
static void
round_trip(const struct listing_entry *e)
{
	struct listing_entry back;
	struct stat st;
	char line[LISTING_NAME_MAX + 256];

	if ((e->type != LISTING_FILE && e->type != LISTING_DIR) ||
	    strcspn(e->name, "\r\n") != strlen(e->name) ||
	    e->size > INT64_MAX)
		return;
	memset(&st, 0, sizeof(st));
	st.st_mode = (e->type == LISTING_DIR ? S_IFDIR : S_IFREG) |
	    (e->have_mode ? e->mode : 0644);
	st.st_nlink = 1;
	st.st_size = e->have_size ? (off_t)e->size : 0;
	st.st_mtime = e->have_mtime && e->mtime >= 0 &&
	    e->mtime < (time_t)253402300800 ? e->mtime : NOW;

	FUZZ_CHECK(listing_facts(e->name, &st, NULL, FACT_ALL, 1, line,
	    sizeof(line)) > 0);
	memset(&back, 0xa5, sizeof(back));
	FUZZ_CHECK(listing_parse_facts(line, &back) == 0);
	FUZZ_CHECK(strcmp(back.name, e->name) == 0);
	FUZZ_CHECK(back.type == e->type);
	FUZZ_CHECK(back.have_mtime && back.mtime == st.st_mtime);
	if (e->type == LISTING_FILE)
		FUZZ_CHECK(back.have_size && back.size == (uint64_t)st.st_size);

	FUZZ_CHECK(listing_ls_line(e->name, &st, NOW, line,
	    sizeof(line)) > 0);
	memset(&back, 0xa5, sizeof(back));
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
		return;
	FUZZ_CHECK(listing_parse_ls(line, NOW, &back) == 0);
	FUZZ_CHECK(strcmp(back.name, e->name) == 0);
	FUZZ_CHECK(back.type == e->type);
	FUZZ_CHECK(back.have_size && back.size == (uint64_t)st.st_size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listing_entry *e;
	char *line, list[256];
	unsigned mask;
	int rc;

	if (size > 4096)
		return 0;
	line = fuzz_string(data, size);
	e = malloc(sizeof(*e));
	FUZZ_CHECK(e != NULL);

	rc = listing_parse_ls(line, NOW, e);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 0) {
		check_entry(e);
		round_trip(e);
	}
	rc = listing_parse_dos(line, e);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 0) {
		check_entry(e);
		round_trip(e);
	}
	rc = listing_parse_facts(line, e);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 0) {
		check_entry(e);
		round_trip(e);
	}

	mask = listing_parse_factlist(line, list, sizeof(list));
	FUZZ_CHECK((mask & ~FACT_ALL) == 0);
	FUZZ_CHECK(strlen(list) < sizeof(list));
	/* What was accepted reads back as itself. */
	FUZZ_CHECK(listing_parse_factlist(list, list, sizeof(list)) == mask);

	free(e);
	free(line);
	return 0;
}
