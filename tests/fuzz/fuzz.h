/*
 * fuzz: what every libFuzzer target in tests/fuzz shares. A target is one
 * LLVMFuzzerTestOneInput() that feeds its bytes to one parser and checks,
 * besides the sanitizers' findings, the invariants the parser's header
 * promises; a broken one is reported with FUZZ_CHECK, which aborts so
 * that libFuzzer keeps the input as a crash.
 */
#ifndef BURROW_FUZZ_H
#define BURROW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * libconfig before 1.7.3 leaks a string token on a syntax error
 * (hyperrealm/libconfig#142, fixed by #155); Debian 12 ships 1.5. The
 * targets that read libconfig files define FUZZ_LIBCONFIG before this
 * header so that LeakSanitizer ignores leaks from inside that library
 * (ours are still reported).
 */
#ifdef FUZZ_LIBCONFIG
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}
#endif

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The input as a malloc'd NUL-terminated string (NULs inside kept). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* 1 if s[0..n) holds a byte in set (or a NUL when nul). */
static inline int
fuzz_has_byte(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, s[i]) != NULL && s[i] != '\0')
			return 1;
	return 0;
}

/*
 * A private folder for the targets that read files (made once per process,
 * in /dev/shm when there is one so that the writes cost little), and a
 * file in it holding data. The folder (flat) is removed at exit; a crash
 * leaves it behind, with the file that made it.
 */
static char fuzz_tmp[64];

static inline void
fuzz_tmp_cleanup(void)
{
	char path[sizeof(fuzz_tmp) + 256 + 2];
	struct dirent *d;
	DIR *dir;

	if (fuzz_tmp[0] == '\0' || (dir = opendir(fuzz_tmp)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_tmp, d->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(fuzz_tmp);
}

static inline const char *
fuzz_tmpdir(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (fuzz_tmp[0] == '\0') {
		snprintf(fuzz_tmp, sizeof(fuzz_tmp), "%s/burrow-fuzz.XXXXXX",
		    base);
		if (mkdtemp(fuzz_tmp) == NULL)
			abort();
		atexit(fuzz_tmp_cleanup);
	}
	return fuzz_tmp;
}

static inline void
fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0)
		abort();
}

#endif
