/*
 * cmd: control lines to verb and argument.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "proto/cmd.h"

#define IAC	255
#define WILL	251
#define DONT	254

size_t
cmd_telnet_strip(char *line, size_t len)
{
	unsigned char *p = (unsigned char *)line;
	size_t i = 0, o = 0;

	while (i < len) {
		if (p[i] != IAC) {
			p[o++] = p[i++];
			continue;
		}
		if (i + 1 >= len) {
			i++;
			continue;
		}
		if (p[i + 1] == IAC) {
			p[o++] = IAC;
			i += 2;
		} else if (p[i + 1] >= WILL && p[i + 1] <= DONT)
			i += 3;
		else
			i += 2;
	}
	if (o > len)
		o = len;
	p[o] = '\0';
	return o;
}

int
cmd_telnet_quote(const char *line, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t o = 0;

	for (; *p != '\0'; p++) {
		if (o + (*p == IAC ? 2 : 1) >= len)
			return -1;
		out[o++] = (char)*p;
		if (*p == IAC)
			out[o++] = (char)IAC;
	}
	if (len == 0)
		return -1;
	out[o] = '\0';
	return (int)o;
}

int
cmd_split(char *line, char **verb, char **arg)
{
	size_t n = 0;
	char *p = line;

	while (isalpha((unsigned char)p[n]) && (p[n] & 0x80) == 0)
		n++;
	if (n == 0 || n > CMD_VERB_MAX || (p[n] != '\0' && p[n] != ' '))
		return -1;
	for (size_t i = 0; i < n; i++)
		p[i] = (char)toupper((unsigned char)p[i]);
	*verb = line;
	if (p[n] == '\0') {
		*arg = NULL;
		return 0;
	}
	p[n] = '\0';
	*arg = p + n + 1;
	return 0;
}
