/* Token issuing for auth replies. */
#include "api/auth/tokens.h"

#include <stdlib.h>
#include <time.h>

#include "core/config.h"
#include "core/token.h"

static int add_token(json_t *body, const char *key, const store_user *u,
                     enum token_type type, long lifetime, time_t now)
{
    char *tok = NULL;
    int rc = token_issue(g_config.jwt_secret, g_config.jwt_secret_len, u->id,
                         u->is_teacher ? "teacher" : "student", type, u->token_version,
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
