/* POST /api/attendance/recognize-faces (API.md §7.7): up to 10 classroom photos are
 * matched against the class's enrolled students; optionally the recognised students are
 * marked present in a session (one transaction, the attendance marking step) and the
 * photos are returned annotated. Classroom photos are never stored. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/common.h"
#include "api/handlers.h"
#include "api/face/recognize.h"
#include "api/objects_attendance.h"
#include "core/base64.h"
#include "core/config.h"
#include "core/jsonv.h"
#include "store/attendance.h"

#define MAX_IMAGES 10
#define ANNOTATE_MAX_SIDE 2048

typedef struct rf_req {
    long long class_id;
    json_t *images;
    double tolerance;
    long long session_id;
    int has_session, mark, annotate;
} rf_req;

static const char *images_check(const json_t *body, json_t **arr)
{
    field_err err;
    size_t i;
    json_t *item;
    int r = jv_array(body, "images", arr, &err);

    if (r == JV_ERR)
        return "images must be an array";
    if (r == JV_MISSING || json_array_size(*arr) == 0)
        return "Images array is required";
    if (json_array_size(*arr) > MAX_IMAGES)
        return "At most 10 images per request";
    json_array_foreach(*arr, i, item) if (!json_is_string(item)) return
        "images must contain only strings";
    return NULL;
}

/* Steps 4-6: the optional fields. NULL, or the 400 message. */
static const char *rf_options(const json_t *body, rf_req *rq)
{
    field_err err;
    int r;

    rq->tolerance = g_config.face_tolerance;
    if (jv_number(body, "tolerance", &rq->tolerance, &err) == JV_ERR)
        return "tolerance must be a number";
    if (!(rq->tolerance > 0.0 && rq->tolerance <= 1.0))
        return "Tolerance must be greater than 0 and at most 1";
    if ((r = jv_int(body, "session_id", &rq->session_id, &err)) == JV_ERR)
        return "session_id must be an integer";
    rq->has_session = r == JV_OK;
    if (jv_bool(body, "mark", &rq->mark, &err) == JV_ERR)
        return "mark must be a boolean";
    if (jv_bool(body, "annotate", &rq->annotate, &err) == JV_ERR)
        return "annotate must be a boolean";
    return NULL;
}

/* Steps 2-7; replies 400 and returns -1 on the first failure. */
static int rf_fields(api_ctx *ctx, rf_req *rq)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    const char *msg = NULL;
    field_err err;
    int r;

    if (!body)
        return -1;
    if ((r = jv_int(body, "class_id", &rq->class_id, &err)) != JV_OK)
        msg = r == JV_MISSING ? "Class ID is required" : "class_id must be an integer";
    else if (!(msg = images_check(body, &rq->images)) && !(msg = rf_options(body, rq)) &&
             rq->mark && !rq->has_session)
        msg = "session_id is required when mark is true";
    if (!msg)
        return 0;
    reply_error(ctx->rep, 400, msg);
    return -1;
}

/* Step 9: the session must belong to the (owned, active) class. */
static int session_of_class(api_ctx *ctx, const rf_req *rq)
{
    store_att_viewer v = {ctx->user_id, 1};
    store_att_session *s = malloc(sizeof *s);
    int rc;

    if (!s) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    rc = store_att_session_get(ctx->db, &v, rq->session_id, s);
    if (rc == DB_ROW && s->class_id == rq->class_id) {
        free(s);
        return 0;
    }
    free(s);
    if (rc == DB_ROW || rc == DB_DONE)
        reply_error(ctx->rep, 404, "Session not found or access denied");
    else
        api_fail(ctx, "store_att_session_get");
    return -1;
}

/* ---- per-image processing ---------------------------------------------------------- */

typedef struct rf_run {
    const rf_req *rq;
    const store_face_candidate *cands;
    size_t nc;
    double *best;               /* per candidate: smallest distance, INFINITY if none */
    int *best_image;
    json_t *faces, *image_errors, *annotated;
    int images_ok, total_faces, unknown;
} rf_run;

static json_t *face_json(int image_index, const rec_image *r, int i,
                         const store_face_candidate *cands)
{
    api_box b;
    int c = r->cand[i];

    api_face_box(&r->dets[i], r->width, r->height, &b);
    return json_pack("{s:i, s:o, s:f, s:o, s:o}", "image_index", image_index,
                     "box", api_box_json(&b),
                     "detection_score", api_round(r->dets[i].score, 4),
                     "student_id", c >= 0 ? json_integer(cands[c].id) : json_null(),
                     "distance", c >= 0 ? json_real(api_round(r->dist[i], 4)) : json_null());
}

