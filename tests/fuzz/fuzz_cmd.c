/*
 * fuzz_cmd: a control line as the server reads it (proto/cmd.c): Telnet
 * stripping, then the split into verb and argument; and the client's
 * quoting of IAC. Checks that stripping never grows the line and is
 * undone by nothing but itself (quote then strip gives the line back),
 * that a verb is 1..CMD_VERB_MAX upper-case ASCII letters, and that the
 * argument lies inside the line.
 */
#include "config.h"

#include "proto/cmd.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *verb, *arg, *quoted, *back;
	size_t n, qlen, i;
	int q;

	if (size > CMD_LINE_MAX)
		return 0;
	line = fuzz_string(data, size);
	n = cmd_telnet_strip(line, size);
	FUZZ_CHECK(n <= size && line[n] == '\0');

	/* Quoting the stripped line (up to a NUL) and stripping it again
	 * gives it back; quoting fails only for want of room. */
	n = strlen(line);
	qlen = 2 * n + 1;
	quoted = malloc(qlen);
	FUZZ_CHECK(quoted != NULL);
	q = cmd_telnet_quote(line, quoted, qlen);
	FUZZ_CHECK(q >= 0 && (size_t)q < qlen && quoted[q] == '\0');
	back = fuzz_string((const uint8_t *)quoted, (size_t)q);
	FUZZ_CHECK(cmd_telnet_strip(back, (size_t)q) == n);
	FUZZ_CHECK(memcmp(back, line, n) == 0);
	if (n > 0)
		FUZZ_CHECK(cmd_telnet_quote(line, quoted, (size_t)q) == -1);
	free(back);
	free(quoted);

	if (cmd_split(line, &verb, &arg) == 0) {
		n = strlen(verb);
		FUZZ_CHECK(verb == line && n >= 1 && n <= CMD_VERB_MAX);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(verb[i] >= 'A' && verb[i] <= 'Z');
		FUZZ_CHECK(arg == NULL || (arg == line + n + 1 &&
		    arg <= line + size));
	}
	free(line);
	return 0;
}
