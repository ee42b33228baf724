#ifndef ATTENDLY_API_ADMIN_ADMIN_H
#define ATTENDLY_API_ADMIN_ADMIN_H
/* Shared by the /api/admin handlers (API.md §12.3). */
#include <jansson.h>
#include "api/api.h"

/* The admin gate: 403 "Admin access required" for every other role. */
int api_require_admin(api_ctx *ctx);
/* Replies body (stolen) with status, or 500 when it is NULL (out of memory). */
void api_admin_reply(api_ctx *ctx, int status, json_t *body);

#endif
