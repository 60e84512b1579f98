/*
 * resume: the fresh / resume / skip / overwrite decision and the check
 * after a transfer, from sizes and checksums alone.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <strings.h>

#include "tui/resume.h"

static int
known(const char *hash)
{
	return hash != NULL && hash[0] != '\0';
}

/* 1 equal, 0 different, -1 when one of them is unknown. */
static int
hash_cmp(const char *a, const char *b)
{
	if (!known(a) || !known(b))
		return -1;
	return strcasecmp(a, b) == 0;
}

enum xfer_decision
resume_decide(const struct xfer_side *src, const struct xfer_side *dst,
    unsigned flags, uint64_t *offset)
{
	int same;

	if (offset != NULL)
		*offset = 0;
	if (!dst->exists)
		return XFER_DECIDE_FRESH;
	if (!src->have_size || !dst->have_size)
		return XFER_DECIDE_OVERWRITE;
	if (dst->size < src->size) {
		if (dst->size == 0 || !(flags & RESUME_ALLOW))
			return XFER_DECIDE_OVERWRITE;
		if (offset != NULL)
			*offset = dst->size;
		return XFER_DECIDE_RESUME;
	}
	if (dst->size > src->size)
		return XFER_DECIDE_OVERWRITE;
	same = hash_cmp(src->hash, dst->hash);
	if (same == 1)
		return XFER_DECIDE_SKIP;
	if (same == 0)
		return XFER_DECIDE_OVERWRITE;
	return (flags & RESUME_SKIP_SIZE_ONLY) ? XFER_DECIDE_SKIP :
	    XFER_DECIDE_OVERWRITE;
}

int
resume_prefix_ok(const char *src_prefix, const char *dst_hash)
{
	return hash_cmp(src_prefix, dst_hash) != 0;
}

enum xfer_verdict
resume_verify(const struct xfer_side *src, const struct xfer_side *dst,
    char *err, size_t errlen)
{
	int sizes = src->have_size && dst->have_size;
	int same;

	if (errlen > 0)
		err[0] = '\0';
	if (sizes && src->size != dst->size) {
		if (errlen > 0)
			snprintf(err, errlen, "size mismatch: source %" PRIu64
			    " bytes, target %" PRIu64 " bytes", src->size,
			    dst->size);
		return XFER_VERIFY_MISMATCH;
	}
	same = hash_cmp(src->hash, dst->hash);
	if (same == 0) {
		if (errlen > 0)
			snprintf(err, errlen, "checksum mismatch");
		return XFER_VERIFY_MISMATCH;
	}
	if (same == 1)
		return XFER_VERIFY_HASH;
	return sizes ? XFER_VERIFY_SIZE : XFER_VERIFY_NONE;
}
