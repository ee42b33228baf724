/* Check-in codes (API.md §14): a teacher opens a window for a session and reads its
 * current code; students in the room type it. Codes are 6 digits of HMAC-SHA256 over the
 * 30-second step (core/totp.h) under the window's random secret; the current and the
 * previous step are accepted. Wrong codes are counted per student and session in the
 * database, so the limit holds across processes. */
#include "api/handlers.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "core/jsonv.h"
#include "core/totp.h"
#include "http/metrics.h"
#include "store/checkin.h"

#define PERIOD 30
#define CODE_DIGITS 6
#define DEFAULT_MINUTES 10
#define MAX_MINUTES 240
#define WRONG_LIMIT 5
#define WRONG_WINDOW 600
#define TEACHER_ONLY "Only teachers can manage check-ins"
#define STUDENT_ONLY "Only students can check in"
#define NO_WINDOW "No open check-in for this session"

static void reply_or_oom(api_ctx *ctx, int status, json_t *body)
{
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

static int code_at(const store_checkin *w, int64_t step, char out[CODE_DIGITS + 1])
{
    return totp_code(w->secret, sizeof w->secret, (uint64_t)step, CODE_DIGITS, out);
}

static json_t *checkin_json(const store_checkin *w, int64_t now)
{
    int64_t step = now / PERIOD;
    char code[CODE_DIGITS + 1];

    if (code_at(w, step, code) < 0)
        return NULL;
    return json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:i, s:I}",
                     "session_id", (json_int_t)w->session_id, "opens_at", api_time_json(w->opens_at),
                     "closes_at", api_time_json(w->closes_at),
                     "late_after", w->has_late_after ? api_time_json(w->late_after) : json_null(),
                     "code", code, "code_expires_at", api_time_json((step + 1) * PERIOD),
                     "period_seconds", PERIOD, "checked_in", (json_int_t)w->checked_in);
}

/* Role, then the session (§19.3: before the body). 0, or -1 with the reply set. */
static int teacher_session(api_ctx *ctx, int64_t *session_id)
{
    store_att_viewer v = {ctx->user_id, 1};
    store_att_session *s;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, TEACHER_ONLY) < 0 || !api_db(ctx))
        return -1;
    if (!(s = malloc(sizeof *s))) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    *session_id = req_path_id(ctx->req, 0);
    rc = store_att_session_get(ctx->db, &v, *session_id, s);
    free(s);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "Session not found or access denied");
    else
        api_fail(ctx, "store_att_session_get");
    return -1;
}

/* An optional integer in [lo, hi]; null or absent gives dflt (has = 0). */
static int bounded_int(const json_t *body, const char *key, long long lo, long long hi,
                       int *has, long long *out)
{
    const json_t *v = json_object_get(body, key);

    *has = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return -1;
    *has = 1;
    *out = json_integer_value(v);
    return 0;
}

void api_checkin_open(api_ctx *ctx)
{
    int64_t now = (int64_t)time(NULL);
    long long minutes = DEFAULT_MINUTES, late = 0;
    int has_minutes, has_late;
    store_checkin w = {0};
    json_t *body;

    if (teacher_session(ctx, &w.session_id) < 0 || !(body = req_json_body(ctx->req, ctx->rep)))
        return;
    if (bounded_int(body, "minutes", 1, MAX_MINUTES, &has_minutes, &minutes) < 0) {
        reply_error(ctx->rep, 400, "minutes must be an integer between 1 and 240");
        return;
    }
    if (bounded_int(body, "late_after_minutes", 0, MAX_MINUTES, &has_late, &late) < 0) {
        reply_error(ctx->rep, 400, "late_after_minutes must be an integer between 0 and 240");
        return;
    }
    if (!has_minutes)
        minutes = DEFAULT_MINUTES;
    randombytes_buf(w.secret, sizeof w.secret);
    w.opens_at = now;
    w.closes_at = now + minutes * 60;
    w.has_late_after = has_late;
    w.late_after = now + late * 60;
    if (store_checkin_open(ctx->db, &w, ctx->user_id) != DB_OK ||
        store_checkin_get(ctx->db, w.session_id, now, &w) != DB_ROW) {
        api_fail(ctx, "store_checkin_open");
        return;
    }
    reply_or_oom(ctx, 201, json_pack("{s:s, s:o}", "message", "Check-in opened", "checkin",
                                     checkin_json(&w, now)));
}

