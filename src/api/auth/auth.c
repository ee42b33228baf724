/* Login, token refresh and logout (API.md §3.2-3.4); sign-up is in signup.c. */
#include "api/handlers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/fields.h"
#include "api/auth/login_limit.h"
#include "api/objects.h"
#include "api/auth/tokens.h"
#include "core/config.h"
#include "core/password.h"
#include "core/token.h"
#include "store/auth.h"
#include "store/login_failures.h"
#include "store/users.h"

/* ---- login ----------------------------------------------------------------------- */

/* Steps 1-2. */
static int login_fields(api_ctx *ctx, const json_t *body, api_text *email, api_text *pw)
{
    enum api_field re = api_field_text(body, "email", 1, email);
    enum api_field rp = api_field_text(body, "password", 0, pw);

    if ((re != AF_OK && re != AF_NOT_STRING) || (rp != AF_OK && rp != AF_NOT_STRING)) {
        reply_error(ctx->rep, 400, "Email and password are required");
        return -1;
    }
    if (re == AF_NOT_STRING || rp == AF_NOT_STRING) {
        reply_error(ctx->rep, 400, re == AF_NOT_STRING ? "email must be a string"
                                                       : "password must be a string");
        return -1;
    }
    return 0;
}

/* Steps 4-5: 1 when the credentials are good and the account active (u filled), 0 when
 * refused (reply set, failure recorded), -1 on error (reply set). */
static int login_verify(api_ctx *ctx, db_conn *c, const char *email, api_text email_in,
                        api_text pw, store_user *u)
{
    const char *addr = req_client_addr(ctx->req);
    int64_t now = (int64_t)time(NULL);
    /* An email holding U+0000 cannot be stored, so it names no account (and must not be
     * looked up by its truncated C string). */
    int rc = api_text_has_nul(email_in) ? DB_DONE : store_user_by_email(c, email, u);
    const char *refusal = NULL;

    if (rc == DB_DONE) {
        password_dummy_verify(pw.p, pw.n);
        refusal = "Invalid email or password";
    } else if (rc != DB_ROW) {
        api_fail(ctx, "store_user_by_email");
        return -1;
    } else if (!password_verify(u->password_hash, pw.p, pw.n)) {
        refusal = "Invalid email or password";
    } else if (!u->is_active) {
        refusal = "Account is deactivated";
    }
    if (!refusal)
        return 1;
    if (api_login_failed(ctx, c, email, addr ? addr : "", now) < 0)
        return -1;
    reply_error(ctx->rep, 401, refusal);
    return 0;
}

void api_auth_login(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    const char *addr = req_client_addr(ctx->req);
    api_text email_in, pw;
    char *email = NULL;
    store_user u;
    db_conn *c;

    if (!body || login_fields(ctx, body, &email_in, &pw) < 0)
        return;
    email = api_text_dup_lower(email_in);
    if (!email) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    c = api_db(ctx);
    if (c && api_login_allowed(ctx, c, email, addr ? addr : "", (int64_t)time(NULL)) == 0 &&
        login_verify(ctx, c, email, email_in, pw, &u) == 1) {
        if (store_login_failures_clear(c, email) != DB_OK)
            api_fail(ctx, "store_login_failures_clear");
        else
            api_reply_user_tokens(ctx, 200, "Login successful", &u);
    }
    free(email);
}

/* ---- refresh and logout ---------------------------------------------------------- */

void api_auth_refresh(api_ctx *ctx)
{
    store_user u;
    json_t *body;

    if (api_current_user(ctx, &u) < 0)
        return;
    body = json_object();
    if (!body) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    if (api_add_tokens(ctx, body, &u, 0) < 0) {
        json_decref(body);
        return;
    }
    reply_json(ctx->rep, 200, body);
}

/* Revokes the optional refresh token of a logout when it is valid and the caller's. */
static int revoke_refresh(db_conn *c, const json_t *body, int64_t user_id)
{
    const json_t *v = json_object_get(body, "refresh_token");
    token_claims cl;

    if (!json_is_string(v) ||
        token_verify(g_config.jwt_secret, g_config.jwt_secret_len, json_string_value(v),
                     TOKEN_REFRESH, time(NULL), &cl) != TOKEN_OK ||
        cl.user_id != user_id)
        return DB_OK;
    return store_token_revoke(c, cl.jti, user_id, cl.exp);
}

void api_auth_logout(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    db_conn *c;
    int rc;

    if (!body || !(c = api_db(ctx)))
        return;
    if (db_begin_write(c) != DB_OK) {
        api_fail(ctx, "logout begin");
        return;
    }
    rc = store_token_revoke(c, ctx->token_jti, ctx->user_id, ctx->token_exp);
    if (rc == DB_OK)
        rc = revoke_refresh(c, body, ctx->user_id);
    if (rc == DB_OK && db_commit(c) == DB_OK) {
        reply_json(ctx->rep, 200, json_pack("{s:b, s:s}", "success", 1,
                                            "message", "Logged out successfully"));
        return;
    }
    db_rollback(c);
    api_fail(ctx, "logout");
}
