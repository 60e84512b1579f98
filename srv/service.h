/*
 * service: burrowd and the service manager that started it. Under systemd
 * (Type=notify) it reports readiness, reloads and shutdown through
 * sd_notify, and takes the listening sockets a burrowd.socket unit passed
 * (socket activation). Without NOTIFY_SOCKET or LISTEN_FDS in the
 * environment (the LSB init script, a shell) every function does nothing;
 * in a build without libsystemd (--without-systemd) likewise.
 */
#ifndef BURROW_SERVICE_H
#define BURROW_SERVICE_H

/*
 * Takes the sockets passed by socket activation, matched to burrowd.conf
 * by their port: the one on port is the control listener (*lfd), the one
 * on implicit_port (0: none) the implicit FTPS listener (*ifd); each is
 * left -1 if none was passed, for burrowd to bind itself. The socket's
 * address stands in for listen. Returns 0, or -1 with a message in err
 * if a passed socket is not a listening TCP socket or is on neither port
 * (burrowd.socket and burrowd.conf disagree).
 */
int service_listeners(int port, int implicit_port, int *lfd, int *ifd,
    char *err, size_t errlen);

/* READY=1 and a STATUS= line: the ports are bound and the pool serves. */
void service_ready(const char *status);

/* RELOADING=1 with MONOTONIC_USEC (systemd 253 and later want it). */
void service_reloading(void);

/* STOPPING=1 and a STATUS= line: no new connections are taken. */
void service_stopping(const char *status);

#endif
