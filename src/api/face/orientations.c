/* POST /api/face-data/upload-orientations (API.md §6.3): the mobile client's complete
 * re-registration from five head orientations. Its 400 and 409 replies have the form
 * {"success": false, "error": m, "message": m, ...}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/face/consent.h"
#include "api/face/enrol.h"
#include "core/config.h"

#define MAX_ITEMS 25
#define N_ORIENT 5

static const char *const ORIENTATIONS[N_ORIENT] = {"front", "left", "right", "up", "down"};

static int orientation_index(const char *s)
{
    for (int i = 0; i < N_ORIENT; i++)
        if (strcmp(s, ORIENTATIONS[i]) == 0)
            return i;
    return -1;
}

/* The endpoint's error form; `extra` (may be NULL) is merged in and released. */
static void reply_form(api_ctx *ctx, int status, const char *message, json_t *extra)
{
    json_t *body = json_pack("{s:b, s:s, s:s}", "success", 0, "error", message,
                             "message", message);
    if (body && extra)
        json_object_update(body, extra);
    json_decref(extra);
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

static void reply_rule(api_ctx *ctx, int status, const char *message)
{
    reply_form(ctx, status, message, NULL);
}

/* Body parsing in this endpoint's form: the general layer words the message. */
static json_t *body_or_reply(api_ctx *ctx)
{
    size_t len = 0;
    const char *raw;
    json_t *body = req_json_body(ctx->req, ctx->rep), *probe;

    if (body || reply_status(ctx->rep) != 400)
        return body;
    raw = req_body(ctx->req, &len);
    probe = raw ? json_loadb(raw, len, JSON_DECODE_ANY, NULL) : NULL;
    reply_form(ctx, 400, probe ? "Request body must be a JSON object" : "Invalid JSON body",
               NULL);
    json_decref(probe);
    return NULL;
}

/* One item of the request. */
typedef struct orient_item {
    int orient;                 /* index into ORIENTATIONS, or -1 when the item is refused */
    const char *image;
    size_t image_len;
    json_t *orientation;        /* borrowed: for the errors list */
    char error[API_IMAGE_MSG];  /* why the item was refused, "" when it was not */
} orient_item;

static int error_append(json_t *errors, size_t index, json_t *orientation, const char *msg)
{
    json_t *o = orientation && json_is_string(orientation) ? json_incref(orientation)
                                                           : json_null();
    return json_array_append_new(errors, json_pack("{s:I, s:o, s:s}", "index",
                                                   (json_int_t)index, "orientation", o,
                                                   "error", msg));
}

/* Step 3's structural part. */
static void parse_items(json_t *arr, orient_item *items)
{
    size_t i;
    json_t *it;

    json_array_foreach(arr, i, it) {
        json_t *img = json_is_object(it) ? json_object_get(it, "image") : NULL;
        json_t *ori = json_is_object(it) ? json_object_get(it, "orientation") : NULL;
        items[i].orient = -1;
        items[i].orientation = ori;
        if (!ori || !json_is_string(ori) || api_image_field(img, &items[i].image,
                                                            &items[i].image_len) != 0) {
            snprintf(items[i].error, sizeof items[i].error,
                     "Missing image or orientation field");
            continue;
        }
        items[i].orient = orientation_index(json_string_value(ori));
        if (items[i].orient < 0)
            snprintf(items[i].error, sizeof items[i].error, "Invalid orientation: %.*s",
                     (int)(sizeof items[i].error - 24), json_string_value(ori));
    }
}

/* Captured (in canonical order) and missing orientation lists. */
static void orientation_lists(const enrol_image *imgs, const orient_item *items, size_t n,
                              json_t *captured, json_t *missing)
{
    for (int o = 0; o < N_ORIENT; o++) {
        int have = 0;
        for (size_t i = 0; i < n && !have; i++)
            have = imgs[i].accepted && items[i].orient == o;
        json_array_append_new(have ? captured : missing, json_string(ORIENTATIONS[o]));
    }
}

static void reply_missing(api_ctx *ctx, json_t *captured, json_t *missing, json_t *errors)
{
    char msg[160] = "Please include all 5 orientations. Missing: ";
    size_t i;
    json_t *m;

    json_array_foreach(missing, i, m) {
        if (i)
            strncat(msg, ", ", sizeof msg - strlen(msg) - 1);
        strncat(msg, json_string_value(m), sizeof msg - strlen(msg) - 1);
    }
    reply_form(ctx, 400, msg, json_pack("{s:O, s:O, s:O}", "missing_orientations", missing,
                                        "captured_orientations", captured, "errors", errors));
}

/* Step 5: every accepted descriptor within T of at least one accepted front one. */
static int same_as_front(const enrol_image *imgs, const orient_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int near = !imgs[i].accepted;
        for (size_t j = 0; j < n && !near; j++)
            near = imgs[j].accepted && items[j].orient == 0 &&
                   face_distance(imgs[i].row.descriptor, imgs[j].row.descriptor) <
                       g_config.face_tolerance;
        if (!near)
            return 0;
    }
    return 1;
}

