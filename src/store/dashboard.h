#ifndef ATTENDLY_STORE_DASHBOARD_H
#define ATTENDLY_STORE_DASHBOARD_H
/* Dashboard statistics (API.md §4.3), computed from classes, enrollments and the
 * attendance tables. Only active classes and active sessions count. Dates are
 * 'YYYY-MM-DD' strings in ATTENDLY_TIMEZONE, supplied by the caller. */
#include <stdint.h>
#include "store/db.h"

typedef struct store_teacher_stats {
    int64_t total_classes;
    int64_t total_students;      /* distinct students actively enrolled */
    int64_t todays_sessions;
    double avg_attendance_rate;  /* unrounded mean; 0 when no session qualifies */
} store_teacher_stats;

typedef struct store_session_activity {
    int64_t id;
    int64_t class_id;
    const char *class_name;      /* valid during the callback only */
    const char *session_name;
    const char *session_date;
    int64_t present_count;
    int64_t late_count;
    int64_t absent_count;
    int64_t total_students;
} store_session_activity;

typedef int (*store_activity_cb)(const store_session_activity *a, void *arg);

typedef struct store_student_stats {
    int64_t enrolled_classes;
    int64_t total_sessions;
    int64_t sessions_attended;
} store_student_stats;

/* DB_OK or DB_ERR. */
int store_teacher_stats_get(db_conn *c, int64_t teacher_id, const char *today,
                            store_teacher_stats *out);
/* Sessions dated from..to inclusive, newest date then highest id first, at most limit. */
int store_teacher_recent_sessions(db_conn *c, int64_t teacher_id, const char *from,
                                  const char *to, int limit, store_activity_cb cb, void *arg);
int store_student_stats_get(db_conn *c, int64_t student_id, store_student_stats *out);

#endif
