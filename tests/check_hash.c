/*
 * check_hash: unit tests for proto/hash, the HASH extension's algorithms:
 *
 *   vectors  the FIPS 180 / RFC 1321 digests of "abc", "" and a million
 *            'a' (four chunks) for every algorithm
 *   range    whole files and ranges (across chunk boundaries, one byte,
 *            empty, to EOF, past EOF) against OpenSSL's one-shot digest
 *   errors   bad arguments, bad fds, short buffers, cancellation
 *   table    hash_find (any case), hash_default, hash_at, the FEAT value
 *
 * Files live in a fresh temporary folder per test.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <openssl/evp.h>

#include "proto/hash.h"

static char sandbox[PATH_MAX];

static void
setup(void)
{
	snprintf(sandbox, sizeof(sandbox), "/tmp/check_hash.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

/* Writes len bytes of data to a new file in the sandbox; opens it. */
static int
file_with(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sandbox, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	if (len > 0)
		ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	return fd;
}

/* A buffer whose bytes differ from one position to the next. */
static unsigned char *
pattern(size_t len)
{
	unsigned char *p = malloc(len ? len : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + (i >> 8) * 7 + 3) & 0xff);
	return p;
}

/* OpenSSL's one-shot digest of data, in lowercase hex: the reference. */
static void
reference(const struct hash_alg *alg, const void *data, size_t len,
    char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	ck_assert(EVP_Digest(data, len, md, &n,
	    EVP_get_digestbyname(alg->evp), NULL) == 1);
	ck_assert_uint_eq(n, alg->size);
	for (i = 0; i < n; i++)
		sprintf(out + i * 2, "%02x", md[i]);
}

static void
assert_digest(int fd, const char *name, uint64_t start, uint64_t end,
    const char *want)
{
	char hex[HASH_HEX_MAX];
	const struct hash_alg *alg = hash_find(name);

	ck_assert_ptr_nonnull(alg);
	ck_assert_msg(hash_fd_range(fd, alg, start, end, hex, sizeof(hex),
	    NULL) == 0, "%s %ju-%ju: %s", name, (uintmax_t)start,
	    (uintmax_t)end, strerror(errno));
	ck_assert_str_eq(hex, want);
	ck_assert_uint_eq(strlen(hex), alg->size * 2);
}

/* --- vectors --------------------------------------------------------------- */

