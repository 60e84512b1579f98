/*
 * text: names made safe and short for the screen; see text.h.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "tui/text.h"

/*
 * The next character of s: *wc and its byte length, or '?' for one byte
 * that is no printable character. *cols gets its width.
 */
static size_t
next_char(const char *s, mbstate_t *st, wchar_t *wc, int *cols)
{
	size_t n = mbrtowc(wc, s, MB_CUR_MAX, st);
	int w;

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof(*st));
		*wc = L'?';
		*cols = 1;
		return 1;
	}
	w = wcwidth(*wc);
	if (w < 0 || iswcntrl((wint_t)*wc)) {
		*wc = L'?';
		w = 1;
	}
	*cols = w;
	return n;
}

int
text_fit(const char *s, int width, wchar_t *out, size_t len)
{
	mbstate_t st;
	wchar_t wc;
	size_t o = 0, n;
	int used = 0, cols, total = text_width(s);

	if (len == 0)
		return 0;
	memset(&st, 0, sizeof(st));
	while (*s != '\0' && o + 1 < len) {
		n = next_char(s, &st, &wc, &cols);
		if (total > width && used + cols > width - 1 && width >= 2) {
			out[o++] = L'~';
			used++;
			break;
		}
		if (used + cols > width)
			break;
		out[o++] = wc;
		used += cols;
		s += n;
	}
	out[o] = L'\0';
	return used;
}

size_t
text_row(const char *s, int width)
{
	mbstate_t st;
	wchar_t wc;
	size_t off = 0, n;
	int used = 0, cols;

	memset(&st, 0, sizeof(st));
	while (s[off] != '\0') {
		n = next_char(s + off, &st, &wc, &cols);
		if (used + cols > width && off > 0)
			break;
		used += cols;
		off += n;
	}
	return off;
}

int
text_rows(const char *s, int width)
{
	int rows = 1;
	size_t n;

	while (*s != '\0' && (n = text_row(s, width)) > 0 && s[n] != '\0') {
		s += n;
		rows++;
	}
	return rows;
}

#define MIDDLE_MAX	1024	/* characters a middle cut looks at */

int
text_fit_middle(const char *s, int width, wchar_t *out, size_t len)
{
	wchar_t wc[MIDDLE_MAX];
	int cw[MIDDLE_MAX], used = 0, tailw, headw, w;
	size_t n = 0, i, o = 0, tail;
	mbstate_t st;
	const char *p = s;

	if (width < 4 || len == 0 || text_width(s) <= width)
		return text_fit(s, width, out, len);
	memset(&st, 0, sizeof(st));
	while (*p != '\0' && n < MIDDLE_MAX) {
		p += next_char(p, &st, &wc[n], &cw[n]);
		n++;
	}
	tailw = (width - 1) / 2;
	headw = width - 1 - tailw;
	/* The end: the longest run of whole characters within tailw. */
	for (tail = n, w = 0; tail > 0 && w + cw[tail - 1] <= tailw; tail--)
		w += cw[tail - 1];
	headw += tailw - w;	/* what the end left over */
	for (i = 0; i < tail && o + 1 < len && used + cw[i] <= headw; i++) {
		out[o++] = wc[i];
		used += cw[i];
	}
	if (o + 1 < len) {
		out[o++] = L'~';
		used++;
	}
	for (i = tail; i < n && o + 1 < len; i++) {
		out[o++] = wc[i];
		used += cw[i];
	}
	out[o] = L'\0';
	return used;
}

int
text_width(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	int w = 0, cols;

	memset(&st, 0, sizeof(st));
	while (*s != '\0' && w < INT_MAX - 2) {
		s += next_char(s, &st, &wc, &cols);
		w += cols;
	}
	return w;
}

int
text_backspace(char *buf)
{
	size_t n = strlen(buf), start;
	mbstate_t st;

	if (n == 0)
		return 0;
	/* Step back over UTF-8 continuation bytes to a lead byte, and keep
	 * it only if it really starts the whole tail. */
	start = n - 1;
	while (start > 0 && n - start < 4 &&
	    ((unsigned char)buf[start] & 0xc0) == 0x80)
		start--;
	memset(&st, 0, sizeof(st));
	if (mbrtowc(NULL, buf + start, n - start, &st) != n - start)
		start = n - 1;
	buf[start] = '\0';
	return 1;
}

int
text_append(char *buf, size_t len, wchar_t wc)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n, have = strlen(buf);

	memset(&st, 0, sizeof(st));
	if ((n = wcrtomb(mb, wc, &st)) == (size_t)-1 || n == 0 ||
	    have + n + 1 > len)
		return -1;
	memcpy(buf + have, mb, n);
	buf[have + n] = '\0';
	return 0;
}
