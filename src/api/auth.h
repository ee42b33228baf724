#ifndef ATTENDLY_API_AUTH_H
#define ATTENDLY_API_AUTH_H
/* Handlers of API.md §3 (/api/auth). */
#include "api/api.h"

void api_auth_signup(api_ctx *ctx);          /* POST /api/auth/signup         AUTH_NONE */
void api_auth_login(api_ctx *ctx);           /* POST /api/auth/login          AUTH_NONE */
void api_auth_refresh(api_ctx *ctx);         /* POST /api/auth/refresh        AUTH_REFRESH */
void api_auth_logout(api_ctx *ctx);          /* POST /api/auth/logout         AUTH_ACCESS */
void api_auth_verify_token(api_ctx *ctx);    /* GET  /api/auth/verify-token   AUTH_ACCESS */
void api_auth_profile_get(api_ctx *ctx);     /* GET  /api/auth/profile        AUTH_ACCESS */
void api_auth_profile_put(api_ctx *ctx);     /* PUT  /api/auth/profile        AUTH_ACCESS */
void api_auth_change_password(api_ctx *ctx); /* POST /api/auth/change-password AUTH_ACCESS */
void api_auth_update_role(api_ctx *ctx);     /* PUT  /api/auth/update-role    AUTH_ACCESS */

#endif
