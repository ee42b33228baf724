/* The routing table (API.md). One line per route; the HTTP layer matches the path
 * template ({…} = 1-18 digits), answers 404/405, authenticates per `auth`, then calls
 * the handler. Keep each resource's routes together, in the order of API.md. */
#include "api/handlers.h"

const api_route api_routes[] = {
    /* §8 Operations (api/health.c) */
    {"GET", "/health", api_health, AUTH_NONE, 0},
    {"GET", "/metrics", api_metrics, AUTH_METRICS, 0},
    {"GET", "/api/openapi.json", api_openapi, AUTH_NONE, 0},

    {NULL, NULL, NULL, AUTH_NONE, 0},
};
