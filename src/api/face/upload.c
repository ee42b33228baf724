/* Enrolment endpoints (API.md §6.1 upload, §6.2 multiple-upload) and the pre-check
 * §6.7 validate-image. The pipeline itself is in face_pipeline.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/face/consent.h"
#include "api/face/enrol.h"
#include "api/objects_attendance.h"
#include "core/jsonv.h"

static const char ONLY_STUDENTS[] = "Only students can upload face data";

/* The "image" field of upload and validate-image; replies 400 and returns -1 when bad. */
static int image_from_body(api_ctx *ctx, const char **s, size_t *len)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    int r;

    if (!body)
        return -1;
    r = api_image_field(json_object_get(body, "image"), s, len);
    if (r == 0)
        return 0;
    reply_error(ctx->rep, 400, r > 0 ? "Image data is required" : "image must be a string");
    return -1;
}

/* 201 for a first enrolment, else 200, with the endpoint's message. */
static void reply_enrolled(api_ctx *ctx, const store_face_enrol_result *res, size_t accepted,
                           json_t *results)
{
    char message[96];
    const char *verb = res->created ? "uploaded" : "updated";
    json_t *body;

    if (results)
        snprintf(message, sizeof message, "Face data %s successfully using %zu images", verb,
                 accepted);
    else
        snprintf(message, sizeof message, "Face data %s successfully", verb);
    body = json_pack("{s:s, s:o, s:I, s:b}", "message", message,
                     "face_data", api_face_data_json(&res->data),
                     "images_processed", (json_int_t)accepted, "vector_db_enabled", 1);
    if (body && results)
        json_object_set(body, "results", results);
    if (!body)
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
    else
        reply_json(ctx->rep, res->created ? 201 : 200, body);
}

void api_face_upload(api_ctx *ctx)
{
    api_face_slot slot = {0};
    store_face_enrol_result res;
    enrol_image *img = NULL;
    const char *s;
    size_t len;
    int committed = 0;

    if (api_require_role(ctx, ROLE_STUDENT, ONLY_STUDENTS) < 0 || api_consent_require(ctx) < 0 ||
        image_from_body(ctx, &s, &len) < 0 || api_face_acquire(ctx, &slot) < 0)
        goto out;
    if (!(img = calloc(1, sizeof *img)) ||
        enrol_process(slot.w, ctx->user_id, s, len, img, &slot.faces) < 0) {
        reply_internal_error(ctx->rep, ctx->req, "enrolment image processing failed");
        goto out;
    }
    api_face_release_worker(&slot);
    if (!img->accepted) {
        reply_error(ctx->rep, 400, img->error);
        goto out;
    }
    enrol_store_req rq = {.imgs = img, .n = 1, .method = "single_image", .check_own = 1};
    if (enrol_store(ctx, &rq, &res) < 0)
        goto out;
    committed = 1;
    reply_enrolled(ctx, &res, 1, NULL);
out:
    enrol_images_free(img, img ? 1 : 0, !committed);
    api_face_finish(ctx, &slot);
}

/* ---- multiple-upload --------------------------------------------------------------- */

/* Step 2 of §6.2. */
static json_t *images_from_body(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep), *arr = NULL, *item;
    field_err err;
    size_t i;
    int r;

    if (!body)
        return NULL;
    r = jv_array(body, "images", &arr, &err);
    if (r == JV_ERR) {
        reply_error(ctx->rep, 400, "images must be an array");
        return NULL;
    }
    if (r == JV_MISSING || json_array_size(arr) == 0) {
        reply_error(ctx->rep, 400, "Images array is required");
        return NULL;
    }
    if (json_array_size(arr) < 2 || json_array_size(arr) > 5) {
        reply_error(ctx->rep, 400, "Please provide 2-5 images for better accuracy");
        return NULL;
    }
    json_array_foreach(arr, i, item) if (!json_is_string(item))
    {
        reply_error(ctx->rep, 400, "images must contain only strings");
        return NULL;
    }
    return arr;
}

static json_t *results_json(const enrol_image *imgs, size_t n)
{
    json_t *results = json_array();

    for (size_t i = 0; results && i < n; i++) {
        json_t *r = imgs[i].accepted
                        ? json_pack("{s:I, s:b}", "index", (json_int_t)i, "accepted", 1)
                        : json_pack("{s:I, s:b, s:s}", "index", (json_int_t)i, "accepted", 0,
                                    "error", imgs[i].error);
        if (json_array_append_new(results, r) < 0) {
            json_decref(results);
            return NULL;
        }
    }
    return results;
}

static void reply_with_results(api_ctx *ctx, const char *error, json_t *results)
{
    reply_json(ctx->rep, 400, json_pack("{s:s, s:O}", "error", error, "results", results));
}

/* Steps 3-5: every image through the pipeline; 0 with the number accepted, or -1 with the
 * reply set. */
