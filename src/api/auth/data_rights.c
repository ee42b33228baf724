/* A user's data rights (API.md §16.2-16.3): GET /api/auth/export, everything held about
 * the caller in one JSON document, and DELETE /api/auth/account, which anonymises the
 * account while the school's register (attendance records) stays. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/common.h"
#include "api/fields.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "core/password.h"
#include "store/account.h"
#include "store/consent.h"
#include "store/faces.h"

#define EXPORT_PAGE 1000
#define EXPORT_MAX_EVENTS 100000

static int add_class(const store_class *cls, void *arg)
{
    return json_array_append_new((json_t *)arg, api_class_json(cls)) != 0;
}

static json_t *classes_json(api_ctx *ctx)
{
    json_t *list = json_array();
    int64_t total = 0;
    int rc = ctx->role == ROLE_TEACHER
                 ? store_classes_of_teacher(ctx->db, ctx->user_id, EXPORT_PAGE, 0, add_class,
                                            list, &total)
                 : store_classes_of_student(ctx->db, ctx->user_id, EXPORT_PAGE, 0, add_class,
                                            list, &total);
    if (rc == DB_OK)
        return list;
    json_decref(list);
    return NULL;
}

static json_t *enrollments_json(api_ctx *ctx)
{
    store_enrollment_row *rows = NULL;
    size_t n = 0;
    json_t *list;

    if (store_account_enrollments(ctx->db, ctx->user_id, &rows, &n) != DB_OK)
        return NULL;
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:b, s:o, s:o}",
                                              "class_id", (json_int_t)rows[i].class_id,
                                              "class_name", rows[i].class_name,
                                              "is_active", rows[i].is_active,
                                              "enrolled_at", api_time_json(rows[i].enrolled_at),
                                              "updated_at", api_time_json(rows[i].updated_at)));
    free(rows);
    return list;
}

static json_t *records_json(api_ctx *ctx)
{
    store_att_record *recs = NULL;
    size_t n = 0;
    json_t *list;

    if (store_account_records(ctx->db, ctx->user_id, &recs, &n) != DB_OK)
        return NULL;
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, api_json_record(&recs[i]));
    free(recs);
    return list;
}

static json_t *face_json(api_ctx *ctx, json_t **images)
{
    store_face_data fd;
    store_face_image *imgs = NULL;
    int64_t total = 0;
    size_t n = 0;
    int rc = store_face_data_get(ctx->db, ctx->user_id, &fd);

    *images = NULL;
    if (rc != DB_ROW && rc != DB_DONE)
        return NULL;
    if (store_face_images(ctx->db, ctx->user_id, EXPORT_PAGE, 0, &imgs, &n, &total) != DB_OK)
        return NULL;
    *images = json_array();
    for (size_t i = 0; *images && i < n; i++)
        json_array_append_new(*images, api_face_image_json(&imgs[i]));
    free(imgs);
    return rc == DB_ROW ? api_face_data_json(&fd) : json_null();
}

static json_t *consent_history_json(api_ctx *ctx)
{
    store_consent_event *ev = NULL;
    size_t n = 0;
    json_t *list;

    if (store_consent_history(ctx->db, ctx->user_id, &ev, &n) != DB_OK)
        return NULL;
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "action", ev[i].action,
                                              "version", ev[i].version,
                                              "at", api_time_json(ev[i].at)));
    free(ev);
    return list;
}

/* The caller's audit events, newest first, read page by page. */
static json_t *audit_json(api_ctx *ctx)
{
    store_audit_filter f = {.subject_id = ctx->user_id};
    json_t *list = json_array();
    int64_t total = 0;

    for (int64_t offset = 0; list && offset < EXPORT_MAX_EVENTS; offset += EXPORT_PAGE) {
        store_audit_event *rows = NULL;
        size_t n = 0;
        if (store_audit_list(ctx->db, &f, EXPORT_PAGE, offset, &rows, &n, &total) != DB_OK) {
            json_decref(list);
            return NULL;
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, api_audit_event_json(&rows[i]));
        free(rows);
        if (n < EXPORT_PAGE)
            break;
    }
    return list;
}

void api_auth_export(api_ctx *ctx)
{
    char disposition[96], details[STORE_AUDIT_DETAILS_MAX];
    store_audit_new ev;
    json_t *images = NULL, *face, *doc;
    store_user u;
    char *text;

    if (api_current_user(ctx, &u) < 0)
        return;
    /* The export is itself recorded first, so it appears in the document. */
    api_audit_init(ctx, &ev, "account.exported");
    ev.subject_id = ctx->user_id;
    api_audit_details(&ev, NULL, details);
    if (api_audit_write(ctx, &ev, 1) < 0)
        return;
    face = face_json(ctx, &images);
    doc = json_pack("{s:o, s:o, s:o*, s:o*, s:o*, s:o*, s:o*, s:o*, s:o*}",
                    "exported_at", api_time_json(ev.at), "user", api_user_json(&u),
                    "classes", classes_json(ctx), "enrollments", enrollments_json(ctx),
                    "attendance", records_json(ctx), "face_data", face, "face_images", images,
                    "consent_history", consent_history_json(ctx), "audit", audit_json(ctx));
    if (!doc || json_object_size(doc) != 9 || !(text = json_dumps(doc, JSON_COMPACT))) {
        json_decref(doc);
        api_fail(ctx, "export");
        return;
    }
    json_decref(doc);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"attendly-export-%lld.json\"",
             (long long)ctx->user_id);
    reply_header(ctx->rep, "Content-Disposition", disposition);
    reply_bytes(ctx->rep, 200, "application/json", text, strlen(text));
}

void api_auth_delete_account(api_ctx *ctx)
{
    store_audit_new ev;
    int64_t face_images = 0;
    char **paths = NULL;
    size_t n_paths = 0;
    json_t *body;
    api_text pw;
    store_user u;
    int rc;

    if (ctx->role == ROLE_ADMIN) {
        reply_error(ctx->rep, 403, "Admins cannot delete their account");
        return;
    }
    if (!(body = req_json_body(ctx->req, ctx->rep)))
        return;
    enum api_field r = api_field_text(body, "password", 0, &pw);
    if (r == AF_NOT_STRING) {
        api_field_error(ctx, "%s must be a string", "password");
        return;
    }
    if (r != AF_OK) {
        reply_error(ctx->rep, 400, "Password is required");
        return;
    }
    if (api_current_user(ctx, &u) < 0)
        return;
    if (!password_verify(u.password_hash, pw.p, pw.n)) {
        reply_error(ctx->rep, 401, "Invalid password");
        return;
    }
    api_audit_init(ctx, &ev, "account.deleted");
    ev.subject_id = ctx->user_id;
    rc = store_account_delete(ctx->db, ctx->user_id, ev.at, &ev, &face_images, &paths, &n_paths);
    if (rc == STORE_ACCOUNT_HAS_CLASSES) {
        reply_error(ctx->rep, 409, "Archive your classes first");
        return;
    }
    if (rc != DB_OK) {
        api_fail(ctx, "store_account_delete");
        return;
    }
    api_face_unlink_raw(paths, n_paths);
    store_face_paths_free(paths, n_paths);
    reply_json(ctx->rep, 200, json_pack("{s:s}", "message", "Account deleted"));
}
