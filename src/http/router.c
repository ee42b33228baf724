/* Route matching: templates are compared segment by segment; a "{...}" segment matches
 * 1-18 ASCII digits (so the value always fits in int64). Everything else is literal,
 * which makes a trailing slash or an empty segment an unknown path. */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ID_DIGITS 18

static int segment_is_id(const char *seg, size_t n)
{
    if (n == 0 || n > MAX_ID_DIGITS)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (seg[i] < '0' || seg[i] > '9')
            return 0;
    return 1;
}

/* 1 when path matches the template; ids receives the {…} values in order. */
static int path_match(const char *tpl, const char *path, long long *ids, int *n_ids)
{
    int n = 0;
    while (*tpl && *path) {
        if (*tpl != '/' || *path != '/')
            return 0;
        tpl++;
        path++;
        size_t tl = strcspn(tpl, "/"), pl = strcspn(path, "/");
        if (tpl[0] == '{') {
            if (!segment_is_id(path, pl) || n >= HTTP_MAX_IDS)
                return 0;
            char buf[MAX_ID_DIGITS + 1];
            memcpy(buf, path, pl);
            buf[pl] = '\0';
            ids[n++] = strtoll(buf, NULL, 10);
        } else if (tl != pl || memcmp(tpl, path, tl) != 0) {
            return 0;
        }
        tpl += tl;
        path += pl;
    }
    if (*tpl || *path)
        return 0;
    *n_ids = n;
    return 1;
}

static const char *const METHOD_ORDER[] = {"GET", "POST", "PUT", "DELETE"};

static const http_route *route_at(const http_route_table *t, size_t i)
{
    return (const http_route *)((const char *)t->entries + i * t->stride);
}

int router_find(const http_route_table *t, const char *method, const char *path,
                router_match *m)
{
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    int seen[4] = {0};
    int any = 0;
    memset(m, 0, sizeof *m);
    const http_route *r;
    for (size_t k = 0; (r = route_at(t, k))->method; k++) {
        long long ids[HTTP_MAX_IDS];
        int n_ids = 0;
        if (!path_match(r->path, path, ids, &n_ids))
            continue;
        if (strcmp(r->method, want) == 0) {
            m->route = r;
            memcpy(m->ids, ids, sizeof ids);
            m->n_ids = n_ids;
            return ROUTER_FOUND;
        }
        if (!any)
            m->route = r;
        any = 1;
        for (int i = 0; i < 4; i++)
            if (strcmp(r->method, METHOD_ORDER[i]) == 0)
                seen[i] = 1;
    }
    if (!any)
        return ROUTER_NOT_FOUND;
    m->allow[0] = '\0';
    for (int i = 0; i < 4; i++) {
        if (!seen[i])
            continue;
        strcat(m->allow, METHOD_ORDER[i]);
        strcat(m->allow, ", ");
        if (i == 0)
            strcat(m->allow, "HEAD, ");
    }
    strcat(m->allow, "OPTIONS");
    return ROUTER_BAD_METHOD;
}
