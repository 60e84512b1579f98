/*
 * ident: per-thread file-system credentials. The process's own groups are
 * saved once; every thread that has entered an identity remembers so in a
 * thread-local flag, so that a worker can check it is back to the
 * process's identity before it serves anyone else.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "srv/ident.h"
#include "srv/log.h"

/* Written once by ident_init() before threads start, then only read. */
static gid_t	base_groups[IDENT_GROUPS_MAX];
static int	base_ngroups = -1;

/* This thread acts as an account (ident_enter without ident_leave). */
static _Thread_local int entered;

int
ident_init(void)
{
	int n;

	if ((n = getgroups(IDENT_GROUPS_MAX, base_groups)) == -1)
		return -1;
	base_ngroups = n;
	return 0;
}

int
ident_lookup(const char *name, struct ident *id, char *home, size_t homelen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int n = IDENT_GROUPS_MAX, rc;

	if ((rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res)) != 0) {
		errno = rc;
		return -1;
	}
	if (res == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (snprintf(home, homelen, "%s", pw.pw_dir) >= (int)homelen) {
		errno = ERANGE;
		return -1;
	}
	id->uid = pw.pw_uid;
	id->gid = pw.pw_gid;
	/* Too many: getgrouplist fills what fits and says -1; keep those. */
	if (getgrouplist(name, pw.pw_gid, id->groups, &n) == -1)
		n = IDENT_GROUPS_MAX;
	id->ngroups = n < 0 ? 0 : n > IDENT_GROUPS_MAX ? IDENT_GROUPS_MAX : n;
	return 0;
}

/* setgroups for this thread alone (see ident.h). */
static int
thread_setgroups(int n, const gid_t *groups)
{
	return (int)syscall(SYS_setgroups, (size_t)n, groups);
}

int
ident_active(void)
{
	return entered;
}

int
ident_enter(const struct ident *id)
{
	int err;

	entered = 1;
	if (thread_setgroups(id->ngroups, id->groups) == -1)
		goto fail;
	/* Both return the previous id; asking again (-1) tells the new one. */
	setfsgid(id->gid);
	if ((gid_t)setfsgid((gid_t)-1) != id->gid) {
		errno = EPERM;
		goto fail;
	}
	setfsuid(id->uid);
	if ((uid_t)setfsuid((uid_t)-1) != id->uid) {
		errno = EPERM;
		goto fail;
	}
	return 0;
fail:
	err = errno;
	ident_leave();
	errno = err;
	return -1;
}

void
ident_leave(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	/* The uid first: it brings back the capability setgroups needs. */
	setfsuid(uid);
	if ((uid_t)setfsuid((uid_t)-1) != uid)
		fatalx("setfsuid back to %ld failed", (long)uid);
	setfsgid(gid);
	if ((gid_t)setfsgid((gid_t)-1) != gid)
		fatalx("setfsgid back to %ld failed", (long)gid);
	if (base_ngroups >= 0 &&
	    thread_setgroups(base_ngroups, base_groups) == -1)
		fatalx("setgroups back to the process's groups: %s",
		    strerror(errno));
	entered = 0;
}
