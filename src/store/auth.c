/* Queries behind token authentication (store/auth.h). */
#include "store/auth.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

/* One revocation in this many also purges rows whose token has expired anyway. */
#define PURGE_ONE_IN 32

int store_auth_lookup(db_conn *c, const char *jti, int64_t user_id, int *revoked,
                      store_auth_state *out)
{
    /* The one-row derived table makes the revocation answer come back even when the
     * user row does not exist (then the u.* columns are NULL). */
    db_stmt *s = db_prepare(c,
        "SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?), "
        "u.id, u.role, u.is_active, u.token_version, u.status "
        "FROM (SELECT 1 AS one) AS probe LEFT JOIN users u ON u.id = ?");
    if (!s)
        return DB_ERR;
    int rc = db_bind_text(s, 1, jti);
    if (rc == DB_OK)
        rc = db_bind_int64(s, 2, user_id);
    if (rc == DB_OK)
        rc = db_step(s);
    if (rc == DB_ROW) {
        *revoked = db_col_int64(s, 0) != 0;
        if (db_col_is_null(s, 1)) {
            rc = DB_DONE;
        } else {
            const char *role = db_col_text(s, 2);
            out->user_id = db_col_int64(s, 1);
            const char *status = db_col_text(s, 5);
            out->is_teacher = role && strcmp(role, "teacher") == 0;
            out->is_admin = role && strcmp(role, "admin") == 0;
            out->is_pending = status && strcmp(status, "pending") == 0;
            out->is_active = db_col_int64(s, 3) != 0;
            out->token_version = db_col_int64(s, 4);
        }
    } else if (rc == DB_DONE) {
        rc = DB_ERR; /* the probe row is always there */
    }
    db_finalize(s);
    return rc;
}

static int purge_expired(db_conn *c)
{
    db_stmt *s = db_prepare(c, "DELETE FROM revoked_tokens WHERE expires_at < ?");
    if (!s)
        return DB_ERR;
    int rc = db_bind_int64(s, 1, (int64_t)time(NULL));
    if (rc == DB_OK)
        rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

int store_token_revoke(db_conn *c, const char *jti, int64_t user_id, int64_t expires_at)
{
    db_stmt *s = db_prepare(c, "INSERT INTO revoked_tokens (jti, user_id, expires_at) "
                               "VALUES (?, ?, ?) ON CONFLICT (jti) DO NOTHING");
    if (!s)
        return DB_ERR;
    int rc = db_bind_text(s, 1, jti);
    if (rc == DB_OK)
        rc = db_bind_int64(s, 2, user_id);
    if (rc == DB_OK)
        rc = db_bind_int64(s, 3, expires_at);
    if (rc == DB_OK)
        rc = db_step(s);
    db_finalize(s);
    if (rc != DB_DONE)
        return rc;
    if (randombytes_uniform(PURGE_ONE_IN) == 0)
        return purge_expired(c);
    return DB_OK;
}
