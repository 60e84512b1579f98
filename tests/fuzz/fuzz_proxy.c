/*
 * fuzz_proxy: a libFuzzer target for the PROXY protocol parser. Not built
 * by make; build it by hand with clang:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Ibuild/normal \
 *       tests/fuzz_proxy.c proto/proxy.c -o fuzz_proxy
 *
 * Besides not crashing, a header it accepts is never longer than the
 * input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "proto/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header h;
	enum proxy_result r = proxy_parse(data, size, &h);

	if ((r == PROXY_DONE || r == PROXY_LOCAL) && h.len > size)
		abort();
	return 0;
}
