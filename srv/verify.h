/*
 * verify: password checks for logins, bounded and remembered.
 *
 * PBKDF2 is slow on purpose (200,000 rounds by default). Run for hundreds
 * of logins at once on a few cores it makes every client wait as long as
 * the last, so at most `parallel` checks run at a time (one a CPU), taken
 * in arrival order: the first clients are done first.
 *
 * A successful check is remembered: a keyed digest (HMAC-SHA256 under a
 * random key that lives only in this process's memory) of the user, the
 * stored hash and the password. The same user's next login with the same
 * password and stored hash costs one HMAC. A changed stored hash (a new
 * password) misses by construction, a reload forgets everything, and a
 * failed check never enters; a password that does not match what is
 * remembered still pays the full PBKDF2 before its answer.
 */
#ifndef BURROW_VERIFY_H
#define BURROW_VERIFY_H

struct verifier;

/*
 * parallel >= 1 checks at once; slots bounds the remembered logins
 * (0: remember none). NULL on failure (out of memory, no randomness).
 */
struct verifier	*verifier_new(unsigned parallel, unsigned slots);
void		 verifier_free(struct verifier *v);

/*
 * Checks password against encoded, user's stored hash. Returns 1 on a
 * match, 0 otherwise (malformed hashes included). *cached, if not NULL,
 * tells whether the answer came from memory.
 */
int		 verifier_check(struct verifier *v, const char *user,
		    const char *encoded, const char *password, int *cached);

/* An unknown user's check: as long as a real one; always 0. */
int		 verifier_dummy(struct verifier *v, const char *encoded,
		    const char *password);

/*
 * A place among the `parallel`, taken in arrival order, for a slow check
 * (verifier_check and verifier_dummy take one themselves).
 */
void		 verifier_enter(struct verifier *v);
void		 verifier_leave(struct verifier *v);

/* Forgets every remembered login (a reload). */
void		 verifier_forget(struct verifier *v);

#endif
