/* Shared handler helpers: the process state, the per-request database connection and
 * the role gate (api.h). */
#include "api/app.h"

#include "api/api.h"
#include "core/log.h"

app g_app;

db_conn *api_db(api_ctx *ctx)
{
    if (ctx->db)
        return ctx->db;
    if (!g_app.db) {
        reply_internal_error(ctx->rep, ctx->req, "no database configured");
        return NULL;
    }
    ctx->db = db_acquire(g_app.db, APP_DB_ACQUIRE_TIMEOUT_MS);
    if (!ctx->db) {
        reply_internal_error(ctx->rep, ctx->req, "database connection unavailable");
        return NULL;
    }
    if (ctx->read_only && db_read_scope_begin(ctx->db) != DB_OK) {
        reply_internal_error(ctx->rep, ctx->req, db_errmsg(ctx->db));
        db_release(ctx->db);
        ctx->db = NULL;
        return NULL;
    }
    return ctx->db;
}

int api_require_role(api_ctx *ctx, enum user_role role, const char *message)
{
    if (ctx->role == role && !(role == ROLE_TEACHER && ctx->pending))
        return 0;
    if (ctx->role == role) {
        reply_error(ctx->rep, 403, "Teacher account pending approval");
        return -1;
    }
    reply_error(ctx->rep, 403, message);
    return -1;
}
