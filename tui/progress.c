/*
 * progress: transfer figures as text; see progress.h.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "proto/util.h"
#include "tui/progress.h"

#define MIN_SPAN	0.05	/* seconds two samples must span for a rate */

void
progress_meter_init(struct progress_meter *m)
{
	memset(m, 0, sizeof(*m));
}

/* The i-th sample counting from the oldest. */
static size_t
slot(const struct progress_meter *m, size_t i)
{
	return (m->head + PROGRESS_SAMPLES - m->n + i) % PROGRESS_SAMPLES;
}

double
progress_meter_add(struct progress_meter *m, double now, uint64_t done)
{
	size_t newest, i, s;

	if (m->n > 0) {
		newest = slot(m, m->n - 1);
		if (done < m->bytes[newest] || now < m->t[newest])
			progress_meter_init(m);
	}
	m->t[m->head] = now;
	m->bytes[m->head] = done;
	m->head = (m->head + 1) % PROGRESS_SAMPLES;
	if (m->n < PROGRESS_SAMPLES)
		m->n++;
	/* The oldest sample inside the window (but never the newest). */
	for (i = 0; i + 1 < m->n; i++) {
		s = slot(m, i);
		if (now - m->t[s] <= PROGRESS_WINDOW)
			break;
	}
	if (i + 1 >= m->n)
		return 0;
	s = slot(m, i);
	if (now - m->t[s] < MIN_SPAN)
		return 0;
	return (double)(done - m->bytes[s]) / (now - m->t[s]);
}

double
progress_eta(uint64_t done, uint64_t total, double rate)
{
	if (total == 0 || done > total || !(rate > 0) || !isfinite(rate))
		return -1;
	return (double)(total - done) / rate;
}

int
progress_percent(uint64_t done, uint64_t total)
{
	if (total == 0)
		return 0;
	if (done >= total)
		return 100;
	/* done < total here, so done * 100 / total < 100; long double
	 * keeps it exact enough without overflowing. */
	return (int)((long double)done * 100 / (long double)total);
}

void
progress_bar(char *buf, size_t len, uint64_t done, uint64_t total)
{
	size_t cells, full;

	if (len == 0)
		return;
	cells = len - 1;
	if (total == 0)
		full = 0;
	else if (done >= total)
		full = cells;
	else
		full = (size_t)((long double)done * cells / (long double)total);
	memset(buf, '#', full);
	memset(buf + full, '-', cells - full);
	buf[cells] = '\0';
}

void
progress_format_bytes(uint64_t n, char *buf, size_t len)
{
	format_size(n, buf, len);
}

void
progress_format_rate(double rate, char *buf, size_t len)
{
	char sz[32];

	if (len == 0)
		return;
	if (!(rate > 0) || !isfinite(rate) || rate > 1.8e19) {
		snprintf(buf, len, "-");
		return;
	}
	format_size((uint64_t)rate, sz, sizeof(sz));
	snprintf(buf, len, "%s/s", sz);
}

void
progress_format_eta(double secs, char *buf, size_t len)
{
	unsigned long s;

	if (len == 0)
		return;
	if (secs < 0 || !isfinite(secs)) {
		snprintf(buf, len, "--:--");
		return;
	}
	if (secs >= 99.0 * 3600) {
		snprintf(buf, len, ">99h");
		return;
	}
	s = (unsigned long)(secs + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, len, "%lu:%02lu", s / 60, s % 60);
}

void
progress_line(char *buf, size_t len, const char *name, size_t bar_cells,
    uint64_t done, uint64_t total, double rate)
{
	char bar[128], d[32], t[32], r[32], eta[32];

	if (len == 0)
		return;
	progress_format_bytes(done, d, sizeof(d));
	progress_format_rate(rate, r, sizeof(r));
	if (total == 0) {
		snprintf(buf, len, "%-*.*s  %s  %s", PROGRESS_NAME_WIDTH,
		    PROGRESS_NAME_MAX, name, d, r);
		return;
	}
	if (bar_cells >= sizeof(bar))
		bar_cells = sizeof(bar) - 1;
	progress_bar(bar, bar_cells + 1, done, total);
	progress_format_bytes(total, t, sizeof(t));
	progress_format_eta(progress_eta(done, total, rate), eta,
	    sizeof(eta));
	snprintf(buf, len, "%-*.*s  [%s] %d%%  %s of %s  %s  %s",
	    PROGRESS_NAME_WIDTH, PROGRESS_NAME_MAX, name, bar,
	    progress_percent(done, total), d, t, r, eta);
}
