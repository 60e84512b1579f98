/*
 * fuzz_addr: the address forms of data connections (proto/addr.c): the
 * input, as a string, is given to PORT's and EPRT's argument parsers and
 * to the 227 and 229 reply parsers. Checks the families and ports they
 * give and the round trips: an address PORT or a 227 accepted, written
 * as PASV writes it, reads back the same; an EPRT address written back
 * in EPRT's form reads back the same.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "proto/addr.h"
#include "tests/fuzz/fuzz.h"

static void
check_v4_round_trip(const struct sockaddr_storage *sa)
{
	struct sockaddr_storage back;
	char text[64], reply[96], small[8];

	FUZZ_CHECK(sa->ss_family == AF_INET);
	FUZZ_CHECK(addr_format_pasv(sa, text, sizeof(text)) == 0);
	FUZZ_CHECK(addr_format_pasv(sa, small, sizeof(small)) == -1);
	memset(&back, 0xa5, sizeof(back));
	FUZZ_CHECK(addr_parse_port(text, &back) == 0);
	FUZZ_CHECK(addr_same_host(sa, &back) &&
	    addr_port(sa) == addr_port(&back));
	snprintf(reply, sizeof(reply), "Entering Passive Mode (%s).", text);
	FUZZ_CHECK(addr_parse_pasv_reply(reply, &back) == 0);
	FUZZ_CHECK(addr_same_host(sa, &back) &&
	    addr_port(sa) == addr_port(&back));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage sa, back;
	char *s, host[INET6_ADDRSTRLEN], text[128];
	int port, v6;

	if (size > 1024)
		return 0;
	s = fuzz_string(data, size);

	if (addr_parse_port(s, &sa) == 0)
		check_v4_round_trip(&sa);
	if (addr_parse_pasv_reply(s, &sa) == 0)
		check_v4_round_trip(&sa);
	port = addr_parse_epsv_reply(s);
	FUZZ_CHECK(port == -1 || (port >= 1 && port <= 65535));

	if (addr_parse_eprt(s, &sa) == 0) {
		v6 = sa.ss_family == AF_INET6;
		FUZZ_CHECK(v6 || sa.ss_family == AF_INET);
		port = addr_port(&sa);
		FUZZ_CHECK(port >= 1 && port <= 65535);
		FUZZ_CHECK(addr_same_host(&sa, &sa));
		FUZZ_CHECK(inet_ntop(sa.ss_family, v6 ?
		    (const void *)&((struct sockaddr_in6 *)&sa)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)&sa)->sin_addr,
		    host, sizeof(host)) != NULL);
		snprintf(text, sizeof(text), "|%d|%s|%d|", v6 ? 2 : 1, host,
		    port);
		FUZZ_CHECK(addr_parse_eprt(text, &back) == 0);
		FUZZ_CHECK(back.ss_family == sa.ss_family &&
		    addr_same_host(&sa, &back) && addr_port(&back) == port);
		addr_ntop(&sa, host, sizeof(host));
		FUZZ_CHECK(strlen(host) < sizeof(host));
	}
	free(s);
	return 0;
}
