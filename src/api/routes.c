/* The routing table (API.md). One line per route; the HTTP layer matches the path
 * template ({…} = 1-18 digits), answers 404/405, authenticates per `auth`, then calls
 * the handler. Keep each resource's routes together, in the order of API.md. */
#include "api/handlers.h"

const api_route api_routes[] = {
    /* §7 Attendance (api/attendance_sessions.c, attendance_mark.c, attendance_reports.c) */
    {"POST", "/api/attendance/create-session", api_attendance_create_session, AUTH_ACCESS, 0},
    {"POST", "/api/attendance/mark-attendance", api_attendance_mark, AUTH_ACCESS, 0},
    {"GET", "/api/attendance/sessions/{class_id}", api_attendance_sessions, AUTH_ACCESS, 0},
    {"GET", "/api/attendance/session/{id}/records", api_attendance_session_records,
     AUTH_ACCESS, 0},
    {"PUT", "/api/attendance/record/{id}", api_attendance_record_update, AUTH_ACCESS, 0},
    {"POST", "/api/attendance/session/{id}/finalize", api_attendance_finalize, AUTH_ACCESS, 0},
    {"GET", "/api/attendance/student-records", api_attendance_student_records, AUTH_ACCESS, 0},
    {"GET", "/api/attendance/class/{class_id}/report", api_attendance_class_report,
     AUTH_ACCESS, 0},

    /* §8 Operations (api/health.c) */
    {"GET", "/health", api_health, AUTH_NONE, 0},
    {"GET", "/metrics", api_metrics, AUTH_METRICS, 0},
    {"GET", "/api/openapi.json", api_openapi, AUTH_NONE, 0},

    {NULL, NULL, NULL, AUTH_NONE, 0},
};
