/* Face data reads and deletion (API.md §6.4 my-data, §6.5 facial-status, §6.6 delete,
 * §6.8 class coverage, §6.9 statistics). No face work here. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/common.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "api/pagination.h"
#include "store/faces.h"

/* The caller's face data: 1 found, 0 none, -1 with a 500 reply set. */
static int own_face_data(api_ctx *ctx, store_face_data *fd)
{
    db_conn *c = api_db(ctx);
    int rc;

    if (!c)
        return -1;
    rc = store_face_data_get(c, ctx->user_id, fd);
    if (rc == DB_ROW)
        return 1;
    if (rc == DB_DONE)
        return 0;
    api_fail(ctx, "store_face_data_get");
    return -1;
}

static void reply_body(api_ctx *ctx, int status, json_t *body)
{
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

void api_face_my_data(api_ctx *ctx)
{
    store_face_data fd;
    int found = 0;

    /* Only students have face data: a teacher always gets the "none" form. */
    if (ctx->role == ROLE_STUDENT && (found = own_face_data(ctx, &fd)) < 0)
        return;
    if (!found)
        reply_body(ctx, 200, json_pack("{s:s, s:b}", "message", "No face data found",
                                       "has_face_data", 0));
    else
        reply_body(ctx, 200, json_pack("{s:s, s:b, s:o}", "message", "Face data found",
                                       "has_face_data", 1,
                                       "face_data", api_face_data_json(&fd)));
}

static json_t *registered_status(const store_face_data *fd, const store_user *u)
{
    json_t *info = json_pack("{s:o, s:o, s:I, s:s, s:s}",
                             "registration_date", api_time_json(fd->created_at),
                             "last_updated", api_time_json(fd->updated_at),
                             "images_count", (json_int_t)fd->images_count,
                             "upload_method", fd->upload_method,
                             "encoding_version", fd->encoding_version);
    json_t *student = json_pack("{s:I, s:o, s:s}", "id", (json_int_t)u->id,
                                "name", api_full_name_json(u->first_name, u->last_name),
                                "email", u->email);

    return json_pack("{s:b, s:s, s:I, s:b, s:s, s:s, s:o, s:o}", "has_facial_data", 1,
                     "status", "registered", "images_count", (json_int_t)fd->images_count,
                     "registration_ready", 1, "message", "Facial data registered",
                     "next_step", "ready_for_attendance", "student_info", student,
                     "facial_data_info", info);
}

void api_face_facial_status(api_ctx *ctx)
{
    store_face_data fd;
    store_user u;
    int found;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can check facial status") < 0 ||
        (found = own_face_data(ctx, &fd)) < 0)
        return;
    if (!found) {
        reply_body(ctx, 200, json_pack("{s:b, s:s, s:i, s:s, s:s, s:b}",
                                       "has_facial_data", 0, "status", "not_registered",
                                       "images_count", 0,
                                       "message", "No facial data registered",
                                       "next_step", "upload_facial_data",
                                       "registration_required", 1));
        return;
    }
    if (api_current_user(ctx, &u) < 0)
        return;
    reply_body(ctx, 200, registered_status(&fd, &u));
}

void api_face_delete(api_ctx *ctx)
{
    char **paths = NULL;
    size_t n_paths = 0;
    int64_t deleted = 0;
    store_audit_new ev;
    db_conn *c;
    int rc;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can delete face data") < 0 ||
        !(c = api_db(ctx)))
        return;
    api_audit_init(ctx, &ev, "face.deleted");
    ev.subject_id = ctx->user_id;
    rc = store_face_delete(c, ctx->user_id, &ev, &deleted, &paths, &n_paths);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, "No face data found");
        return;
    }
    if (rc != DB_OK) {
        api_fail(ctx, "store_face_delete");
        return;
    }
    api_face_unlink_raw(paths, n_paths);
    store_face_paths_free(paths, n_paths);
    reply_body(ctx, 200, json_pack("{s:s, s:I}", "message", "Face data deleted successfully",
                                   "deleted_images", (json_int_t)deleted));
}

/* ---- teacher views ----------------------------------------------------------------- */

static json_t *coverage_student_json(const store_face_coverage_row *r)
{
    char vector_id[32];

    snprintf(vector_id, sizeof vector_id, "user_%lld", (long long)r->student_id);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I}",
                     "student_id", (json_int_t)r->student_id, "name", r->name,
                     "email", r->email, "vector_db_id", vector_id,
                     "encoding_version", r->encoding_version,
                     "face_data_registered_at", api_time_json(r->registered_at),
                     "images_count", (json_int_t)r->images_count);
}

void api_face_class_students(api_ctx *ctx)
{
    int64_t class_id = req_path_id(ctx->req, 0), with_data = 0, enrolled = 0;
    store_face_coverage_row *rows = NULL;
    store_class cls;
    json_t *list;
    api_page page;
    size_t n = 0;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can view class facial data") < 0 ||
        api_page_from_request(ctx, &page) < 0 ||
        api_owned_class(ctx, class_id, "Class not found or access denied", &cls) < 0)
        return;
    if (store_face_class_coverage(ctx->db, class_id, page.limit, page.offset, &rows, &n,
                                  &with_data, &enrolled) != DB_OK) {
        store_class_clear(&cls);
        api_fail(ctx, "store_face_class_coverage");
        return;
    }
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, coverage_student_json(&rows[i]));
    free(rows);
    reply_body(ctx, 200, json_pack("{s:I, s:s, s:I, s:I, s:f, s:o, s:I}",
                                   "class_id", (json_int_t)class_id, "class_name", cls.name,
                                   "total_enrolled_students", (json_int_t)enrolled,
                                   "students_with_facial_data", (json_int_t)with_data,
                                   "coverage_percentage", api_rate(with_data, enrolled),
                                   "students", list, "total", (json_int_t)with_data));
    store_class_clear(&cls);
}

void api_face_stats(api_ctx *ctx)
{
    store_face_stats st;
    db_conn *c;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can view face data statistics") < 0 ||
        !(c = api_db(ctx)))
        return;
    if (store_face_teacher_stats(c, ctx->user_id, &st) != DB_OK) {
        api_fail(ctx, "store_face_teacher_stats");
        return;
    }
    reply_body(ctx, 200, json_pack("{s:I, s:I, s:f, s:{s:s, s:I, s:i}}",
                                   "total_students", (json_int_t)st.total_students,
                                   "students_with_face_data", (json_int_t)st.with_face_data,
                                   "face_data_coverage",
                                   api_rate(st.with_face_data, st.total_students),
                                   "vector_database", "db_type", "builtin",
                                   "total_encodings", (json_int_t)st.total_encodings,
                                   "encoding_dimension", 128));
}
