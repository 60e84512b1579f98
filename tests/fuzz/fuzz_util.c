/*
 * fuzz_util: the bounded number parsers both programs share
 * (proto/util.c): parse_num() with bounds from the input's first byte,
 * parse_size(), format_size() of what was read, and parse_mode(). Checks
 * that a number lies within its bounds and reads back the same when
 * printed, that a size's text fits its buffer, and that a mode is at most
 * 07777 and reads back the same in octal.
 */
#include "config.h"

#include <limits.h>

#include "proto/util.h"
#include "tests/fuzz/fuzz.h"

static const long long bounds[][2] = {
	{ 0, LLONG_MAX }, { 1, 65535 }, { -5, 5 }, { LLONG_MIN, LLONG_MAX },
	{ 0, 255 }, { 1, 2 }, { -1000000, -1 }, { 0, 0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, again[32], human[16];
	const char *why;
	long long v, w, lo, hi;
	uint64_t sz;
	unsigned mode, mode2;
	size_t b;

	if (size < 1 || size > 256)
		return 0;
	b = data[0] % (sizeof(bounds) / sizeof(bounds[0]));
	lo = bounds[b][0];
	hi = bounds[b][1];
	s = fuzz_string(data + 1, size - 1);

	why = NULL;
	if (parse_num(s, lo, hi, &v, &why) == 0) {
		FUZZ_CHECK(v >= lo && v <= hi);
		snprintf(again, sizeof(again), "%lld", v);
		FUZZ_CHECK(parse_num(again, lo, hi, &w, NULL) == 0 && w == v);
	} else
		FUZZ_CHECK(why != NULL && why[0] != '\0');

	if (parse_size(s, &sz) == 0) {
		format_size(sz, human, sizeof(human));
		FUZZ_CHECK(strlen(human) < sizeof(human));
		format_size(sz, human, 4);
		FUZZ_CHECK(strlen(human) < 4);
	}

	if (parse_mode(s, &mode) == 0) {
		FUZZ_CHECK(mode <= 07777 && strlen(s) <= 4);
		snprintf(again, sizeof(again), "%o", mode);
		FUZZ_CHECK(parse_mode(again, &mode2) == 0 && mode2 == mode);
	}
	free(s);
	return 0;
}
