/* face_analyze: detect (plan.c) -> 68 landmarks -> aligned chip -> 128-d descriptor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/align.h"
#include "face/plan.h"

#define CHIP_JPEG_QUALITY 90
#define DUP_CONTAINED 0.6         /* box share inside another face's box */
#define CONFIRM_BOX 1.15          /* confirmation box side / landmark extent */
#define CONFIRM_MAX_SHIFT 0.12    /* mean landmark shift, in eye distances */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* API.md §5.3: 2.5 x the distance of the eye centres (means of points 36-41, 42-47). */
static int face_size(const face_point *p)
{
    double lx = 0, ly = 0, rx = 0, ry = 0;
    for (int i = 0; i < 6; i++) {
        lx += p[36 + i].x;
        ly += p[36 + i].y;
        rx += p[42 + i].x;
        ry += p[42 + i].y;
    }
    return (int)lround(2.5 * hypot((rx - lx) / 6, (ry - ly) / 6));
}

static void eye_mid(const face_point *p, double *x, double *y)
{
    double sx = 0, sy = 0;
    for (int i = 36; i < 48; i++) {
        sx += p[i].x;
        sy += p[i].y;
    }
    *x = sx / 12;
    *y = sy / 12;
}

/* Share of the smaller box covered by the larger one's. */
static double containment(const face_box *a, const face_box *b)
{
    double iw = fmax(0, fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x));
    double ih = fmax(0, fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y));
    double small = fmin(a->w * a->h, b->w * b->h);
    return small > 0 ? iw * ih / small : 0;
}

/* Passes at different scales, and the two detectors, frame the same face differently
 * enough that box IoU misses some duplicates. A face whose eye midpoint lies within a
 * third of the face size of a better-scored face's, at a similar size, or whose box lies
 * mostly inside a better-scored face's box, is the same face. dets are by descending
 * score. */
static int drop_duplicates(face_det *d, int n)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        double xi, yi;
        int dup = 0;
        eye_mid(d[i].landmarks, &xi, &yi);
        for (int j = 0; j < m && !dup; j++) {
            double xj, yj, big = fmax(d[i].face_size, d[j].face_size);
            double small = fmin(d[i].face_size, d[j].face_size);
            eye_mid(d[j].landmarks, &xj, &yj);
            dup = (hypot(xi - xj, yi - yj) < big / 3 && small * 1.6 > big) ||
                  containment(&d[i].box, &d[j].box) > DUP_CONTAINED;
        }
        if (!dup)
            d[m++] = d[i];
    }
    return m;
}

/* Tile candidates (TinyFaceDetector, cheap but less precise) are confirmed by their
 * landmarks: the 68 points are located again in a square box placed by the first points;
 * on a face they land where they were, elsewhere they wander. Accepted candidates keep
 * the second points (their box is the one the landmark net expects); rejected ones get
 * ok = 0. The mean point shift is measured in eye distances (see docs/face-engine.md). */
static int confirm(face_worker *w, const face_image *img, const fd_box *boxes, int n,
                   int tiny, face_point (*pts)[68], int *ok)
{
    int m = 0, rc = FACE_OK;
    int *idx = malloc(sizeof *idx * (size_t)(n ? n : 1));
    int *ok2 = malloc(sizeof *ok2 * (size_t)(n ? n : 1));
    fd_box *b2 = malloc(sizeof *b2 * (size_t)(n ? n : 1));
    face_point(*p2)[68] = malloc(sizeof *p2 * (size_t)(n ? n : 1));
    if (!idx || !ok2 || !b2 || !p2) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (!ok[i] || !boxes[i].unconfirmed)
            continue;
        double x0 = pts[i][0].x, x1 = x0, y0 = pts[i][0].y, y1 = y0;
        for (int k = 1; k < 68; k++) {
            x0 = fmin(x0, pts[i][k].x);
            x1 = fmax(x1, pts[i][k].x);
            y0 = fmin(y0, pts[i][k].y);
            y1 = fmax(y1, pts[i][k].y);
        }
        double side = fmax(x1 - x0, y1 - y0) * CONFIRM_BOX;
        b2[m] = (fd_box){ (x0 + x1 - side) / 2, (y0 + y1 - side) / 2, side, side, 0, 0 };
        idx[m++] = i;
    }
    if (m == 0)
        goto out;
    rc = fd_landmarks(w, img, b2, m, tiny, p2, ok2);
    for (int j = 0; rc == FACE_OK && j < m; j++) {
        int i = idx[j];
        double shift = 0, eyes = face_size(pts[i]) / 2.5;
        for (int k = 0; k < 68; k++)
            shift += hypot(pts[i][k].x - p2[j][k].x, pts[i][k].y - p2[j][k].y);
        shift /= 68 * (eyes > 1 ? eyes : 1);
        ok[i] = ok2[j] && shift <= CONFIRM_MAX_SHIFT;
        if (ok[i])
            memcpy(pts[i], p2[j], sizeof pts[i]);
    }
out:
    free(idx);
    free(ok2);
    free(b2);
    free(p2);
    return rc;
}

static int reading_order(const void *a, const void *b)
{
    const face_det *x = a, *y = b;
    if (x->box.y != y->box.y)
        return x->box.y < y->box.y ? -1 : 1;
    if (x->box.x != y->box.x)
        return x->box.x < y->box.x ? -1 : 1;
    return 0;
}

