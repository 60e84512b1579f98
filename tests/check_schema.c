/*
 * check_schema: unit tests for srv/schema.c, the versions of the
 * PostgreSQL tables: which action init-db takes for each version a
 * database may be at, which versions burrowd accepts and what it says
 * about the others, and that every step up to SCHEMA_VERSION exists (and
 * none past it).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "srv/schema.h"

START_TEST(test_plan)
{
	ck_assert_int_eq(schema_plan(0), SCHEMA_CREATE);
	ck_assert_int_eq(schema_plan(SCHEMA_VERSION), SCHEMA_CURRENT);
	ck_assert_int_eq(schema_plan(SCHEMA_VERSION + 1), SCHEMA_TOO_NEW);
	ck_assert_int_eq(schema_plan(1000000), SCHEMA_TOO_NEW);
	ck_assert_int_eq(schema_plan(-1), SCHEMA_INVALID);
	for (int v = 1; v < SCHEMA_VERSION; v++)
		ck_assert_int_eq(schema_plan(v), SCHEMA_UPGRADE);
}
END_TEST

START_TEST(test_usable)
{
	char err[256];

	ck_assert_int_eq(schema_usable(SCHEMA_VERSION, err, sizeof(err)), 0);
	ck_assert_int_eq(schema_usable(0, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "init-db"));
	ck_assert_int_eq(schema_usable(SCHEMA_VERSION + 1, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "newer"));
	ck_assert_ptr_nonnull(strstr(err, "upgrade Burrow"));
	ck_assert_int_eq(schema_usable(-5, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid"));
	/* A short buffer is cut, never overflowed. */
	memset(err, 'z', sizeof(err));
	ck_assert_int_eq(schema_usable(0, err, 8), -1);
	ck_assert_uint_eq(strlen(err), 7);
	ck_assert_int_eq(err[8], 'z');
}
END_TEST

START_TEST(test_steps)
{
	ck_assert_ptr_null(schema_step(0));
	ck_assert_ptr_null(schema_step(-1));
	ck_assert_ptr_null(schema_step(SCHEMA_VERSION + 1));
	for (int v = 1; v <= SCHEMA_VERSION; v++)
		ck_assert_ptr_nonnull(schema_step(v));
	/* The first step makes the version table itself. */
	ck_assert_ptr_nonnull(strstr(schema_step(1), "burrow_schema"));
	ck_assert_ptr_nonnull(strstr(schema_step(1), "burrow_users"));
	/* The second, the quota usage and its leases. */
	ck_assert_ptr_nonnull(strstr(schema_step(2), "burrow_usage"));
	ck_assert_ptr_nonnull(strstr(schema_step(2), "burrow_leases"));
	/* The third, the sessions of every node. */
	ck_assert_ptr_nonnull(strstr(schema_step(3), "burrow_sessions"));
	/* The fourth, bandwidth limits per user. */
	ck_assert_ptr_nonnull(strstr(schema_step(4), "rate_down"));
	ck_assert_ptr_nonnull(strstr(schema_step(4), "rate_up"));
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc;

	tc = tcase_create("plan"); tcase_add_test(tc, test_plan);
	suite_add_tcase(s, tc);
	tc = tcase_create("usable"); tcase_add_test(tc, test_usable);
	suite_add_tcase(s, tc);
	tc = tcase_create("steps"); tcase_add_test(tc, test_steps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(schema_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
