/*
 * fuzz_sites: sites.conf (tui/sites.c), the input written to a file and
 * read with sites_load(). Checks that a refusal says where (the file,
 * then ":LINE: ") and leaves the list empty; that every site loaded
 * passes sites_check(), has a distinct name and gives an address
 * sites_url() accepts; and the round trip: the list saved and read back
 * is the same, field by field.
 */
#include "config.h"

#define FUZZ_LIBCONFIG	/* see fuzz.h */

#include "tui/sites.h"
#include "tui/url.h"
#include "tests/fuzz/fuzz.h"

static void
same(const struct site *a, const struct site *b)
{
	FUZZ_CHECK(strcmp(a->name, b->name) == 0);
	FUZZ_CHECK(strcmp(a->url, b->url) == 0);
	FUZZ_CHECK(strcmp(a->user, b->user) == 0);
	FUZZ_CHECK(strcmp(a->cafile, b->cafile) == 0);
	FUZZ_CHECK(strcmp(a->remote_dir, b->remote_dir) == 0);
	FUZZ_CHECK(strcmp(a->local_dir, b->local_dir) == 0);
	FUZZ_CHECK(a->tls == b->tls && a->parallel == b->parallel);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sites s = { NULL, 0 }, back = { NULL, 0 };
	char path[128], saved[160], err[1024];
	struct url u;
	size_t i, j;

	if (size > 8192)
		return 0;
	snprintf(path, sizeof(path), "%s/sites.conf", fuzz_tmpdir());
	snprintf(saved, sizeof(saved), "%s/saved.conf", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	memset(err, 'x', sizeof(err));
	err[0] = '\0';
	if (sites_load(&s, path, err, sizeof(err)) < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0 &&
		    err[strlen(path)] == ':');
		FUZZ_CHECK(s.n == 0 && s.v == NULL);
		return 0;
	}
	for (i = 0; i < s.n; i++) {
		FUZZ_CHECK(sites_check(&s.v[i], err, sizeof(err)) == 0);
		FUZZ_CHECK(sites_url(&s.v[i], &u, err, sizeof(err)) == 0);
		FUZZ_CHECK(!u.have_pass);
		url_wipe(&u);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s.v[i].name, s.v[j].name) != 0);
	}
	FUZZ_CHECK(sites_save(&s, saved, err, sizeof(err)) == 0);
	FUZZ_CHECK(sites_load(&back, saved, err, sizeof(err)) == 0);
	FUZZ_CHECK(back.n == s.n);
	for (i = 0; i < s.n; i++)
		same(&s.v[i], &back.v[i]);
	sites_free(&back);
	sites_free(&s);
	return 0;
}
