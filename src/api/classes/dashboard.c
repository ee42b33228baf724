/* GET /api/classes/dashboard-stats (API.md §4.3): a teacher's and a student's view. */
#include <math.h>

#include "api/access.h"
#include "api/handlers.h"
#include "core/timeutil.h"
#include "store/dashboard.h"

#define RECENT_DAYS 7      /* today-6 .. today */
#define RECENT_MAX 5

/* Rates are percentages rounded to 2 decimals (§1.4). */
static double round2(double x)
{
    return round(x * 100.0) / 100.0;
}

static double rate(int64_t part, int64_t whole)
{
    return whole > 0 ? round2((double)part * 100.0 / (double)whole) : 0.0;
}

static int append_activity(const store_session_activity *a, void *arg)
{
    json_t *item = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f}",
        "id", (json_int_t)a->id, "class_id", (json_int_t)a->class_id,
        "class_name", a->class_name ? a->class_name : "",
        "session_name", a->session_name ? a->session_name : "",
        "date", a->session_date ? a->session_date : "",
        "present_count", (json_int_t)a->present_count,
        "late_count", (json_int_t)a->late_count,
        "absent_count", (json_int_t)a->absent_count,
        "total_students", (json_int_t)a->total_students,
        "attendance_rate", rate(a->present_count + a->late_count, a->total_students));

    return !item || json_array_append_new((json_t *)arg, item) != 0;
}

static void teacher_dashboard(api_ctx *ctx, db_conn *c)
{
    char today[TIME_DATE_LEN], from[TIME_DATE_LEN];
    store_teacher_stats st;
    json_t *recent = json_array();

    time_today(today);
    if (!recent || time_date_add(today, -(RECENT_DAYS - 1), from) != 0 ||
        store_teacher_stats_get(c, ctx->user_id, today, &st) != DB_OK ||
        store_teacher_recent_sessions(c, ctx->user_id, from, today, RECENT_MAX,
                                      append_activity, recent) != DB_OK) {
        json_decref(recent);
        api_fail(ctx, "teacher dashboard");
        return;
    }
    reply_json(ctx->rep, 200, json_pack(
        "{s:{s:I, s:I, s:I, s:f}, s:o}",
        "statistics",
        "total_classes", (json_int_t)st.total_classes,
        "total_students", (json_int_t)st.total_students,
        "todays_sessions", (json_int_t)st.todays_sessions,
        "avg_attendance_rate", round2(st.avg_attendance_rate),
        "recent_activity", recent));
}

static void student_dashboard(api_ctx *ctx, db_conn *c)
{
    store_student_stats st;

    if (store_student_stats_get(c, ctx->user_id, &st) != DB_OK) {
        api_fail(ctx, "student dashboard");
        return;
    }
    reply_json(ctx->rep, 200, json_pack(
        "{s:{s:I, s:I, s:I, s:f}}",
        "statistics",
        "enrolled_classes", (json_int_t)st.enrolled_classes,
        "total_sessions", (json_int_t)st.total_sessions,
        "sessions_attended", (json_int_t)st.sessions_attended,
        "attendance_rate", rate(st.sessions_attended, st.total_sessions)));
}

void api_classes_dashboard(api_ctx *ctx)
{
    db_conn *c = api_db(ctx);

    if (!c)
        return;
    if (ctx->role == ROLE_TEACHER)
        teacher_dashboard(ctx, c);
    else
        student_dashboard(ctx, c);
}