/* The photo with every box and its label, as a data URL; NULL on failure. */
static json_t *annotated_json(const face_image *img, const rec_image *r,
                              const store_face_candidate *cands)
{
    const char **labels = calloc(r->n ? (size_t)r->n : 1, sizeof *labels);
    uint8_t *jpeg = NULL;
    char *b64 = NULL, *url = NULL;
    json_t *out = NULL;
    size_t len = 0;

    if (!labels)
        return NULL;
    for (int i = 0; i < r->n; i++)
        labels[i] = r->cand[i] >= 0 ? cands[r->cand[i]].name : NULL;
    if (face_annotate_jpeg(img, r->dets, r->n, labels, ANNOTATE_MAX_SIDE, &jpeg, &len) ==
            FACE_OK &&
        (b64 = base64_encode(jpeg, len, 0)) && (url = malloc(strlen(b64) + 24))) {
        strcpy(url, "data:image/jpeg;base64,");
        strcat(url, b64);
        out = json_string(url);
    }
    free(labels);
    free(jpeg);
    free(b64);
    free(url);
    return out;
}

static void image_error(rf_run *run, size_t index, const char *msg)
{
    json_array_append_new(run->image_errors,
                          json_pack("{s:I, s:s}", "index", (json_int_t)index, "error", msg));
    if (run->annotated)
        json_array_append_new(run->annotated, json_null());
}

/* Records one analysed image's faces and best distances. */
static int record_image(rf_run *run, size_t index, const face_image *img, const rec_image *r)
{
    for (int i = 0; i < r->n; i++) {
        int c = r->cand[i];
        if (json_array_append_new(run->faces, face_json((int)index, r, i, run->cands)) < 0)
            return -1;
        run->unknown += c < 0;
        if (c >= 0 && r->dist[i] < run->best[c]) {
            run->best[c] = r->dist[i];
            run->best_image[c] = (int)index;
        }
    }
    run->total_faces += r->n;
    run->images_ok++;
    if (run->annotated) {
        json_t *a = annotated_json(img, r, run->cands);
        if (!a || json_array_append_new(run->annotated, a) < 0)
            return -1;
    }
    return 0;
}

/* Step 10 and the processing of every image, with the worker held. -1: server failure. */
static int process_images(api_face_slot *slot, rf_run *run)
{
    size_t i;
    json_t *item;

    json_array_foreach(run->rq->images, i, item) {
        char msg[API_IMAGE_MSG];
        const char *s;
        size_t len;
        face_image img;
        rec_image r;
        int rc;

        if (api_image_field(item, &s, &len) != 0) {
            image_error(run, i, "Image data is required");
            continue;
        }
        rc = api_image_decode(s, len, &img, msg);
        if (rc == API_IMAGE_BAD) {
            image_error(run, i, msg);
            continue;
        }
        if (rc != API_IMAGE_OK)
            return -1;
        rc = rec_match(slot->w, &img, run->cands, run->nc, run->rq->tolerance, &r);
        if (rc == 0) {
            slot->faces += r.n;
            rc = record_image(run, i, &img, &r);
            rec_image_free(&r);
        }
        face_image_free(&img);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- the reply --------------------------------------------------------------------- */

typedef struct rf_hit {
    size_t cand;                /* candidates are sorted by id */
    int image;
    double distance, confidence;
} rf_hit;

static int hit_order(const void *a, const void *b)
{
    const rf_hit *x = a, *y = b;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Each matched student once, with their smallest distance; sorted for the reply. */
static size_t collect_hits(const rf_run *run, rf_hit *hits)
{
    size_t n = 0;

    for (size_t c = 0; c < run->nc; c++)
        if (run->best[c] < INFINITY)
            hits[n++] = (rf_hit){c, run->best_image[c], run->best[c],
                                 api_round(api_face_confidence(run->best[c],
                                                               run->rq->tolerance), 4)};
    qsort(hits, n, sizeof *hits, hit_order);
    return n;
}

static json_t *recognized_json(const rf_hit *hits, size_t n, const store_face_candidate *cands)
{
    json_t *list = json_array();

    for (size_t i = 0; list && i < n; i++) {
        const store_face_candidate *cd = &cands[hits[i].cand];
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:f, s:f, s:s, s:i}",
                                              "id", (json_int_t)cd->id, "name", cd->name,
                                              "email", cd->email,
                                              "confidence", hits[i].confidence,
                                              "distance", api_round(hits[i].distance, 4),
                                              "recognition_method", "ai_face",
                                              "image_index", hits[i].image));
    }
    return list;
}

