/* The routing table (API.md). One line per route; the HTTP layer matches the path
 * template ({…} = 1-18 digits) and answers 404/405, then api/dispatch.c authenticates
 * per `auth` and calls the handler. Keep each resource's routes together, in the order of API.md. */
#include "api/handlers.h"

const api_route api_routes[] = {
    /* §3 Auth (api/auth/auth.c, api/auth/account.c) */
    {{"POST", "/api/auth/signup"}, api_auth_signup, AUTH_NONE, 0},
    {{"POST", "/api/auth/login"}, api_auth_login, AUTH_NONE, 0},
    {{"POST", "/api/auth/refresh"}, api_auth_refresh, AUTH_REFRESH, 0},
    {{"POST", "/api/auth/logout"}, api_auth_logout, AUTH_ACCESS, 0},
    {{"GET", "/api/auth/verify-token"}, api_auth_verify_token, AUTH_ACCESS, 0},
    {{"GET", "/api/auth/profile"}, api_auth_profile_get, AUTH_ACCESS, 0},
    {{"PUT", "/api/auth/profile"}, api_auth_profile_put, AUTH_ACCESS, 0},
    {{"POST", "/api/auth/change-password"}, api_auth_change_password, AUTH_ACCESS, 0},
    {{"PUT", "/api/auth/update-role"}, api_auth_update_role, AUTH_ACCESS, 0},

    /* §4 Classes (api/classes/classes.c, api/classes/members.c, api/classes/dashboard.c) */
    {{"POST", "/api/classes/create"}, api_classes_create, AUTH_ACCESS, 0},
    {{"GET", "/api/classes/my-classes"}, api_classes_mine, AUTH_ACCESS, 0},
    {{"GET", "/api/classes/dashboard-stats"}, api_classes_dashboard, AUTH_ACCESS, 0},
    {{"GET", "/api/classes/{id}"}, api_classes_get, AUTH_ACCESS, 0},
    {{"PUT", "/api/classes/{id}/update"}, api_classes_update, AUTH_ACCESS, 0},
    {{"DELETE", "/api/classes/{id}"}, api_classes_delete, AUTH_ACCESS, 0},
    {{"POST", "/api/classes/join"}, api_classes_join, AUTH_ACCESS, 0},
    {{"POST", "/api/classes/{id}/leave"}, api_classes_leave, AUTH_ACCESS, 0},
    {{"POST", "/api/classes/{id}/regenerate-code"}, api_classes_regenerate_code, AUTH_ACCESS, 0},
    {{"DELETE", "/api/classes/{id}/students/{student_id}"}, api_classes_remove_student, AUTH_ACCESS, 0},

    /* §6 Face data (api/face/); face_work marks the §5.6 face routes */
    {{"POST", "/api/face-data/upload"}, api_face_upload, AUTH_ACCESS, 1},
    {{"POST", "/api/face-data/multiple-upload"}, api_face_multiple_upload, AUTH_ACCESS, 1},
    {{"POST", "/api/face-data/upload-orientations"}, api_face_upload_orientations, AUTH_ACCESS, 1},
    {{"GET", "/api/face-data/my-data"}, api_face_my_data, AUTH_ACCESS, 0},
    {{"GET", "/api/face-data/student/facial-status"}, api_face_facial_status, AUTH_ACCESS, 0},
    {{"DELETE", "/api/face-data/delete"}, api_face_delete, AUTH_ACCESS, 0},
    {{"POST", "/api/face-data/validate-image"}, api_face_validate_image, AUTH_ACCESS, 1},
    {{"GET", "/api/face-data/class/{id}/students-with-facial-data"}, api_face_class_students,
     AUTH_ACCESS, 0},
    {{"GET", "/api/face-data/stats"}, api_face_stats, AUTH_ACCESS, 0},
    {{"GET", "/api/face-data/student/{student_id}/images"}, api_face_student_images, AUTH_ACCESS, 0},
    {{"GET", "/api/face-data/images/{image_id}/thumbnail"}, api_face_thumbnail, AUTH_ACCESS, 0},
    {{"POST", "/api/face-data/recognize-from-photo"}, api_face_recognize_photo, AUTH_ACCESS, 1},

    /* §7 Attendance (api/attendance/sessions.c, mark.c, reports.c) */
    {{"POST", "/api/attendance/create-session"}, api_attendance_create_session, AUTH_ACCESS, 0},
    {{"POST", "/api/attendance/mark-attendance"}, api_attendance_mark, AUTH_ACCESS, 0},
    {{"GET", "/api/attendance/sessions/{class_id}"}, api_attendance_sessions, AUTH_ACCESS, 0},
    {{"GET", "/api/attendance/session/{id}/records"}, api_attendance_session_records,
     AUTH_ACCESS, 0},
    {{"PUT", "/api/attendance/record/{id}"}, api_attendance_record_update, AUTH_ACCESS, 0},
    {{"POST", "/api/attendance/session/{id}/finalize"}, api_attendance_finalize, AUTH_ACCESS, 0},
    /* §7.7 (api/attendance/recognize_faces.c) */
    {{"POST", "/api/attendance/recognize-faces"}, api_attendance_recognize_faces, AUTH_ACCESS, 1},
    {{"GET", "/api/attendance/student-records"}, api_attendance_student_records, AUTH_ACCESS, 0},
    {{"GET", "/api/attendance/class/{class_id}/report"}, api_attendance_class_report,
     AUTH_ACCESS, 0},

    /* §8 Operations (api/ops/health.c, api/ops/docs.c) */
    {{"GET", "/health"}, api_health, AUTH_NONE, 0},
    {{"GET", "/metrics"}, api_metrics, AUTH_METRICS, 0},
    {{"GET", "/api/openapi.json"}, api_openapi, AUTH_NONE, 0},
    {{"GET", "/api/docs"}, api_docs_page, AUTH_NONE, 0},
    {{"GET", "/api/docs/redoc.standalone.js"}, api_docs_redoc, AUTH_NONE, 0},

    /* §12 Administration (api/admin/users.c, api/admin/accounts.c) */
    {{"GET", "/api/admin/users"}, api_admin_users, AUTH_ACCESS, 0},
    {{"POST", "/api/admin/users"}, api_admin_create_user, AUTH_ACCESS, 0},
    {{"POST", "/api/admin/users/{id}/approve"}, api_admin_approve, AUTH_ACCESS, 0},
    {{"POST", "/api/admin/users/{id}/deactivate"}, api_admin_deactivate, AUTH_ACCESS, 0},
    {{"POST", "/api/admin/users/{id}/reactivate"}, api_admin_reactivate, AUTH_ACCESS, 0},
    {{"POST", "/api/admin/users/{id}/reset-password"}, api_admin_reset_password, AUTH_ACCESS, 0},
    {{"GET", "/api/admin/stats"}, api_admin_stats, AUTH_ACCESS, 0},

    /* §13 Biometric consent (api/face/consent.c) */
    {{"GET", "/api/face-data/consent"}, api_face_consent_get, AUTH_ACCESS, 0},
    {{"POST", "/api/face-data/consent"}, api_face_consent_give, AUTH_ACCESS, 0},
    {{"DELETE", "/api/face-data/consent"}, api_face_consent_withdraw, AUTH_ACCESS, 0},

    /* §14 Check-in codes (api/attendance/checkin.c) */
    {{"POST", "/api/attendance/session/{id}/checkin"}, api_checkin_open, AUTH_ACCESS, 0},
    {{"GET", "/api/attendance/session/{id}/checkin"}, api_checkin_get, AUTH_ACCESS, 0},
    {{"DELETE", "/api/attendance/session/{id}/checkin"}, api_checkin_close, AUTH_ACCESS, 0},
    {{"GET", "/api/attendance/checkin/open"}, api_checkin_list_open, AUTH_ACCESS, 0},
    {{"POST", "/api/attendance/checkin"}, api_checkin_submit, AUTH_ACCESS, 0},

    /* §15 Audit log (api/audit/audit.c) */
    {{"GET", "/api/audit/me"}, api_audit_mine, AUTH_ACCESS, 0},
    {{"GET", "/api/audit"}, api_audit_list, AUTH_ACCESS, 0},

    /* §16 Data rights (api/auth/data_rights.c) */
    {{"GET", "/api/auth/export"}, api_auth_export, AUTH_ACCESS, 0},
    {{"DELETE", "/api/auth/account"}, api_auth_delete_account, AUTH_ACCESS, 0},

    {{NULL, NULL}, NULL, AUTH_NONE, 0},
};
