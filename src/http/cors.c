/* CORS (API.md §1.9). No cookies are used, so Allow-Credentials is never sent. */
#include "http/cors.h"

#include <microhttpd.h>
#include <string.h>

void cors_headers(const config *cfg, const char *origin, struct MHD_Response *resp)
{
    if (cfg->cors_any) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    } else {
        /* The answer depends on Origin, so caches must key on it. */
        MHD_add_response_header(resp, "Vary", "Origin");
        for (int i = 0; origin && i < cfg->n_cors_origins; i++) {
            if (strcmp(origin, cfg->cors_origins[i]) == 0) {
                MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
                break;
            }
        }
    }
    MHD_add_response_header(resp, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
}

void cors_preflight(http_reply *rep)
{
    reply_bytes(rep, 204, NULL, NULL, 0);
    reply_header(rep, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    reply_header(rep, "Access-Control-Allow-Headers",
                 "Authorization, Content-Type, X-Requested-With, X-Request-Id");
    reply_header(rep, "Access-Control-Max-Age", "600");
}