START_TEST(test_abc)
{
	int fd = file_with("abc", "abc", 3);

	assert_digest(fd, "SHA-256", 0, UINT64_MAX,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_digest(fd, "SHA-512", 0, UINT64_MAX,
	    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	assert_digest(fd, "SHA-1", 0, UINT64_MAX,
	    "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_digest(fd, "MD5", 0, UINT64_MAX,
	    "900150983cd24fb0d6963f7d28e17f72");
	/* An explicit end of exactly the size is the same. */
	assert_digest(fd, "MD5", 0, 3, "900150983cd24fb0d6963f7d28e17f72");
	close(fd);
}
END_TEST

START_TEST(test_abc_inside)
{
	int fd = file_with("xabcx", "xxabcyy", 7);

	assert_digest(fd, "SHA-256", 2, 5,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_digest(fd, "SHA-1", 2, 5,
	    "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_digest(fd, "MD5", 2, 5, "900150983cd24fb0d6963f7d28e17f72");
	close(fd);
}
END_TEST

START_TEST(test_empty)
{
	int fd = file_with("empty", "", 0);

	assert_digest(fd, "SHA-256", 0, UINT64_MAX,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_digest(fd, "SHA-512", 0, UINT64_MAX,
	    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	    "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
	assert_digest(fd, "SHA-1", 0, UINT64_MAX,
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	assert_digest(fd, "MD5", 0, UINT64_MAX,
	    "d41d8cd98f00b204e9800998ecf8427e");
	/* [0, 0) of an empty file is nothing, and so fine. */
	assert_digest(fd, "MD5", 0, 0, "d41d8cd98f00b204e9800998ecf8427e");
	close(fd);
}
END_TEST

START_TEST(test_million_a)
{
	size_t len = 1000000;	/* 3.8 chunks */
	char *a = malloc(len);
	int fd;

	ck_assert_ptr_nonnull(a);
	memset(a, 'a', len);
	fd = file_with("million", a, len);
	free(a);
	assert_digest(fd, "SHA-256", 0, UINT64_MAX,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_digest(fd, "SHA-512", 0, UINT64_MAX,
	    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	    "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
	assert_digest(fd, "SHA-1", 0, UINT64_MAX,
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	assert_digest(fd, "MD5", 0, UINT64_MAX,
	    "7707d6ae4e027c70eea2a935c2296f21");
	close(fd);
}
END_TEST

/* --- range ----------------------------------------------------------------- */

#define BIG	(1024 * 1024 + 4321)	/* four chunks and a bit */
#define CHUNK	(256 * 1024)

START_TEST(test_ranges)
{
	static const struct { uint64_t start, end; } r[] = {
		{ 0, BIG },			/* whole */
		{ 0, 1 },			/* first byte */
		{ BIG - 1, BIG },		/* last byte */
		{ 0, CHUNK },			/* exactly one chunk */
		{ 0, CHUNK + 1 },
		{ CHUNK - 1, CHUNK + 1 },	/* across a boundary */
		{ 1, BIG - 1 },
		{ 12345, 3 * CHUNK + 17 },
		{ 777, 777 },			/* empty */
		{ BIG, BIG },			/* empty, at EOF */
	};
	unsigned char *data = pattern(BIG);
	char want[HASH_HEX_MAX];
	const struct hash_alg *alg;
	size_t i, k;
	int fd = file_with("big", data, BIG);

	for (k = 0; (alg = hash_at(k)) != NULL; k++)
		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			reference(alg, data + r[i].start,
			    (size_t)(r[i].end - r[i].start), want);
			assert_digest(fd, alg->name, r[i].start, r[i].end, want);
		}
	free(data);
	close(fd);
}
END_TEST

START_TEST(test_to_eof)
{
	unsigned char *data = pattern(BIG);
	char want[HASH_HEX_MAX];
	int fd = file_with("big", data, BIG);

	reference(hash_default(), data + 1000, BIG - 1000, want);
	assert_digest(fd, "SHA-256", 1000, UINT64_MAX, want);
	/* To EOF from EOF or beyond is no bytes at all. */
	reference(hash_default(), "", 0, want);
	assert_digest(fd, "SHA-256", BIG, UINT64_MAX, want);
	assert_digest(fd, "SHA-256", BIG + 1000, UINT64_MAX, want);
	assert_digest(fd, "SHA-256", UINT64_MAX - 1, UINT64_MAX, want);
	assert_digest(fd, "SHA-256", UINT64_MAX, UINT64_MAX, want);
	free(data);
	close(fd);
}
END_TEST

START_TEST(test_past_eof)
{
	char hex[HASH_HEX_MAX] = "junk";
	int fd = file_with("abc", "abc", 3);

	/* An explicit end the file does not reach is an error, not less. */
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, 4, hex,
	    sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_str_eq(hex, "");
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 10, 20, hex,
	    sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, ERANGE);
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), (uint64_t)INT64_MAX,
	    (uint64_t)INT64_MAX + 10, hex, sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, ERANGE);
	close(fd);
}
END_TEST

START_TEST(test_offset_untouched)
{
	unsigned char *data = pattern(BIG);
	char hex[HASH_HEX_MAX];
	int fd = file_with("big", data, BIG);

	ck_assert_int_eq(lseek(fd, 123, SEEK_SET), 123);
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), NULL), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), 123);
	free(data);
	close(fd);
}
END_TEST

START_TEST(test_sparse)
{
	/* A hole reads as zeros, and is hashed as such. */
	size_t len = 3 * CHUNK + 5;
	unsigned char *zeros = calloc(1, len);
	char want[HASH_HEX_MAX];
	int fd = file_with("sparse", "", 0);

	ck_assert_ptr_nonnull(zeros);
	ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
	reference(hash_find("SHA-512"), zeros, len, want);
	assert_digest(fd, "sha-512", 0, UINT64_MAX, want);
	free(zeros);
	close(fd);
}
END_TEST

/* --- errors ---------------------------------------------------------------- */

START_TEST(test_bad_args)
{
	char hex[HASH_HEX_MAX];
	int fd = file_with("abc", "abc", 3);

	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, NULL, 0, 3, hex, sizeof(hex), NULL),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, 3, NULL, 65,
	    NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 2, 1, hex,
	    sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
}
END_TEST

START_TEST(test_short_buffer)
{
	char hex[HASH_HEX_MAX];
	int fd = file_with("abc", "abc", 3);

	/* SHA-256 needs 65 bytes: 64 digits and the NUL. */
	memset(hex, 'x', sizeof(hex));
	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, 3, hex, 64,
	    NULL), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_str_eq(hex, "");
	ck_assert_int_eq(hex[1], 'x');
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, 3, hex, 65,
	    NULL), 0);
	ck_assert_uint_eq(strlen(hex), 64);
	/* MD5 fits in 33. */
	ck_assert_int_eq(hash_fd_range(fd, hash_find("MD5"), 0, 3, hex, 33,
	    NULL), 0);
	ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
	/* hexlen 0 writes nothing at all. */
	memset(hex, 'x', sizeof(hex));
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, 3, hex, 0,
	    NULL), -1);
	ck_assert_int_eq(hex[0], 'x');
	close(fd);
}
END_TEST

