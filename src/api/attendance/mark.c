/* POST /api/attendance/mark-attendance (API.md §7.2). Validation follows the documented
 * order exactly; the write (lock the session, mark every student, refresh the counts) is
 * one store transaction. */
#include "api/attendance/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/objects_attendance.h"
#include "core/jsonv.h"

#define MARK_MAX_IDS 1000
#define MARK_NOMEM 2      /* read_mark_input: allocation failed (a 500, not a 400) */

#define MSG_STATUS "Status must be one of: present, absent, late"
#define MSG_METHOD "Recognition method must be one of: manual, ai_face, hybrid"

int api_att_enum_field(const json_t *body, const char *key, int dflt, int (*parse)(const char *))
{
    const json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v))
        return dflt;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    return parse(json_string_value(v));
}

typedef struct mark_input {
    int64_t session_id;
    store_mark_opts opts;
    store_mark_item *items;   /* distinct ids in request order */
    size_t n;
} mark_input;

/* student_ids (§7.2 step 3): presence, type, items, size; then distinct ids in order. */
static int read_student_ids(const json_t *body, mark_input *in, field_err *err)
{
    const json_t *arr = json_object_get(body, "student_ids");
    if (!arr || json_is_null(arr) || (json_is_array(arr) && json_array_size(arr) == 0))
        return jv_fail(err, "Student IDs array is required");
    if (!json_is_array(arr))
        return jv_fail(err, "student_ids must be an array");
    size_t i, total = json_array_size(arr);
    const json_t *v;
    json_array_foreach(arr, i, v)
        if (!json_is_integer(v))
            return jv_fail(err, "student_ids must contain only integers");
    if (total > MARK_MAX_IDS)
        return jv_fail(err, "student_ids must contain at most %d items", MARK_MAX_IDS);
    in->items = calloc(total, sizeof *in->items);
    if (!in->items)
        return MARK_NOMEM;
    json_array_foreach(arr, i, v) {
        int64_t id = (int64_t)json_integer_value(v);
        size_t k;
        for (k = 0; k < in->n && in->items[k].student_id != id; k++)
            ;
        if (k == in->n)
            in->items[in->n++].student_id = id;
    }
    return JV_OK;
}

/* confidence_scores (§7.2 step 6, clarification 4): only entries of requested students
 * are read, and those must be numbers in [0, 1]. */
static int read_confidences(const json_t *body, mark_input *in, field_err *err)
{
    const json_t *obj = json_object_get(body, "confidence_scores");
    if (!obj || json_is_null(obj))
        return JV_OK;
    if (!json_is_object(obj))
        return jv_fail(err, "confidence_scores must be an object");
    for (size_t k = 0; k < in->n; k++) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)in->items[k].student_id);
        const json_t *v = json_object_get(obj, key);
        if (!v)
            continue;
        double d = json_is_number(v) ? json_number_value(v) : -1.0;
        if (!json_is_number(v) || !(d >= 0.0 && d <= 1.0))
            return jv_fail(err, "Confidence scores must be numbers between 0 and 1");
        in->items[k].has_confidence = 1;
        in->items[k].confidence = d;
    }
    return JV_OK;
}

/* Steps 2-6 of §7.2; JV_OK, JV_ERR with the 400 message, or MARK_NOMEM. */
static int read_mark_input(const json_t *body, mark_input *in, field_err *err)
{
    long long sid;
    int rc = jv_int(body, "session_id", &sid, err);
    if (rc == JV_MISSING)
        return jv_fail(err, "Session ID is required");
    if (rc != JV_OK)
        return JV_ERR;
    in->session_id = sid;
    if ((rc = read_student_ids(body, in, err)) != JV_OK)
        return rc;
    int st = api_att_enum_field(body, "status", ATT_PRESENT, store_att_status_parse);
    if (st < 0)
        return jv_fail(err, MSG_STATUS);
    int me = api_att_enum_field(body, "recognition_method", ATT_MANUAL, store_att_method_parse);
    if (me < 0 || me == ATT_CHECKIN)   /* only a student's check-in sets it (§14) */
        return jv_fail(err, MSG_METHOD);
    in->opts.status = (enum store_att_status)st;
    in->opts.method = (enum store_att_method)me;
    in->opts.policy = STORE_MARK_REPLACE;
    return read_confidences(body, in, err);
}

