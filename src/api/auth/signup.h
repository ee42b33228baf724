#ifndef ATTENDLY_API_AUTH_SIGNUP_H
#define ATTENDLY_API_AUTH_SIGNUP_H
/* The sign-up body (API.md §3.1), read and checked once for both routes that create
 * accounts from it: POST /api/auth/signup and the admin's POST /api/admin/users (§12.3),
 * which differ only in the sign-up policy (§12.2) and who the audit event names. */
#include <jansson.h>

#include "api/api.h"
#include "api/fields.h"
#include "store/audit.h"
#include "store/users.h"

enum { SIGNUP_EMAIL, SIGNUP_PASSWORD, SIGNUP_FIRST, SIGNUP_LAST, SIGNUP_ROLE, SIGNUP_FIELDS };

typedef struct signup_input {
    api_text f[SIGNUP_FIELDS];
    char *email;            /* trimmed, lowercased (free with api_signup_free) */
    int is_teacher;
} signup_input;

/* Steps 1-5 of §3.1: presence and type of every field, then the format rules.
 * 0, or -1 with the 400 reply set. */
int api_signup_read(api_ctx *ctx, const json_t *body, signup_input *in);
void api_signup_free(signup_input *in);

/* Step 6 and the insert with the account.created event (actor: STORE_USER_ACTOR_SELF or
 * an id, 0 = none) in one transaction. DB_ROW with *u, DB_CONSTRAINT when the email is
 * taken, or an error. */
int api_signup_insert(api_ctx *ctx, const signup_input *in, const char *status,
                      int64_t actor_id, store_user *u);

#endif
