/*
 * fuzz_batch: the batch mode's word splitter (tui/batch.c, batch_split()).
 * The first two bytes choose the word limit and the buffer size, the rest
 * is the line. Checks that the words fit the buffer one after the other
 * and are at most the limit, that a refusal gives a reason, and the round
 * trip: the words written back with every byte escaped (or '' for an
 * empty one) split into the same words.
 */
#include "config.h"

#include "tui/batch.h"
#include "tests/fuzz/fuzz.h"

#define WORDS_MAX	32

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[WORDS_MAX], *back[WORDS_MAX], *line, *buf, *buf2, *again;
	const char *why;
	size_t len, used = 0, pos = 0, alen;
	int max, argc, i;

	if (size < 2 || size > 4096)
		return 0;
	max = 1 + data[0] % WORDS_MAX;
	len = data[1] == 0 ? 8192 : data[1];
	line = fuzz_string(data + 2, size - 2);
	buf = malloc(len);
	FUZZ_CHECK(buf != NULL);
	why = NULL;
	argc = batch_split(line, argv, max, buf, len, &why);
	if (argc < 0) {
		FUZZ_CHECK(argc == -1 && why != NULL && why[0] != '\0');
		goto done;
	}
	FUZZ_CHECK(argc <= max);
	for (i = 0; i < argc; i++) {
		FUZZ_CHECK(argv[i] == buf + used);
		used += strnlen(argv[i], len - used) + 1;
		FUZZ_CHECK(used <= len);
	}

	/* Written back escaped, the words split the same. */
	alen = 2 * used + 3 * (size_t)argc + 1;
	again = malloc(alen);
	FUZZ_CHECK(again != NULL);
	for (i = 0; i < argc; i++) {
		if (argv[i][0] == '\0') {
			again[pos++] = '\'';
			again[pos++] = '\'';
		}
		for (const char *p = argv[i]; *p != '\0'; p++) {
			again[pos++] = '\\';
			again[pos++] = *p;
		}
		again[pos++] = ' ';
	}
	again[pos] = '\0';
	FUZZ_CHECK(pos < alen);
	buf2 = malloc(used + 1);
	FUZZ_CHECK(buf2 != NULL);
	FUZZ_CHECK(batch_split(again, back, argc, buf2, used + 1, &why) ==
	    argc);
	for (i = 0; i < argc; i++)
		FUZZ_CHECK(strcmp(back[i], argv[i]) == 0);
	free(buf2);
	free(again);
done:
	free(buf);
	free(line);
	return 0;
}
