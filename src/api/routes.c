/* The routing table (API.md). One line per route; the HTTP layer matches the path
 * template ({…} = 1-18 digits), answers 404/405, authenticates per `auth`, then calls
 * the handler. Keep each resource's routes together, in the order of API.md. */
#include "api/handlers.h"

const api_route api_routes[] = {
    /* §3 Auth (api/auth.c, api/account.c) */
    {"POST", "/api/auth/signup", api_auth_signup, AUTH_NONE, 0},
    {"POST", "/api/auth/login", api_auth_login, AUTH_NONE, 0},
    {"POST", "/api/auth/refresh", api_auth_refresh, AUTH_REFRESH, 0},
    {"POST", "/api/auth/logout", api_auth_logout, AUTH_ACCESS, 0},
    {"GET", "/api/auth/verify-token", api_auth_verify_token, AUTH_ACCESS, 0},
    {"GET", "/api/auth/profile", api_auth_profile_get, AUTH_ACCESS, 0},
    {"PUT", "/api/auth/profile", api_auth_profile_put, AUTH_ACCESS, 0},
    {"POST", "/api/auth/change-password", api_auth_change_password, AUTH_ACCESS, 0},
    {"PUT", "/api/auth/update-role", api_auth_update_role, AUTH_ACCESS, 0},

    /* §4 Classes (api/classes.c, api/class_members.c, api/dashboard.c) */
    {"POST", "/api/classes/create", api_classes_create, AUTH_ACCESS, 0},
    {"GET", "/api/classes/my-classes", api_classes_mine, AUTH_ACCESS, 0},
    {"GET", "/api/classes/dashboard-stats", api_classes_dashboard, AUTH_ACCESS, 0},
    {"GET", "/api/classes/{id}", api_classes_get, AUTH_ACCESS, 0},
    {"PUT", "/api/classes/{id}/update", api_classes_update, AUTH_ACCESS, 0},
    {"DELETE", "/api/classes/{id}", api_classes_delete, AUTH_ACCESS, 0},
    {"POST", "/api/classes/join", api_classes_join, AUTH_ACCESS, 0},
    {"POST", "/api/classes/{id}/leave", api_classes_leave, AUTH_ACCESS, 0},
    {"POST", "/api/classes/{id}/regenerate-code", api_classes_regenerate_code, AUTH_ACCESS, 0},
    {"DELETE", "/api/classes/{id}/students/{student_id}", api_classes_remove_student, AUTH_ACCESS, 0},

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