static int process_all(api_ctx *ctx, api_face_slot *slot, json_t *arr, enrol_image *imgs,
                       size_t *accepted)
{
    size_t i;
    json_t *item;

    *accepted = 0;
    json_array_foreach(arr, i, item) {
        const char *s;
        size_t len;
        if (api_image_field(item, &s, &len) != 0) {
            snprintf(imgs[i].error, sizeof imgs[i].error, "Image data is required");
            continue;
        }
        if (enrol_process(slot->w, ctx->user_id, s, len, &imgs[i], &slot->faces) < 0) {
            reply_internal_error(ctx->rep, ctx->req, "enrolment image processing failed");
            return -1;
        }
        *accepted += imgs[i].accepted != 0;
    }
    return 0;
}

void api_face_multiple_upload(api_ctx *ctx)
{
    api_face_slot slot = {0};
    store_face_enrol_result res;
    enrol_image *imgs = NULL;
    json_t *arr, *results = NULL;
    size_t n = 0, accepted = 0;
    int committed = 0;

    if (api_require_role(ctx, ROLE_STUDENT, ONLY_STUDENTS) < 0 || api_consent_require(ctx) < 0 ||
        !(arr = images_from_body(ctx)) || api_face_acquire(ctx, &slot) < 0)
        goto out;
    n = json_array_size(arr);
    if (!(imgs = calloc(n, sizeof *imgs))) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    if (process_all(ctx, &slot, arr, imgs, &accepted) < 0)
        goto out;
    api_face_release_worker(&slot);
    if (!(results = results_json(imgs, n))) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    if (accepted == 0) {
        reply_with_results(ctx, "No valid face images found", results);
        goto out;
    }
    if (!enrol_same_person(imgs, n)) {
        reply_with_results(ctx, "Images appear to show different people", results);
        goto out;
    }
    enrol_store_req rq = {.imgs = imgs, .n = n, .method = "multiple_images", .check_own = 1};
    if (enrol_store(ctx, &rq, &res) < 0)
        goto out;
    committed = 1;
    reply_enrolled(ctx, &res, accepted, results);
out:
    json_decref(results);
    enrol_images_free(imgs, n, !committed);
    api_face_finish(ctx, &slot);
}

/* ---- validate-image ---------------------------------------------------------------- */

/* The largest face by face size (then box area), or -1. */
static int largest_face(const face_det *d, int n)
{
    int best = -1;

    for (int i = 0; i < n; i++)
        if (best < 0 || d[i].face_size > d[best].face_size ||
            (d[i].face_size == d[best].face_size &&
             d[i].box.w * d[i].box.h > d[best].box.w * d[best].box.h))
            best = i;
    return best;
}

static json_t *quality_json(const face_image *img, const face_det *dets, int n)
{
    int big = largest_face(dets, n);
    double brightness = 0, sharpness = 0;
    face_box region;
    api_box b;

    if (big >= 0) {
        api_face_box(&dets[big], img->width, img->height, &b);
        region = (face_box){(float)b.x, (float)b.y, (float)b.w, (float)b.h};
    }
    face_region_quality(img, big >= 0 && b.w > 0 && b.h > 0 ? &region : NULL, &brightness,
                        &sharpness);
    return json_pack("{s:i, s:i, s:o, s:f, s:f}", "image_width", img->width,
                     "image_height", img->height,
                     "face_size", big >= 0 ? json_integer(dets[big].face_size) : json_null(),
                     "brightness", api_round(brightness, 2), "sharpness", api_round(sharpness, 2));
}

static json_t *validation_json(const face_image *img, const face_det *dets, int n,
                               const char *decode_error)
{
    const char *error = decode_error;
    int valid = !decode_error && enrol_pick_face(dets, n, &error) >= 0;
    json_t *body = json_pack("{s:b, s:b, s:i, s:s, s:o}", "valid", valid,
                             "face_detected", n > 0, "faces", n, "message",
                             valid ? "Image is suitable for face registration"
                                   : "Image is not suitable for face registration",
                             "quality", decode_error ? json_null() : quality_json(img, dets, n));
    if (body && !valid)
        json_object_set_new(body, "error", json_string(error));
    return body;
}

void api_face_validate_image(api_ctx *ctx)
{
    api_face_slot slot = {0};
    face_image img = {0};
    face_det *dets = NULL;
    face_timing timing;
    face_opts opts;
    char msg[API_IMAGE_MSG];
    const char *s;
    size_t len;
    int n = 0, rc;
    json_t *body;

    if (image_from_body(ctx, &s, &len) < 0 || api_face_acquire(ctx, &slot) < 0)
        goto out;
    rc = api_image_decode(s, len, &img, msg);
    if (rc == API_IMAGE_OK) {
        enrol_opts(&opts, 0);
        if (face_analyze(slot.w, &img, &opts, &dets, &n, &timing) != FACE_OK) {
            reply_internal_error(ctx->rep, ctx->req, "face analysis failed");
            goto out;
        }
        slot.faces = n;
    } else if (rc != API_IMAGE_BAD) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    api_face_release_worker(&slot);
    body = validation_json(&img, dets, n, rc == API_IMAGE_OK ? NULL : msg);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
out:
    free(dets);
    face_image_free(&img);
    api_face_finish(ctx, &slot);
}
