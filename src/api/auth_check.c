/* Token authentication of protected routes, exactly as API.md §1.6 orders it: header
 * shape, token (alg, signature, type, claims, times), revocation, the user's state, and
 * the token version. Every failure is 401 with the same text under "error" and "msg". */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "core/config.h"
#include "core/token.h"
#include "store/auth.h"

static int auth_fail(api_ctx *ctx, const char *m)
{
    reply_json(ctx->rep, 401, json_pack("{s:s, s:s}", "error", m, "msg", m));
    return -1;
}

/* "Bearer <token>": scheme word in any case, exactly one space, a non-empty token. */
static const char *bearer_token(const char *h)
{
    if (strncasecmp(h, "Bearer", 6) != 0 || h[6] != ' ' || h[7] == '\0' || h[7] == ' ')
        return NULL;
    return h + 7;
}

int api_authenticate(api_ctx *ctx, enum route_auth mode)
{
    const char *h = req_header(ctx->req, "Authorization");
    if (!h || !*h)
        return auth_fail(ctx, "Missing Authorization Header");
    const char *tok = bearer_token(h);
    if (!tok)
        return auth_fail(ctx, "Invalid token");

    token_claims c;
    enum token_type want = mode == AUTH_REFRESH ? TOKEN_REFRESH : TOKEN_ACCESS;
    int rc = token_verify(g_config.jwt_secret, g_config.jwt_secret_len, tok, want, time(NULL), &c);
    if (rc == TOKEN_EXPIRED)
        return auth_fail(ctx, "Token has expired");
    if (rc == TOKEN_ERROR) {
        reply_internal_error(ctx->rep, ctx->req, "token verification failed");
        return -1;
    }
    if (rc != TOKEN_OK)
        return auth_fail(ctx, "Invalid token");

    db_conn *conn = api_db(ctx);
    if (!conn)
        return -1;
    int revoked = 0;
    store_auth_state st;
    rc = store_auth_lookup(conn, c.jti, c.user_id, &revoked, &st);
    if (rc != DB_ROW && rc != DB_DONE) {
        reply_internal_error(ctx->rep, ctx->req, db_errmsg(conn));
        return -1;
    }
    if (revoked)
        return auth_fail(ctx, "Token has been revoked");
    if (rc == DB_DONE || !st.is_active)
        return auth_fail(ctx, "User not found or inactive");
    /* A newer ver than the user's cannot come from us either: same answer (API.md §11.16). */
    if (c.ver != st.token_version)
        return auth_fail(ctx, "Token has been revoked");

    ctx->user_id = c.user_id;
    ctx->role = st.is_admin ? ROLE_ADMIN : st.is_teacher ? ROLE_TEACHER : ROLE_STUDENT;
    ctx->pending = st.is_pending;
    snprintf(ctx->token_jti, sizeof ctx->token_jti, "%s", c.jti);
    ctx->token_exp = c.exp;
    return 0;
}
