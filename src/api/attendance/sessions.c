/* Attendance sessions and their records (API.md §7.1, 7.3-7.6). Each handler runs the
 * checks in the documented order: role, body/query fields, then lookups (404). */
#include "api/attendance/attendance.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/objects_attendance.h"
#include "api/pagination.h"
#include "core/jsonv.h"
#include "core/timeutil.h"

#define MSG_SESSION_404 "Session not found or access denied"
#define MSG_CLASS_404 "Class not found or access denied"

static store_att_viewer viewer_of(const api_ctx *ctx)
{
    store_att_viewer v = {ctx->user_id, ctx->role == ROLE_TEACHER};
    return v;
}

/* Replies with body, or a 500 when building it failed (NULL). */
static void reply_built(api_ctx *ctx, int status, json_t *body)
{
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "attendance: building the reply failed");
}

/* ---- 7.1 create-session -------------------------------------------------------------- */

/* session_date (§7.1 step 4, clarification 13): missing or null is today; otherwise an
 * exact YYYY-MM-DD calendar date. */
static int read_session_date(const json_t *body, char out[TIME_DATE_LEN], field_err *err)
{
    const json_t *v = json_object_get(body, "session_date");
    if (!v || json_is_null(v)) {
        time_today(out);
        return JV_OK;
    }
    if (!json_is_string(v))
        return jv_fail(err, "session_date must be a string");
    const char *s = json_string_value(v);
    if (json_string_length(v) != TIME_DATE_LEN - 1 || strlen(s) != TIME_DATE_LEN - 1 ||
        !time_date_valid(s))
        return jv_fail(err, "Invalid date format. Use YYYY-MM-DD");
    memcpy(out, s, TIME_DATE_LEN);
    return JV_OK;
}

static int read_create_input(const json_t *body, long long *class_id, char **name,
                             char date[TIME_DATE_LEN], field_err *err)
{
    int rc = jv_int(body, "class_id", class_id, err);
    if (rc == JV_MISSING)
        return jv_fail(err, "Class ID is required");
    if (rc != JV_OK)
        return JV_ERR;
    rc = jv_string(body, "session_name", name, err);
    if (rc == JV_MISSING)
        return jv_fail(err, "Session name is required");
    if (rc != JV_OK)
        return JV_ERR;
    if (jv_max_chars(*name, "session_name", 200, err) != JV_OK)
        return JV_ERR;
    return read_session_date(body, date, err);
}

void api_attendance_create_session(api_ctx *ctx)
{
    long long class_id = 0;
    char *name = NULL, date[TIME_DATE_LEN];
    field_err err;
    store_att_session s;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can create attendance sessions") < 0)
        return;
    json_t *body = req_json_body(ctx->req, ctx->rep);
    if (!body)
        return;
    if (read_create_input(body, &class_id, &name, date, &err) != JV_OK) {
        reply_error(ctx->rep, 400, err.msg);
        goto out;
    }
    db_conn *c = api_db(ctx);
    if (!c)
        goto out;
    int rc = store_att_session_create(c, ctx->user_id, class_id, name, date,
                                      (int64_t)time(NULL), &s);
    if (rc == DB_DONE)
        reply_error(ctx->rep, 404, MSG_CLASS_404);
    else if (rc < 0)
        api_fail(ctx, "attendance store");
    else
        reply_built(ctx, 201, json_pack("{s:s, s:o}", "message",
                                        "Attendance session created successfully",
                                        "session", api_json_session(&s)));
out:
    free(name);
}

/* ---- 7.3 sessions of a class --------------------------------------------------------- */

/* A student's sessions carry my_attendance: their Record or null. */
static int add_my_attendance(db_conn *c, const api_ctx *ctx, int64_t class_id, json_t *list,
                             const store_att_session *ss, size_t n)
{
    store_att_record *mine = NULL;
    size_t n_mine = 0;
    int rc = store_att_records_of_student(c, class_id, ctx->user_id, &mine, &n_mine);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const store_att_record *r = store_att_record_find(mine, n_mine, ss[i].id);
        json_object_set_new(json_array_get(list, i), "my_attendance",
                            r ? api_json_record(r) : json_null());
    }
    free(mine);
    return DB_OK;
}

void api_attendance_sessions(api_ctx *ctx)
{
    api_page page;
    store_class cls;
    store_att_session *ss = NULL;
    size_t n = 0;
    int64_t total = 0, class_id = req_path_id(ctx->req, 0);
    int is_owner = 0;

    if (api_page_from_request(ctx, &page) < 0)
        return;
    if (api_visible_class(ctx, class_id, MSG_CLASS_404, &cls, &is_owner) < 0)
        return;
    db_conn *c = ctx->db;
    int rc = store_att_sessions_of_class(c, class_id, page.limit, page.offset, &ss, &n, &total);
    json_t *list = rc >= 0 ? json_array() : NULL;
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, api_json_session(&ss[i]));
    if (list && !is_owner)
        rc = add_my_attendance(c, ctx, class_id, list, ss, n);
    free(ss);
    if (rc < 0) {
        json_decref(list);
        store_class_clear(&cls);
        api_fail(ctx, "attendance sessions");
        return;
    }
    reply_built(ctx, 200, json_pack("{s:I, s:s, s:o, s:I}", "class_id", (json_int_t)class_id,
                                    "class_name", cls.name, "sessions", list,
                                    "total", (json_int_t)total));
    store_class_clear(&cls);
}

