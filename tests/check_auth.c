/*
 * check_auth: password hashing. Hashes made here must verify, hashes made
 * by another implementation (Python's hashlib) must verify, and every way of
 * spelling a hash wrongly must be refused as malformed rather than treated
 * as a mismatch. These tests touch no files, so they need no sandbox.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "proto/util.h"
#include "srv/auth.h"

/* From hashlib.pbkdf2_hmac("sha256", b"correct horse", bytes(range(16)), 1000). */
#define KNOWN_HASH "$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$" \
	"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ"
/* From hashlib.pbkdf2_hmac("sha256", b"", b"\xff" * 16, 1234). */
#define KNOWN_EMPTY "$pbkdf2-sha256$1234$/////////////////////w$" \
	"MgUzXAaCVaVl5lHzvIbyhXeXzKoQ2BUQm8I/LJtShYk"

#define SALT22	"AAECAwQFBgcICQoLDA0ODw"
#define HASH43	"yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGQ"

START_TEST(test_round_trip)
{
	char enc[AUTH_ENCODED_MAX];
	char prefix[64];

	ck_assert_int_eq(auth_hash("s3cret", AUTH_MIN_ITERATIONS, enc,
	    sizeof(enc)), 0);
	snprintf(prefix, sizeof(prefix), "$pbkdf2-sha256$%u$",
	    AUTH_MIN_ITERATIONS);
	ck_assert_msg(strncmp(enc, prefix, strlen(prefix)) == 0, "%s", enc);
	/* Prefix, 22 characters of salt, '$', 43 of hash. */
	ck_assert_uint_eq(strlen(enc), strlen(prefix) + 22 + 1 + 43);
	ck_assert_int_eq(auth_hash_valid(enc), 1);
	ck_assert_int_eq(auth_verify("s3cret", enc), 1);
}
END_TEST

START_TEST(test_wrong_password)
{
	char enc[AUTH_ENCODED_MAX];

	ck_assert_int_eq(auth_hash("s3cret", AUTH_MIN_ITERATIONS, enc,
	    sizeof(enc)), 0);
	ck_assert_int_eq(auth_verify("s3creT", enc), 0);
	ck_assert_int_eq(auth_verify("s3cret ", enc), 0);
	ck_assert_int_eq(auth_verify("s3cre", enc), 0);
	ck_assert_int_eq(auth_verify("", enc), 0);
}
END_TEST

START_TEST(test_known_vectors)
{
	ck_assert_int_eq(auth_verify("correct horse", KNOWN_HASH), 1);
	ck_assert_int_eq(auth_verify("correct horse battery", KNOWN_HASH), 0);
	ck_assert_int_eq(auth_verify("", KNOWN_EMPTY), 1);
	ck_assert_int_eq(auth_verify("x", KNOWN_EMPTY), 0);
}
END_TEST

START_TEST(test_empty_password)
{
	char enc[AUTH_ENCODED_MAX];

	ck_assert_int_eq(auth_hash("", AUTH_MIN_ITERATIONS, enc, sizeof(enc)),
	    0);
	ck_assert_int_eq(auth_verify("", enc), 1);
	ck_assert_int_eq(auth_verify("a", enc), 0);
}
END_TEST

START_TEST(test_salts_differ)
{
	char a[AUTH_ENCODED_MAX], b[AUTH_ENCODED_MAX];

	ck_assert_int_eq(auth_hash("same", AUTH_MIN_ITERATIONS, a, sizeof(a)),
	    0);
	ck_assert_int_eq(auth_hash("same", AUTH_MIN_ITERATIONS, b, sizeof(b)),
	    0);
	ck_assert_str_ne(a, b);
	/* The salt field itself differs, not just the hash. */
	ck_assert_msg(strncmp(strrchr(a, '$') - 22, strrchr(b, '$') - 22, 22)
	    != 0, "same salt in %s and %s", a, b);
	ck_assert_int_eq(auth_verify("same", a), 1);
	ck_assert_int_eq(auth_verify("same", b), 1);
}
END_TEST

START_TEST(test_iteration_bounds)
{
	char enc[AUTH_ENCODED_MAX];

	ck_assert_int_eq(auth_hash("pw", 0, enc, sizeof(enc)), -1);
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS - 1, enc,
	    sizeof(enc)), -1);
	ck_assert_int_eq(auth_hash("pw", AUTH_MAX_ITERATIONS + 1, enc,
	    sizeof(enc)), -1);
	ck_assert_int_eq(auth_hash("pw", (unsigned)-1, enc, sizeof(enc)), -1);
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS + 1, enc,
	    sizeof(enc)), 0);
	ck_assert_int_eq(auth_verify("pw", enc), 1);

	/* The same bounds hold for stored hashes. */
	ck_assert_int_eq(auth_hash_valid("$pbkdf2-sha256$1000$" SALT22 "$"
	    HASH43), 1);
	ck_assert_int_eq(auth_hash_valid("$pbkdf2-sha256$10000000$" SALT22 "$"
	    HASH43), 1);
	ck_assert_int_eq(auth_hash_valid("$pbkdf2-sha256$999$" SALT22 "$"
	    HASH43), 0);
	ck_assert_int_eq(auth_hash_valid("$pbkdf2-sha256$10000001$" SALT22 "$"
	    HASH43), 0);
	ck_assert_int_eq(auth_verify("pw", "$pbkdf2-sha256$999$" SALT22 "$"
	    HASH43), -1);
}
END_TEST

