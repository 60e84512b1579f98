/*
 * check_verify: the login password checks. A right password is remembered
 * and its next check answers from memory; a wrong one, a changed stored
 * hash, another user or a forget all go back to PBKDF2; at most `parallel`
 * checks run at once, and they start in arrival order.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "srv/auth.h"
#include "srv/verify.h"

static char hash_a[AUTH_ENCODED_MAX], hash_b[AUTH_ENCODED_MAX];

static void
setup(void)
{
	ck_assert_int_eq(auth_hash("right", AUTH_MIN_ITERATIONS, hash_a,
	    sizeof(hash_a)), 0);
	ck_assert_int_eq(auth_hash("other", AUTH_MIN_ITERATIONS, hash_b,
	    sizeof(hash_b)), 0);
}

START_TEST(test_remembers_success_only)
{
	struct verifier *v = verifier_new(2, 64);
	int cached = -1;

	ck_assert_ptr_nonnull(v);
	/* A failure never enters. */
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "wrong", &cached), 0);
	ck_assert_int_eq(cached, 0);
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "wrong", &cached), 0);
	ck_assert_int_eq(cached, 0);
	/* The first success is computed, the second remembered. */
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 0);
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 1);
	/* A wrong password beside a remembered right one: computed, refused. */
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "righ", &cached), 0);
	ck_assert_int_eq(cached, 0);
	/* Another user with the same hash and password is not harry. */
	ck_assert_int_eq(verifier_check(v, "beal", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 0);
	/* A changed stored hash (a new password) misses. */
	ck_assert_int_eq(verifier_check(v, "harry", hash_b, "right", &cached), 0);
	ck_assert_int_eq(verifier_check(v, "harry", hash_b, "other", &cached), 1);
	ck_assert_int_eq(cached, 0);
	ck_assert_int_eq(verifier_check(v, "harry", hash_b, "other", &cached), 1);
	ck_assert_int_eq(cached, 1);
	/* The old hash's entry was replaced: the old password is computed. */
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 0);
	/* A reload forgets. */
	verifier_forget(v);
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 0);
	verifier_free(v);
}
END_TEST

START_TEST(test_no_slots_remembers_nothing)
{
	struct verifier *v = verifier_new(1, 0);
	int cached = -1;

	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(verifier_check(v, "harry", hash_a, "right", &cached), 1);
	ck_assert_int_eq(cached, 0);
	ck_assert_int_eq(verifier_check(v, "harry", "not a hash", "x", NULL), 0);
	ck_assert_int_eq(verifier_dummy(v, hash_a, "right"), 0);
	ck_assert_int_eq(verifier_dummy(v, NULL, "right"), 0);
	verifier_free(v);
}
END_TEST

#define NTHREADS	8

static struct verifier *gated;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int running, most, order[NTHREADS], norder;

static void *
one_place(void *arg)
{
	verifier_enter(gated);
	pthread_mutex_lock(&seen_lock);
	if (++running > most)
		most = running;
	order[norder++] = (int)(size_t)arg;
	pthread_mutex_unlock(&seen_lock);
	usleep(2000);
	pthread_mutex_lock(&seen_lock);
	running--;
	pthread_mutex_unlock(&seen_lock);
	verifier_leave(gated);
	return NULL;
}

/*
 * The caller holds every place while the threads arrive one by one, then
 * lets them go: they must go in in arrival order, never more than
 * parallel at once.
 */
static void
gate_run(unsigned parallel)
{
	pthread_t t[NTHREADS];
	unsigned i;

	gated = verifier_new(parallel, 0);
	running = most = norder = 0;
	for (i = 0; i < parallel; i++)
		verifier_enter(gated);
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, one_place,
		    (void *)(size_t)i), 0);
		usleep(30000);	/* it has taken its ticket by now */
	}
	for (i = 0; i < parallel; i++)
		verifier_leave(gated);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(norder, NTHREADS);
	ck_assert_int_le(most, (int)parallel);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_msg(order[i] == (int)i || parallel > 1,
		    "place %u went to thread %d", i, order[i]);
	/* With two places, no thread gets in more than one place early. */
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_le(abs(order[i] - (int)i), (int)parallel - 1);
	verifier_free(gated);
}

START_TEST(test_gate_one_place)
{
	gate_run(1);
}
END_TEST

START_TEST(test_gate_two_places)
{
	gate_run(2);
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_remembers_success_only);
	tcase_add_test(tc, test_no_slots_remembers_nothing);
	tcase_add_test(tc, test_gate_one_place);
	tcase_add_test(tc, test_gate_two_places);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(verify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
