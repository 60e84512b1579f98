/*
 * progress: the figures a transfer shows while it runs, as text: a bar,
 * bytes done, a rate smoothed over the last few seconds, and the time
 * left. Pure arithmetic and formatting, shared by batch mode's one-line
 * bar and the full-screen transfer panel; nothing here reads a clock or
 * writes to a terminal (callers pass the time in).
 */
#ifndef BURROW_PROGRESS_H
#define BURROW_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define PROGRESS_SAMPLES	16	/* kept for the rate */
#define PROGRESS_WINDOW		5.0	/* seconds the rate looks back */

/*
 * A rate meter: samples of (time, bytes done). The rate is the bytes
 * between the oldest sample no older than PROGRESS_WINDOW and the newest,
 * over the time between them, so a stall shows at once and a burst does
 * not last.
 */
struct progress_meter {
	double		 t[PROGRESS_SAMPLES];
	uint64_t	 bytes[PROGRESS_SAMPLES];
	size_t		 n;		/* samples held */
	size_t		 head;		/* where the next one goes */
};

/* Empties m (a new transfer). */
void	progress_meter_init(struct progress_meter *m);

/*
 * Adds the sample (now, done) and returns the rate in bytes/s (0 until
 * two samples at least 0.05 s apart exist). A done smaller than the last
 * sample's (a transfer started again) empties the meter first.
 */
double	progress_meter_add(struct progress_meter *m, double now,
	    uint64_t done);

/*
 * Seconds left at rate for total - done bytes; -1 when it cannot be
 * told (total 0 or unknown, rate 0, done past total).
 */
double	progress_eta(uint64_t done, uint64_t total, double rate);

/*
 * A bar of len - 1 cells into buf: '#' for the part done, '-' for the
 * rest (total 0: all '-'; done >= total: all '#'). len 0 writes nothing.
 */
void	progress_bar(char *buf, size_t len, uint64_t done, uint64_t total);

/* Whole percent done, 0 to 100 (0 when total is 0). */
int	progress_percent(uint64_t done, uint64_t total);

/*
 * Short texts: "1.5 MiB" (bytes), "12.3 MiB/s" (rate; "-" when 0 or
 * not finite), "1:05", "1:02:03", "--:--" for an unknown eta (< 0) and
 * ">99h" past 99 hours. Always NUL-terminated when len > 0.
 */
void	progress_format_bytes(uint64_t n, char *buf, size_t len);
void	progress_format_rate(double rate, char *buf, size_t len);
void	progress_format_eta(double secs, char *buf, size_t len);

#define PROGRESS_NAME_WIDTH	20	/* a name is padded to this */
#define PROGRESS_NAME_MAX	39	/* and cut at this many bytes */

/*
 * Batch mode's progress line into buf (len bytes, always NUL-terminated
 * when len > 0, cut short when too small): the name padded to
 * PROGRESS_NAME_WIDTH (cut at PROGRESS_NAME_MAX bytes), then, with a known
 * total (> 0), a bar of bar_cells cells, the whole percent done, "DONE of
 * TOTAL", the rate and the time left:
 *
 *   name                  [##########--------------] 45%  12.3 MiB of
 *   27.0 MiB  5.1 MiB/s  0:03            (one line)
 *
 * With total 0 (not known) only the bytes done and the rate follow the
 * name: no bar, percent or time left can be told. rate is in bytes/s.
 * Control bytes in name are copied as they are; the caller makes them
 * safe for its terminal.
 */
void	progress_line(char *buf, size_t len, const char *name,
	    size_t bar_cells, uint64_t done, uint64_t total, double rate);

#endif