/* The §7.2 reply from the marked items. */
static json_t *mark_reply(const mark_input *in, const char *session_name,
                          const store_att_stats *stats)
{
    json_t *marked = json_array(), *updated = json_array(), *already = json_array(),
           *invalid = json_array();
    size_t n_marked = 0, n_updated = 0, n_already = 0, n_invalid = 0;
    for (size_t i = 0; i < in->n; i++) {
        const store_mark_item *it = &in->items[i];
        const char *status = store_att_status_name(it->status);
        const char *method = store_att_method_name(it->method);
        json_t *conf = api_json_confidence(it->has_confidence, it->confidence);
        switch (it->action) {
        case STORE_MARK_CREATED:
            n_marked++;
            json_array_append_new(marked, json_pack("{s:I, s:s, s:s, s:O, s:s}",
                "student_id", (json_int_t)it->student_id, "student_name", it->student_name,
                "status", status, "confidence", conf, "recognition_method", method));
            break;
        case STORE_MARK_UPDATED:
            n_updated++;
            json_array_append_new(updated, json_pack("{s:I, s:s, s:s, s:s, s:O, s:s}",
                "student_id", (json_int_t)it->student_id, "student_name", it->student_name,
                "previous_status", store_att_status_name(it->previous_status),
                "status", status, "confidence", conf, "recognition_method", method));
            break;
        case STORE_MARK_UNCHANGED:
            n_already++;
            json_array_append_new(already, json_pack("{s:I, s:s, s:s}",
                "student_id", (json_int_t)it->student_id, "student_name", it->student_name,
                "status", status));
            break;
        default:
            n_invalid++;
            json_array_append_new(invalid, json_integer((json_int_t)it->student_id));
            break;
        }
        json_decref(conf);
    }
    char message[80];
    snprintf(message, sizeof message, "Attendance marked for %zu students", n_marked + n_updated);
    return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:o}",
                     "message", message, "session_id", (json_int_t)in->session_id,
                     "session_name", session_name,
                     "marked_students", marked, "updated_students", updated,
                     "already_marked", already, "invalid_students", invalid,
                     "summary", "total_requested", (json_int_t)in->n,
                     "newly_marked", (json_int_t)n_marked, "updated", (json_int_t)n_updated,
                     "already_marked", (json_int_t)n_already, "invalid", (json_int_t)n_invalid,
                     "session_stats", api_json_session_stats(stats));
}

void api_attendance_mark(api_ctx *ctx)
{
    mark_input in = {0};
    field_err err;
    char session_name[STORE_ATT_TEXT] = "";
    store_att_stats stats = {0};

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can mark attendance") < 0)
        return;
    json_t *body = req_json_body(ctx->req, ctx->rep);
    if (!body)
        return;
    int vrc = read_mark_input(body, &in, &err);
    if (vrc == MARK_NOMEM) {
        reply_internal_error(ctx->rep, ctx->req, "mark-attendance: out of memory");
        goto out;
    }
    if (vrc != JV_OK) {
        reply_error(ctx->rep, 400, err.msg);
        goto out;
    }
    db_conn *c = api_db(ctx);
    if (!c)
        goto out;
    store_audit_new change;
    api_audit_init(ctx, &change, "attendance.record_changed");
    in.opts.record_changed = &change;
    int rc = store_att_mark(c, ctx->user_id, in.session_id, &in.opts, in.items, in.n,
                            change.at, session_name, &stats);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, "Session not found or access denied");
        goto out;
    }
    if (rc < 0) {
        api_fail(ctx, "store_att_mark");
        goto out;
    }
    json_t *reply = mark_reply(&in, session_name, &stats);
    if (!reply)
        reply_internal_error(ctx->rep, ctx->req, "mark-attendance: building the reply failed");
    else
        reply_json(ctx->rep, 200, reply);
out:
    free(in.items);
}