void api_checkin_get(api_ctx *ctx)
{
    int64_t now = (int64_t)time(NULL), session_id;
    store_checkin w;
    int rc;

    if (teacher_session(ctx, &session_id) < 0)
        return;
    rc = store_checkin_get(ctx->db, session_id, now, &w);
    if (rc == DB_ROW)
        reply_or_oom(ctx, 200, json_pack("{s:o}", "checkin", checkin_json(&w, now)));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, NO_WINDOW);
    else
        api_fail(ctx, "store_checkin_get");
}

void api_checkin_close(api_ctx *ctx)
{
    int64_t session_id;
    int rc;

    if (teacher_session(ctx, &session_id) < 0)
        return;
    rc = store_checkin_close(ctx->db, session_id, (int64_t)time(NULL));
    if (rc == DB_ROW)
        reply_or_oom(ctx, 200, json_pack("{s:s}", "message", "Check-in closed"));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, NO_WINDOW);
    else
        api_fail(ctx, "store_checkin_close");
}

void api_checkin_list_open(api_ctx *ctx)
{
    store_checkin_listing *rows = NULL;
    size_t n = 0;
    json_t *list;

    if (api_require_role(ctx, ROLE_STUDENT, STUDENT_ONLY) < 0 || !api_db(ctx))
        return;
    if (store_checkin_open_for_student(ctx->db, ctx->user_id, (int64_t)time(NULL), &rows, &n) !=
        DB_OK) {
        api_fail(ctx, "store_checkin_open_for_student");
        return;
    }
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:I, s:s, s:s, s:o}",
                                              "session_id", (json_int_t)rows[i].session_id,
                                              "class_id", (json_int_t)rows[i].class_id,
                                              "class_name", rows[i].class_name,
                                              "session_name", rows[i].session_name,
                                              "closes_at", api_time_json(rows[i].closes_at)));
    free(rows);
    reply_or_oom(ctx, 200, json_pack("{s:o}", "checkins", list));
}

/* ---- POST /api/attendance/checkin -------------------------------------------------- */

typedef struct checkin_req {
    long long session_id;
    char code[16];              /* trimmed; longer input can never match */
} checkin_req;

static int checkin_fields(api_ctx *ctx, const json_t *body, checkin_req *rq)
{
    field_err err;
    const json_t *code = json_object_get(body, "code");
    int rc = jv_int(body, "session_id", &rq->session_id, &err);

    if (rc == JV_MISSING) {
        reply_error(ctx->rep, 400, "Session ID is required");
        return -1;
    }
    if (rc != JV_OK) {
        reply_error(ctx->rep, 400, err.msg);
        return -1;
    }
    if (!code || json_is_null(code)) {
        reply_error(ctx->rep, 400, "Code is required");
        return -1;
    }
    if (!json_is_string(code)) {
        reply_error(ctx->rep, 400, "code must be a string");
        return -1;
    }
    char *t = str_trim_dup(json_string_value(code), json_string_length(code));
    if (!t) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    size_t n = strlen(t);
    /* A longer code can never match: keep a non-matching placeholder. */
    snprintf(rq->code, sizeof rq->code, "%s", n < sizeof rq->code ? t : "-");
    free(t);
    if (n == 0) {
        reply_error(ctx->rep, 400, "Code is required");
        return -1;
    }
    return 0;
}

