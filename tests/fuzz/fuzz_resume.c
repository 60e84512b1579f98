/*
 * fuzz_resume: the resume decision and the check of a finished transfer
 * (tui/resume.c). The input's first 18 bytes give the flags, which sides
 * exist and know their size, and the two sizes; the rest is the two
 * checksums, "SRC\nDST" (a missing one is NULL). Checks the properties
 * the header states: FRESH exactly when there is no target, an offset
 * only for RESUME and then the target's size, strictly inside the
 * source and only when allowed; SKIP only for equal sizes and never
 * against two different checksums; a verdict that agrees with the
 * decision (what is skipped verifies), a reason exactly for a mismatch.
 */
#include "config.h"

#include <strings.h>

#include "tui/resume.h"
#include "tests/fuzz/fuzz.h"

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int
known(const char *h)
{
	return h != NULL && h[0] != '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xfer_side src, dst;
	enum xfer_decision d;
	enum xfer_verdict v;
	char *rest, *nl, err[64], small[8];
	uint64_t offset = 12345;
	unsigned flags;
	int both, differ;

	if (size < 18 || size > 1024)
		return 0;
	flags = data[0] & 3;
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.exists = 1;
	dst.exists = data[1] & 1;
	src.have_size = (data[1] >> 1) & 1;
	dst.have_size = (data[1] >> 2) & 1;
	/* Small sizes often, so that equal ones come up. */
	src.size = (data[1] & 0x80) ? get64(data + 2) : data[2] % 4;
	dst.size = (data[1] & 0x40) ? get64(data + 10) : data[10] % 4;
	rest = fuzz_string(data + 18, size - 18);
	nl = strchr(rest, '\n');
	if (nl != NULL)
		*nl = '\0';
	src.hash = (data[1] & 0x08) ? NULL : rest;
	dst.hash = (data[1] & 0x10) || nl == NULL ? NULL : nl + 1;
	both = known(src.hash) && known(dst.hash);
	differ = both && strcasecmp(src.hash, dst.hash) != 0;

	d = resume_decide(&src, &dst, flags, &offset);
	FUZZ_CHECK(d >= XFER_DECIDE_FRESH && d <= XFER_DECIDE_OVERWRITE);
	FUZZ_CHECK((d == XFER_DECIDE_FRESH) == !dst.exists);
	FUZZ_CHECK(resume_decide(&src, &dst, flags, NULL) == d);
	if (d == XFER_DECIDE_RESUME) {
		FUZZ_CHECK(flags & RESUME_ALLOW);
		FUZZ_CHECK(src.have_size && dst.have_size);
		FUZZ_CHECK(offset == dst.size && offset > 0 &&
		    offset < src.size);
	} else
		FUZZ_CHECK(offset == 0);
	if (d == XFER_DECIDE_SKIP) {
		FUZZ_CHECK(src.have_size && dst.have_size &&
		    src.size == dst.size && !differ);
		FUZZ_CHECK(both || (flags & RESUME_SKIP_SIZE_ONLY));
	}

	v = resume_verify(&src, &dst, err, sizeof(err));
	FUZZ_CHECK(v >= XFER_VERIFY_MISMATCH && v <= XFER_VERIFY_NONE);
	FUZZ_CHECK(strlen(err) < sizeof(err));
	FUZZ_CHECK((v == XFER_VERIFY_MISMATCH) == (err[0] != '\0'));
	if (d == XFER_DECIDE_SKIP)
		FUZZ_CHECK(v == XFER_VERIFY_HASH || v == XFER_VERIFY_SIZE);
	FUZZ_CHECK((v == XFER_VERIFY_HASH) == (both && !differ &&
	    v != XFER_VERIFY_MISMATCH));
	FUZZ_CHECK(resume_verify(&src, &dst, small, sizeof(small)) == v);
	FUZZ_CHECK(strlen(small) < sizeof(small));
	FUZZ_CHECK(resume_verify(&src, &dst, NULL, 0) == v);

	FUZZ_CHECK(resume_prefix_ok(src.hash, dst.hash) == !differ);
	free(rest);
	return 0;
}
