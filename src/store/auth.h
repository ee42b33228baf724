#ifndef ATTENDLY_STORE_AUTH_H
#define ATTENDLY_STORE_AUTH_H
/* Queries behind token authentication: a user's current auth state and revoked token ids. */
#include <stdint.h>
#include "store/db.h"

typedef struct store_auth_state {
    int64_t user_id;
    int is_teacher;          /* current role */
    int is_admin;
    int is_pending;          /* a teacher awaiting approval (API.md §12.2) */
    int is_active;
    int64_t token_version;
} store_auth_state;

/* Both checks of an authenticated request in one query (one statement, one read
 * snapshot): *revoked is 1 when `jti` is revoked, else 0. Then DB_ROW when the user
 * exists (state filled), DB_DONE when not, or an error. */
int store_auth_lookup(db_conn *c, const char *jti, int64_t user_id, int *revoked,
                      store_auth_state *out);
/* Records a revocation until expires_at (idempotent). Also purges expired rows now and then. */
int store_token_revoke(db_conn *c, const char *jti, int64_t user_id, int64_t expires_at);

#endif