/* 1 when the code is the current step's or the previous one's. */
static int code_ok(const store_checkin *w, const char *code, int64_t now)
{
    char want[CODE_DIGITS + 1];
    int ok = 0;

    if (strlen(code) != CODE_DIGITS)
        return 0;
    for (int64_t step = now / PERIOD; step >= now / PERIOD - 1; step--)
        if (code_at(w, step, want) == 0 && sodium_memcmp(want, code, CODE_DIGITS) == 0)
            ok = 1;
    return ok;
}

/* §19.4: -1 with the 429 (or 500) set while 5 wrong codes are younger than 10 minutes. */
static int rate_limit(api_ctx *ctx, int64_t session_id, int64_t now)
{
    int64_t count = 0, oldest = 0;
    char retry[24];

    if (store_checkin_failures(ctx->db, session_id, ctx->user_id, now - WRONG_WINDOW, &count,
                               &oldest) != DB_OK) {
        api_fail(ctx, "store_checkin_failures");
        return -1;
    }
    if (count < WRONG_LIMIT)
        return 0;
    int64_t wait = oldest + WRONG_WINDOW - now;
    snprintf(retry, sizeof retry, "%lld", (long long)(wait > 0 ? wait : 1));
    metrics_checkin("limited");
    reply_error(ctx->rep, 429, "Too many wrong codes, try again later");
    reply_header(ctx->rep, "Retry-After", retry);
    return -1;
}

static const char *mark_action(enum store_mark_action a)
{
    return a == STORE_MARK_CREATED ? "created" : a == STORE_MARK_UPDATED ? "updated"
                                                                         : "unchanged";
}

void api_checkin_submit(api_ctx *ctx)
{
    int64_t now = (int64_t)time(NULL);
    char details[STORE_AUDIT_DETAILS_MAX];
    checkin_req rq = {0};
    store_audit_new ev;
    store_mark_item item;
    store_att_record rec;
    store_checkin w;
    json_t *body;
    int rc;

    if (api_require_role(ctx, ROLE_STUDENT, STUDENT_ONLY) < 0 ||
        !(body = req_json_body(ctx->req, ctx->rep)) || checkin_fields(ctx, body, &rq) < 0 ||
        !api_db(ctx))
        return;
    rc = store_checkin_for_student(ctx->db, rq.session_id, ctx->user_id, now, &w);
    if (rc != DB_ROW) {
        if (rc == DB_DONE)
            reply_error(ctx->rep, 404, NO_WINDOW);
        else
            api_fail(ctx, "store_checkin_for_student");
        return;
    }
    if (rate_limit(ctx, w.session_id, now) < 0)
        return;
    if (!code_ok(&w, rq.code, now)) {
        if (store_checkin_fail(ctx->db, w.session_id, ctx->user_id, now, now - WRONG_WINDOW) !=
            DB_OK)
            api_fail(ctx, "store_checkin_fail");
        else
            reply_error(ctx->rep, 400, "Wrong or expired code");
        metrics_checkin("wrong_code");
        return;
    }
    enum store_att_status status =
        w.has_late_after && now >= w.late_after ? ATT_LATE : ATT_PRESENT;
    api_audit_init(ctx, &ev, "attendance.checked_in");
    ev.subject_id = ctx->user_id;
    ev.session_id = w.session_id;
    api_audit_details(&ev, json_pack("{s:s}", "status", store_att_status_name(status)), details);
    rc = store_checkin_mark(ctx->db, w.session_id, ctx->user_id, status, now, &ev, &item, &rec);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, NO_WINDOW);
        return;
    }
    if (rc != DB_OK) {
        api_fail(ctx, "store_checkin_mark");
        return;
    }
    metrics_checkin("ok");
    reply_or_oom(ctx, 200, json_pack("{s:s, s:o, s:s}", "message", "Checked in", "record",
                                     api_json_record(&rec), "action", mark_action(item.action)));
}
