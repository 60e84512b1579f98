/*
 * service: the sd_notify(3) and sd_listen_fds(3) side of burrowd (see
 * service.h). Only the main thread calls these.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "srv/log.h"
#include "srv/service.h"

#ifdef HAVE_LIBSYSTEMD

/* The TCP port a bound socket listens on, or -1. */
static int
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

int
service_listeners(int port, int implicit_port, int *lfd, int *ifd,
    char *err, size_t errlen)
{
	int n, i, fd, p, fl;

	*lfd = *ifd = -1;
	/* 1: LISTEN_* leave the environment; the fds get FD_CLOEXEC. */
	if ((n = sd_listen_fds(1)) < 0) {
		snprintf(err, errlen, "socket activation: %s", strerror(-n));
		return -1;
	}
	for (i = 0; i < n; i++) {
		fd = SD_LISTEN_FDS_START + i;
		if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
			snprintf(err, errlen, "socket activation: fd %d is not "
			    "a listening stream socket", fd);
			return -1;
		}
		p = bound_port(fd);
		if (p == port && *lfd == -1)
			*lfd = fd;
		else if (p == implicit_port && implicit_port != 0 &&
		    *ifd == -1)
			*ifd = fd;
		else {
			snprintf(err, errlen, "socket activation: the socket "
			    "passed as fd %d is on port %d, but burrowd.conf "
			    "has port = %d and tls.implicit_port = %d: make "
			    "ListenStream= in burrowd.socket match", fd, p,
			    port, implicit_port);
			return -1;
		}
		/* The accept loop expects non-blocking listeners. */
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
			snprintf(err, errlen, "socket activation: fd %d: %s",
			    fd, strerror(errno));
			return -1;
		}
		log_info("port %d: socket passed by the service manager", p);
	}
	return 0;
}

void
service_ready(const char *status)
{
	(void)sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void
service_reloading(void)
{
	struct timespec ts;
	unsigned long long usec = 0;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		usec = (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000ULL;
	(void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\n"
	    "STATUS=Reloading users and logs", usec);
}

void
service_stopping(const char *status)
{
	(void)sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status);
}

#else /* !HAVE_LIBSYSTEMD */

int
service_listeners(int port, int implicit_port, int *lfd, int *ifd,
    char *err, size_t errlen)
{
	*lfd = *ifd = -1;
	if (getenv("LISTEN_FDS") != NULL)
		log_warnx("LISTEN_FDS ignored: burrowd was built without "
		    "systemd; binding the ports itself");
	return 0;
}

void
service_ready(const char *status)
{
}

void
service_reloading(void)
{
}

void
service_stopping(const char *status)
{
}

#endif
