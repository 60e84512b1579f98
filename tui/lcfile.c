/*
 * lcfile: see lcfile.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/util.h"
#include "tui/lcfile.h"

int
lc_load(config_t *lc, const char *file, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int ok;

	if ((f = fopen(file, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	/* libconfig's scanner exits on a folder: only a file is read. */
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: not a regular file", file);
		fclose(f);
		return -1;
	}
	config_init(lc);
	ok = config_read(lc, f) == CONFIG_TRUE;
	fclose(f);
	if (!ok) {
		set_err(err, errlen, "%s:%d: %s", file, config_error_line(lc),
		    config_error_text(lc));
		config_destroy(lc);
		return -1;
	}
	return 1;
}
