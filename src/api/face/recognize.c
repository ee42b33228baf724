/* The recognition step shared by §6.12 and §7.7, and POST
 * /api/face-data/recognize-from-photo (§6.12): the mobile client's shape of the same
 * engine, which never marks attendance. */
#include "api/face/recognize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/consent.h"
#include "api/face/common.h"
#include "api/handlers.h"
#include "api/objects_attendance.h"
#include "core/config.h"
#include "core/jsonv.h"

/* ---- audit ------------------------------------------------------------------------- */

int rec_audit_build(const api_ctx *ctx, int64_t class_id, int64_t session_id, int images,
                    int faces, const rec_audit_match *matched, size_t n_matched, rec_audit *a)
{
    a->n = n_matched + 1;
    a->events = calloc(a->n, sizeof *a->events);
    a->details = calloc(a->n, sizeof *a->details);
    if (!a->events || !a->details) {
        rec_audit_free(a);
        return -1;
    }
    api_audit_init(ctx, &a->events[0], "face.recognition_run");
    api_audit_details(&a->events[0],
                      json_pack("{s:i, s:i, s:I}", "images", images, "faces", faces,
                                "matched", (json_int_t)n_matched), a->details[0]);
    for (size_t i = 0; i < n_matched; i++) {
        store_audit_new *e = &a->events[i + 1];
        api_audit_init(ctx, e, "face.matched");
        e->subject_id = matched[i].student_id;
        api_audit_details(e, json_pack("{s:f}", "distance", api_round(matched[i].distance, 4)),
                          a->details[i + 1]);
    }
    for (size_t i = 0; i < a->n; i++) {
        a->events[i].class_id = class_id;
        a->events[i].session_id = session_id;
    }
    return 0;
}

void rec_audit_free(rec_audit *a)
{
    free(a->events);
    free(a->details);
    a->events = NULL;
    a->details = NULL;
    a->n = 0;
}

int rec_load_candidates(api_ctx *ctx, int64_t class_id, store_face_candidate **cands,
                        size_t *nc, store_face_person **no_consent, size_t *nn)
{
    const char *version = api_consent_required_version();

    *cands = NULL;
    *no_consent = NULL;
    *nc = *nn = 0;
    if (store_face_candidates(ctx->db, class_id, version, cands, nc) != DB_OK ||
        (version && store_face_without_consent(ctx->db, class_id, version, no_consent, nn) !=
                        DB_OK)) {
        api_fail(ctx, "store_face_candidates");
        return -1;
    }
    return 0;
}

json_t *rec_people_json(const store_face_person *p, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s}", "id", (json_int_t)p[i].id,
                                              "name", p[i].name));
    return list;
}

/* ---- matching ---------------------------------------------------------------------- */

static double candidate_distance(const face_det *d, const store_face_candidate *cd)
{
    double best = INFINITY;

    if (!d->has_descriptor)
        return best;
    for (size_t k = 0; k < cd->n_desc; k++) {
        double v = face_distance(d->descriptor, cd->descriptors + k * FACE_DESCRIPTOR_DIM);
        if (v < best)
            best = v;
    }
    return best;
}

int rec_match(face_worker *w, const face_image *img, const store_face_candidate *cands,
              size_t n_cands, double tolerance, rec_image *out)
{
    face_timing timing;
    face_opts opts;
    double *matrix = NULL;
    int rc = -1;

    memset(out, 0, sizeof *out);
    out->width = img->width;
    out->height = img->height;
    face_opts_default(&opts);
    if (face_analyze(w, img, &opts, &out->dets, &out->n, &timing) != FACE_OK)
        return -1;
    size_t nf = (size_t)out->n;
    out->cand = malloc((nf ? nf : 1) * sizeof *out->cand);
    out->dist = malloc((nf ? nf : 1) * sizeof *out->dist);
    size_t cells = nf * n_cands;
    matrix = malloc((cells ? cells : 1) * sizeof *matrix);
    if (!out->cand || !out->dist || !matrix)
        goto out;
    for (size_t i = 0; i < nf; i++) {
        out->cand[i] = -1;
        out->dist[i] = INFINITY;
        for (size_t j = 0; j < n_cands; j++)
            matrix[i * n_cands + j] = candidate_distance(&out->dets[i], &cands[j]);
    }
    if (nf > 0 && n_cands > 0 &&
        face_assign(matrix, (int)nf, (int)n_cands, tolerance, out->cand) != FACE_OK)
        goto out;
    for (size_t i = 0; i < nf; i++)
        if (out->cand[i] >= 0)
            out->dist[i] = matrix[i * n_cands + (size_t)out->cand[i]];
    rc = 0;
out:
    free(matrix);
    if (rc < 0)
        rec_image_free(out);
    return rc;
}

