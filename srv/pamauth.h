/*
 * pamauth: a login checked by PAM (auth = "pam"): pam_authenticate, then
 * pam_acct_mgmt (expired, locked or otherwise refused accounts), under the
 * service pam_service. The password is handed to PAM by a conversation
 * function and never kept: the copy PAM asked for is PAM's to wipe and
 * free (libpam overwrites its authentication token at pam_end).
 *
 * PAM modules may be slow (pam_unix hashes with yescrypt, LDAP goes over
 * the network), so a check takes one of the verifier's `parallel` places,
 * in arrival order, like a PBKDF2 check (srv/verify.h). PAM's own failure
 * delay is turned off: burrowd delays every failed login itself, the same
 * for an unknown user and a wrong password, without holding a worker.
 */
#ifndef BURROW_PAMAUTH_H
#define BURROW_PAMAUTH_H

#include <stddef.h>

struct verifier;

/* 1 if this burrowd was built with PAM. */
int	pamauth_available(void);

/*
 * Checks user's password with PAM service; rhost is the client's address
 * (PAM_RHOST). Returns 1 if both PAM steps succeed; 0 if PAM refuses,
 * with why (whylen bytes) saying which step and PAM's reason ("account:
 * User account has expired"); -1 if PAM could not run (why says so).
 */
int	pamauth_check(struct verifier *v, const char *service,
	    const char *user, const char *password, const char *rhost,
	    char *why, size_t whylen);

#endif
