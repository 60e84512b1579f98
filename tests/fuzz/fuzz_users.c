/*
 * fuzz_users: the users file (srv/users.c), the input written to a file
 * and read with users_load(). Checks that a loaded database has only
 * valid, distinct names and valid hashes, finds each account by its name,
 * and survives the round trip burrow-passwd makes: users_save() then
 * users_load() give the same accounts. A refusal must say why, within
 * the error buffer.
 */
#include "config.h"

#define FUZZ_LIBCONFIG	/* see fuzz.h */

#include "srv/auth.h"
#include "srv/users.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[128], saved[128], err[256];
	struct userdb *db, *back;
	const struct user *u, *v;
	size_t i, n;

	if (size > 8192)
		return 0;
	snprintf(in, sizeof(in), "%s/users.conf", fuzz_tmpdir());
	snprintf(saved, sizeof(saved), "%s/saved.conf", fuzz_tmpdir());
	fuzz_write_file(in, data, size);
	memset(err, 'x', sizeof(err));
	err[0] = '\0';
	if ((db = users_load(in, 0, err, sizeof(err))) == NULL) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	n = users_count(db);
	for (i = 0; i < n; i++) {
		u = users_at(db, i);
		FUZZ_CHECK(u != NULL && users_valid_name(u->name));
		FUZZ_CHECK(auth_hash_valid(u->password));
		FUZZ_CHECK(u->quota >= 0 || u->quota == USER_QUOTA_DEFAULT);
		FUZZ_CHECK(users_find(db, u->name) == u);
	}
	FUZZ_CHECK(users_at(db, n) == NULL);

	FUZZ_CHECK(users_save(db, saved, err, sizeof(err)) == 0);
	back = users_load(saved, 0, err, sizeof(err));
	if (back == NULL) {
		fprintf(stderr, "saved file refused: %s\n", err);
		FUZZ_CHECK(back != NULL);
	}
	FUZZ_CHECK(users_count(back) == n);
	for (i = 0; i < n; i++) {
		u = users_at(db, i);
		v = users_find(back, u->name);
		FUZZ_CHECK(v != NULL && strcmp(v->password, u->password) == 0 &&
		    v->quota == u->quota);
	}
	users_unref(back);
	users_unref(db);
	return 0;
}
