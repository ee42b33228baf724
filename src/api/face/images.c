/* A student's enrolment images and their thumbnails (API.md §6.10). Access: the student
 * themself, or a teacher owning an active class where the student is actively enrolled;
 * everyone else gets the endpoint's 404, whether or not the object exists. */
#include <stdio.h>
#include <stdlib.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/common.h"
#include "api/handlers.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "api/pagination.h"
#include "store/faces.h"

void api_face_student_images(api_ctx *ctx)
{
    static const char not_found[] = "Student not found or access denied";
    int64_t student_id = req_path_id(ctx->req, 0), total = 0;
    store_face_image *imgs = NULL;
    api_page page;
    json_t *list, *body;
    size_t n = 0;
    db_conn *c;
    int rc;

    if (api_page_from_request(ctx, &page) < 0 || !(c = api_db(ctx)))
        return;
    rc = store_face_can_view(c, ctx->user_id, student_id);
    if (rc == 0) {
        reply_error(ctx->rep, 404, not_found);
        return;
    }
    if (rc < 0 || store_face_images(c, student_id, page.limit, page.offset, &imgs, &n,
                                    &total) != DB_OK) {
        api_fail(ctx, "store_face_images");
        return;
    }
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, api_face_image_json(&imgs[i]));
    free(imgs);
    body = json_pack("{s:I, s:o, s:I}", "student_id", (json_int_t)student_id, "images", list,
                     "total", (json_int_t)total);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

void api_face_thumbnail(api_ctx *ctx)
{
    int64_t image_id = req_path_id(ctx->req, 0), student_id = 0;
    uint8_t *jpeg = NULL;
    size_t len = 0;
    store_audit_new ev;
    char details[STORE_AUDIT_DETAILS_MAX];
    db_conn *c;
    int rc;

    if (!(c = api_db(ctx)))
        return;
    rc = store_face_thumbnail(c, ctx->user_id, image_id, &jpeg, &len, &student_id);
    if (rc == DB_ROW) {
        /* A view that cannot be logged is not served. */
        api_audit_init(ctx, &ev, "face.thumbnail_viewed");
        ev.subject_id = student_id;
        api_audit_details(&ev, json_pack("{s:I}", "image_id", (json_int_t)image_id), details);
        if (api_audit_write(ctx, &ev, 1) < 0) {
            free(jpeg);
            return;
        }
        reply_bytes(ctx->rep, 200, "image/jpeg", jpeg, len);
    } else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "Image not found or access denied");
    else
        api_fail(ctx, "store_face_thumbnail");
}
