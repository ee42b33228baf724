#ifndef ATTENDLY_API_API_H
#define ATTENDLY_API_API_H
/* The API layer: one file per resource; handlers parse and validate input, call store/
 * and face/, and build the JSON reply. The HTTP layer runs the checks of API.md §1.5
 * steps 1-3 (size, routing, authentication) before calling a handler; role, body and
 * field checks are the handler's, in that order. */
#include <stdint.h>
#include "core/token.h"
#include "http/request.h"
#include "http/router.h"
#include "http/server.h"

struct db_conn;

enum user_role { ROLE_STUDENT = 0, ROLE_TEACHER = 1, ROLE_ADMIN = 2 };

enum route_auth {
    AUTH_NONE = 0,    /* public */
    AUTH_ACCESS,      /* Bearer access token (§1.6) */
    AUTH_REFRESH,     /* Bearer refresh token (/auth/refresh only) */
    AUTH_METRICS      /* METRICS_TOKEN when configured, else public */
};

typedef struct api_ctx {
    http_request *req;
    http_reply *rep;
    /* Set by authentication for AUTH_ACCESS / AUTH_REFRESH routes. */
    long long user_id;
    enum user_role role;          /* current role from the database */
    int pending;                  /* a teacher awaiting approval (API.md §12.2) */
    char token_jti[TOKEN_JTI_SIZE]; /* the presented token's jti and exp (for logout) */
    long long token_exp;
    /* Database connection taken from the pool on first use (api_db), returned after
     * the handler by the HTTP layer. */
    struct db_conn *db;
    int read_only;                /* GET: api_db opens a read scope (store/db.h) */
} api_ctx;

typedef void (*api_handler)(api_ctx *ctx);

typedef struct api_route {
    http_route http;        /* method and path template, as the HTTP layer matches them */
    api_handler handler;
    enum route_auth auth;
    int face_work;          /* 1 for the face endpoints of API.md §5.6 (metrics, capacity) */
} api_route;

/* The routing table, in one place (api/routes.c); ends with a {NULL} entry. */
extern const api_route api_routes[];

/* The API as the HTTP server runs it: api_routes and the dispatch of a matched route
 * (authentication per route, the handler, the pooled connection returned); the
 * command line hands it to http_server_start. Implemented in api/dispatch.c. */
extern const http_app api_http_app;

/* The pooled connection for this request; NULL (and a 500 reply already set) when the
 * database cannot be reached. */
struct db_conn *api_db(api_ctx *ctx);

/* Authenticates the request for a route (API.md §1.6): fills ctx->user_id/role/jti/exp,
 * or sets the 401 reply and returns -1. Implemented in api/auth_check.c. */
int api_authenticate(api_ctx *ctx, enum route_auth mode);

/* Role gate: when the caller's role differs, replies 403 {"error": message} and returns -1.
 * A pending teacher passes no teacher gate (403 "Teacher account pending approval"). */
int api_require_role(api_ctx *ctx, enum user_role role, const char *message);

#endif
