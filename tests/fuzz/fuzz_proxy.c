/*
 * fuzz_proxy: the PROXY protocol parser (proto/proxy.c) on the first bytes
 * of a connection. Checks that an accepted header is no longer than the
 * input or than its version allows, carries IPv4 or IPv6 addresses, is
 * read the same from exactly its own bytes (the parser never reads past
 * it), and that its beginnings ask for more; and that PROXY_MAX bytes
 * always decide.
 */
#include "config.h"

#include <sys/socket.h>

#include "proto/proxy.h"
#include "tests/fuzz/fuzz.h"

static int
family_ok(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET || sa->ss_family == AF_INET6;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header h, again;
	enum proxy_result r;
	uint8_t *copy;

	/* An exact copy, so that ASan sees any read past the end. */
	copy = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(copy != NULL);
	if (size > 0)
		memcpy(copy, data, size);
	r = proxy_parse(size > 0 ? copy : NULL, size, &h);
	FUZZ_CHECK(r >= PROXY_INVALID && r <= PROXY_LOCAL);
	if (r == PROXY_NEED_MORE)
		FUZZ_CHECK(size < PROXY_MAX);
	if (r == PROXY_DONE || r == PROXY_LOCAL) {
		FUZZ_CHECK(h.len > 0 && h.len <= size);
		FUZZ_CHECK(h.version == 1 || h.version == 2);
		FUZZ_CHECK(h.version != 1 || h.len <= PROXY_V1_MAX);
		FUZZ_CHECK(h.version != 2 || h.len <= PROXY_V2_MAX);
		if (r == PROXY_DONE)
			FUZZ_CHECK(family_ok(&h.src) &&
			    h.src.ss_family == h.dst.ss_family);
		FUZZ_CHECK(proxy_parse(copy, h.len, &again) == r);
		FUZZ_CHECK(again.len == h.len && again.version == h.version);
		FUZZ_CHECK(proxy_parse(copy, h.len - 1, &again) ==
		    PROXY_NEED_MORE);
		FUZZ_CHECK(proxy_parse(copy, h.len / 2, &again) ==
		    PROXY_NEED_MORE);
	}
	free(copy);
	return 0;
}