void rec_image_free(rec_image *r)
{
    free(r->dets);
    free(r->cand);
    free(r->dist);
    memset(r, 0, sizeof *r);
}

/* ---- recognize-from-photo ---------------------------------------------------------- */

typedef struct photo_req {
    const char *image;
    size_t image_len;
    long long class_id;
    double threshold;
} photo_req;

/* Steps 2-5 of §6.12; replies 400 and returns -1 on the first failure. */
static int photo_fields(api_ctx *ctx, photo_req *rq)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    const char *msg = NULL;
    long long max_faces;
    field_err err;
    int r;

    if (!body)
        return -1;
    r = api_image_field(json_object_get(body, "image"), &rq->image, &rq->image_len);
    if (r != 0)
        msg = r > 0 ? "Image is required" : "image must be a string";
    else if ((r = jv_int(body, "class_id", &rq->class_id, &err)) != JV_OK)
        msg = r == JV_MISSING ? "Class ID is required" : "class_id must be an integer";
    else if ((r = jv_number(body, "recognition_threshold", &rq->threshold, &err)) == JV_ERR)
        msg = "recognition_threshold must be a number";
    else if (r == JV_OK && !(rq->threshold >= 0.4 && rq->threshold <= 0.9))
        msg = "Recognition threshold must be between 0.4 and 0.9";
    else if ((r = jv_int(body, "max_faces", &max_faces, &err)) == JV_ERR ||
             (r == JV_OK && max_faces < 1))
        msg = "max_faces must be a positive integer";
    if (!msg)
        return 0;
    reply_error(ctx->rep, 400, msg);
    return -1;
}

typedef struct photo_hit {
    size_t cand;
    int face;            /* index in reading order */
    double distance, confidence;
} photo_hit;

static int hit_order(const void *a, const void *b)
{
    const photo_hit *x = a, *y = b;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;   /* candidates are sorted by id */
}

static json_t *hit_json(const photo_hit *h, const store_face_candidate *cd, const rec_image *r)
{
    api_box b;

    api_face_box(&r->dets[h->face], r->width, r->height, &b);
    return json_pack("{s:I, s:s, s:s, s:f, s:f, s:f, s:i, s:{s:i, s:i, s:i, s:i}}",
                     "student_id", (json_int_t)cd->id, "name", cd->name, "email", cd->email,
                     "confidence", h->confidence,
                     "similarity_percentage", api_round(h->confidence * 100.0, 2),
                     "distance", api_round(h->distance, 4), "face_number", h->face + 1,
                     "face_location", "x1", b.x, "y1", b.y, "x2", b.x + b.w, "y2", b.y + b.h);
}

/* The request's audit events, in their own transaction (nothing else is written). */
static int photo_audit(api_ctx *ctx, const rec_image *r, const store_face_candidate *cands,
                       const store_class *cls)
{
    rec_audit_match *m = malloc(((size_t)r->n ? (size_t)r->n : 1) * sizeof *m);
    rec_audit a = {0};
    size_t nm = 0;
    int rc = -1;

    if (m) {
        for (int i = 0; i < r->n; i++)   /* rec_match assigns a candidate at most once */
            if (r->cand[i] >= 0)
                m[nm++] = (rec_audit_match){cands[r->cand[i]].id, r->dist[i]};
        if (rec_audit_build(ctx, cls->id, 0, 1, r->n, m, nm, &a) == 0)
            rc = api_audit_write(ctx, a.events, a.n);
        else
            reply_internal_error(ctx->rep, ctx->req, "out of memory");
    } else {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
    }
    free(m);
    rec_audit_free(&a);
    return rc;
}

