/*
 * reply: formatting and recognising FTP replies.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "proto/reply.h"

/*
 * Appends the bytes of s[0..n) to buf at *pos; with text set, drops CR and
 * NUL so that a name from the client cannot end a reply line early, and
 * doubles the Telnet IAC byte 0xFF (RFC 959 section 4.2, RFC 2640), as
 * the client doubles it in its commands.
 */
static int
put(char *buf, size_t len, size_t *pos, const char *s, size_t n, int text)
{
	size_t i, iac;

	for (i = 0; i < n; i++) {
		if (text && (s[i] == '\r' || s[i] == '\0'))
			continue;
		iac = text && (unsigned char)s[i] == 0xff;
		if (*pos + 1 + iac >= len)
			return -1;
		if (iac)
			buf[(*pos)++] = s[i];
		buf[(*pos)++] = s[i];
	}
	buf[*pos] = '\0';
	return 0;
}

int
reply_format(char *buf, size_t len, int code, const char *text)
{
	const char *line = text, *nl;
	char head[8];
	size_t pos = 0, n;
	int first = 1, last, rc = 0;

	if (len < 8)
		return -1;
	buf[0] = '\0';
	do {
		nl = strchr(line, '\n');
		last = nl == NULL || nl[1] == '\0';
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (first || last)
			snprintf(head, sizeof(head), "%03d%c", code,
			    last ? ' ' : '-');
		else if (isdigit((unsigned char)line[strspn(line, "\r")]))
			/* The first byte written: put() drops CRs. */
			snprintf(head, sizeof(head), " ");
		else
			head[0] = '\0';
		if (put(buf, len, &pos, head, strlen(head), 0) == -1 ||
		    put(buf, len, &pos, line, n, 1) == -1 ||
		    put(buf, len, &pos, "\r\n", 2, 0) == -1) {
			rc = -1;
			break;
		}
		first = 0;
		line = nl != NULL ? nl + 1 : NULL;
	} while (!last);
	if (rc == -1) {
		/* Fall back to the first line alone, cut to fit. */
		n = strcspn(text, "\r\n");
		if (n > len - 7)
			n = len - 7;
		snprintf(buf, len, "%03d %.*s\r\n", code, (int)n, text);
		return -1;
	}
	return (int)pos;
}

int
reply_parse_code(const char *line, int *more)
{
	if (!isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) ||
	    (line[3] != ' ' && line[3] != '-' && line[3] != '\0'))
		return -1;
	if (more != NULL)
		*more = line[3] == '-';
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

#define IAC	0xff
#define WILL	0xfb
#define DONT	0xfe
#define SE	0xf0	/* the lowest Telnet command byte */

size_t
reply_telnet_decode(char *line, size_t len)
{
	unsigned char *p = (unsigned char *)line;
	size_t i = 0, o = 0;

	while (i < len) {
		if (p[i] != IAC || i + 1 >= len || p[i + 1] < SE) {
			p[o++] = p[i++];
			continue;
		}
		if (p[i + 1] == IAC) {
			p[o++] = IAC;
			i += 2;
		} else if (p[i + 1] >= WILL && p[i + 1] <= DONT)
			i = i + 3 < len ? i + 3 : len;
		else
			i += 2;
	}
	p[o] = '\0';
	return o;
}
