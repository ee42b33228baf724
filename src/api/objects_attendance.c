/* Session, Record and SessionStats objects (API.md §2), built in one place so every
 * endpoint sends the same shape. */
#include "api/objects_attendance.h"

#include <math.h>

#include "api/objects.h"

double api_round(double v, int decimals)
{
    double scale = pow(10.0, decimals);
    return round(v * scale) / scale;
}

double api_rate(int64_t part, int64_t whole)
{
    if (whole <= 0)
        return 0.0;
    return api_round((double)part * 100.0 / (double)whole, 2);
}

json_t *api_json_confidence(int has, double v)
{
    return has ? json_real(api_round(v, 4)) : json_null();
}

json_t *api_json_session(const store_att_session *s)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:b, s:I, s:I, s:I, s:I, s:I}",
                     "id", (json_int_t)s->id,
                     "class_id", (json_int_t)s->class_id,
                     "class_name", s->class_name,
                     "session_name", s->session_name,
                     "session_date", s->session_date,
                     "created_by", (json_int_t)s->created_by,
                     "creator_name", s->creator_name,
                     "created_at", api_time_json(s->created_at),
                     "updated_at", api_time_json(s->updated_at),
                     "is_active", s->is_active,
                     "total_students", (json_int_t)s->stats.total_students,
                     "present_count", (json_int_t)s->stats.present,
                     "late_count", (json_int_t)s->stats.late,
                     "absent_count", (json_int_t)s->stats.absent,
                     "attendance_count", (json_int_t)s->stats.records);
}

json_t *api_json_record(const store_att_record *r)
{
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:I, s:s, s:o, s:s}",
                     "id", (json_int_t)r->id,
                     "session_id", (json_int_t)r->session_id,
                     "student_id", (json_int_t)r->student_id,
                     "student_name", r->student_name,
                     "status", store_att_status_name(r->status),
                     "marked_at", api_time_json(r->marked_at),
                     "updated_at", api_time_json(r->updated_at),
                     "marked_by", (json_int_t)r->marked_by,
                     "marker_name", r->marker_name,
                     "recognition_confidence",
                     api_json_confidence(r->has_confidence, r->confidence),
                     "recognition_method", store_att_method_name(r->method));
}

json_t *api_json_session_stats(const store_att_stats *st)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:f}",
                     "total_students", (json_int_t)st->total_students,
                     "present_count", (json_int_t)st->present,
                     "late_count", (json_int_t)st->late,
                     "absent_count", (json_int_t)st->absent,
                     "attendance_rate", api_rate(st->present + st->late, st->total_students));
}
