/*
 * pwread: burrow-passwd's reading of a new password, from the terminal
 * with echo off (asked twice) or as one line of stdin, a byte at a time so
 * that no copy is left in a stdio buffer. A signal during the prompt first
 * gives the terminal its echo back, then kills as it would have. Errors are
 * reported on stderr as "burrow-passwd: message".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "proto/util.h"
#include "srv/pwread.h"

/*
 * The signal that interrupted a password prompt. A handler can only leave a
 * note, so this one piece of state has to be global; nothing else is.
 */
static volatile sig_atomic_t prompt_signal;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("burrow-passwd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_signal(int sig)
{
	prompt_signal = sig;
}

/* Writes s to the terminal; a prompt that cannot be shown is no error. */
static void
tty_write(int tty, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0) {
		if ((w = write(tty, s, n)) > 0) {
			s += w;
			n -= (size_t)w;
		} else if (w == 0 || errno != EINTR)
			break;
	}
}

/*
 * Reads one line from fd into buf, a byte at a time so that nothing past
 * the line is consumed (and no copy of it is left in a stdio buffer). The
 * newline, and a carriage return before it, are dropped. Returns the length,
 * or -1 with why set.
 */
static ssize_t
read_line(int fd, char *buf, size_t len, const char **why)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		if ((r = read(fd, &c, 1)) == -1) {
			if (errno == EINTR && !prompt_signal)
				continue;
			*why = errno == EINTR ? "interrupted" : strerror(errno);
			goto bad;
		}
		if (r == 0) {
			if (n == 0) {
				*why = "no password given";
				goto bad;
			}
			break;
		}
		if (c == '\n')
			break;
		if (c == '\0') {
			*why = "the password contains a NUL byte";
			goto bad;
		}
		if (n + 1 >= len) {
			*why = "the password is too long";
			goto bad;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	wipe(&c, sizeof(c));
	return (ssize_t)n;
bad:
	wipe(buf, len);
	wipe(&c, sizeof(c));
	return -1;
}

/*
 * Prompts on the terminal tty with echo off. A signal that would kill us
 * while echo is off first gets the terminal back to how it was.
 */
static int
prompt(int tty, const char *text, char *buf, size_t len)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGQUIT, SIGTERM };
	struct sigaction sa, old[sizeof(sigs) / sizeof(sigs[0])];
	struct termios saved, quiet;
	const char *why = NULL;
	ssize_t n;
	size_t i;

	if (tcgetattr(tty, &saved) == -1) {
		fail("/dev/tty: %s (use --stdin to read the password from "
		    "stdin)", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() must return */
	sigemptyset(&sa.sa_mask);
	prompt_signal = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, &old[i]);
		if (old[i].sa_handler == SIG_IGN)	/* e.g. under nohup */
			sigaction(sigs[i], &old[i], NULL);
	}

	quiet = saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tty_write(tty, text);
	if (tcsetattr(tty, TCSAFLUSH, &quiet) == -1) {
		why = strerror(errno);
		n = -1;
	} else {
		n = read_line(tty, buf, len, &why);
		(void)tcsetattr(tty, TCSAFLUSH, &saved);
	}

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old[i], NULL);
	if (prompt_signal) {
		wipe(buf, len);
		tty_write(tty, "\n");
		raise(prompt_signal);
	}
	if (n == -1) {
		fail("%s", why);
		return -1;
	}
	return 0;
}

/*
 * Reads the new password for name into buf: from stdin, or asked twice on
 * the terminal. Refuses an empty one. Returns 0, or -1 with buf wiped.
 */
int
pwread_new(const char *name, int use_stdin, char *buf, size_t len)
{
	char again[PWREAD_MAX], text[128];
	const char *why = NULL;
	int tty = -1, rc = -1;

	if (use_stdin) {
		if (read_line(STDIN_FILENO, buf, len, &why) == -1) {
			fail("stdin: %s", why);
			return -1;
		}
	} else {
		if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
			fail("/dev/tty: %s (use --stdin to read the password "
			    "from stdin)", strerror(errno));
			return -1;
		}
		snprintf(text, sizeof(text), "New password for %s: ", name);
		if (prompt(tty, text, buf, len) == -1)
			goto out;
		if (buf[0] != '\0') {
			if (prompt(tty, "Retype the password: ", again,
			    sizeof(again)) == -1)
				goto out;
			if (strcmp(buf, again) != 0) {
				fail("the passwords do not match");
				goto out;
			}
		}
	}
	if (buf[0] == '\0') {
		fail("empty password refused");
		goto out;
	}
	rc = 0;
out:
	if (tty != -1)
		close(tty);
	wipe(again, sizeof(again));
	if (rc == -1)
		wipe(buf, len);
	return rc;
}
