/* A student's attendance history (API.md §7.8) and a class's report as JSON or CSV (§7.9). */
#include "api/attendance/attendance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "api/pagination.h"
#include "core/timeutil.h"

#define MSG_CLASS_404 "Class not found or access denied"

/* ---- 7.8 student-records ------------------------------------------------------------- */

typedef struct history_query {
    int64_t class_id;        /* 0: every class the student is in */
    int has_class;
    const char *period;      /* "week" | "month" | "all" */
    char since[TIME_DATE_LEN];
    int has_since;
    api_page page;
} history_query;

/* class_id, period, then limit and offset; replies 400 and returns -1 on the first bad one. */
static int read_history_query(api_ctx *ctx, history_query *q)
{
    const char *cls = req_query(ctx->req, "class_id");
    const char *period = req_query(ctx->req, "period");
    memset(q, 0, sizeof *q);
    if (cls) {
        if (api_query_int(cls, &q->class_id) < 0) {
            reply_error(ctx->rep, 400, "class_id must be an integer");
            return -1;
        }
        q->has_class = 1;
    }
    q->period = period ? period : "all";
    int days = strcmp(q->period, "week") == 0 ? 6 : strcmp(q->period, "month") == 0 ? 29 : -1;
    if (days < 0 && strcmp(q->period, "all") != 0) {
        reply_error(ctx->rep, 400, "period must be one of: week, month, all");
        return -1;
    }
    if (days >= 0) {
        char today[TIME_DATE_LEN];
        time_today(today);
        if (time_date_add(today, -days, q->since) < 0) {
            reply_internal_error(ctx->rep, ctx->req, "student-records: bad today");
            return -1;
        }
        q->has_since = 1;
    }
    return api_page_from_request(ctx, &q->page);
}

static json_t *history_item_json(const store_att_history_item *it)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s}", "session_id", (json_int_t)it->session_id,
                          "session_name", it->session_name, "session_date", it->session_date,
                          "class_id", (json_int_t)it->class_id, "class_name", it->class_name);
    if (!o)
        return NULL;
    int has = it->has_record;
    json_object_set_new(o, "status", has ? json_string(store_att_status_name(it->status))
                                         : json_null());
    json_object_set_new(o, "marked_at", has ? api_time_json(it->marked_at) : json_null());
    json_object_set_new(o, "recognition_method",
                        has ? json_string(store_att_method_name(it->method)) : json_null());
    json_object_set_new(o, "recognition_confidence",
                        api_json_confidence(has && it->has_confidence, it->confidence));
    return o;
}

/* The counts shared by "statistics" and each "classes" entry. */
static json_t *tally_json(int64_t sessions, int64_t present, int64_t late, int64_t absent)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "total_sessions", (json_int_t)sessions,
                     "present", (json_int_t)present, "late", (json_int_t)late,
                     "absent", (json_int_t)absent,
                     "unmarked", (json_int_t)(sessions - present - late - absent),
                     "attendance_rate", api_rate(present + late, sessions));
}

static json_t *history_reply(api_ctx *ctx, const history_query *q,
                             const store_att_history_item *items, size_t n, int64_t total,
                             const store_att_class_tally *cl, size_t n_cl)
{
    json_t *records = json_array(), *classes = json_array();
    int64_t sum[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        json_array_append_new(records, history_item_json(&items[i]));
    for (size_t i = 0; i < n_cl; i++) {
        json_t *t = tally_json(cl[i].sessions, cl[i].present, cl[i].late, cl[i].absent);
        if (t) {
            json_object_set_new(t, "class_id", json_integer((json_int_t)cl[i].class_id));
            json_object_set_new(t, "class_name", json_string(cl[i].class_name));
        }
        json_array_append_new(classes, t);
        sum[0] += cl[i].sessions;
        sum[1] += cl[i].present;
        sum[2] += cl[i].late;
        sum[3] += cl[i].absent;
    }
    return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I}",
                     "student_id", (json_int_t)ctx->user_id, "period", q->period,
                     "class_id", q->has_class ? json_integer((json_int_t)q->class_id) : json_null(),
                     "records", records,
                     "statistics", tally_json(sum[0], sum[1], sum[2], sum[3]),
                     "classes", classes, "total", (json_int_t)total);
}

void api_attendance_student_records(api_ctx *ctx)
{
    history_query q;
    store_att_history_item *items = NULL;
    store_att_class_tally *cl = NULL;
    size_t n = 0, n_cl = 0;
    int64_t total = 0;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can view their attendance records") < 0)
        return;
    if (read_history_query(ctx, &q) < 0)
        return;
    db_conn *c = api_db(ctx);
    if (!c)
        return;
    if (q.has_class) {
        store_class cls;
        if (api_enrolled_class(ctx, q.class_id, MSG_CLASS_404, &cls) < 0)
            return;
        store_class_clear(&cls);
    }
    int rc = store_att_student_history(c, ctx->user_id, q.has_class ? q.class_id : 0,
                                       q.has_since ? q.since : NULL, q.page.limit, q.page.offset,
                                       &items, &n, &total, &cl, &n_cl);
    if (rc < 0) {
        api_fail(ctx, "store_att_student_history");
        return;
    }
    json_t *reply = history_reply(ctx, &q, items, n, total, cl, n_cl);
    free(items);
    free(cl);
    if (reply)
        reply_json(ctx->rep, 200, reply);
    else
        reply_internal_error(ctx->rep, ctx->req, "student-records: building the reply failed");
}

