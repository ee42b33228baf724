/* The API behind the HTTP server: for a matched route, authentication (API.md §1.5 step 3,
 * §1.6) or the metrics token, then the handler; the pooled database connection a handler
 * took is returned afterwards, whatever happened. */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/config.h"
#include "store/db.h"

static int metrics_token_ok(const http_request *req)
{
    const char *want = g_config.metrics_token;
    if (!want[0])
        return 1;
    const char *h = req_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    h += 7;
    size_t n = strlen(want);
    return strlen(h) == n && sodium_memcmp(h, want, n) == 0;
}

static void dispatch(const http_route *matched, http_request *req, http_reply *rep)
{
    const api_route *route = (const api_route *)matched;
    /* A GET only reads: all its queries, authentication included, share one read
     * transaction where the driver gains from that. */
    api_ctx ctx = {.req = req, .rep = rep, .user_id = -1,
                   .read_only = strcmp(matched->method, "GET") == 0};
    if (route->auth == AUTH_ACCESS || route->auth == AUTH_REFRESH) {
        if (api_authenticate(&ctx, route->auth) < 0)
            goto out;
    } else if (route->auth == AUTH_METRICS && !metrics_token_ok(req)) {
        reply_error(rep, 401, "Unauthorized");
        goto out;
    }
    route->handler(&ctx);
out:
    if (ctx.db) {
        db_read_scope_end(ctx.db);
        db_release(ctx.db);
    }
}

const http_app api_http_app = {
    .routes = {.entries = api_routes, .stride = sizeof(api_route)},
    .dispatch = dispatch,
};
