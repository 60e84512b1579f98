/*
 * pamauth: one PAM transaction per login, started and ended on the worker
 * that serves the PASS, inside a place of the verifier's gate. Built
 * without PAM (configure --without-pam), every check fails with a reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_PAM
#include <security/pam_appl.h>
#endif

#include "proto/util.h"
#include "srv/pamauth.h"
#include "srv/verify.h"

#ifdef HAVE_PAM

/* What the conversation answers with: the login's name and password. */
struct conv_data {
	const char	*user;
	const char	*password;
};

/*
 * Answers a password prompt (echo off) with the password and a name
 * prompt (echo on) with the user; messages get no answer. PAM frees the
 * answers (and wipes the token it keeps).
 */
static int
conversation(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	const struct conv_data *cd = appdata;
	struct pam_response *r;
	const char *answer;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			answer = cd->password;
			break;
		case PAM_PROMPT_ECHO_ON:
			answer = cd->user;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			continue;
		default:
			goto fail;
		}
		if ((r[i].resp = strdup(answer)) == NULL)
			goto fail;
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			wipe(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
	return PAM_CONV_ERR;
}

/* PAM_FAIL_DELAY: burrowd delays failures itself (see pamauth.h). */
static void
no_delay(int retval, unsigned usec_delay, void *appdata)
{
	(void)retval;
	(void)usec_delay;
	(void)appdata;
}

int
pamauth_available(void)
{
	return 1;
}

int
pamauth_check(struct verifier *v, const char *service, const char *user,
    const char *password, const char *rhost, char *why, size_t whylen)
{
	struct conv_data cd = { user, password };
	struct pam_conv conv = { conversation, &cd };
	void (*delay)(int, unsigned, void *) = no_delay;
	pam_handle_t *ph = NULL;
	int rc, ok = 0;

	why[0] = '\0';
	verifier_enter(v);
	if ((rc = pam_start(service, user, &conv, &ph)) != PAM_SUCCESS) {
		verifier_leave(v);
		snprintf(why, whylen, "pam_start(%s): %s", service,
		    pam_strerror(NULL, rc));
		return -1;
	}
	(void)pam_set_item(ph, PAM_RHOST, rhost);
	(void)pam_set_item(ph, PAM_TTY, "ftp");
	(void)pam_set_item(ph, PAM_FAIL_DELAY, (const void *)delay);
	if ((rc = pam_authenticate(ph, PAM_SILENT |
	    PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
		snprintf(why, whylen, "authentication: %s",
		    pam_strerror(ph, rc));
	else if ((rc = pam_acct_mgmt(ph, PAM_SILENT |
	    PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
		snprintf(why, whylen, "account: %s", pam_strerror(ph, rc));
	else
		ok = 1;
	pam_end(ph, rc);
	verifier_leave(v);
	return ok;
}

#else /* !HAVE_PAM */

int
pamauth_available(void)
{
	return 0;
}

int
pamauth_check(struct verifier *v, const char *service, const char *user,
    const char *password, const char *rhost, char *why, size_t whylen)
{
	(void)v; (void)service; (void)user; (void)password; (void)rhost;
	snprintf(why, whylen, "this burrowd was built without PAM");
	return -1;
}

#endif
