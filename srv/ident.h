/*
 * ident: the system account a session acts as (auth = "pam" with burrowd
 * running as root), put on and taken off the worker thread that serves it.
 *
 * Linux keeps credentials per thread: the file-system uid and gid
 * (setfsuid, setfsgid) and the supplementary groups decide every access
 * check and the owner of every file a thread creates. glibc's setfsuid and
 * setfsgid are plain system calls, so they change the calling thread only;
 * its setgroups, setuid and setgid are not (they are broadcast to every
 * thread of the process), so the groups are set with the raw
 * syscall(SYS_setgroups). A logged-in session is served by one worker from
 * its login to its end (srv/session.c), so the identity is put on at login
 * and taken off when the session ends, on that thread, before the worker
 * serves anything else. The thread keeps its effective uid 0 (the kernel
 * drops the file-system capabilities while fsuid is not 0), so it can
 * always return; a thread that cannot is a broken invariant (fatalx).
 * A thread the worker starts (srv/prehash.c) is born with the worker's
 * credentials, so it too acts as the account.
 *
 * A helper process per session would isolate more (a real setuid), but
 * costs a fork and a descriptor-passing protocol for every file operation
 * the jail does; the per-thread switch keeps the jail exactly as it is.
 */
#ifndef BURROW_IDENT_H
#define BURROW_IDENT_H

#include <stddef.h>
#include <sys/types.h>

#define IDENT_GROUPS_MAX	64

struct ident {
	uid_t	uid;
	gid_t	gid;
	int	ngroups;
	gid_t	groups[IDENT_GROUPS_MAX];
};

/*
 * Remembers the process's own groups, to which ident_leave() returns.
 * Call once before threads start, after privileges are settled. Returns 0
 * or -1 with errno.
 */
int	ident_init(void);

/*
 * Looks the account up with getpwnam_r and getgrouplist: fills id, and
 * home (homelen bytes) with its home directory. Returns 0; -1 with errno
 * ENOENT if there is no such account, ERANGE if home does not fit, or
 * another errno from the lookup. More than IDENT_GROUPS_MAX groups are cut
 * to that many (the account can then reach less, never more).
 */
int	ident_lookup(const char *name, struct ident *id, char *home,
	    size_t homelen);

/*
 * Makes the calling thread act as id for file access: supplementary
 * groups, fsgid, fsuid, in that order, each checked. Returns 0, or -1 with
 * errno (the thread is then back to the process's identity).
 */
int	ident_enter(const struct ident *id);

/* Returns the calling thread to the process's identity. fatalx on failure. */
void	ident_leave(void);

/* 1 if the calling thread acts as an account now. */
int	ident_active(void);

#endif
