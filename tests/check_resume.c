/*
 * check_resume: unit tests for tui/resume.c, the fresh / resume / skip /
 * overwrite decision and the check after a transfer, one test case per
 * case of the rules in tui/resume.h.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tui/resume.h"

#define H_A	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define H_A_UP	"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
#define H_B	"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static struct xfer_side
side(int exists, uint64_t size, const char *hash)
{
	struct xfer_side s;

	memset(&s, 0, sizeof(s));
	s.exists = exists;
	s.have_size = 1;
	s.size = size;
	s.hash = hash;
	return s;
}

#define ALL	(RESUME_ALLOW | RESUME_SKIP_SIZE_ONLY)

/* ---------------------------------------------------------------- decide */

START_TEST(test_fresh)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(0, 0, NULL);
	uint64_t off = 99;

	ck_assert_int_eq(resume_decide(&src, &dst, ALL, &off),
	    XFER_DECIDE_FRESH);
	ck_assert_uint_eq(off, 0);
	/* a missing target's other fields are not looked at */
	dst = side(0, 500, H_B);
	ck_assert_int_eq(resume_decide(&src, &dst, 0, &off),
	    XFER_DECIDE_FRESH);
	src.have_size = 0;
	ck_assert_int_eq(resume_decide(&src, &dst, 0, NULL),
	    XFER_DECIDE_FRESH);
}
END_TEST

START_TEST(test_resume_shorter)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 40, NULL);
	uint64_t off = 0;

	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_ALLOW, &off),
	    XFER_DECIDE_RESUME);
	ck_assert_uint_eq(off, 40);
	/* whole-file checksums necessarily differ: no bearing */
	src.hash = H_A;
	dst.hash = H_B;
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, &off),
	    XFER_DECIDE_RESUME);
	ck_assert_uint_eq(off, 40);
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_RESUME);
}
END_TEST

START_TEST(test_resume_large_offset)
{
	struct xfer_side src = side(1, UINT64_MAX, NULL),
	    dst = side(1, UINT64_MAX - 1, NULL);
	uint64_t off = 0;

	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_ALLOW, &off),
	    XFER_DECIDE_RESUME);
	ck_assert_uint_eq(off, UINT64_MAX - 1);
}
END_TEST

START_TEST(test_resume_not_allowed)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 40, NULL);
	uint64_t off = 7;

	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_SKIP_SIZE_ONLY,
	    &off), XFER_DECIDE_OVERWRITE);
	ck_assert_uint_eq(off, 0);
}
END_TEST

START_TEST(test_empty_target)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 0, NULL);
	uint64_t off = 7;

	ck_assert_int_eq(resume_decide(&src, &dst, ALL, &off),
	    XFER_DECIDE_OVERWRITE);
	ck_assert_uint_eq(off, 0);
}
END_TEST

START_TEST(test_both_empty)
{
	struct xfer_side src = side(1, 0, NULL), dst = side(1, 0, NULL);

	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_SKIP);
	ck_assert_int_eq(resume_decide(&src, &dst, 0, NULL),
	    XFER_DECIDE_OVERWRITE);
}
END_TEST

START_TEST(test_skip_same_hash)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, H_A_UP);
	uint64_t off = 7;

	/* equal checksums skip even without RESUME_SKIP_SIZE_ONLY */
	ck_assert_int_eq(resume_decide(&src, &dst, 0, &off),
	    XFER_DECIDE_SKIP);
	ck_assert_uint_eq(off, 0);
}
END_TEST

START_TEST(test_overwrite_other_hash)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, H_B);

	/* a checksum beats the size-only flag */
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_OVERWRITE);
}
END_TEST

START_TEST(test_same_size_no_hash)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 100, NULL);

	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_SKIP_SIZE_ONLY,
	    NULL), XFER_DECIDE_SKIP);
	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_ALLOW, NULL),
	    XFER_DECIDE_OVERWRITE);
}
END_TEST

START_TEST(test_same_size_one_hash)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, NULL);

	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_SKIP_SIZE_ONLY,
	    NULL), XFER_DECIDE_SKIP);
	ck_assert_int_eq(resume_decide(&src, &dst, 0, NULL),
	    XFER_DECIDE_OVERWRITE);
	/* "" is as unknown as NULL */
	dst.hash = "";
	ck_assert_int_eq(resume_decide(&src, &dst, 0, NULL),
	    XFER_DECIDE_OVERWRITE);
	src.hash = NULL;
	dst.hash = H_A;
	ck_assert_int_eq(resume_decide(&src, &dst, RESUME_SKIP_SIZE_ONLY,
	    NULL), XFER_DECIDE_SKIP);
}
END_TEST

