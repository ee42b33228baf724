/* face_analyze: detect -> 68 landmarks -> descriptor crop -> 128-d descriptor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/detect.h"

#define DEFAULT_MIN_SCORE 0.5f

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

static int reading_order(const void *a, const void *b)
{
    const face_det *x = a, *y = b;
    if (x->box.y != y->box.y)
        return x->box.y < y->box.y ? -1 : 1;
    if (x->box.x != y->box.x)
        return x->box.x < y->box.x ? -1 : 1;
    return 0;
}

/* Detection on the whole image. Tiling of large photos slots in here: detect per
 * fd_region and merge with NMS. */
static int detect(face_worker *w, const face_image *img, const face_opts *o, fd_box **boxes,
                  int *n)
{
    fd_region all = { 0, 0, img->width, img->height };
    float min_score = o->min_score > 0 ? o->min_score : DEFAULT_MIN_SCORE;
    if (o->detector == FACE_DETECTOR_TINY) {
        int size = o->tiny_input_size > 0 ? o->tiny_input_size : TINY_DEFAULT_SIZE;
        return fd_tiny(w, img, all, size, min_score, boxes, n);
    }
    return fd_ssd(w, img, all, min_score, FD_SSD_MAX_RESULTS, boxes, n);
}

int face_analyze(face_worker *w, const face_image *img, const face_opts *opts, face_det **out,
                 int *n_out, face_timing *timing)
{
    face_opts defaults;
    fd_box *boxes = NULL;
    face_point(*pts)[68] = NULL;
    fd_region *crops = NULL;
    float(*desc)[FACE_DESCRIPTOR_DIM] = NULL;
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
    rc = detect(w, img, opts, &boxes, &n);
    double t1 = now_ms();
    t.detect_ms = t1 - t0;
    if (rc != FACE_OK)
        goto out;

    pts = malloc(sizeof *pts * (size_t)(n ? n : 1));
    ok = malloc(sizeof *ok * (size_t)(n ? n : 1));
    dets = calloc((size_t)(n ? n : 1), sizeof *dets);
    crops = calloc((size_t)(n ? n : 1), sizeof *crops);
    desc = malloc(sizeof *desc * (size_t)(n ? n : 1));
    if (!pts || !ok || !dets || !crops || !desc) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    rc = fd_landmarks(w, img, boxes, n, opts->landmarks == FACE_LANDMARKS_TINY, pts, ok);
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
    if (opts->describe && m > 0) {
        /* the face-api crop (§8 step 3); the dlib-style aligned chip replaces it for
         * FACE_CHIP_DLIB once the alignment lands */
        for (int i = 0; i < m; i++)
            if (!fd_faceapi_crop(img, dets[i].landmarks, &crops[i]))
                crops[i] = (fd_region){ 0, 0, 0, 0 };
        rc = fd_describe(w, img, crops, m, desc);
        if (rc != FACE_OK)
            goto out;
        for (int i = 0; i < m; i++) {
            dets[i].has_descriptor = crops[i].w > 0;
            memcpy(dets[i].descriptor, desc[i], sizeof desc[i]);
        }
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
    free(crops);
    free(desc);
    free(dets);
    return rc;
}