static json_t *not_recognized_json(const rf_run *run)
{
    json_t *list = json_array();

    for (size_t c = 0; list && c < run->nc; c++)
        if (!(run->best[c] < INFINITY))
            json_array_append_new(list, json_pack("{s:I, s:s}", "id",
                                                  (json_int_t)run->cands[c].id, "name",
                                                  run->cands[c].name));
    return list;
}

static const char *action_name(enum store_mark_action a)
{
    return a == STORE_MARK_CREATED ? "created" : a == STORE_MARK_UPDATED ? "updated"
                                                                         : "unchanged";
}

static json_t *marked_json(const store_mark_item *items, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; list && i < n; i++) {
        const store_mark_item *it = &items[i];
        int kept = it->action == STORE_MARK_UNCHANGED;
        if (it->action == STORE_MARK_INVALID)   /* left the class meanwhile */
            continue;
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:o, s:s}", "student_id",
                            (json_int_t)it->student_id, "student_name", it->student_name,
                            "status", store_att_status_name(it->status), "confidence",
                            kept ? api_json_confidence(it->has_kept_confidence,
                                                       it->kept_confidence)
                                 : api_json_confidence(1, it->confidence),
                            "action", action_name(it->action)));
    }
    return list;
}

/* `mark`: the recognised students marked present in one transaction (the attendance
 * marking step, policy: only an absent record is replaced). Adds `marked` and
 * `session_stats` to body; -1 with the reply set on failure. */
static int mark_hits(api_ctx *ctx, const rf_req *rq, const rf_hit *hits, size_t n,
                     const store_face_candidate *cands, const rec_audit *audit, json_t *body)
{
    store_mark_opts opts = {ATT_PRESENT, ATT_AI_FACE, STORE_MARK_ABSENT_ONLY, NULL};
    store_mark_item *items = calloc(n ? n : 1, sizeof *items);
    char *session_name = malloc(STORE_ATT_TEXT);
    store_att_stats stats;
    db_conn *c = api_db(ctx);
    int rc = DB_ERR;

    if (items && session_name && c) {
        for (size_t i = 0; i < n; i++) {
            items[i].student_id = cands[hits[i].cand].id;
            items[i].has_confidence = 1;
            items[i].confidence = hits[i].confidence;
        }
        rc = store_att_mark_audited(c, ctx->user_id, rq->session_id, &opts, items, n,
                                    (int64_t)time(NULL), session_name, &stats, audit->events,
                                    audit->n);
    }
    if (rc == DB_OK) {
        json_object_set_new(body, "marked", marked_json(items, n));
        json_object_set_new(body, "session_stats", api_json_session_stats(&stats));
    } else if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, "Session not found or access denied");
    } else if (c) {
        api_fail(ctx, "store_att_mark");
    }
    free(items);
    free(session_name);
    return rc == DB_OK ? 0 : -1;
}

static json_t *reply_body(const rf_run *run, const store_class *cls, const rf_hit *hits,
                          size_t nh, const store_face_person *without, size_t nw,
                          const store_face_person *no_consent, size_t nn)
{
    char msg[96];

    snprintf(msg, sizeof msg, "Face recognition completed. Found %zu students.", nh);
    json_t *body = json_pack(
        "{s:s, s:I, s:s, s:o, s:i, s:i, s:s, s:f, s:O, s:i, s:o, s:o, s:O, s:o, s:o}",
        "message", msg, "class_id", (json_int_t)cls->id, "class_name", cls->name,
        "recognized_students", recognized_json(hits, nh, run->cands),
        "images_processed", run->images_ok, "total_faces_detected", run->total_faces,
        "recognition_method", "ai_face", "tolerance_used", run->rq->tolerance,
        "faces", run->faces, "unknown_faces", run->unknown,
        "not_recognized_students", not_recognized_json(run),
        "students_without_face_data", rec_people_json(without, nw),
        "image_errors", run->image_errors,
        "session_id", run->rq->has_session ? json_integer(run->rq->session_id) : json_null(),
        "marked", json_array());
    if (body)
        json_object_set_new(body, "students_without_consent", rec_people_json(no_consent, nn));
    if (body && run->annotated)
        json_object_set(body, "annotated_images", run->annotated);
    return body;
}