/* Step 3's pipeline part for every structurally valid item; then the errors list, in
 * input order. */
static int process_items(api_ctx *ctx, api_face_slot *slot, orient_item *items,
                         enrol_image *imgs, size_t n, json_t *errors)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i].orient < 0)
            continue;
        if (enrol_process(slot->w, ctx->user_id, items[i].image, items[i].image_len, &imgs[i],
                          &slot->faces) < 0) {
            reply_internal_error(ctx->rep, ctx->req, "enrolment image processing failed");
            return -1;
        }
        if (imgs[i].accepted)
            imgs[i].row.orientation = ORIENTATIONS[items[i].orient];
    }
    for (size_t i = 0; i < n; i++)
        if (!imgs[i].accepted &&
            error_append(errors, i, items[i].orientation,
                         items[i].orient < 0 ? items[i].error : imgs[i].error) < 0) {
            reply_internal_error(ctx->rep, ctx->req, "out of memory");
            return -1;
        }
    return 0;
}

static void reply_done(api_ctx *ctx, const store_face_enrol_result *res, json_t *captured,
                       size_t accepted, json_t *errors)
{
    char msg[96];

    snprintf(msg, sizeof msg, "Face data uploaded successfully with %zu orientations",
             json_array_size(captured));
    json_t *body = json_pack("{s:b, s:s, s:I, s:o, s:O, s:i, s:s, s:b, s:I, s:O}",
                             "success", 1, "message", msg, "face_data_id",
                             (json_int_t)res->data.id, "face_data",
                             api_face_data_json(&res->data), "captured_orientations",
                             captured, "embedding_dimension", FACE_DESCRIPTOR_DIM,
                             "encoding_version", res->data.encoding_version,
                             "vector_db_enabled", 1, "processed_images", (json_int_t)accepted,
                             "errors", errors);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

/* Step 2: the images array, or -1 with the reply set. */
static json_t *items_from_body(api_ctx *ctx)
{
    json_t *body = body_or_reply(ctx), *arr;

    if (!body)
        return NULL;
    arr = json_object_get(body, "images");
    if (!arr || !json_is_array(arr) || json_array_size(arr) == 0) {
        reply_form(ctx, 400, "images array is required", NULL);
        return NULL;
    }
    if (json_array_size(arr) > MAX_ITEMS) {
        reply_form(ctx, 400, "At most 25 images per request", NULL);
        return NULL;
    }
    return arr;
}

static char *orientations_text(json_t *captured)
{
    return json_dumps(captured, JSON_COMPACT);
}

void api_face_upload_orientations(api_ctx *ctx)
{
    api_face_slot slot = {0};
    store_face_enrol_result res;
    orient_item *items = NULL;
    enrol_image *imgs = NULL;
    json_t *arr, *errors = json_array(), *captured = json_array(), *missing = json_array();
    char *captured_text = NULL;
    size_t n = 0, accepted = 0;
    int committed = 0;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can upload face data") < 0 ||
        api_consent_require(ctx) < 0 || !(arr = items_from_body(ctx)))
        goto out;
    n = json_array_size(arr);
    items = calloc(n, sizeof *items);
    imgs = calloc(n, sizeof *imgs);
    if (!items || !imgs || !errors || !captured || !missing) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    parse_items(arr, items);
    if (api_face_acquire(ctx, &slot) < 0 ||
        process_items(ctx, &slot, items, imgs, n, errors) < 0)
        goto out;
    api_face_release_worker(&slot);
    for (size_t i = 0; i < n; i++)
        accepted += imgs[i].accepted != 0;
    orientation_lists(imgs, items, n, captured, missing);
    if (json_array_size(missing) > 0) {
        reply_missing(ctx, captured, missing, errors);
        goto out;
    }
    if (!same_as_front(imgs, items, n)) {
        reply_form(ctx, 400, "Images appear to show different people", NULL);
        goto out;
    }
    if (!(captured_text = orientations_text(captured))) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    enrol_store_req rq = {.imgs = imgs, .n = n, .method = "orientations",
                          .orientations = captured_text, .replace = 1, .check_own = 0,
                          .reply_rule = reply_rule};
    if (enrol_store(ctx, &rq, &res) < 0)
        goto out;
    committed = 1;
    reply_done(ctx, &res, captured, accepted, errors);
out:
    free(captured_text);
    json_decref(errors);
    json_decref(captured);
    json_decref(missing);
    enrol_images_free(imgs, imgs ? n : 0, !committed);
    free(items);
    api_face_finish(ctx, &slot);
}