START_TEST(test_bad_fds)
{
	char hex[HASH_HEX_MAX];
	int p[2], dfd;

	errno = 0;
	ck_assert_int_eq(hash_fd_range(-1, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, EBADF);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "abc", 3), 3);
	errno = 0;
	ck_assert_int_eq(hash_fd_range(p[0], hash_default(), 0, UINT64_MAX,
	    hex, sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, ESPIPE);
	close(p[0]);
	close(p[1]);

	dfd = open(sandbox, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(dfd, -1);
	errno = 0;
	ck_assert_int_eq(hash_fd_range(dfd, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), NULL), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_str_eq(hex, "");
	close(dfd);

	/* Write-only: pread fails with EBADF. */
	{
		char path[PATH_MAX + 8];
		int wfd;

		snprintf(path, sizeof(path), "%s/wo", sandbox);
		wfd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_int_ne(wfd, -1);
		ck_assert_int_eq(write(wfd, "abc", 3), 3);
		errno = 0;
		ck_assert_int_eq(hash_fd_range(wfd, hash_default(), 0,
		    UINT64_MAX, hex, sizeof(hex), NULL), -1);
		ck_assert_int_eq(errno, EBADF);
		close(wfd);
	}
}
END_TEST

START_TEST(test_cancel)
{
	unsigned char *data = pattern(BIG);
	char hex[HASH_HEX_MAX];
	volatile int flag = 1;
	int fd = file_with("big", data, BIG);

	errno = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), &flag), -1);
	ck_assert_int_eq(errno, ECANCELED);
	ck_assert_str_eq(hex, "");
	flag = 0;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 0, UINT64_MAX, hex,
	    sizeof(hex), &flag), 0);
	ck_assert_uint_eq(strlen(hex), 64);
	/* Nothing to read: nothing to cancel either. */
	flag = 1;
	ck_assert_int_eq(hash_fd_range(fd, hash_default(), 5, 5, hex,
	    sizeof(hex), &flag), 0);
	free(data);
	close(fd);
}
END_TEST

/* --- table ----------------------------------------------------------------- */

