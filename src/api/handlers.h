#ifndef ATTENDLY_API_HANDLERS_H
#define ATTENDLY_API_HANDLERS_H
/* Route handlers referenced by the routing table (api/routes.c), by resource file. */
#include "api/api.h"

/* api/auth.c, api/account.c — auth (API.md §3) */
void api_auth_signup(api_ctx *ctx);
void api_auth_login(api_ctx *ctx);
void api_auth_refresh(api_ctx *ctx);
void api_auth_logout(api_ctx *ctx);
void api_auth_verify_token(api_ctx *ctx);
void api_auth_profile_get(api_ctx *ctx);
void api_auth_profile_put(api_ctx *ctx);
void api_auth_change_password(api_ctx *ctx);
void api_auth_update_role(api_ctx *ctx);

/* api/classes.c, api/class_members.c, api/dashboard.c — classes (API.md §4) */
void api_classes_create(api_ctx *ctx);
void api_classes_mine(api_ctx *ctx);
void api_classes_dashboard(api_ctx *ctx);
void api_classes_get(api_ctx *ctx);
void api_classes_update(api_ctx *ctx);
void api_classes_delete(api_ctx *ctx);
void api_classes_join(api_ctx *ctx);
void api_classes_leave(api_ctx *ctx);
void api_classes_regenerate_code(api_ctx *ctx);
void api_classes_remove_student(api_ctx *ctx);

/* api/attendance_sessions.c, api/attendance_mark.c, api/attendance_reports.c —
 * attendance (API.md §7) */
void api_attendance_create_session(api_ctx *ctx);
void api_attendance_mark(api_ctx *ctx);
void api_attendance_sessions(api_ctx *ctx);
void api_attendance_session_records(api_ctx *ctx);
void api_attendance_record_update(api_ctx *ctx);
void api_attendance_finalize(api_ctx *ctx);
void api_attendance_student_records(api_ctx *ctx);
void api_attendance_class_report(api_ctx *ctx);

/* api/health.c — operations (API.md §8) */
void api_health(api_ctx *ctx);
void api_metrics(api_ctx *ctx);
void api_openapi(api_ctx *ctx);

#endif