static json_t *photo_result(const rec_image *r, const store_face_candidate *cands, size_t nc,
                            const store_class *cls, double threshold, json_t *no_consent)
{
    photo_hit *hits = malloc(((size_t)r->n ? (size_t)r->n : 1) * sizeof *hits);
    json_t *list = json_array(), *body = NULL;
    size_t nh = 0;
    char msg[96];

    if (!hits || !list)
        goto out;
    for (int i = 0; i < r->n; i++)
        if (r->cand[i] >= 0)
            hits[nh++] = (photo_hit){(size_t)r->cand[i], i, r->dist[i],
                                     api_round(api_face_confidence(r->dist[i],
                                                                   g_config.face_tolerance), 4)};
    qsort(hits, nh, sizeof *hits, hit_order);
    for (size_t i = 0; i < nh; i++)
        json_array_append_new(list, hit_json(&hits[i], &cands[hits[i].cand], r));
    if (r->n == 0)
        snprintf(msg, sizeof msg, "No faces detected in the image");
    else
        snprintf(msg, sizeof msg, "Recognized %zu of %d faces", nh, r->n);
    body = json_pack("{s:b, s:s, s:I, s:s, s:I, s:i, s:I, s:I, s:f, s:O, s:I, s:f, s:f, s:o}",
                     "success", 1, "message", msg, "class_id", (json_int_t)cls->id,
                     "class_name", cls->name, "teacher_id", (json_int_t)cls->teacher_id,
                     "total_faces_detected", r->n, "total_recognized", (json_int_t)nh,
                     "total_enrolled_with_data", (json_int_t)nc,
                     "recognition_threshold", threshold, "recognized_students", list,
                     "unrecognized_faces", (json_int_t)(r->n - (int)nh),
                     "recognition_rate", api_rate((int64_t)nh, r->n),
                     "coverage_rate", api_rate((int64_t)nh, (int64_t)nc),
                     "students_without_consent", no_consent);
    no_consent = NULL;
out:
    free(hits);
    json_decref(list);
    json_decref(no_consent);
    return body;
}

static void reply_no_candidates(api_ctx *ctx, const store_class *cls)
{
    reply_json(ctx->rep, 400,
               json_pack("{s:b, s:s, s:I, s:s, s:s}", "success", 0, "error",
                         "No students in this class have registered facial data",
                         "class_id", (json_int_t)cls->id, "class_name", cls->name,
                         "recommendation", "Ask students to register their facial data first"));
}

/* Steps 8 onwards, with the worker held by slot. */
static void photo_recognise(api_ctx *ctx, api_face_slot *slot, const photo_req *rq,
                            const store_class *cls, const store_face_candidate *cands, size_t nc,
                            const store_face_person *no_consent, size_t nn)
{
    /* A face matches iff distance < 2 T (1 - threshold): the threshold is a minimum
     * confidence on the §5.5 scale. */
    double limit = 2.0 * g_config.face_tolerance * (1.0 - rq->threshold);
    char msg[API_IMAGE_MSG];
    face_image img;
    rec_image r;
    json_t *body;
    int rc = api_image_decode(rq->image, rq->image_len, &img, msg);

    if (rc != API_IMAGE_OK) {
        if (rc == API_IMAGE_BAD)
            reply_error(ctx->rep, 400, msg);
        else
            reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    rc = rec_match(slot->w, &img, cands, nc, limit, &r);
    face_image_free(&img);
    api_face_release_worker(slot);
    if (rc < 0) {
        reply_internal_error(ctx->rep, ctx->req, "face recognition failed");
        return;
    }
    slot->faces = r.n;
    if (photo_audit(ctx, &r, cands, cls) < 0) {
        rec_image_free(&r);
        return;
    }
    body = photo_result(&r, cands, nc, cls, rq->threshold, rec_people_json(no_consent, nn));
    rec_image_free(&r);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

void api_face_recognize_photo(api_ctx *ctx)
{
    api_face_slot slot = {0};
    store_face_candidate *cands = NULL;
    store_face_person *no_consent = NULL;
    photo_req rq = {.threshold = 0.5};
    store_class cls = {0};
    int have_class = 0;
    size_t nc = 0, nn = 0;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can perform facial recognition") < 0 ||
        photo_fields(ctx, &rq) < 0 ||
        api_owned_class(ctx, rq.class_id, "Class not found or you do not have access", &cls) < 0)
        goto out;
    have_class = 1;
    if (rec_load_candidates(ctx, cls.id, &cands, &nc, &no_consent, &nn) < 0)
        goto out;
    if (nc == 0) {
        reply_no_candidates(ctx, &cls);
        goto out;
    }
    if (api_face_acquire(ctx, &slot) < 0)
        goto out;
    photo_recognise(ctx, &slot, &rq, &cls, cands, nc, no_consent, nn);
out:
    store_face_candidates_free(cands, nc);
    free(no_consent);
    if (have_class)
        store_class_clear(&cls);
    api_face_finish(ctx, &slot);
}
