#ifndef ATTENDLY_HTTP_ROUTER_H
#define ATTENDLY_HTTP_ROUTER_H
/* Matching a request path against the application's route table (API.md §1.1). The
 * HTTP layer knows a route only by its method and path template; what a route does is
 * the application's (see http_app in server.h). */
#include <stddef.h>

#include "http/internal.h"

typedef struct http_route {
    const char *method;     /* "GET", "POST", "PUT", "DELETE"; NULL ends a table */
    const char *path;       /* template; "{id}" segments match 1-18 ASCII digits */
} http_route;

/* An application's routes: an array of entries that each begin with an http_route,
 * `stride` bytes apart, ended by an entry whose method is NULL. */
typedef struct http_route_table {
    const void *entries;
    size_t stride;
} http_route_table;

enum router_rc { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = 1, ROUTER_BAD_METHOD = 2 };

typedef struct router_match {
    const http_route *route;      /* FOUND: the route; BAD_METHOD: one route of that path */
    long long ids[HTTP_MAX_IDS];
    int n_ids;
    char allow[80];               /* BAD_METHOD: e.g. "GET, HEAD, OPTIONS" */
} router_match;

/* HEAD is matched as GET. */
int router_find(const http_route_table *t, const char *method, const char *path,
                router_match *m);

#endif
