/* Token issuing for auth replies. */
#include "api/auth/tokens.h"

#include <stdlib.h>
#include <time.h>

#include "api/objects.h"
#include "core/config.h"
#include "core/token.h"

static int add_token(json_t *body, const char *key, const store_user *u,
                     enum token_type type, long lifetime, time_t now)
{
    char *tok = NULL;
    int rc = token_issue(g_config.jwt_secret, g_config.jwt_secret_len, u->id,
                         api_role_name(u), type, u->token_version,
                         now, lifetime, &tok, NULL);

    if (rc != TOKEN_OK || !tok) {
        free(tok);
        return -1;
    }
    rc = json_object_set_new(body, key, json_string(tok));
    free(tok);
    return rc;
}

int api_add_tokens(api_ctx *ctx, json_t *body, const store_user *u, int with_refresh)
{
    time_t now = time(NULL);

    if (add_token(body, "access_token", u, TOKEN_ACCESS, g_config.jwt_access_expires,
                  now) != 0 ||
        (with_refresh && add_token(body, "refresh_token", u, TOKEN_REFRESH,
                                   g_config.jwt_refresh_expires, now) != 0)) {
        reply_internal_error(ctx->rep, ctx->req, "token_issue failed");
        return -1;
    }
    return 0;
}

void api_reply_user_tokens(api_ctx *ctx, int status, const char *message,
                           const store_user *u)
{
    json_t *body = json_pack("{s:s, s:o}", "message", message, "user", api_user_json(u));

    if (!body) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    if (api_add_tokens(ctx, body, u, 1) < 0) {
        json_decref(body);
        return;
    }
    reply_json(ctx->rep, status, body);
}