START_TEST(test_output_too_small)
{
	char enc[AUTH_ENCODED_MAX];
	size_t need;

	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS, enc,
	    sizeof(enc)), 0);
	need = strlen(enc) + 1;
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS, enc, need), 0);
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS, enc, need - 1),
	    -1);
	ck_assert_int_eq(auth_hash("pw", AUTH_MIN_ITERATIONS, enc, 0), -1);
	/* The longest form, at the maximum iterations, fits the bound. */
	ck_assert_uint_lt(strlen("$pbkdf2-sha256$10000000$" SALT22 "$" HASH43),
	    AUTH_ENCODED_MAX);
}
END_TEST

/* Each entry is malformed in exactly one way. */
static const char *const malformed[] = {
	"",
	"$",
	"$pbkdf2-sha256$",
	"$pbkdf2-sha256$1000",
	"$pbkdf2-sha256$1000$",
	"$pbkdf2-sha256$1000$" SALT22,
	"$pbkdf2-sha256$1000$" SALT22 "$",
	/* Scheme. */
	"pbkdf2-sha256$1000$" SALT22 "$" HASH43,
	"$pbkdf2-sha1$1000$" SALT22 "$" HASH43,
	"$PBKDF2-SHA256$1000$" SALT22 "$" HASH43,
	"$pbkdf2_sha256$1000$" SALT22 "$" HASH43,
	"$2b$10$" SALT22 "$" HASH43,
	" $pbkdf2-sha256$1000$" SALT22 "$" HASH43,
	/* Iterations. */
	"$pbkdf2-sha256$$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$abc$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$+1000$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$-1000$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$ 1000$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$1000 $" SALT22 "$" HASH43,
	"$pbkdf2-sha256$01000$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$0$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$1e4$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$0x3e8$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$999$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$10000001$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$99999999999999999999999$" SALT22 "$" HASH43,
	"$pbkdf2-sha256$i=1000$" SALT22 "$" HASH43,
	/* Salt. */
	"$pbkdf2-sha256$1000$$" HASH43,
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0OD$" HASH43,	/* 21 */
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODwA$" HASH43,	/* 23 */
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$" HASH43,	/* padded */
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0O*w$" HASH43,
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0O-w$" HASH43,	/* url-safe */
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0O_w$" HASH43,
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0O w$" HASH43,
	"$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODx$" HASH43,	/* stray bits */
	/* Hash. */
	"$pbkdf2-sha256$1000$" SALT22 "$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumG",
	"$pbkdf2-sha256$1000$" SALT22 "$" HASH43 "A",
	"$pbkdf2-sha256$1000$" SALT22 "$" HASH43 "=",
	"$pbkdf2-sha256$1000$" SALT22 "$" HASH43 "\n",
	"$pbkdf2-sha256$1000$" SALT22 "$" HASH43 "$",
	"$pbkdf2-sha256$1000$" SALT22 "$" HASH43 "$x",
	"$pbkdf2-sha256$1000$" SALT22 "$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKumGR",
	"$pbkdf2-sha256$1000$" SALT22 "$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKum.Q",
	"$pbkdf2-sha256$1000$" SALT22 "$yRTMTwbMbo9G0VfjobWqerzuuxe7BETNTErBbKKum\xc3\xa9",
	/* Fields out of place. */
	"$pbkdf2-sha256$1000$" HASH43 "$" SALT22,
	"$pbkdf2-sha256$1000$" SALT22 "$" SALT22 "$" HASH43,
};

START_TEST(test_malformed)
{
	const char *enc = malformed[_i];

	ck_assert_msg(auth_hash_valid(enc) == 0, "accepted [%s]", enc);
	ck_assert_msg(auth_verify("correct horse", enc) == -1,
	    "verify did not refuse [%s]", enc);
}
END_TEST

START_TEST(test_dummy)
{
	ck_assert_int_eq(auth_verify_dummy(""), 0);
	ck_assert_int_eq(auth_verify_dummy("anything"), 0);
	ck_assert_int_eq(auth_verify_dummy("correct horse"), 0);
}
END_TEST

/*
 * An unknown user must cost what a known one does. The bound is loose (half)
 * so that a busy machine does not fail the test; a dummy that skipped the
 * derivation would be thousands of times faster.
 */
START_TEST(test_dummy_timing)
{
	char enc[AUTH_ENCODED_MAX];
	double t0, real, dummy;

	ck_assert_int_eq(auth_hash("pw", AUTH_DEFAULT_ITERATIONS, enc,
	    sizeof(enc)), 0);
	t0 = now_mono();
	ck_assert_int_eq(auth_verify("wrong", enc), 0);
	real = now_mono() - t0;
	t0 = now_mono();
	ck_assert_int_eq(auth_verify_dummy("wrong"), 0);
	dummy = now_mono() - t0;
	ck_assert_msg(dummy > real / 2, "dummy %.3fs, real %.3fs", dummy, real);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc;

	tc = tcase_create("hash");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_known_vectors);
	tcase_add_test(tc, test_empty_password);
	tcase_add_test(tc, test_salts_differ);
	tcase_add_test(tc, test_iteration_bounds);
	tcase_add_test(tc, test_output_too_small);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_malformed, 0,
	    (int)(sizeof(malformed) / sizeof(malformed[0])));
	suite_add_tcase(s, tc);

	/* Work at the default strength: slow under valgrind. */
	tc = tcase_create("dummy");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_dummy);
	tcase_add_test(tc, test_dummy_timing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
