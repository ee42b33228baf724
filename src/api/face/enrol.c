/* The enrolment pipeline (API.md §6.0): per-image steps 1-4, the same-person rule and the
 * transactional store with the matches-existing rule and the duplicate identity guard. */
#include "api/face/enrol.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/consent.h"
#include "core/config.h"

enum { RULE_MISMATCH = STORE_FACE_RULE_MIN, RULE_DUPLICATE };

void enrol_opts(face_opts *o, int describe)
{
    face_opts_default(o);
    o->portrait = 1;       /* enrolment photos: one large face, extra recall passes */
    o->describe = describe;
}

/* "Exactly one face whose size is at least FACE_MIN_SIZE_PX": a small face in the
 * background does not refuse an otherwise good photo, two large ones do. */
int enrol_pick_face(const face_det *dets, int n, const char **error)
{
    int big = 0, pick = -1;

    for (int i = 0; i < n; i++)
        if (dets[i].face_size >= g_config.face_min_size_px) {
            big++;
            pick = i;
        }
    if (big == 1)
        return pick;
    if (n == 0)
        *error = "No face detected in the image";
    else if (big > 1 || n > 1)
        *error = "Multiple faces detected. Please use an image with only one face";
    else
        *error = "Face too small: move closer to the camera";
    return -1;
}

static int accept_face(face_worker *w, int64_t user_id, const face_image *img,
                       const face_det *d, enrol_image *e)
{
    size_t len = 0;
    int failed = 0;

    if (!d->has_descriptor || face_chip_jpeg(w, img, d, &e->thumb, &len) != FACE_OK)
        return -1;
    memcpy(e->row.descriptor, d->descriptor, sizeof e->row.descriptor);
    e->row.face_size = d->face_size;
    e->row.detection_score = d->score;
    e->row.thumbnail = e->thumb;
    e->row.thumbnail_len = len;
    e->raw = api_face_store_raw(user_id, img, &failed);
    e->row.raw_path = e->raw;
    if (failed)
        return -1;
    e->accepted = 1;
    return 0;
}

int enrol_process(face_worker *w, int64_t user_id, const char *s, size_t len,
                  enrol_image *e, int *faces)
{
    face_image img;
    face_det *dets = NULL;
    face_timing timing;
    face_opts opts;
    const char *error = NULL;
    int n = 0, rc = -1, pick;

    memset(e, 0, sizeof *e);
    switch (api_image_decode(s, len, &img, e->error)) {
    case API_IMAGE_OK:
        break;
    case API_IMAGE_BAD:
        return 0;
    default:
        return -1;
    }
    enrol_opts(&opts, 1);
    if (face_analyze(w, &img, &opts, &dets, &n, &timing) != FACE_OK)
        goto out;
    *faces += n;
    pick = enrol_pick_face(dets, n, &error);
    if (pick < 0) {
        snprintf(e->error, sizeof e->error, "%s", error);
        rc = 0;
    } else {
        rc = accept_face(w, user_id, &img, &dets[pick], e);
    }
out:
    free(dets);
    face_image_free(&img);
    return rc;
}

void enrol_images_free(enrol_image *imgs, size_t n, int discard)
{
    if (!imgs)
        return;
    for (size_t i = 0; i < n; i++) {
        if (discard && imgs[i].raw)
            api_face_unlink_raw(&imgs[i].raw, 1);
        free(imgs[i].thumb);
        free(imgs[i].raw);
    }
    free(imgs);
}

int enrol_same_person(const enrol_image *imgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; imgs[i].accepted && j < n; j++)
            if (imgs[j].accepted &&
                face_distance(imgs[i].row.descriptor, imgs[j].row.descriptor) >=
                    g_config.face_tolerance)
                return 0;
    return 1;
}

/* ---- steps 6-8 --------------------------------------------------------------------- */

typedef struct rules_arg {
    const store_face_new *rows;
    size_t n;
} rules_arg;

/* Step 6: every new descriptor within T of at least one stored one. */
static int rule_own(const float *stored, size_t n_stored, void *arg)
{
    const rules_arg *a = arg;

    for (size_t i = 0; i < a->n; i++) {
        int near = 0;
        for (size_t j = 0; j < n_stored && !near; j++)
            near = face_distance(a->rows[i].descriptor, stored + j * FACE_DESCRIPTOR_DIM) <
                   g_config.face_tolerance;
        if (!near)
            return RULE_MISMATCH;
    }
    return 0;
}

/* Step 7: no new descriptor closer than the duplicate threshold to another account's. */
static int rule_other(const float *stored, void *arg)
{
    const rules_arg *a = arg;

    for (size_t i = 0; i < a->n; i++)
        if (face_distance(a->rows[i].descriptor, stored) < g_config.face_duplicate_threshold)
            return RULE_DUPLICATE;
    return 0;
}

static void reply_general(api_ctx *ctx, int status, const char *message)
{
    reply_error(ctx->rep, status, message);
}

int enrol_store(api_ctx *ctx, const enrol_store_req *rq, store_face_enrol_result *res)
{
    enrol_rule_reply reply = rq->reply_rule ? rq->reply_rule : reply_general;
    store_face_new *rows = calloc(rq->n ? rq->n : 1, sizeof *rows);
    db_conn *c;
    size_t n = 0;
    int rc;

    if (!rows) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < rq->n; i++)
        if (rq->imgs[i].accepted)
            rows[n++] = rq->imgs[i].row;
    if (!(c = api_db(ctx))) {
        free(rows);
        return -1;
    }
    rules_arg arg = {rows, n};
    store_face_rules rules = {rule_own, rule_other, &arg};
    store_audit_new ev;
    char details[STORE_AUDIT_DETAILS_MAX];
    api_audit_init(ctx, &ev, "face.enrolled");
    ev.subject_id = ctx->user_id;
    api_audit_details(&ev, json_pack("{s:I}", "images", (json_int_t)n), details);
    store_face_enrolment in = {
        .user_id = ctx->user_id, .items = rows, .n_items = n,
        .upload_method = rq->method, .orientations = rq->orientations,
        .encoding_version = API_FACE_ENCODING_VERSION, .replace = rq->replace,
        .check_own = rq->check_own, .max_images = g_config.face_max_images,
        .now = (int64_t)time(NULL), .audit = &ev,
        .consent_version = api_consent_required_version()};
    rc = store_face_enrol(c, &in, &rules, res);
    free(rows);
    if (rc == DB_OK) {
        api_face_unlink_raw(res->removed_paths, res->n_removed_paths);
        store_face_paths_free(res->removed_paths, res->n_removed_paths);
        res->removed_paths = NULL;
        res->n_removed_paths = 0;
        return 0;
    }
    if (rc == STORE_FACE_NO_CONSENT)   /* withdrawn while the images were processed */
        reply_error(ctx->rep, 403, "Biometric consent required");
    else if (rc == RULE_MISMATCH)
        reply(ctx, 400, "Face does not match your registered face data");
    else if (rc == RULE_DUPLICATE)
        reply(ctx, 409, "This face is already registered to another account");
    else
        api_fail(ctx, "store_face_enrol");
    return -1;
}
