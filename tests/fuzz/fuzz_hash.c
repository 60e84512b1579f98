/*
 * fuzz_hash: the HASH extension's texts from the other side
 * (proto/hash.c): RANG's argument (hash_parse_range()), the 213 reply to
 * HASH (hash_parse_reply()) and an algorithm's name (hash_find()), all
 * given the input as a string. Checks that a range's offsets fit an off_t
 * and read back the same when written plainly, that a digest
 * is lowercase hex within its buffer, and that a name found is one of
 * the table's.
 */
#include "config.h"

#include <inttypes.h>
#include <strings.h>

#include "proto/hash.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, hex[HASH_HEX_MAX], again[64];
	const struct hash_alg *alg;
	uint64_t a, b, a2, b2;
	size_t hexlen, n;

	if (size > 4096)
		return 0;
	s = fuzz_string(data, size);

	if (hash_parse_range(s, &a, &b) == 0) {
		FUZZ_CHECK(a <= INT64_MAX && b <= INT64_MAX);
		snprintf(again, sizeof(again), "%" PRIu64 " %" PRIu64, a, b);
		FUZZ_CHECK(hash_parse_range(again, &a2, &b2) == 0 && a2 == a &&
		    b2 == b);
	}

	/* The buffer size comes from the first byte. */
	hexlen = size > 0 ? 1 + data[0] % HASH_HEX_MAX : HASH_HEX_MAX;
	memset(hex, '?', sizeof(hex));
	if (hash_parse_reply(s, hex, hexlen) == 0) {
		n = strnlen(hex, hexlen);
		FUZZ_CHECK(n >= 8 && n < hexlen);
		FUZZ_CHECK(strspn(hex, "0123456789abcdef") == n);
	} else
		FUZZ_CHECK(hex[0] == '?');

	if ((alg = hash_find(s)) != NULL) {
		FUZZ_CHECK(strcasecmp(alg->name, s) == 0);
		for (n = 0; hash_at(n) != NULL && hash_at(n) != alg; n++)
			continue;
		FUZZ_CHECK(hash_at(n) == alg);
	}
	free(s);
	return 0;
}
