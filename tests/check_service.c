/*
 * check_service: socket activation (srv/service.c). Listening sockets are
 * put on fds 3 and up with LISTEN_FDS and LISTEN_PID set, as systemd does,
 * and matched to the configured ports: the control port, the implicit FTPS
 * port, either order, a socket on neither port or no listener refused,
 * another process's LISTEN_PID ignored. Without libsystemd only the
 * "nothing passed" case applies. Each case runs in a child of
 * its own, as Check may hold fds 3 and 4 itself.
 */
#include "config.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "srv/service.h"

#define FIRST_FD 3	/* SD_LISTEN_FDS_START */
#define HIGH_FD 100	/* where the test keeps its own descriptors */

#ifdef HAVE_LIBSYSTEMD

/* What service_listeners() did in the child. */
struct outcome {
	int	 rc, lfd, ifd;
	int	 nonblock;	/* lfd is O_NONBLOCK */
	int	 cloexec;	/* lfd is FD_CLOEXEC */
	int	 env_left;	/* LISTEN_FDS still set */
	char	 err[256];
};

/* A TCP socket on a free loopback port (listening unless told not to),
 * moved out of the way of fds 3 and 4. */
static int
tcp_socket(int listening, int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), high;

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (listening)
		ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	high = fcntl(fd, F_DUPFD, HIGH_FD);
	ck_assert_int_ne(high, -1);
	close(fd);
	return high;
}

/*
 * Runs service_listeners(port, implicit) in a child that was passed the n
 * sockets of fds as fds 3.. with LISTEN_PID its own pid plus pid_delta:
 * Check itself may be using fds 3 and 4 in this process. Closes fds.
 */
static void
activate(const int *fds, int n, int pid_delta, int port, int implicit,
    struct outcome *o)
{
	char buf[32];
	int p[2], i, fl, status;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(dup2(p[1], HIGH_FD + 50), -1);
	close(p[1]);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		memset(o, 0, sizeof(*o));
		for (i = 0; i < n; i++)
			if (dup2(fds[i], FIRST_FD + i) == -1)
				_exit(1);
		snprintf(buf, sizeof(buf), "%d", n);
		setenv("LISTEN_FDS", buf, 1);
		snprintf(buf, sizeof(buf), "%ld", (long)getpid() + pid_delta);
		setenv("LISTEN_PID", buf, 1);
		o->rc = service_listeners(port, implicit, &o->lfd, &o->ifd,
		    o->err, sizeof(o->err));
		if (o->lfd != -1) {
			fl = fcntl(o->lfd, F_GETFL);
			o->nonblock = fl != -1 && (fl & O_NONBLOCK);
			o->cloexec = (fcntl(o->lfd, F_GETFD) & FD_CLOEXEC) != 0;
		}
		o->env_left = getenv("LISTEN_FDS") != NULL;
		_exit(write(HIGH_FD + 50, o, sizeof(*o)) == sizeof(*o) ? 0 : 1);
	}
	close(HIGH_FD + 50);
	ck_assert_int_eq(read(p[0], o, sizeof(*o)), (ssize_t)sizeof(*o));
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

#endif /* HAVE_LIBSYSTEMD */

START_TEST(test_nothing_passed)
{
	char err[256];
	int lfd = 7, ifd = 7;

	unsetenv("LISTEN_FDS");
	ck_assert_int_eq(service_listeners(2121, 990, &lfd, &ifd, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(lfd, -1);
	ck_assert_int_eq(ifd, -1);
}
END_TEST

#ifdef HAVE_LIBSYSTEMD

START_TEST(test_control_port)
{
	struct outcome o;
	int fd, port;

	fd = tcp_socket(1, &port);
	activate(&fd, 1, 0, port, 0, &o);
	ck_assert_msg(o.rc == 0, "%s", o.err);
	ck_assert_int_eq(o.lfd, FIRST_FD);
	ck_assert_int_eq(o.ifd, -1);
	/* Non-blocking for the accept loop, closed on exec, not passed on. */
	ck_assert(o.nonblock);
	ck_assert(o.cloexec);
	ck_assert(!o.env_left);
}
END_TEST

START_TEST(test_both_ports_any_order)
{
	struct outcome o;
	int fds[2], control, implicit;

	fds[0] = tcp_socket(1, &implicit);
	fds[1] = tcp_socket(1, &control);
	activate(fds, 2, 0, control, implicit, &o);
	ck_assert_msg(o.rc == 0, "%s", o.err);
	ck_assert_int_eq(o.lfd, FIRST_FD + 1);
	ck_assert_int_eq(o.ifd, FIRST_FD);
}
END_TEST

START_TEST(test_other_port_refused)
{
	struct outcome o;
	char want[64];
	int fd, port;

	fd = tcp_socket(1, &port);
	activate(&fd, 1, 0, port == 2121 ? 2122 : 2121, 0, &o);
	ck_assert_int_eq(o.rc, -1);
	snprintf(want, sizeof(want), "on port %d", port);
	ck_assert_ptr_nonnull(strstr(o.err, want));
	ck_assert_ptr_nonnull(strstr(o.err, "ListenStream"));
}
END_TEST

START_TEST(test_not_listening_refused)
{
	struct outcome o;
	int fd, port;

	fd = tcp_socket(0, &port);
	activate(&fd, 1, 0, port, 0, &o);
	ck_assert_int_eq(o.rc, -1);
	ck_assert_ptr_nonnull(strstr(o.err, "not a listening stream socket"));
}
END_TEST

START_TEST(test_other_process_ignored)
{
	struct outcome o;
	int fd, port;

	fd = tcp_socket(1, &port);
	activate(&fd, 1, 1, port, 0, &o);
	ck_assert_int_eq(o.rc, 0);
	ck_assert_int_eq(o.lfd, -1);
	ck_assert_int_eq(o.ifd, -1);
}
END_TEST

#endif /* HAVE_LIBSYSTEMD */

static Suite *
service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *tc;

	tc = tcase_create("nothing_passed");
	tcase_add_test(tc, test_nothing_passed);
	suite_add_tcase(s, tc);
#ifdef HAVE_LIBSYSTEMD
	tc = tcase_create("control_port");
	tcase_add_test(tc, test_control_port);
	suite_add_tcase(s, tc);
	tc = tcase_create("both_ports_any_order");
	tcase_add_test(tc, test_both_ports_any_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("other_port_refused");
	tcase_add_test(tc, test_other_port_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("not_listening_refused");
	tcase_add_test(tc, test_not_listening_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("other_process_ignored");
	tcase_add_test(tc, test_other_process_ignored);
	suite_add_tcase(s, tc);
#endif
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(service_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
