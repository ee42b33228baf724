/* Reading the audit log (API.md §15): a caller's own events, and the whole log for
 * admins with its filters. Nothing here writes or deletes an event. */
#include "api/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/fields.h"
#include "api/pagination.h"
#include "core/timeutil.h"

static void reply_page(api_ctx *ctx, const store_audit_filter *f, const api_page *page)
{
    store_audit_event *rows = NULL;
    int64_t total = 0;
    size_t n = 0;
    json_t *list, *body;
    db_conn *c = api_db(ctx);

    if (!c)
        return;
    if (store_audit_list(c, f, page->limit, page->offset, &rows, &n, &total) != DB_OK) {
        api_fail(ctx, "store_audit_list");
        return;
    }
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, api_audit_event_json(&rows[i]));
    free(rows);
    body = json_pack("{s:o, s:I}", "events", list, "total", (json_int_t)total);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

void api_audit_mine(api_ctx *ctx)
{
    store_audit_filter f = {.subject_id = ctx->user_id};
    api_page page;

    if (api_page_from_request(ctx, &page) < 0)
        return;
    reply_page(ctx, &f, &page);
}

/* An id filter: absent leaves *out 0; an id no row can have (≤ 0) selects nothing. */
static int id_filter(api_ctx *ctx, const char *key, int64_t *out)
{
    const char *v = req_query(ctx->req, key);
    int64_t id;

    if (!v)
        return 0;
    if (api_query_int(v, &id) < 0)
        return api_field_error(ctx, "%s must be an integer", key);
    *out = id > 0 ? id : -1;
    return 0;
}

static int time_filter(api_ctx *ctx, const char *key, int *has, int64_t *out)
{
    const char *v = req_query(ctx->req, key);
    long long t;

    if (!v)
        return 0;
    if (time_parse_utc(v, &t) < 0)
        return api_field_error(ctx, "%s must be a timestamp", key);
    *has = 1;
    *out = t;
    return 0;
}

void api_audit_list(api_ctx *ctx)
{
    store_audit_filter f = {0};
    api_page page;

    if (api_require_role(ctx, ROLE_ADMIN, "Admin access required") < 0 ||
        api_page_from_request(ctx, &page) < 0)
        return;
    f.action = req_query(ctx->req, "action");
    if (id_filter(ctx, "actor_id", &f.actor_id) < 0 ||
        id_filter(ctx, "subject_id", &f.subject_id) < 0 ||
        id_filter(ctx, "class_id", &f.class_id) < 0 ||
        time_filter(ctx, "since", &f.has_since, &f.since) < 0 ||
        time_filter(ctx, "until", &f.has_until, &f.until) < 0)
        return;
    reply_page(ctx, &f, &page);
}
