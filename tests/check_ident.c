/*
 * check_ident: unit tests for srv/ident.c, the per-thread file-system
 * identity of PAM sessions: a thread that acts as an account creates files
 * as it and sees only its groups, while another thread of the same process
 * stays root meanwhile; leaving brings the thread back whole. The switch
 * needs root: without it the cases only say so and pass.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "srv/ident.h"

#define ACCOUNT_UID	41001
#define ACCOUNT_GID	41002
#define ACCOUNT_GROUP	41010

static char sandbox[64];

static int
need_root(void)
{
	if (geteuid() == 0)
		return 1;
	fprintf(stderr, "check_ident: not root, case skipped\n");
	return 0;
}

static void
setup(void)
{
	snprintf(sandbox, sizeof(sandbox), "/tmp/check_ident.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sandbox));
	ck_assert_int_eq(chmod(sandbox, 0777), 0);
	ck_assert_int_eq(ident_init(), 0);
}

/* Every name a case creates. */
static const char *const made[] = { "as-account", "as-root",
    "from-thread", "from-main" };

static void
teardown(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sandbox, made[i]);
		(void)unlink(path);
	}
	(void)rmdir(sandbox);
}

static const struct ident account = {
	ACCOUNT_UID, ACCOUNT_GID, 1, { ACCOUNT_GROUP }
};

/* Creates sandbox/name and returns its owner. */
static void
create(const char *name, uid_t *uid, gid_t *gid)
{
	char path[128];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", sandbox, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	close(fd);
	*uid = st.st_uid;
	*gid = st.st_gid;
}

START_TEST(test_enter_leave)
{
	gid_t groups[IDENT_GROUPS_MAX];
	uid_t uid;
	gid_t gid;

	if (!need_root())
		return;
	ck_assert_int_eq(ident_active(), 0);
	ck_assert_int_eq(ident_enter(&account), 0);
	ck_assert_int_eq(ident_active(), 1);
	create("as-account", &uid, &gid);
	ck_assert_int_eq(uid, ACCOUNT_UID);
	ck_assert_int_eq(gid, ACCOUNT_GID);
	ck_assert_int_eq(getgroups(IDENT_GROUPS_MAX, groups), 1);
	ck_assert_int_eq(groups[0], ACCOUNT_GROUP);
	ident_leave();
	ck_assert_int_eq(ident_active(), 0);
	ck_assert_int_eq(setfsuid((uid_t)-1), 0);
	ck_assert_int_eq(setfsgid((gid_t)-1), getegid());
	create("as-root", &uid, &gid);
	ck_assert_int_eq(uid, 0);
}
END_TEST

/* The two threads meet here: one acts as the account meanwhile. */
static pthread_barrier_t meet;

static void *
account_thread(void *arg)
{
	uid_t *owner = arg;
	gid_t gid;

	if (ident_enter(&account) != 0)
		return NULL;
	create("from-thread", &owner[0], &gid);
	pthread_barrier_wait(&meet);	/* entered: main creates its file */
	pthread_barrier_wait(&meet);	/* main is done */
	ident_leave();
	owner[1] = (uid_t)setfsuid((uid_t)-1);
	return NULL;
}

START_TEST(test_per_thread)
{
	gid_t before[IDENT_GROUPS_MAX], during[IDENT_GROUPS_MAX];
	uid_t owner[2] = { 1, 1 }, uid;
	gid_t gid;
	pthread_t t;
	int n;

	if (!need_root())
		return;
	n = getgroups(IDENT_GROUPS_MAX, before);
	ck_assert_int_ge(n, 0);
	pthread_barrier_init(&meet, NULL, 2);
	ck_assert_int_eq(pthread_create(&t, NULL, account_thread, owner), 0);
	pthread_barrier_wait(&meet);
	/* The other thread acts as the account; this one is untouched. */
	create("from-main", &uid, &gid);
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(setfsuid((uid_t)-1), 0);
	ck_assert_int_eq(getgroups(IDENT_GROUPS_MAX, during), n);
	ck_assert(memcmp(before, during, (size_t)n * sizeof(gid_t)) == 0);
	pthread_barrier_wait(&meet);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&meet);
	ck_assert_int_eq(owner[0], ACCOUNT_UID);
	ck_assert_int_eq(owner[1], 0);
}
END_TEST

START_TEST(test_lookup)
{
	struct ident id;
	char home[256];

	ck_assert_int_eq(ident_lookup("root", &id, home, sizeof(home)), 0);
	ck_assert_int_eq(id.uid, 0);
	ck_assert_int_eq(id.gid, 0);
	ck_assert_int_ge(id.ngroups, 1);
	ck_assert_str_eq(home, "/root");
	errno = 0;
	ck_assert_int_eq(ident_lookup("no-such-account-here", &id, home,
	    sizeof(home)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(ident_lookup("root", &id, home, 3), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

static Suite *
ident_suite(void)
{
	Suite *s = suite_create("ident");
	TCase *tc;

	tc = tcase_create("enter_leave");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enter_leave);
	suite_add_tcase(s, tc);
	tc = tcase_create("per_thread");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_per_thread);
	suite_add_tcase(s, tc);
	tc = tcase_create("lookup"); tcase_add_test(tc, test_lookup);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ident_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
