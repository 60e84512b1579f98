/*
 * fuzz_trust: the known_hosts file (tui/trust.c). The input's first line
 * is "HOST PORT FINGERPRINT" (bytes a URL's host and a fingerprint can
 * hold; other inputs are skipped), the rest is the file. Checks that
 * looking up never fails on what the file holds, that pinning an unknown
 * host makes the next look-up match and trust_line() find it, that a
 * listed host is left alone, and that the changed-certificate message
 * fits its buffer.
 */
#include "config.h"

#include <ctype.h>

#include "tui/trust.h"
#include "tests/fuzz/fuzz.h"

static int
only(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char file[128], old[128], old2[128], err[128], msg[200];
	char *in, *nl, *host, *portstr, *fp, *save;
	const uint8_t *body;
	enum trust_result r1, r2, r3;
	long port;
	int line;

	if (size > 8192)
		return 0;
	in = fuzz_string(data, size);
	if ((nl = strchr(in, '\n')) == NULL)
		goto done;
	*nl = '\0';
	body = data + (nl + 1 - in);
	if ((host = strtok_r(in, " ", &save)) == NULL ||
	    (portstr = strtok_r(NULL, " ", &save)) == NULL ||
	    (fp = strtok_r(NULL, " ", &save)) == NULL ||
	    strtok_r(NULL, " ", &save) != NULL ||
	    !only(host, "-._:") || !only(portstr, "") || !only(fp, ":") ||
	    strlen(portstr) > 5 || (port = strtol(portstr, NULL, 10)) < 1 ||
	    port > 65535 || strlen(fp) >= sizeof(old))
		goto done;
	snprintf(file, sizeof(file), "%s/known_hosts", fuzz_tmpdir());
	fuzz_write_file(file, body, size - (size_t)(body - data));

	old[0] = '\0';
	r1 = trust_check(file, host, (int)port, fp, 0, old, sizeof(old), err,
	    sizeof(err));
	FUZZ_CHECK(r1 == TRUST_MATCH || r1 == TRUST_UNKNOWN ||
	    r1 == TRUST_CHANGED);
	line = trust_line(file, host, (int)port);
	FUZZ_CHECK((line > 0) == (r1 != TRUST_UNKNOWN));
	if (r1 == TRUST_CHANGED)
		FUZZ_CHECK(old[0] != '\0' && strcasecmp(old, fp) != 0);

	old2[0] = '\0';
	r2 = trust_check(file, host, (int)port, fp, 1, old2, sizeof(old2), err,
	    sizeof(err));
	FUZZ_CHECK(r2 == (r1 == TRUST_UNKNOWN ? TRUST_ADDED : r1));
	if (r1 == TRUST_CHANGED)
		FUZZ_CHECK(strcmp(old, old2) == 0);
	r3 = trust_check(file, host, (int)port, fp, 0, NULL, 0, err,
	    sizeof(err));
	FUZZ_CHECK(r3 == (r1 == TRUST_UNKNOWN ? TRUST_MATCH : r1));
	FUZZ_CHECK(trust_line(file, host, (int)port) > 0);

	trust_changed_message(host, file, line, old[0] ? old : fp, fp, msg,
	    sizeof(msg));
	FUZZ_CHECK(strlen(msg) < sizeof(msg));
	trust_changed_message(host, file, line, fp, fp, msg, 16);
	FUZZ_CHECK(strlen(msg) < 16);
done:
	free(in);
	return 0;
}