START_TEST(test_target_larger)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 101, NULL);
	uint64_t off = 7;

	ck_assert_int_eq(resume_decide(&src, &dst, ALL, &off),
	    XFER_DECIDE_OVERWRITE);
	ck_assert_uint_eq(off, 0);
	src = side(1, 0, NULL);
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_OVERWRITE);
}
END_TEST

START_TEST(test_size_unknown)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 40, H_A);

	src.have_size = 0;
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_OVERWRITE);
	src.have_size = 1;
	dst.have_size = 0;
	ck_assert_int_eq(resume_decide(&src, &dst, ALL, NULL),
	    XFER_DECIDE_OVERWRITE);
}
END_TEST

START_TEST(test_prefix)
{
	ck_assert_int_eq(resume_prefix_ok(H_A, H_A), 1);
	ck_assert_int_eq(resume_prefix_ok(H_A, H_A_UP), 1);
	ck_assert_int_eq(resume_prefix_ok(H_A, H_B), 0);
	/* no way to check: the sizes are trusted */
	ck_assert_int_eq(resume_prefix_ok(NULL, H_B), 1);
	ck_assert_int_eq(resume_prefix_ok(H_A, NULL), 1);
	ck_assert_int_eq(resume_prefix_ok("", H_B), 1);
	ck_assert_int_eq(resume_prefix_ok(NULL, NULL), 1);
}
END_TEST

/* ---------------------------------------------------------------- verify */

START_TEST(test_verify_hash)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, H_A_UP);
	char err[128] = "junk";

	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_HASH);
	ck_assert_str_eq(err, "");
	/* a size unknown on one side: the checksums decide */
	dst.have_size = 0;
	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_HASH);
}
END_TEST

START_TEST(test_verify_size_only)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, NULL);
	char err[128];

	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_SIZE);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_verify_nothing)
{
	struct xfer_side src = side(1, 100, NULL), dst = side(1, 5, NULL);
	char err[128];

	src.have_size = 0;
	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_NONE);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_verify_size_mismatch)
{
	struct xfer_side src = side(1, 1234, H_A), dst = side(1, 1200, H_A);
	char err[128];

	/* equal checksums cannot excuse a size difference */
	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_MISMATCH);
	ck_assert_str_eq(err, "size mismatch: source 1234 bytes, target 1200 "
	    "bytes");
}
END_TEST

START_TEST(test_verify_hash_mismatch)
{
	struct xfer_side src = side(1, 100, H_A), dst = side(1, 100, H_B);
	char err[128];

	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_MISMATCH);
	ck_assert_str_eq(err, "checksum mismatch");
	dst.have_size = 0;
	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_MISMATCH);
}
END_TEST

START_TEST(test_verify_small_err)
{
	struct xfer_side src = side(1, 1234, NULL), dst = side(1, 1, NULL);
	char err[6];

	ck_assert_int_eq(resume_verify(&src, &dst, err, sizeof(err)),
	    XFER_VERIFY_MISMATCH);
	ck_assert_str_eq(err, "size ");
	ck_assert_int_eq(resume_verify(&src, &dst, NULL, 0),
	    XFER_VERIFY_MISMATCH);
}
END_TEST

static Suite *
resume_suite(void)
{
	Suite *s = suite_create("resume");
	const struct {
		const char	*name;
		const TTest	*test;
	} cases[] = {
		{ "fresh", test_fresh },
		{ "resume_shorter", test_resume_shorter },
		{ "resume_large_offset", test_resume_large_offset },
		{ "resume_not_allowed", test_resume_not_allowed },
		{ "empty_target", test_empty_target },
		{ "both_empty", test_both_empty },
		{ "skip_same_hash", test_skip_same_hash },
		{ "overwrite_other_hash", test_overwrite_other_hash },
		{ "same_size_no_hash", test_same_size_no_hash },
		{ "same_size_one_hash", test_same_size_one_hash },
		{ "target_larger", test_target_larger },
		{ "size_unknown", test_size_unknown },
		{ "prefix", test_prefix },
		{ "verify_hash", test_verify_hash },
		{ "verify_size_only", test_verify_size_only },
		{ "verify_nothing", test_verify_nothing },
		{ "verify_size_mismatch", test_verify_size_mismatch },
		{ "verify_hash_mismatch", test_verify_hash_mismatch },
		{ "verify_small_err", test_verify_small_err },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_test(tc, cases[i].test);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(resume_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
