/*
 * resume: what to do with a transfer whose target may already exist, and
 * whether a finished transfer arrived whole. Pure decisions over sizes and
 * checksums the caller has gathered (SIZE and HASH from the server, stat()
 * and hash_fd_range() locally); nothing here does I/O. The same rules serve
 * downloads (source remote, target local) and uploads (the reverse).
 *
 * Checksums are lowercase or uppercase hex strings of one algorithm; the
 * caller makes sure both sides used the same one. NULL or "" means "not
 * known" (the server has no HASH, or the file was not hashed).
 */
#ifndef BURROW_RESUME_H
#define BURROW_RESUME_H

#include <stddef.h>
#include <stdint.h>

/* One side of a transfer as far as it is known. */
struct xfer_side {
	int		 exists;	/* target only: it is there */
	int		 have_size;	/* size is known */
	uint64_t	 size;
	const char	*hash;		/* whole-file checksum, or NULL */
};

enum xfer_decision {
	XFER_DECIDE_FRESH,	/* no target: transfer it all */
	XFER_DECIDE_RESUME,	/* append from *offset (REST + RETR/STOR) */
	XFER_DECIDE_SKIP,	/* the target already is the source */
	XFER_DECIDE_OVERWRITE,	/* transfer it all over the target */
};

#define RESUME_ALLOW		0x01	/* a shorter target may be resumed */
#define RESUME_SKIP_SIZE_ONLY	0x02	/* equal sizes suffice to skip when
					   there are no two checksums */

/*
 * Decides, in this order:
 *   - target does not exist                          FRESH, offset 0;
 *   - a size unknown on either side                  OVERWRITE: nothing
 *     shows the target is a prefix or a copy of the source;
 *   - target empty (0 bytes, source not)             OVERWRITE: nothing to
 *     resume;
 *   - target shorter, RESUME_ALLOW set               RESUME at the target's
 *     size (then check the prefix with resume_prefix_ok());
 *   - target shorter, RESUME_ALLOW not set           OVERWRITE;
 *   - same size, both checksums known and equal      SKIP;
 *   - same size, both checksums known and different  OVERWRITE;
 *   - same size, a checksum missing,
 *     RESUME_SKIP_SIZE_ONLY set                      SKIP;
 *   - same size, a checksum missing, flag not set    OVERWRITE;
 *   - target larger                                  OVERWRITE: it is not
 *     a partial copy of this source.
 * offset (which may be NULL) is set to the resume offset, else 0.
 * Checksums are compared without regard to case.
 */
enum xfer_decision resume_decide(const struct xfer_side *src,
    const struct xfer_side *dst, unsigned flags, uint64_t *offset);

/*
 * The second step of a RESUME decision, for servers that offer HASH with
 * RANG: src_prefix is the source's checksum of its first N bytes, dst_hash
 * the target's whole checksum, N being the target's size. Returns 1 when
 * they are equal (the target is a true prefix: resume), 0 when they differ
 * (the caller should OVERWRITE instead), and 1 when either is unknown
 * (NULL or ""): without a way to check, the sizes are trusted.
 */
int resume_prefix_ok(const char *src_prefix, const char *dst_hash);

/* What resume_verify() could establish. */
enum xfer_verdict {
	XFER_VERIFY_MISMATCH = -1,	/* sizes or checksums differ */
	XFER_VERIFY_HASH = 0,		/* checksums equal (and sizes, where
					   both known) */
	XFER_VERIFY_SIZE = 1,		/* sizes equal, no two checksums */
	XFER_VERIFY_NONE = 2,		/* nothing to compare */
};

/*
 * Checks a finished transfer: src as it was, dst as it is now (exists is
 * not looked at). A known size on both sides must match, and so must a
 * checksum known on both sides. On XFER_VERIFY_MISMATCH a one-line reason
 * ("size mismatch: source 1234 bytes, target 1200 bytes", "checksum
 * mismatch") is written to err (errlen bytes, NUL-terminated when
 * errlen > 0); otherwise err is "".
 */
enum xfer_verdict resume_verify(const struct xfer_side *src,
    const struct xfer_side *dst, char *err, size_t errlen);

#endif