/* ---- 7.9 class report ---------------------------------------------------------------- */

/* A growing byte buffer for the CSV body. */
typedef struct csv_buf {
    char *p;
    size_t len, cap;
    int oom;
} csv_buf;

static void csv_put(csv_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > ncap)
            ncap *= 2;
        char *p = realloc(b->p, ncap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void csv_puts(csv_buf *b, const char *s) { csv_put(b, s, strlen(s)); }

/* A text cell: a leading = + - @ TAB or CR gets a ' (formula injection), and the cell is
 * quoted, with quotes doubled, when it holds a comma, quote, CR or LF (RFC 4180). */
static void csv_text(csv_buf *b, const char *s)
{
    int guard = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        csv_put(b, "\"", 1);
    if (guard)
        csv_put(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            csv_put(b, "\"\"", 2);
        else
            csv_put(b, p, 1);
    }
    if (quote)
        csv_put(b, "\"", 1);
}

/* Numbers as the JSON reply writes them (jansson's real format with 15 digits). */
static void csv_number(csv_buf *b, json_t *num)
{
    char *s = json_dumps(num, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(num);
    if (!s) {
        b->oom = 1;
        return;
    }
    csv_puts(b, s);
    free(s);
}

static void csv_row(csv_buf *b, const store_att_report_row *r, int64_t sessions)
{
    csv_number(b, json_integer((json_int_t)r->student_id));
    csv_puts(b, ",");
    csv_text(b, r->name);
    csv_puts(b, ",");
    csv_text(b, r->email);
    int64_t nums[] = {r->present, r->late, r->absent, sessions};
    for (size_t i = 0; i < 4; i++) {
        csv_puts(b, ",");
        csv_number(b, json_integer((json_int_t)nums[i]));
    }
    csv_puts(b, ",");
    csv_number(b, json_real(api_rate(r->present + r->late, sessions)));
    csv_puts(b, "\r\n");
}

static void report_csv(api_ctx *ctx, int64_t class_id, int64_t sessions,
                       const store_att_report_row *rows, size_t n)
{
    csv_buf b = {0};
    csv_puts(&b, "student_id,name,email,present,late,absent,total_sessions,attendance_rate\r\n");
    for (size_t i = 0; i < n; i++)
        csv_row(&b, &rows[i], sessions);
    if (b.oom) {
        free(b.p);
        reply_internal_error(ctx->rep, ctx->req, "report: out of memory");
        return;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"class-%lld-report.csv\"",
             (long long)class_id);
    reply_bytes(ctx->rep, 200, "text/csv; charset=utf-8", b.p, b.len);
    reply_header(ctx->rep, "Content-Disposition", disp);
}

static json_t *report_json(int64_t class_id, const char *class_name, int64_t sessions,
                           const store_att_report_row *rows, size_t n, int64_t total)
{
    json_t *students = json_array();
    for (size_t i = 0; i < n; i++) {
        const store_att_report_row *r = &rows[i];
        json_array_append_new(students, json_pack(
            "{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:f}", "student_id", (json_int_t)r->student_id,
            "name", r->name, "email", r->email, "present", (json_int_t)r->present,
            "late", (json_int_t)r->late, "absent", (json_int_t)r->absent,
            "total_sessions", (json_int_t)sessions,
            "attendance_rate", api_rate(r->present + r->late, sessions)));
    }
    return json_pack("{s:I, s:s, s:I, s:o, s:I}", "class_id", (json_int_t)class_id,
                     "class_name", class_name, "total_sessions", (json_int_t)sessions,
                     "students", students, "total", (json_int_t)total);
}

void api_attendance_class_report(api_ctx *ctx)
{
    api_page page = {-1, 0};
    store_class cls;
    int64_t sessions = 0, total = 0, class_id = req_path_id(ctx->req, 0);
    store_att_report_row *rows = NULL;
    size_t n = 0;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can view class reports") < 0)
        return;
    const char *format = req_query(ctx->req, "format");
    int csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        reply_error(ctx->rep, 400, "format must be one of: json, csv");
        return;
    }
    /* The CSV holds every student: limit and offset apply to the JSON list only. */
    if (!csv && api_page_from_request(ctx, &page) < 0)
        return;
    if (api_owned_class(ctx, class_id, MSG_CLASS_404, &cls) < 0)
        return;
    int rc = store_att_session_count(ctx->db, class_id, &sessions);
    if (rc >= 0)
        rc = store_att_report_rows(ctx->db, class_id, page.limit, page.offset, &rows, &n, &total);
    if (rc < 0) {
        api_fail(ctx, "attendance report");
    } else if (csv) {
        report_csv(ctx, class_id, sessions, rows, n);
    } else {
        json_t *reply = report_json(class_id, cls.name, sessions, rows, n, total);
        if (reply)
            reply_json(ctx->rep, 200, reply);
        else
            reply_internal_error(ctx->rep, ctx->req, "report: building the reply failed");
    }
    free(rows);
    store_class_clear(&cls);
}
