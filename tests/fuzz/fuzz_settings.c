/*
 * fuzz_settings: burrow.conf (tui/settings.c), the input written to a
 * file and read with settings_load(). Checks that a refusal says where
 * (the file, then ":LINE: "), and that whatever is read stays within the
 * table's bounds.
 */
#include "config.h"

#define FUZZ_LIBCONFIG	/* see fuzz.h */

#include "tui/settings.h"
#include "tui/xfer.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings st;
	char path[128], err[1024];

	if (size > 8192)
		return 0;
	snprintf(path, sizeof(path), "%s/burrow.conf", fuzz_tmpdir());
	fuzz_write_file(path, data, size);
	settings_defaults(&st);
	memset(err, 'x', sizeof(err));
	err[0] = '\0';
	if (settings_load(&st, path, err, sizeof(err)) < 0) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(strncmp(err, path, strlen(path)) == 0 &&
		    err[strlen(path)] == ':');
	}
	FUZZ_CHECK(st.parallel >= 1 && st.parallel <= XFER_PARALLEL_MAX);
	FUZZ_CHECK(st.keepalive >= 0 && st.keepalive <= 86400);
	FUZZ_CHECK(st.timeout >= 1 && st.timeout <= 86400);
	FUZZ_CHECK(st.confirm_delete == 0 || st.confirm_delete == 1);
	FUZZ_CHECK(st.sort == PANE_SORT_NAME || st.sort == PANE_SORT_SIZE ||
	    st.sort == PANE_SORT_TIME);
	FUZZ_CHECK(st.theme == THEME_DEFAULT || st.theme == THEME_DARK ||
	    st.theme == THEME_MONO);
	return 0;
}
