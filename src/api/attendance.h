#ifndef ATTENDLY_API_ATTENDANCE_H
#define ATTENDLY_API_ATTENDANCE_H
/* Handlers of API.md §7 (attendance), registered in api/routes.c. */
#include <jansson.h>
#include "api/api.h"

/* attendance_sessions.c */
void api_attendance_create_session(api_ctx *ctx);   /* POST /api/attendance/create-session */
void api_attendance_mark(api_ctx *ctx);             /* POST /api/attendance/mark-attendance */
void api_attendance_sessions(api_ctx *ctx);         /* GET  /api/attendance/sessions/{id} */
void api_attendance_session_records(api_ctx *ctx);  /* GET  /api/attendance/session/{id}/records */
void api_attendance_record_update(api_ctx *ctx);    /* PUT  /api/attendance/record/{id} */
void api_attendance_finalize(api_ctx *ctx);         /* POST /api/attendance/session/{id}/finalize */

/* attendance_reports.c */
void api_attendance_student_records(api_ctx *ctx);  /* GET  /api/attendance/student-records */
void api_attendance_class_report(api_ctx *ctx);     /* GET  /api/attendance/class/{id}/report */

/* Shared by the attendance handlers (attendance_mark.c): an optional enum field given as
 * an exact lowercase string. Missing or null gives dflt; anything else that `parse`
 * refuses (including non-strings) gives -1. */
int api_att_enum_field(const json_t *body, const char *key, int dflt, int (*parse)(const char *));

#endif
