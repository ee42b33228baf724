#ifndef ATTENDLY_API_TOKENS_H
#define ATTENDLY_API_TOKENS_H
/* Issuing the tokens that auth replies carry (API.md §1.6, §3). */
#include <jansson.h>
#include "api/api.h"
#include "store/users.h"

/* Adds "access_token" (and, with with_refresh, "refresh_token") for the user's current
 * role and token version to body. On failure replies 500 and returns -1. */
int api_add_tokens(api_ctx *ctx, json_t *body, const store_user *u, int with_refresh);
/* Replies {message, user, access_token, refresh_token} with `status`. */
void api_reply_user_tokens(api_ctx *ctx, int status, const char *message,
                           const store_user *u);

#endif