/* ---- 7.4 records of a session -------------------------------------------------------- */

/* Teacher: counts of every record. Student: theirs alone (0 or 1 each), with the rate
 * 100 when they attended. total_enrolled is the session's total_students either way. */
static json_t *records_statistics(const store_att_session *s, const store_att_record *mine,
                                  int is_teacher)
{
    int64_t p = s->stats.present, l = s->stats.late, a = s->stats.absent;
    double rate = api_rate(p + l, s->stats.total_students);
    if (!is_teacher) {
        p = mine && mine->status == ATT_PRESENT;
        l = mine && mine->status == ATT_LATE;
        a = mine && mine->status == ATT_ABSENT;
        rate = (p || l) ? 100.0 : 0.0;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:f}", "total_present", (json_int_t)p,
                     "total_late", (json_int_t)l, "total_absent", (json_int_t)a,
                     "total_enrolled", (json_int_t)s->stats.total_students,
                     "attendance_rate", rate);
}

void api_attendance_session_records(api_ctx *ctx)
{
    api_page page;
    store_att_session s;
    store_att_record *recs = NULL;
    size_t n = 0;
    int64_t total = 0;
    store_att_viewer v = viewer_of(ctx);

    if (api_page_from_request(ctx, &page) < 0)
        return;
    db_conn *c = api_db(ctx);
    if (!c)
        return;
    int rc = store_att_session_get(c, &v, req_path_id(ctx->req, 0), &s);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, MSG_SESSION_404);
        return;
    }
    /* A student's view is their own record (at most one); its statistics need it even
     * when the page leaves it out. */
    if (rc >= 0)
        rc = v.is_teacher
            ? store_att_records_of_session(c, s.id, 0, page.limit, page.offset, &recs, &n, &total)
            : store_att_records_of_session(c, s.id, v.user_id, 1, 0, &recs, &n, &total);
    if (rc < 0) {
        api_fail(ctx, "attendance store");
        return;
    }
    const store_att_record *own = !v.is_teacher && n == 1 ? &recs[0] : NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < n && (v.is_teacher || page.offset == 0); i++)
        json_array_append_new(list, api_json_record(&recs[i]));
    json_t *stats = records_statistics(&s, own, v.is_teacher);
    free(recs);
    reply_built(ctx, 200, json_pack("{s:o, s:o, s:o, s:I}", "session", api_json_session(&s),
                                    "attendance_records", list, "statistics", stats,
                                    "total", (json_int_t)total));
}

/* ---- 7.5 record update --------------------------------------------------------------- */

void api_attendance_record_update(api_ctx *ctx)
{
    store_att_record r;
    store_att_stats stats;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can update attendance records") < 0)
        return;
    json_t *body = req_json_body(ctx->req, ctx->rep);
    if (!body)
        return;
    int st = api_att_enum_field(body, "status", -2, store_att_status_parse);
    if (st == -2) {
        reply_error(ctx->rep, 400, "status is required");
        return;
    }
    if (st < 0) {
        reply_error(ctx->rep, 400, "Status must be one of: present, absent, late");
        return;
    }
    db_conn *c = api_db(ctx);
    if (!c)
        return;
    store_audit_new change;
    api_audit_init(ctx, &change, "attendance.record_changed");
    int rc = store_att_record_update_audited(c, ctx->user_id, req_path_id(ctx->req, 0),
                                             (enum store_att_status)st, change.at, &change, &r,
                                             &stats);
    if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "Record not found or access denied");
    else if (rc < 0)
        api_fail(ctx, "attendance store");
    else
        reply_built(ctx, 200, json_pack("{s:s, s:o, s:o}",
                                        "message", "Attendance record updated successfully",
                                        "record", api_json_record(&r),
                                        "session_stats", api_json_session_stats(&stats)));
}

/* ---- 7.6 finalize -------------------------------------------------------------------- */

void api_attendance_finalize(api_ctx *ctx)
{
    store_att_student *absent = NULL;
    size_t n = 0;
    store_att_stats stats;
    int64_t session_id = req_path_id(ctx->req, 0);

    /* No body: whatever was sent is ignored (clarification 11). */
    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can finalize sessions") < 0)
        return;
    db_conn *c = api_db(ctx);
    if (!c)
        return;
    int rc = store_att_finalize(c, ctx->user_id, session_id, (int64_t)time(NULL), &absent, &n,
                                &stats);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, MSG_SESSION_404);
        return;
    }
    if (rc < 0) {
        api_fail(ctx, "attendance store");
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s}", "student_id",
                                              (json_int_t)absent[i].id,
                                              "student_name", absent[i].name));
    free(absent);
    reply_built(ctx, 200, json_pack("{s:s, s:I, s:o, s:o}", "message", "Session finalized",
                                    "session_id", (json_int_t)session_id,
                                    "absent_marked", list,
                                    "session_stats", api_json_session_stats(&stats)));
}