START_TEST(test_find)
{
	static const char *const names[] = { "SHA-256", "SHA-512", "SHA-1",
	    "MD5" };
	static const size_t sizes[] = { 32, 64, 20, 16 };
	size_t i;

	for (i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(hash_at(i));
		ck_assert_str_eq(hash_at(i)->name, names[i]);
		ck_assert_uint_eq(hash_at(i)->size, sizes[i]);
		ck_assert_ptr_eq(hash_find(names[i]), hash_at(i));
	}
	ck_assert_ptr_null(hash_at(4));
	ck_assert_ptr_eq(hash_default(), hash_find("SHA-256"));
	ck_assert_str_eq(hash_default()->name, "SHA-256");

	ck_assert_ptr_eq(hash_find("sha-256"), hash_at(0));
	ck_assert_ptr_eq(hash_find("Sha-512"), hash_at(1));
	ck_assert_ptr_eq(hash_find("sHA-1"), hash_at(2));
	ck_assert_ptr_eq(hash_find("md5"), hash_at(3));
	ck_assert_ptr_eq(hash_find("Md5"), hash_at(3));

	ck_assert_ptr_null(hash_find(NULL));
	ck_assert_ptr_null(hash_find(""));
	ck_assert_ptr_null(hash_find("SHA256"));	/* not the IANA name */
	ck_assert_ptr_null(hash_find("SHA-256 "));
	ck_assert_ptr_null(hash_find(" SHA-256"));
	ck_assert_ptr_null(hash_find("SHA-2"));
	ck_assert_ptr_null(hash_find("SHA-2566"));
	ck_assert_ptr_null(hash_find("CRC-37"));
	ck_assert_ptr_null(hash_find("SHA-384"));
}
END_TEST

