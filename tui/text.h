/*
 * text: what a name from a listing becomes on the screen. Names are bytes
 * (UTF-8 or not) from a server or a disk: invalid sequences and control
 * characters are shown as '?', never sent to the terminal, and a name is
 * cut to the columns it may take, counting double-width characters as
 * two. Pure: it reads the locale's multibyte rules (LC_CTYPE), nothing
 * else.
 */
#ifndef BURROW_TEXT_H
#define BURROW_TEXT_H

#include <stddef.h>
#include <wchar.h>

/*
 * Writes into out (len wide characters, len >= 1) what s shows as in at
 * most width columns: each character that prints as itself, '?' for a
 * byte that does not start a valid character and for control and
 * unprintable ones, cut so that it fits, the last column a '~' when
 * something was cut (width >= 2). Returns the columns used.
 */
int	text_fit(const char *s, int width, wchar_t *out, size_t len);

/*
 * As text_fit(), but a name too wide is cut in its middle, so that its
 * end (an extension, a number) stays: "a-long-re~ort-v2.txt". The '~'
 * takes one column; the end keeps half of the rest. Below 4 columns it
 * cuts at the end as text_fit() does. Returns the columns used.
 */
int	text_fit_middle(const char *s, int width, wchar_t *out, size_t len);

/*
 * The bytes of s that fill one screen row of width columns (width >= 2),
 * as text_fit() shows them, for text broken into rows: the next row
 * starts that many bytes on. At least one character, and never a
 * character split in two. 0 only for an empty s.
 */
size_t	text_row(const char *s, int width);

/* The rows of width columns (>= 2) s takes, broken by text_row(); 1 for
 * an empty s. */
int	text_rows(const char *s, int width);

/* The columns s takes (as text_fit() would show it, uncut). */
int	text_width(const char *s);

/*
 * Removes the last character (a whole UTF-8 sequence, or one stray
 * byte) from the NUL-terminated buf. Returns 1, or 0 when buf is empty.
 */
int	text_backspace(char *buf);

/*
 * Appends the character wc, encoded in the locale's multibyte form, to
 * buf (len bytes with its NUL). Returns 0, or -1 when it does not fit or
 * cannot be encoded.
 */
int	text_append(char *buf, size_t len, wchar_t wc);

#endif
