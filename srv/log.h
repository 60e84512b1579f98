/*
 * log: the daemon's log. Lines go to stderr (foreground), to a file, or to
 * syslog; every function is safe to call from any thread. Before log_open()
 * is called everything goes to stderr.
 */
#ifndef BURROW_LOG_H
#define BURROW_LOG_H

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum log_target { LOGTO_STDERR, LOGTO_FILE, LOGTO_SYSLOG };

/*
 * Directs the log to target; path is the file for LOGTO_FILE. Returns 0, or -1
 * with errno set if the file cannot be opened (the log stays on stderr).
 */
int log_open(enum log_target target, const char *path);

/* Reopens the log file (after rotation). No-op for other targets. */
void log_reopen(void);

void log_close(void);

/* An event worth recording: connections, logins, transfers. */
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A failure caused by a system call: appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
/* A failure with no errno to report. */
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Logs the queue of OpenSSL errors of this thread, prefixed by what failed. */
void log_ssl(const char *what);
/* A broken invariant: logs and aborts the process. Never for bad input. */
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