/* The request's audit events: written with the marks when marking, else on their own. */
static int build_audit(api_ctx *ctx, const rf_run *run, const rf_hit *hits, size_t nh,
                       int64_t class_id, rec_audit *a)
{
    rec_audit_match *m = malloc((nh ? nh : 1) * sizeof *m);
    int rc = -1;

    if (m) {
        for (size_t i = 0; i < nh; i++)
            m[i] = (rec_audit_match){run->cands[hits[i].cand].id, hits[i].distance};
        rc = rec_audit_build(ctx, class_id, run->rq->has_session ? run->rq->session_id : 0,
                             (int)json_array_size(run->rq->images), run->total_faces, m, nh, a);
    }
    free(m);
    if (rc < 0)
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
    return rc;
}

/* After the lookups: candidates, capacity, processing, optional marking, the reply. */
typedef struct rf_people {
    const store_face_person *without, *no_consent;
    size_t nw, nn;
} rf_people;

static void recognise(api_ctx *ctx, const rf_req *rq, const store_class *cls,
                      const store_face_candidate *cands, size_t nc, const rf_people *pp)
{
    api_face_slot slot = {0};
    rf_run run = {.rq = rq, .cands = cands, .nc = nc};
    rf_hit *hits = NULL;
    json_t *body = NULL;
    rec_audit audit = {0};
    size_t nh;

    run.best = malloc((nc ? nc : 1) * sizeof *run.best);
    run.best_image = calloc(nc ? nc : 1, sizeof *run.best_image);
    hits = malloc((nc ? nc : 1) * sizeof *hits);
    run.faces = json_array();
    run.image_errors = json_array();
    run.annotated = rq->annotate ? json_array() : NULL;
    if (!run.best || !run.best_image || !hits || !run.faces || !run.image_errors ||
        (rq->annotate && !run.annotated)) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < nc; c++)
        run.best[c] = INFINITY;
    if (api_face_acquire(ctx, &slot) < 0)
        goto out;
    if (process_images(&slot, &run) < 0) {
        reply_internal_error(ctx->rep, ctx->req, "face recognition failed");
        goto out;
    }
    api_face_release_worker(&slot);
    if (run.images_ok == 0) {
        reply_json(ctx->rep, 400, json_pack("{s:s, s:O}", "error", "No valid images to process",
                                            "image_errors", run.image_errors));
        goto out;
    }
    nh = collect_hits(&run, hits);
    if (!(body = reply_body(&run, cls, hits, nh, pp->without, pp->nw, pp->no_consent, pp->nn))) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        goto out;
    }
    if (build_audit(ctx, &run, hits, nh, cls->id, &audit) < 0)
        goto out;
    if (rq->mark ? mark_hits(ctx, rq, hits, nh, cands, &audit, body) < 0
                 : api_audit_write(ctx, audit.events, audit.n) < 0)
        goto out;
    reply_json(ctx->rep, 200, body);
    body = NULL;
out:
    json_decref(body);
    json_decref(run.faces);
    json_decref(run.image_errors);
    json_decref(run.annotated);
    free(run.best);
    free(run.best_image);
    free(hits);
    rec_audit_free(&audit);
    api_face_finish(ctx, &slot);
}

void api_attendance_recognize_faces(api_ctx *ctx)
{
    store_face_candidate *cands = NULL;
    store_face_person *without = NULL, *no_consent = NULL;
    size_t nc = 0, nw = 0, nn = 0;
    store_class cls;
    rf_req rq = {0};

    if (api_require_role(ctx, ROLE_TEACHER,
                         "Only teachers can recognize faces for attendance") < 0 ||
        rf_fields(ctx, &rq) < 0 ||
        api_owned_class(ctx, rq.class_id, "Class not found or access denied", &cls) < 0)
        return;
    if (rq.has_session && session_of_class(ctx, &rq) < 0)
        goto out;
    if (rec_load_candidates(ctx, cls.id, &cands, &nc, &no_consent, &nn) < 0)
        goto out;
    if (store_face_without_data(ctx->db, cls.id, &without, &nw) != DB_OK) {
        api_fail(ctx, "store_face_without_data");
        goto out;
    }
    rf_people pp = {without, no_consent, nw, nn};
    recognise(ctx, &rq, &cls, cands, nc, &pp);
out:
    store_face_candidates_free(cands, nc);
    free(without);
    free(no_consent);
    store_class_clear(&cls);
}
