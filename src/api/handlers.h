#ifndef ATTENDLY_API_HANDLERS_H
#define ATTENDLY_API_HANDLERS_H
/* Route handlers referenced by the routing table (api/routes.c), by resource file. */
#include "api/api.h"

/* api/auth/auth.c, api/auth/account.c — auth (API.md §3) */
void api_auth_signup(api_ctx *ctx);
void api_auth_login(api_ctx *ctx);
void api_auth_refresh(api_ctx *ctx);
void api_auth_logout(api_ctx *ctx);
void api_auth_verify_token(api_ctx *ctx);
void api_auth_profile_get(api_ctx *ctx);
void api_auth_profile_put(api_ctx *ctx);
void api_auth_change_password(api_ctx *ctx);
void api_auth_update_role(api_ctx *ctx);

/* api/classes/classes.c, api/classes/members.c, api/classes/dashboard.c — classes (API.md §4) */
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

/* api/face/ — face data (API.md §6); api/attendance/recognize_faces.c —
 * recognise-and-mark (§7.7). The face-work routes (§5.6) run under api_face_acquire
 * (api/face/common.h). */
void api_face_upload(api_ctx *ctx);                 /* face/upload.c */
void api_face_multiple_upload(api_ctx *ctx);
void api_face_validate_image(api_ctx *ctx);
void api_face_upload_orientations(api_ctx *ctx);    /* face/orientations.c */
void api_face_my_data(api_ctx *ctx);                /* face/data.c */
void api_face_facial_status(api_ctx *ctx);
void api_face_delete(api_ctx *ctx);
void api_face_class_students(api_ctx *ctx);
void api_face_stats(api_ctx *ctx);
void api_face_student_images(api_ctx *ctx);         /* face/images.c */
void api_face_thumbnail(api_ctx *ctx);
void api_face_recognize_photo(api_ctx *ctx);        /* face/recognize.c */
void api_attendance_recognize_faces(api_ctx *ctx);  /* attendance/recognize_faces.c */

/* api/attendance/sessions.c, api/attendance/mark.c, api/attendance/reports.c —
 * attendance (API.md §7) */
void api_attendance_create_session(api_ctx *ctx);
void api_attendance_mark(api_ctx *ctx);
void api_attendance_sessions(api_ctx *ctx);
void api_attendance_session_records(api_ctx *ctx);
void api_attendance_record_update(api_ctx *ctx);
void api_attendance_finalize(api_ctx *ctx);
void api_attendance_student_records(api_ctx *ctx);
void api_attendance_class_report(api_ctx *ctx);

/* api/attendance/checkin.c — check-in codes (API.md §14) */
void api_checkin_open(api_ctx *ctx);
void api_checkin_get(api_ctx *ctx);
void api_checkin_close(api_ctx *ctx);
void api_checkin_list_open(api_ctx *ctx);
void api_checkin_submit(api_ctx *ctx);

/* api/auth/data_rights.c — data export and account deletion (API.md §16.2-16.3) */
void api_auth_export(api_ctx *ctx);
void api_auth_delete_account(api_ctx *ctx);

/* api/face/consent.c — biometric consent (API.md §13) */
void api_face_consent_get(api_ctx *ctx);
void api_face_consent_give(api_ctx *ctx);
void api_face_consent_withdraw(api_ctx *ctx);

/* api/admin/users.c, api/admin/accounts.c — administration (API.md §12.3) */
void api_admin_users(api_ctx *ctx);
void api_admin_create_user(api_ctx *ctx);
void api_admin_stats(api_ctx *ctx);
void api_admin_approve(api_ctx *ctx);
void api_admin_deactivate(api_ctx *ctx);
void api_admin_reactivate(api_ctx *ctx);
void api_admin_reset_password(api_ctx *ctx);

/* api/audit/audit.c — the audit log (API.md §15) */
void api_audit_mine(api_ctx *ctx);
void api_audit_list(api_ctx *ctx);

/* api/ops/health.c, api/ops/docs.c — operations (API.md §8) */
void api_health(api_ctx *ctx);
void api_metrics(api_ctx *ctx);
void api_openapi(api_ctx *ctx);
void api_docs_page(api_ctx *ctx);   /* api/ops/docs.c: the Redoc page and its bundle */
void api_docs_redoc(api_ctx *ctx);

#endif
