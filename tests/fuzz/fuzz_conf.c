/*
 * fuzz_conf: burrowd.conf (srv/conf.c), the input written to a file and
 * read with conf_load(). Checks that a loaded configuration keeps every
 * setting within the bounds of the table (the ones a test can state
 * here), that its paths are absolute or empty, that the list of trusted
 * balancers can be asked about, that metrics_listen is off or an address
 * and port, and that a refusal says why within the error buffer.
 */
#include "config.h"

#define FUZZ_LIBCONFIG	/* see fuzz.h */

#include <arpa/inet.h>
#include <netinet/in.h>

#include "srv/conf.h"
#include "srv/metrics.h"
#include "tests/fuzz/fuzz.h"

static int
abs_or_empty(const char *p)
{
	return p != NULL && (p[0] == '\0' || p[0] == '/');
}

static void
ask(const struct srv_config *cfg, int family, const char *text)
{
	struct sockaddr_storage sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		inet_pton(AF_INET, text,
		    &((struct sockaddr_in *)&sa)->sin_addr);
	else
		inet_pton(AF_INET6, text,
		    &((struct sockaddr_in6 *)&sa)->sin6_addr);
	r = conf_proxy_trusted(cfg, &sa);
	FUZZ_CHECK(r == 0 || r == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], err[256], *r;
	struct srv_config *cfg;
	size_t i;

	if (size > 8192)
		return 0;
	snprintf(path, sizeof(path), "%s/burrowd.conf", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	memset(err, 'x', sizeof(err));
	err[0] = '\0';
	if ((cfg = conf_load(path, err, sizeof(err))) == NULL) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(cfg->port >= 1 && cfg->port <= 65535);
	FUZZ_CHECK(cfg->max_clients >= 1 && cfg->max_clients <= 1024);
	FUZZ_CHECK(cfg->pasv_min >= 1024 && cfg->pasv_min <= cfg->pasv_max &&
	    cfg->pasv_max <= 65535);
	FUZZ_CHECK(cfg->tls_implicit_port >= 0 &&
	    cfg->tls_implicit_port <= 65535);
	FUZZ_CHECK(cfg->listen != NULL && cfg->pasv_address != NULL &&
	    cfg->user != NULL);
	FUZZ_CHECK(abs_or_empty(cfg->path) && cfg->path[0] == '/');
	FUZZ_CHECK(abs_or_empty(cfg->users_file) &&
	    abs_or_empty(cfg->home_root) && abs_or_empty(cfg->log_file) &&
	    abs_or_empty(cfg->xfer_log) && abs_or_empty(cfg->pid_file) &&
	    abs_or_empty(cfg->tls_cert) && abs_or_empty(cfg->tls_key));
	if (cfg->tls_require || cfg->tls_implicit_port != 0)
		FUZZ_CHECK(cfg->tls_cert[0] != '\0' && cfg->tls_key[0] != '\0');
	/* metrics_listen is off, or an address burrowd can bind. */
	FUZZ_CHECK(cfg->metrics_listen != NULL && (cfg->metrics_listen[0] ==
	    '\0' || metrics_parse_listen(cfg->metrics_listen, NULL, NULL, err,
	    sizeof(err)) == 0));
	for (i = 0; cfg->proxy_trusted != NULL && cfg->proxy_trusted[i]; i++)
		FUZZ_CHECK(i < 100000);
	ask(cfg, AF_INET, "10.1.2.3");
	ask(cfg, AF_INET, "127.0.0.1");
	ask(cfg, AF_INET6, "::1");
	ask(cfg, AF_INET6, "::ffff:10.1.2.3");
	ask(cfg, AF_INET6, "2001:db8::7");
	r = conf_resolve(cfg, "x/y");
	FUZZ_CHECK(r != NULL && r[0] == '/');
	free(r);
	conf_free(cfg);
	return 0;
}
