#ifndef ATTENDLY_API_HANDLERS_H
#define ATTENDLY_API_HANDLERS_H
/* Route handlers referenced by the routing table (api/routes.c), by resource file. */
#include "api/api.h"

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
