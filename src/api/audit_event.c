/* Audit events from handlers (see audit_event.h). */
#include "api/audit_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/objects.h"

void api_audit_init(const api_ctx *ctx, store_audit_new *e, const char *action)
{
    memset(e, 0, sizeof *e);
    e->action = action;
    e->actor_id = ctx->user_id > 0 ? ctx->user_id : 0;
    e->request_id = ctx->req ? req_request_id(ctx->req) : NULL;
    e->at = (int64_t)time(NULL);
}

void api_audit_details(store_audit_new *e, json_t *obj, char *buf)
{
    char *text;

    if (!obj)
        return;
    text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    /* Details are a few numbers or short words; a render that does not fit is dropped
     * rather than cut into invalid JSON. */
    if (text && strlen(text) < STORE_AUDIT_DETAILS_MAX) {
        memcpy(buf, text, strlen(text) + 1);
        e->details = buf;
    }
    free(text);
}

int api_audit_write(api_ctx *ctx, const store_audit_new *e, size_t n)
{
    db_conn *c = api_db(ctx);

    if (!c)
        return -1;
    if (store_audit_append_tx(c, e, n) == DB_OK)
        return 0;
    api_fail(ctx, "store_audit_append_tx");
    return -1;
}

static json_t *id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static json_t *name_or_null(int has, const char *first, const char *last)
{
    return has ? api_full_name_json(first, last) : json_null();
}

json_t *api_audit_event_json(const store_audit_event *e)
{
    json_t *details = json_loads(e->details, 0, NULL);

    if (!json_is_object(details)) {
        json_decref(details);
        details = json_object();
    }
    return json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", (json_int_t)e->id, "at", api_time_json(e->at), "action", e->action,
                     "actor_id", id_or_null(e->actor_id),
                     "actor_name", name_or_null(e->has_actor_name, e->actor_first, e->actor_last),
                     "subject_id", id_or_null(e->subject_id),
                     "subject_name",
                     name_or_null(e->has_subject_name, e->subject_first, e->subject_last),
                     "class_id", id_or_null(e->class_id),
                     "session_id", id_or_null(e->session_id), "details", details,
                     "request_id",
                     e->request_id[0] ? json_string(e->request_id) : json_null());
}
