/* Operations endpoints (API.md §8): health, Prometheus metrics, the OpenAPI document. */

#include "api/app.h"
#include "api/handlers.h"
#include "core/embedded.h"
#include "http/metrics.h"
#include "store/health.h"

#define HEALTH_DB_TIMEOUT_MS 2000

static int database_ok(void)
{
    if (!g_app.db)
        return 0;
    db_conn *c = db_acquire(g_app.db, HEALTH_DB_TIMEOUT_MS);
    if (!c)
        return 0;
    int ok = store_ping(c) == DB_OK;
    db_release(c);
    return ok;
}

void api_health(api_ctx *ctx)
{
    int db_ok = database_ok();
    int face_ok = g_app.face != NULL;
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}",
                          "status", db_ok && face_ok ? "healthy" : "unhealthy",
                          "database", db_ok ? "connected" : "unavailable",
                          "face_recognition", face_ok ? "available" : "unavailable",
                          "vector_db", "builtin", "version", ATTENDLY_VERSION);
    reply_json(ctx->rep, db_ok && face_ok ? 200 : 503, b);
}

void api_metrics(api_ctx *ctx)
{
    size_t len = 0;
    char *text = metrics_render(&len);
    if (!text) {
        reply_internal_error(ctx->rep, ctx->req, "metrics rendering failed");
        return;
    }
    reply_bytes(ctx->rep, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

void api_openapi(api_ctx *ctx)
{
    const struct embedded_file *f = &embedded_openapi[0];
    if (!f->name) {
        reply_internal_error(ctx->rep, ctx->req, "OpenAPI document unavailable");
        return;
    }
    reply_static(ctx->rep, 200, "application/json", f->data, f->len);
    reply_header(ctx->rep, "X-Content-Type-Options", "nosniff");
}
