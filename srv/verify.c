/*
 * verify: a FIFO gate of `parallel` places around PBKDF2, and a table of
 * remembered logins indexed by a hash of the user name (a collision just
 * replaces the older entry: it is a cache).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "proto/util.h"
#include "srv/auth.h"
#include "srv/users.h"
#include "srv/verify.h"

#define KEY_LEN		32
#define DIGEST_LEN	32

struct remembered {
	int		 used;
	char		 user[USER_NAME_MAX + 1];
	unsigned char	 digest[DIGEST_LEN];
};

struct verifier {
	unsigned char	 key[KEY_LEN];

	/* gate guards the tickets and active. */
	pthread_mutex_t	 gate;
	pthread_cond_t	 turn;
	unsigned long	 next_ticket, serving;
	unsigned	 active, parallel;

	/* lock guards the table. */
	pthread_mutex_t	 lock;
	struct remembered *slot;
	unsigned	 nslots;
};

struct verifier *
verifier_new(unsigned parallel, unsigned slots)
{
	struct verifier *v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if (slots > 0 && (v->slot = calloc(slots, sizeof(*v->slot))) == NULL) {
		free(v);
		return NULL;
	}
	if (RAND_bytes(v->key, sizeof(v->key)) != 1) {
		free(v->slot);
		free(v);
		return NULL;
	}
	v->nslots = slots;
	v->parallel = parallel > 0 ? parallel : 1;
	pthread_mutex_init(&v->gate, NULL);
	pthread_cond_init(&v->turn, NULL);
	pthread_mutex_init(&v->lock, NULL);
	return v;
}

void
verifier_free(struct verifier *v)
{
	if (v == NULL)
		return;
	wipe(v->key, sizeof(v->key));
	if (v->slot != NULL)
		wipe(v->slot, v->nslots * sizeof(*v->slot));
	free(v->slot);
	pthread_mutex_destroy(&v->gate);
	pthread_cond_destroy(&v->turn);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

void
verifier_enter(struct verifier *v)
{
	unsigned long me;

	pthread_mutex_lock(&v->gate);
	me = v->next_ticket++;
	while (me != v->serving || v->active >= v->parallel)
		pthread_cond_wait(&v->turn, &v->gate);
	v->serving++;
	v->active++;
	/* The next ticket may go in too if a place is left. */
	pthread_cond_broadcast(&v->turn);
	pthread_mutex_unlock(&v->gate);
}

void
verifier_leave(struct verifier *v)
{
	pthread_mutex_lock(&v->gate);
	v->active--;
	pthread_cond_broadcast(&v->turn);
	pthread_mutex_unlock(&v->gate);
}

/* FNV-1a of the name: where its entry lives. */
static unsigned
slot_of(const struct verifier *v, const char *user)
{
	uint32_t h = 2166136261u;

	for (; *user != '\0'; user++)
		h = (h ^ (unsigned char)*user) * 16777619u;
	return h % v->nslots;
}

/* HMAC(key, user NUL encoded NUL password). Returns 0 or -1. */
static int
digest(const struct verifier *v, const char *user, const char *encoded,
    const char *password, unsigned char out[DIGEST_LEN])
{
	unsigned char *msg;
	size_t lu = strlen(user), le = strlen(encoded), lp = strlen(password);
	size_t n = lu + 1 + le + 1 + lp;
	unsigned len = 0;
	int rc = 0;

	if ((msg = malloc(n)) == NULL)
		return -1;
	memcpy(msg, user, lu + 1);
	memcpy(msg + lu + 1, encoded, le + 1);
	memcpy(msg + lu + 1 + le + 1, password, lp);
	if (HMAC(EVP_sha256(), v->key, sizeof(v->key), msg, n, out, &len) ==
	    NULL || len != DIGEST_LEN)
		rc = -1;
	wipe(msg, n);
	free(msg);
	return rc;
}

/* 1 if d is what is remembered for user. */
static int
remembered(struct verifier *v, const char *user,
    const unsigned char d[DIGEST_LEN])
{
	struct remembered *r = &v->slot[slot_of(v, user)];
	int ok;

	pthread_mutex_lock(&v->lock);
	ok = r->used && strcmp(r->user, user) == 0 &&
	    CRYPTO_memcmp(r->digest, d, DIGEST_LEN) == 0;
	pthread_mutex_unlock(&v->lock);
	return ok;
}

int
verifier_check(struct verifier *v, const char *user, const char *encoded,
    const char *password, int *cached)
{
	unsigned char d[DIGEST_LEN];
	struct remembered *r;
	int have = 0, ok;

	if (cached != NULL)
		*cached = 0;
	if (v->nslots > 0 && strlen(user) <= USER_NAME_MAX &&
	    digest(v, user, encoded, password, d) == 0)
		have = 1;
	if (have) {
		if (remembered(v, user, d)) {
			if (cached != NULL)
				*cached = 1;
			wipe(d, sizeof(d));
			return 1;
		}
	}
	verifier_enter(v);
	/*
	 * A flood of one user's logins misses all at once: the first check
	 * to finish answers for those that waited behind it.
	 */
	if (have && remembered(v, user, d)) {
		verifier_leave(v);
		if (cached != NULL)
			*cached = 1;
		wipe(d, sizeof(d));
		return 1;
	}
	ok = auth_verify(password, encoded) == 1;
	verifier_leave(v);
	if (ok && have) {
		r = &v->slot[slot_of(v, user)];
		pthread_mutex_lock(&v->lock);
		r->used = 1;
		memcpy(r->user, user, strlen(user) + 1);
		memcpy(r->digest, d, DIGEST_LEN);
		pthread_mutex_unlock(&v->lock);
	}
	wipe(d, sizeof(d));
	return ok;
}

int
verifier_dummy(struct verifier *v, const char *encoded, const char *password)
{
	verifier_enter(v);
	if (encoded != NULL)
		(void)auth_verify(password, encoded);
	else
		(void)auth_verify_dummy(password);
	verifier_leave(v);
	return 0;
}

void
verifier_forget(struct verifier *v)
{
	if (v->nslots == 0)
		return;
	pthread_mutex_lock(&v->lock);
	wipe(v->slot, v->nslots * sizeof(*v->slot));
	pthread_mutex_unlock(&v->lock);
}
