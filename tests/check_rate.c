/*
 * check_rate: unit tests for srv/rate.c. The token bucket with an injected
 * clock: a full bucket lets its burst through, then charges wait exactly
 * for the debt; two takers interleaving in one bucket are served in turn
 * and together get the rate; a clock that goes back refills nothing; 0 is
 * no limit. The per-user records: shared by name, limits kept and changed
 * by rate_set, and charged from several threads at once (run under the
 * tsan build too).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include <check.h>

#include "srv/rate.h"

#define MIB	(1024.0 * 1024)
#define NEAR(a, b)	near((a), (b), __LINE__)

static void
near(double a, double b, int line)
{
	ck_assert_msg(a - b < 1e-9 && b - a < 1e-9, "line %d: %.12f != %.12f",
	    line, a, b);
}

START_TEST(test_burst)
{
	struct rate_bucket b;
	uint64_t rate = 2 * 1024 * 1024;

	NEAR(rate_burst(rate), 256 * 1024);
	NEAR(rate_burst(1000), 16 * 1024);	/* at least 16 KiB */
	rate_bucket_init(&b, rate, 100.0);
	/* The burst goes at once... */
	NEAR(rate_bucket_take(&b, rate, 100.0, 256 * 1024), 0);
	/* ...then each slice waits its own time at the rate. */
	NEAR(rate_bucket_take(&b, rate, 100.0, 128 * 1024), 1.0 / 16);
	NEAR(rate_bucket_take(&b, rate, 100.0, 128 * 1024), 2.0 / 16);
	/* Time pays the debt back: 1/8 s later it is paid. */
	NEAR(rate_bucket_take(&b, rate, 100.125, 0), 0);
	/* Idle for long, the bucket fills to its burst only. */
	NEAR(rate_bucket_take(&b, rate, 200.0, 0), 0);
	NEAR(b.tokens, 256 * 1024);
}
END_TEST

START_TEST(test_steady)
{
	struct rate_bucket b;
	uint64_t rate = 2 * 1024 * 1024, total = 0;
	double now = 0, wait;
	int i;

	/*
	 * Two takers alternating 128 KiB slices, each sleeping what it is
	 * told: 10 MiB take 10/2 s less the burst's eighth of a second.
	 */
	rate_bucket_init(&b, rate, now);
	for (i = 0; i < 80; i++) {
		wait = rate_bucket_take(&b, rate, now, 128 * 1024);
		total += 128 * 1024;
		/* The second one of a pair waits one slice longer. */
		if (i % 2 == 1)
			now += wait;
	}
	ck_assert_uint_eq(total, 10 * 1024 * 1024);
	NEAR(now, 5.0 - 0.125);
}
END_TEST

START_TEST(test_unlimited_and_clock)
{
	struct rate_bucket b;

	rate_bucket_init(&b, 0, 5.0);
	NEAR(rate_bucket_take(&b, 0, 5.0, 1ULL << 40), 0);
	rate_bucket_init(&b, 1024 * 1024, 10.0);
	NEAR(rate_bucket_take(&b, 1024 * 1024, 10.0, 128 * 1024 + MIB), 1.0);
	/* The clock going back neither refills nor adds debt. */
	NEAR(rate_bucket_take(&b, 1024 * 1024, 9.0, 0), 1.0);
	ck_assert(rate_slice(0, 65536) == 65536);
	ck_assert(rate_slice(2 * 1024 * 1024, 1 << 20) == 128 * 1024);
	ck_assert(rate_slice(1000, 1 << 20) == 4096);
	ck_assert(rate_slice(1000, 1000) == 1000);
}
END_TEST

START_TEST(test_records)
{
	struct rate_table *t = rate_table_new();
	struct rate *a, *a2, *b;

	ck_assert_ptr_nonnull(t);
	a = rate_get(t, "harry", 1000, 2000);
	a2 = rate_get(t, "harry", 5, 5);	/* the record's own stay */
	b = rate_get(t, "beal", 0, 0);
	ck_assert_ptr_eq(a, a2);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(rate_limit(a, RATE_DOWN), 1000);
	ck_assert_uint_eq(rate_limit(a, RATE_UP), 2000);
	rate_set(t, "harry", 0, 3000);
	ck_assert_uint_eq(rate_limit(a2, RATE_DOWN), 0);
	ck_assert_uint_eq(rate_limit(a2, RATE_UP), 3000);
	NEAR(rate_charge(b, RATE_DOWN, 1ULL << 30), 0);
	NEAR(rate_charge(NULL, RATE_UP, 1), 0);
	rate_put(t, a);
	rate_put(t, a2);
	rate_put(t, b);
	rate_set(t, "harry", 1, 1);	/* gone: nothing to set */
	rate_table_free(t);
}
END_TEST

struct charger {
	struct rate_table	*t;
	double			 waited;
};

static void *
charge_many(void *arg)
{
	struct charger *c = arg;
	struct rate *r = rate_get(c->t, "harry", 1024 * 1024, 0);
	int i;

	for (i = 0; i < 1000; i++)
		c->waited = rate_charge(r, RATE_DOWN, 1024);
	rate_put(c->t, r);
	return NULL;
}

START_TEST(test_threads)
{
	struct rate_table *t = rate_table_new();
	struct charger c[4];
	pthread_t th[4];
	struct rate *held;
	int i;
	double most = 0;

	/* Held here, the record outlives each thread's reference. */
	held = rate_get(t, "harry", 1024 * 1024, 0);
	for (i = 0; i < 4; i++) {
		c[i] = (struct charger){ .t = t };
		ck_assert_int_eq(pthread_create(&th[i], NULL, charge_many,
		    &c[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		if (c[i].waited > most)
			most = c[i].waited;
	}
	/* 4000 KiB against 1 MiB/s and 128 KiB of burst: the last waits ~3.8 s. */
	ck_assert_msg(most > 3.5 && most <= (4000.0 - 128) / 1024 + 0.01,
	    "last wait %f", most);
	rate_put(t, held);
	rate_table_free(t);
}
END_TEST

static Suite *
rate_suite(void)
{
	Suite *s = suite_create("rate");
	TCase *tc;

	tc = tcase_create("bucket");
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_steady);
	tcase_add_test(tc, test_unlimited_and_clock);
	suite_add_tcase(s, tc);
	tc = tcase_create("records");
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
