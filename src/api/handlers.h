#ifndef ATTENDLY_API_HANDLERS_H
#define ATTENDLY_API_HANDLERS_H
/* Route handlers referenced by the routing table (api/routes.c), by resource file. */
#include "api/api.h"

/* api/health.c — operations (API.md §8) */
void api_health(api_ctx *ctx);
void api_metrics(api_ctx *ctx);
void api_openapi(api_ctx *ctx);

#endif
