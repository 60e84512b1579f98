/*
 * jail: keeps every file operation of a session inside the user's home.
 *
 * A session holds a directory fd on its home (the root) and a virtual cwd.
 * Paths from the client are first joined and normalised lexically into an
 * absolute virtual path ("/docs/a.txt"; "/" is the home itself) that can
 * never climb above "/". They are then resolved on the root fd with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so that symlinks inside
 * the home are followed but can never lead out of it: an absolute link target
 * or ".." is taken relative to the home, as if the home were "/". Where
 * openat2 is missing (ENOSYS) a component-by-component walk with O_NOFOLLOW
 * does the same, expanding symlinks itself with the same rules.
 *
 * No path string ever reaches open(); callers use the returned fds with the
 * *at() family.
 */
#ifndef BURROW_JAIL_H
#define BURROW_JAIL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum jail_mode {
	JAIL_AUTO,	/* openat2, falling back to the walk on ENOSYS */
	JAIL_OPENAT2,	/* openat2 only */
	JAIL_WALK	/* the O_NOFOLLOW walk only (tests, old kernels) */
};

/*
 * Chooses how paths are resolved, process-wide. Call before threads start.
 * jail_init_from_env() reads BURROW_JAIL=walk|openat2|auto (the test switch)
 * and, in auto mode, probes openat2 once: where it answers ENOSYS (kernels
 * before 5.6) or EPERM (some seccomp profiles) the walk is used throughout.
 */
void jail_set_mode(enum jail_mode mode);
enum jail_mode jail_get_mode(void);
void jail_init_from_env(void);

/*
 * Joins arg to the virtual directory cwd (arg is taken as absolute when it
 * starts with '/') and normalises the result lexically: empty components and
 * "." are dropped, ".." removes the previous component and is ignored at
 * "/". The result starts with '/', has no trailing '/' (except "/" itself).
 * Backslashes are ordinary bytes. Returns 0, or -1 with errno ENAMETOOLONG
 * if the result does not fit in outlen, EINVAL if arg is NULL.
 */
int jail_normalize(const char *cwd, const char *arg, char *out, size_t outlen);

/*
 * Opens the virtual path vpath (as made by jail_normalize) below rootfd with
 * open(2) flags and mode; O_CLOEXEC is always added. Symlinks are followed
 * inside the jail only, including a final one unless flags has O_NOFOLLOW.
 * O_PATH is allowed (for fstat). Returns an fd, or -1 with errno set as
 * open(2) would (ENOENT, ENOTDIR, EACCES, ELOOP, EXDEV...).
 */
int jail_open(int rootfd, const char *vpath, int flags, mode_t mode);

/*
 * Opens the directory that holds vpath's last component, resolved as
 * jail_open does, and copies that component into name (namelen bytes).
 * Used with mkdirat, unlinkat, renameat, fstatat(AT_SYMLINK_NOFOLLOW).
 * Returns a directory fd, or -1 with errno: EPERM for "/" (the home has no
 * parent inside the jail), ENAMETOOLONG if name does not fit.
 */
int jail_open_parent(int rootfd, const char *vpath, char *name, size_t namelen);

/* fstat of vpath as jail_open would resolve it. Returns 0 or -1 with errno. */
int jail_stat(int rootfd, const char *vpath, struct stat *st);

#endif
