/*
 * fuzz_jail: the lexical half of the jail (srv/jail.c): jail_normalize()
 * joining a client's path to the virtual cwd. The first byte chooses the
 * output buffer's size; the rest is "cwd\narg" (or arg alone). Checks that
 * a result is absolute, has no "." or ".." component, no empty one and no
 * trailing '/', fits its buffer, is its own normal form, equals joining
 * the two strings by hand, equals the in-place form, and that a failure
 * for room is only that: a larger buffer gives a result that would not
 * have fitted.
 */
#include "config.h"

#include <errno.h>

#include "srv/jail.h"
#include "tests/fuzz/fuzz.h"

#define BIG	16384

static void
check_normal(const char *p, size_t outlen)
{
	size_t n = strlen(p);
	const char *c;
	char again[BIG];

	FUZZ_CHECK(n < outlen && p[0] == '/');
	FUZZ_CHECK(n == 1 || p[n - 1] != '/');
	FUZZ_CHECK(strstr(p, "//") == NULL);
	for (c = p; c != NULL && *c != '\0'; c = strchr(c + 1, '/')) {
		FUZZ_CHECK(strncmp(c, "/./", 3) != 0 && strcmp(c, "/.") != 0);
		FUZZ_CHECK(strncmp(c, "/../", 4) != 0 &&
		    strcmp(c, "/..") != 0);
	}
	FUZZ_CHECK(jail_normalize(NULL, p, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, p) == 0);
	FUZZ_CHECK(jail_normalize(p, "", again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, p) == 0);
	FUZZ_CHECK(jail_normalize(p, ".", again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, p) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *cwd, *arg, *nl, *out, *joined, *inplace;
	char big[BIG];
	size_t outlen, n;
	int rc, bigrc;

	if (size < 1 || size > 4096)
		return 0;
	outlen = data[0] == 0 ? 4096 : data[0];
	in = fuzz_string(data + 1, size - 1);
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		cwd = in;
		arg = nl + 1;
	} else {
		cwd = NULL;
		arg = in;
	}
	out = malloc(outlen);
	FUZZ_CHECK(out != NULL);

	errno = 0;
	rc = jail_normalize(cwd, arg, out, outlen);
	bigrc = jail_normalize(cwd, arg, big, sizeof(big));
	if (arg[0] != '/' && (cwd == NULL || cwd[0] != '/')) {
		FUZZ_CHECK(rc == -1 && errno == EINVAL && bigrc == -1);
		goto done;
	}
	if (rc == 0) {
		check_normal(out, outlen);
		FUZZ_CHECK(bigrc == 0 && strcmp(out, big) == 0);
	} else {
		FUZZ_CHECK(errno == ENAMETOOLONG);
		FUZZ_CHECK(bigrc == -1 || strlen(big) + 1 > outlen);
	}
	if (bigrc != 0)
		goto done;
	check_normal(big, sizeof(big));

	/* Joining by hand gives the same. */
	if (arg[0] != '/') {
		n = strlen(cwd) + strlen(arg) + 2;
		joined = malloc(n);
		FUZZ_CHECK(joined != NULL);
		snprintf(joined, n, "%s/%s", cwd, arg);
		FUZZ_CHECK(jail_normalize("/x", joined, out, outlen) == rc);
		if (rc == 0)
			FUZZ_CHECK(strcmp(out, big) == 0);
		free(joined);
	} else {
		/* An absolute path in place, in a buffer of its own size. */
		n = strlen(arg) + 1;
		inplace = malloc(n);
		FUZZ_CHECK(inplace != NULL);
		memcpy(inplace, arg, n);
		if (jail_normalize(NULL, inplace, inplace, n) == 0)
			FUZZ_CHECK(strcmp(inplace, big) == 0);
		else
			FUZZ_CHECK(strlen(big) + 1 > n);
		free(inplace);
	}
done:
	free(out);
	free(in);
	return 0;
}