START_TEST(test_feat)
{
	char buf[64];

	ck_assert_int_eq(hash_feat(NULL, buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "SHA-256*;SHA-512;SHA-1;MD5");
	ck_assert_int_eq(hash_feat(hash_default(), buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "SHA-256*;SHA-512;SHA-1;MD5");
	ck_assert_int_eq(hash_feat(hash_find("sha-512"), buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "SHA-256;SHA-512*;SHA-1;MD5");
	ck_assert_int_eq(hash_feat(hash_find("SHA-1"), buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "SHA-256;SHA-512;SHA-1*;MD5");
	ck_assert_int_eq(hash_feat(hash_find("md5"), buf, sizeof(buf)), 26);
	ck_assert_str_eq(buf, "SHA-256;SHA-512;SHA-1;MD5*");
}
END_TEST

START_TEST(test_feat_short)
{
	char buf[64];

	/* 26 characters need 27 bytes. */
	ck_assert_int_eq(hash_feat(NULL, buf, 27), 26);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(hash_feat(NULL, buf, 26), -1);
	ck_assert_uint_lt(strlen(buf), 26);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(hash_feat(NULL, buf, 5), -1);
	ck_assert_uint_lt(strlen(buf), 5);
	buf[0] = 'x';
	ck_assert_int_eq(hash_feat(NULL, buf, 0), -1);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

START_TEST(test_pieces)
{
	const struct hash_alg *sha = hash_find("SHA-256");
	struct hash_ctx *h;
	char hex[HASH_HEX_MAX], small[10];

	/* "abc" in three pieces, one of them empty, is "abc". */
	ck_assert_ptr_nonnull(h = hash_begin(sha));
	ck_assert_int_eq(hash_update(h, "a", 1), 0);
	ck_assert_int_eq(hash_update(h, "", 0), 0);
	ck_assert_int_eq(hash_update(h, "bc", 2), 0);
	ck_assert_int_eq(hash_end(h, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* Nothing at all is the empty string's digest. */
	ck_assert_ptr_nonnull(h = hash_begin(hash_find("MD5")));
	ck_assert_int_eq(hash_end(h, hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, "d41d8cd98f00b204e9800998ecf8427e");
	/* Too small a buffer fails, and frees the context all the same. */
	ck_assert_ptr_nonnull(h = hash_begin(sha));
	errno = 0;
	ck_assert_int_eq(hash_end(h, small, sizeof(small)), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_str_eq(small, "");
	errno = 0;
	ck_assert_ptr_null(hash_begin(NULL));
	ck_assert_int_eq(errno, EINVAL);
	hash_abandon(NULL);
	hash_abandon(hash_begin(sha));
}
END_TEST

/* --- the texts from the other side ------------------------------------------ */

START_TEST(test_parse_range)
{
	uint64_t a = 7, b = 7;

	ck_assert_int_eq(hash_parse_range("0 49", &a, &b), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 49);
	ck_assert_int_eq(hash_parse_range("1 0", &a, &b), 0);	/* the reset */
	ck_assert_uint_eq(a, 1);
	ck_assert_uint_eq(b, 0);
	ck_assert_int_eq(hash_parse_range("9223372036854775807 "
	    "9223372036854775807", &a, &b), 0);
	ck_assert_uint_eq(a, INT64_MAX);
	a = b = 7;
	ck_assert_int_eq(hash_parse_range(NULL, &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("5", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("5 ", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range(" 5 6", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("5  6", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("5 6 ", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("-1 6", &a, &b), -1);
	ck_assert_int_eq(hash_parse_range("5 9223372036854775808", &a, &b),
	    -1);
	ck_assert_int_eq(hash_parse_range("123456789012345678901234567890123 "
	    "1", &a, &b), -1);
	ck_assert_uint_eq(a, 7);
	ck_assert_uint_eq(b, 7);
}
END_TEST

START_TEST(test_parse_reply)
{
	char hex[HASH_HEX_MAX], small[9];

	ck_assert_int_eq(hash_parse_reply("213 SHA-256 0-49 "
	    "0123456789ABCDEFabcdef /a b.txt", hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, "0123456789abcdefabcdef");
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2 "
	    "900150983cd24fb0d6963f7d28e17f72\nmore", hex, sizeof(hex)), 0);
	ck_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2 12345678", small,
	    sizeof(small)), 0);
	ck_assert_str_eq(small, "12345678");
	strcpy(hex, "kept");
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2 123456789", small,
	    sizeof(small)), -1);		/* does not fit */
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2 1234567", hex,
	    sizeof(hex)), -1);			/* too short */
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2 12345678x", hex,
	    sizeof(hex)), -1);
	ck_assert_int_eq(hash_parse_reply("213 MD5 0-2", hex, sizeof(hex)),
	    -1);
	ck_assert_int_eq(hash_parse_reply("213", hex, sizeof(hex)), -1);
	ck_assert_int_eq(hash_parse_reply("", hex, sizeof(hex)), -1);
	ck_assert_str_eq(hex, "kept");
}
END_TEST

static void
add(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

static Suite *
hash_suite(void)
{
	Suite *s = suite_create("hash");

	add(s, "abc", test_abc);
	add(s, "abc_inside", test_abc_inside);
	add(s, "empty", test_empty);
	add(s, "million_a", test_million_a);
	add(s, "ranges", test_ranges);
	add(s, "to_eof", test_to_eof);
	add(s, "past_eof", test_past_eof);
	add(s, "offset_untouched", test_offset_untouched);
	add(s, "sparse", test_sparse);
	add(s, "bad_args", test_bad_args);
	add(s, "short_buffer", test_short_buffer);
	add(s, "bad_fds", test_bad_fds);
	add(s, "cancel", test_cancel);
	add(s, "find", test_find);
	add(s, "feat", test_feat);
	add(s, "feat_short", test_feat_short);
	add(s, "pieces", test_pieces);
	add(s, "parse_range", test_parse_range);
	add(s, "parse_reply", test_parse_reply);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hash_suite());
	int number_failed;

	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
