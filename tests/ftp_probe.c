/*
 * ftp_probe: drives tui/ftp.c from the command line for e2e_engine.py.
 *
 *   ftp_probe URL OP...
 *
 * OPs, run in order on one connection:
 *   list PATH            prints "TYPE SIZE NAME" per entry (TYPE: f d l o)
 *   get REMOTE LOCAL     downloads
 *   reget REMOTE LOCAL   downloads the rest of LOCAL (REST + RETR)
 *   put LOCAL REMOTE     uploads
 *   cmd "LINE"           sends LINE, prints the reply
 *   feat                 prints the FTP_F_* bits and "tls" if encrypted
 * The password comes from the URL or BURROW_PASSWORD; ftps:// uses TLS,
 * trusting the CA file BURROW_CAFILE, or any certificate with
 * BURROW_INSECURE=1 (no known_hosts: that is burrow's, tested there).
 * Exits 0 only if every OP succeeded, else 1 (2 for a usage error).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "proto/netio.h"
#include "tui/ftp.h"
#include "tui/url.h"

static char reply[FTP_REPLY_MAX];

static int
do_list(struct ftp *f, const char *path)
{
	struct listing_entry *v;
	size_t n, i;
	char err[512];
	static const char types[] = "fdlo..";

	if (ftp_list(f, path, &v, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "list %s: %s\n", path, err);
		return -1;
	}
	for (i = 0; i < n; i++)
		printf("%c %llu %s\n", types[v[i].type],
		    (unsigned long long)(v[i].have_size ? v[i].size : 0),
		    v[i].name);
	free(v);
	return 0;
}

static int
do_get(struct ftp *f, const char *remote, const char *local, int resume)
{
	char cmd[4200], buf[65536];
	struct conn *dc;
	struct stat st;
	off_t rest = 0;
	ssize_t r;
	int fd, code, bad = 0;

	fd = open(local, O_WRONLY | O_CREAT | (resume ? 0 : O_TRUNC) |
	    O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: %s\n", local, strerror(errno));
		return -1;
	}
	if (resume)
		rest = st.st_size;
	if (lseek(fd, rest, SEEK_SET) < 0)
		bad = 1;
	snprintf(cmd, sizeof(cmd), "RETR %s", remote);
	code = ftp_data_open(f, cmd, rest, &dc, reply, sizeof(reply));
	if (code < 100 || code >= 200) {
		fprintf(stderr, "get %s: %s\n", remote, reply);
		close(fd);
		return -1;
	}
	while ((r = conn_read(dc, buf, sizeof(buf), ftp_timeout(f))) > 0)
		if (write(fd, buf, (size_t)r) != r)
			bad = 1;
	if (r < 0)
		bad = 1;
	if (close(fd) < 0)
		bad = 1;
	code = ftp_data_close(f, reply, sizeof(reply));
	if (code < 200 || code >= 300 || bad) {
		fprintf(stderr, "get %s: %s\n", remote, bad ? "I/O error" :
		    reply);
		return -1;
	}
	return 0;
}

static int
do_put(struct ftp *f, const char *local, const char *remote)
{
	char cmd[4200], buf[65536];
	struct conn *dc;
	ssize_t r;
	int fd, code, bad = 0;

	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "%s: %s\n", local, strerror(errno));
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "STOR %s", remote);
	code = ftp_data_open(f, cmd, 0, &dc, reply, sizeof(reply));
	if (code < 100 || code >= 200) {
		fprintf(stderr, "put %s: %s\n", remote, reply);
		close(fd);
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (conn_write(dc, buf, (size_t)r, ftp_timeout(f)) < 0) {
			bad = 1;
			break;
		}
	if (r < 0)
		bad = 1;
	close(fd);
	code = ftp_data_close(f, reply, sizeof(reply));
	if (code < 200 || code >= 300 || bad) {
		fprintf(stderr, "put %s: %s\n", remote, code < 200 ||
		    code >= 300 ? reply : "I/O error");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct url u;
	struct ftp_opts o;
	struct ftp *f;
	char err[1024];
	const char *pw;
	int i, code, fails = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ftp_probe URL OP...\n");
		return 2;
	}
	if (url_parse(argv[1], &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	pw = u.have_pass ? u.pass : getenv("BURROW_PASSWORD");
	memset(&o, 0, sizeof(o));
	o.tls = u.scheme == URL_FTPS;
	o.cafile = getenv("BURROW_CAFILE");
	o.insecure = getenv("BURROW_INSECURE") != NULL &&
	    strcmp(getenv("BURROW_INSECURE"), "1") == 0;
	o.timeout_ms = 10000;
	f = ftp_open(&u, pw != NULL ? pw : "", &o, err, sizeof(err));
	url_wipe(&u);
	if (f == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		const char *op = argv[i];
		int need = strcmp(op, "list") == 0 || strcmp(op, "cmd") == 0 ?
		    1 : strcmp(op, "feat") == 0 ? 0 : 2;

		if (i + need >= argc + (need == 0)) {
			fprintf(stderr, "%s: missing arguments\n", op);
			ftp_close(f);
			return 2;
		}
		if (strcmp(op, "list") == 0)
			fails += do_list(f, argv[i + 1]) < 0;
		else if (strcmp(op, "get") == 0)
			fails += do_get(f, argv[i + 1], argv[i + 2], 0) < 0;
		else if (strcmp(op, "reget") == 0)
			fails += do_get(f, argv[i + 1], argv[i + 2], 1) < 0;
		else if (strcmp(op, "put") == 0)
			fails += do_put(f, argv[i + 1], argv[i + 2]) < 0;
		else if (strcmp(op, "cmd") == 0) {
			code = ftp_cmd(f, reply, sizeof(reply), "%s",
			    argv[i + 1]);
			printf("%s\n", reply);
			fails += code < 200 || code >= 400;
		} else if (strcmp(op, "feat") == 0)
			printf("feat %#x%s\n", ftp_features(f),
			    ftp_is_tls(f) ? " tls" : "");
		else {
			fprintf(stderr, "%s: unknown operation\n", op);
			ftp_close(f);
			return 2;
		}
		i += need;
	}
	ftp_close(f);
	return fails ? 1 : 0;
}