/* Descriptors of dets[0..m) from face-api's crop (oracle parity) or the aligned chip. */
static int describe(face_worker *w, const face_image *img, enum face_chip_mode mode,
                    face_det *dets, int m)
{
    float(*desc)[FACE_DESCRIPTOR_DIM] = malloc(sizeof *desc * (size_t)m);
    fd_region *crops = NULL;
    face_image *chips = NULL;
    int rc = FACE_ERR_NOMEM;
    if (!desc)
        goto out;
    if (mode == FACE_CHIP_FACEAPI) {
        if (!(crops = calloc((size_t)m, sizeof *crops)))
            goto out;
        for (int i = 0; i < m; i++)
            if (!fd_faceapi_crop(img, dets[i].landmarks, &crops[i]))
                crops[i] = (fd_region){ 0, 0, 0, 0 };
        rc = fd_describe(w, img, crops, m, desc);
    } else {
        if (!(chips = calloc((size_t)m, sizeof *chips)))
            goto out;
        for (int i = 0; i < m; i++) {
            rc = face_align_chip(img, dets[i].landmarks, &chips[i]);
            if (rc == FACE_ERR_NOMEM)
                goto out;
        }
        rc = fd_describe_chips(w, chips, m, desc);
    }
    if (rc != FACE_OK)
        goto out;
    for (int i = 0; i < m; i++) {
        dets[i].has_descriptor = crops ? crops[i].w > 0 : chips[i].rgb != NULL;
        memcpy(dets[i].descriptor, desc[i], sizeof desc[i]);
    }
out:
    for (int i = 0; chips && i < m; i++)
        face_image_free(&chips[i]);
    free(chips);
    free(crops);
    free(desc);
    return rc;
}

int face_analyze(face_worker *w, const face_image *img, const face_opts *opts, face_det **out,
                 int *n_out, face_timing *timing)
{
    return fd_analyze(w, img, opts, NULL, out, n_out, timing);
}

int fd_analyze(face_worker *w, const face_image *img, const face_opts *opts,
               const fd_plan *use_plan, face_det **out, int *n_out, face_timing *timing)
{
    face_opts defaults;
    fd_plan plan;
    fd_box *boxes = NULL;
    face_point(*pts)[68] = NULL;
    int *ok = NULL, n = 0, m = 0, rc;
    face_det *dets = NULL;
    face_timing t = { 0 };

    if (!w || !img || !img->rgb || img->width <= 0 || img->height <= 0 || !out || !n_out)
        return FACE_ERR_ARG;
    *out = NULL;
    *n_out = 0;
    if (!opts) {
        face_opts_default(&defaults);
        opts = &defaults;
    }
    if (opts->detector == FACE_DETECTOR_TINY && opts->tiny_input_size % 32 != 0)
        return FACE_ERR_ARG;

    double t0 = now_ms();
    if (use_plan)
        plan = *use_plan;
    else
        fd_plan_make(opts, img->width, img->height, &plan);
    rc = fd_plan_run(w, img, &plan, &boxes, &n);
    double t1 = now_ms();
    t.detect_ms = t1 - t0;
    if (rc != FACE_OK)
        goto out;

    pts = malloc(sizeof *pts * (size_t)(n ? n : 1));
    ok = malloc(sizeof *ok * (size_t)(n ? n : 1));
    dets = calloc((size_t)(n ? n : 1), sizeof *dets);
    if (!pts || !ok || !dets) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    rc = fd_landmarks(w, img, boxes, n, opts->landmarks == FACE_LANDMARKS_TINY, pts, ok);
    if (rc == FACE_OK)
        rc = confirm(w, img, boxes, n, opts->landmarks == FACE_LANDMARKS_TINY, pts, ok);
    double t2 = now_ms();
    t.landmarks_ms = t2 - t1;
    if (rc != FACE_OK)
        goto out;

    /* keep faces with a crop and a large enough face size, compacting in place */
    for (int i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        int size = face_size(pts[i]);
        if (size < opts->min_face_size)
            continue;
        face_det *d = &dets[m];
        d->box = (face_box){ (float)boxes[i].x, (float)boxes[i].y, (float)boxes[i].w,
                             (float)boxes[i].h };
        d->score = boxes[i].score;
        memcpy(d->landmarks, pts[i], sizeof d->landmarks);
        d->face_size = size;
        m++;
    }
    m = drop_duplicates(dets, m);
    if (opts->describe && m > 0) {
        rc = describe(w, img, opts->chip, dets, m);
        if (rc != FACE_OK)
            goto out;
    }
    t.describe_ms = now_ms() - t2;
    qsort(dets, (size_t)m, sizeof *dets, reading_order);
    *out = dets;
    *n_out = m;
    dets = NULL;
out:
    if (timing)
        *timing = t;
    free(boxes);
    free(pts);
    free(ok);
    free(dets);
    return rc;
}

int face_chip_jpeg(face_worker *w, const face_image *img, const face_det *det, uint8_t **jpeg,
                   size_t *len)
{
    (void)w;
    if (!img || !img->rgb || !det || !jpeg || !len)
        return FACE_ERR_ARG;
    return face_align_chip_jpeg(img, det->landmarks, CHIP_JPEG_QUALITY, jpeg, len);
}
