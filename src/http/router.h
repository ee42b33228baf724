#ifndef ATTENDLY_HTTP_ROUTER_H
#define ATTENDLY_HTTP_ROUTER_H
/* Matching a request path against api_routes[] (API.md §1.1). */
#include "api/api.h"
#include "http/internal.h"

enum router_rc { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = 1, ROUTER_BAD_METHOD = 2 };

typedef struct router_match {
    const api_route *route;       /* FOUND: the route; BAD_METHOD: one route of that path */
    long long ids[HTTP_MAX_IDS];
    int n_ids;
    char allow[80];               /* BAD_METHOD: e.g. "GET, HEAD, OPTIONS" */
} router_match;

/* HEAD is matched as GET. */
int router_find(const char *method, const char *path, router_match *m);

#endif
