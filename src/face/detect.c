/* Detector post-processing and the batched landmark/descriptor stages. */
#include "face/detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face/prep.h"

/* ---- SsdMobilenetv1 ------------------------------------------------------------------ */

typedef struct ssd_cand { float score; int index; } ssd_cand;

static int by_score_desc(const void *a, const void *b)
{
    const ssd_cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->index - y->index; /* stable: ties keep anchor order */
}

/* IoU of two (ymin, xmin, ymax, xmax) boxes, corners min/max-normalised. */
static double ssd_iou(const float *a, const float *b)
{
    double ay0 = fmin(a[0], a[2]), ax0 = fmin(a[1], a[3]), ay1 = fmax(a[0], a[2]),
           ax1 = fmax(a[1], a[3]);
    double by0 = fmin(b[0], b[2]), bx0 = fmin(b[1], b[3]), by1 = fmax(b[0], b[2]),
           bx1 = fmax(b[1], b[3]);
    double area_a = (ay1 - ay0) * (ax1 - ax0), area_b = (by1 - by0) * (bx1 - bx0);
    if (area_a <= 0 || area_b <= 0)
        return 0;
    double ih = fmax(fmin(ay1, by1) - fmax(ay0, by0), 0);
    double iw = fmax(fmin(ax1, bx1) - fmax(ax0, bx0), 0);
    double inter = ih * iw;
    return inter / (area_a + area_b - inter);
}

/* Image box of a box given in 0..1 of the network's square input: image = o + rel * s;
 * flip undoes a horizontally mirrored input. */
typedef struct fd_map { double ox, oy, sx, sy; int flip; } fd_map;

static fd_box map_box(const fd_map *m, double x, double y, double w, double h, float score)
{
    if (m->flip)
        x = 1 - (x + w);
    return (fd_box){ m->ox + x * m->sx, m->oy + y * m->sy, w * m->sx, h * m->sy, score, 0 };
}

/* Score filter, NMS and output of an SSD forward pass whose input is already in `in`. */
static int ssd_run(face_worker *w, float *in, float min_score, int max_results,
                   const fd_map *map, fd_box **out, int *n)
{
    const face_engine *e = w->engine;
    ssd_cand *c = malloc(sizeof *c * SSD_ANCHORS);
    int *keep = malloc(sizeof *keep * (size_t)(max_results > 0 ? max_results : 1));
    int nc = 0, nk = 0, rc;
    *out = NULL;
    *n = 0;
    if (!c || !keep) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    float *boxes = in + (size_t)SSD_SIZE * SSD_SIZE * 3, *scores = boxes + SSD_ANCHORS * 4;
    rc = ssd_forward(&w->nn, &e->ssd, in, boxes, scores);
    if (rc != FACE_OK)
        goto out;
    for (int i = 0; i < SSD_ANCHORS; i++)
        if (scores[i] > min_score)
            c[nc++] = (ssd_cand){ scores[i], i };
    qsort(c, (size_t)nc, sizeof *c, by_score_desc);
    for (int i = 0; i < nc && nk < max_results; i++) {
        int ok = 1;
        for (int k = 0; k < nk && ok; k++)
            ok = ssd_iou(boxes + 4 * c[i].index, boxes + 4 * c[keep[k]].index) <= FD_SSD_IOU;
        if (ok)
            keep[nk++] = i;
    }
    *out = malloc(sizeof **out * (size_t)(nk ? nk : 1));
    if (!*out) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    /* clipped to the square first, as face-api does */
    for (int k = 0; k < nk; k++) {
        const float *b = boxes + 4 * c[keep[k]].index;
        double top = fmax(0, b[0]), left = fmax(0, b[1]);
        double bottom = fmin(1, b[2]), right = fmin(1, b[3]);
        (*out)[k] = map_box(map, left, top, right - left, bottom - top, c[keep[k]].score);
    }
    *n = nk;
out:
    free(c);
    free(keep);
    return rc;
}

static float *ssd_input(face_worker *w)
{
    return face_worker_input(w, (size_t)SSD_SIZE * SSD_SIZE * 3 + SSD_ANCHORS * 5);
}

int fd_ssd(face_worker *w, const face_image *img, fd_region r, float min_score,
           int max_results, fd_box **out, int *n)
{
    float *in = ssd_input(w);
    *out = NULL;
    *n = 0;
    if (!in)
        return FACE_ERR_NOMEM;
    fp_input(img, r.x, r.y, r.w, r.h, SSD_SIZE, 0, FP_NORM_SSD, in);
    /* undo the bottom/right padding with the rounded reshaped size */
    int rw, rh;
    fp_reshaped(r.w, r.h, SSD_SIZE, &rw, &rh);
    fd_map map = { r.x, r.y, (double)SSD_SIZE / rw * r.w, (double)SSD_SIZE / rh * r.h, 0 };
    return ssd_run(w, in, min_score, max_results, &map, out, n);
}

int fd_ssd_window(face_worker *w, const face_image *img, fd_window win, float min_score,
                  int max_results, fd_box **out, int *n)
{
    float *in = ssd_input(w);
    *out = NULL;
    *n = 0;
    if (!in)
        return FACE_ERR_NOMEM;
    int rc = fp_window(img, win.x, win.y, win.side, SSD_SIZE, win.flip, FP_NORM_SSD, in);
    if (rc != FACE_OK)
        return rc;
    fd_map map = { win.x, win.y, win.side, win.side, win.flip };
    return ssd_run(w, in, min_score, max_results, &map, out, n);
}

/* ---- TinyFaceDetector ---------------------------------------------------------------- */

static const double TINY_ANCHORS[5][2] = {
    { 1.603231, 2.094468 }, { 6.041143, 7.080126 }, { 2.882459, 3.518061 },
    { 4.266906, 5.178857 }, { 9.041765, 10.66308 },
};

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* face-api's Box IoU: area = width*height, no +1. */
static double box_iou(const fd_box *a, const fd_box *b)
{
    double iw = fmax(0, fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x));
    double ih = fmax(0, fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y));
    double inter = iw * ih;
    return inter / (a->w * a->h + b->w * b->h - inter);
}

static int by_score_asc(const void *a, const void *b)
{
    const fd_box *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return 0;
}

/* face-api ops/nonMaxSuppression: sort ascending (stable), pop the best, drop the rest
 * whose IoU with it exceeds thr. cand[] holds boxes scaled by the input size, in decode
 * order; their .w field carries on. Returns kept indices into cand in *keep. */
static int tiny_nms(fd_box *cand, int nc, double thr, int *order, int *keep)
{
    int nk = 0, left = nc;
    for (int i = 0; i < nc; i++)
        order[i] = i;
    /* stable ascending sort by score (insertion sort: candidate lists are short) */
    for (int i = 1; i < nc; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && by_score_asc(&cand[order[j]], &cand[v]) > 0) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    while (left > 0) {
        int cur = order[--left], m = 0;
        keep[nk++] = cur;
        for (int i = 0; i < left; i++)
            if (box_iou(&cand[cur], &cand[order[i]]) <= thr)
                order[m++] = order[i];
        left = m;
    }
    return nk;
}

/* Decoding and NMS of a Tiny forward pass whose input is already in `in`. corr_x/corr_y
 * undo face-api's bottom/right padding (1 for a window). */
static int tiny_run(face_worker *w, float *in, int size, float min_score, double corr_x,
                    double corr_y, const fd_map *map, fd_box **out, int *n)
{
    const face_engine *e = w->engine;
    const int G = size / 32, cells = G * G * 5;
    fd_box *cand = malloc(sizeof *cand * (size_t)cells * 2);
    int *order = malloc(sizeof *order * (size_t)cells * 2);
    int nc = 0, rc;
    *out = NULL;
    *n = 0;
    if (!cand || !order) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    float *grid = in + (size_t)size * size * 3;
    rc = tiny_forward(&w->nn, &e->tiny, in, size, grid);
    if (rc != FACE_OK)
        goto out;
    fd_box *rel = cand + cells; /* relative boxes, parallel to cand */
    for (int row = 0; row < G; row++)
        for (int col = 0; col < G; col++)
            for (int a = 0; a < 5; a++) {
                const float *t = grid + ((size_t)(row * G + col) * 5 + a) * 5;
                float score = 1.0f / (1.0f + expf(-t[4]));
                if (!(score > min_score))
                    continue;
                double cx = (col + sigmoid(t[0])) / G * corr_x;
                double cy = (row + sigmoid(t[1])) / G * corr_y;
                double bw = exp(t[2]) * TINY_ANCHORS[a][0] / G * corr_x;
                double bh = exp(t[3]) * TINY_ANCHORS[a][1] / G * corr_y;
                rel[nc] = (fd_box){ cx - bw / 2, cy - bh / 2, bw, bh, score, 0 };
                cand[nc] = (fd_box){ rel[nc].x * size, rel[nc].y * size, bw * size, bh * size,
                                     score, 0 };
                nc++;
            }
    int *keep = order + cells;
    int nk = tiny_nms(cand, nc, FD_TINY_IOU, order, keep);
    *out = malloc(sizeof **out * (size_t)(nk ? nk : 1));
    if (!*out) {
        rc = FACE_ERR_NOMEM;
        goto out;
    }
    for (int k = 0; k < nk; k++) {
        const fd_box *b = &rel[keep[k]];
        (*out)[k] = map_box(map, b->x, b->y, b->w, b->h, b->score);
    }
    *n = nk;
out:
    free(cand);
    free(order);
    return rc;
}

static float *tiny_input(face_worker *w, int size)
{
    if (size < 32 || size % 32)
        return NULL;
    return face_worker_input(w, (size_t)size * size * 3 + (size_t)(size / 32) * (size / 32) * 25);
}

int fd_tiny(face_worker *w, const face_image *img, fd_region r, int size, float min_score,
            fd_box **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (size < 32 || size % 32)
        return FACE_ERR_ARG;
    float *in = tiny_input(w, size);
    if (!in)
        return FACE_ERR_NOMEM;
    fp_input(img, r.x, r.y, r.w, r.h, size, 0, FP_NORM_TINY, in);
    int rw, rh;
    fp_reshaped(r.w, r.h, size, &rw, &rh);
    double m = rw > rh ? rw : rh;
    fd_map map = { r.x, r.y, r.w, r.h, 0 };
    return tiny_run(w, in, size, min_score, m / rw, m / rh, &map, out, n);
}

int fd_tiny_window(face_worker *w, const face_image *img, fd_window win, int size,
                   float min_score, fd_box **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (size < 32 || size % 32)
        return FACE_ERR_ARG;
    float *in = tiny_input(w, size);
    if (!in)
        return FACE_ERR_NOMEM;
    int rc = fp_window(img, win.x, win.y, win.side, size, win.flip, FP_NORM_TINY, in);
    if (rc != FACE_OK)
        return rc;
    fd_map map = { win.x, win.y, win.side, win.side, win.flip };
    return tiny_run(w, in, size, min_score, 1, 1, &map, out, n);
}

/* ---- landmarks and descriptors ------------------------------------------------------- */

int fd_clip_floor(const face_image *img, double x, double y, double w, double h,
                  fd_region *r)
{
    double cx = fmax(x, 0), cy = fmax(y, 0);
    double cw = fmin(x + w - cx, img->width - cx), ch = fmin(y + h - cy, img->height - cy);
    r->x = (int)floor(cx);
    r->y = (int)floor(cy);
    r->w = (int)floor(cw);
    r->h = (int)floor(ch);
    return r->w > 0 && r->h > 0 && r->x + r->w <= img->width && r->y + r->h <= img->height;
}

int fd_landmarks(face_worker *w, const face_image *img, const fd_box *boxes, int n, int tiny,
                 face_point (*points)[68], int *ok)
{
    const face_engine *e = w->engine;
    const fl_net *net = tiny ? &e->landmarks_tiny : &e->landmarks;
    const size_t one = (size_t)FL_SIZE * FL_SIZE * 3;
    fd_region crop[FACE_BATCH_MAX];
    int idx[FACE_BATCH_MAX];
    float out[FACE_BATCH_MAX * FL_OUT];
    float *in = face_worker_input(w, one * FACE_BATCH_MAX);
    if (!in)
        return FACE_ERR_NOMEM;
    for (int i = 0; i < n;) {
        int m = 0;
        /* batches of 8, 4, 2 or 1: a few fixed shapes, each with its primitives cached */
        while (i < n && m < FACE_BATCH_MAX) {
            ok[i] = fd_clip_floor(img, boxes[i].x, boxes[i].y, boxes[i].w, boxes[i].h, &crop[m]);
            if (ok[i])
                idx[m++] = i;
            i++;
            if (m == 1 || m == 2 || m == 4)
                if (n - i < m) /* keep the batch a power of two; the rest goes next */
                    break;
        }
        for (int k = 0; k < m; k++)
            fp_input(img, crop[k].x, crop[k].y, crop[k].w, crop[k].h, FL_SIZE, 1,
                     FP_NORM_FACE, in + k * one);
        int rc = m ? fl_forward(&w->nn, net, in, m, out) : FACE_OK;
        if (rc != FACE_OK)
            return rc;
        for (int k = 0; k < m; k++) {
            const fd_box *b = &boxes[idx[k]];
            double cw = crop[k].w, ch = crop[k].h, scale = FL_SIZE / fmax(cw, ch);
            double sw = cw * scale, sh = ch * scale;
            double pad_x = sw < sh ? (sh - sw) / 2 : 0, pad_y = sh < sw ? (sw - sh) / 2 : 0;
            for (int p = 0; p < 68; p++) {
                double xr = ((double)out[k * FL_OUT + 2 * p] * FL_SIZE - pad_x) / sw;
                double yr = ((double)out[k * FL_OUT + 2 * p + 1] * FL_SIZE - pad_y) / sh;
                /* the shift uses the detection's unfloored, unclipped origin */
                points[idx[k]][p].x = (float)(xr * cw + b->x);
                points[idx[k]][p].y = (float)(yr * ch + b->y);
            }
        }
    }
    return FACE_OK;
}

int fd_faceapi_crop(const face_image *img, const face_point *pts, fd_region *r)
{
    double l[2] = { 0, 0 }, rr[2] = { 0, 0 }, m[2] = { 0, 0 };
    for (int i = 36; i < 42; i++) { l[0] += pts[i].x; l[1] += pts[i].y; }
    for (int i = 42; i < 48; i++) { rr[0] += pts[i].x; rr[1] += pts[i].y; }
    for (int i = 48; i < 68; i++) { m[0] += pts[i].x; m[1] += pts[i].y; }
    for (int k = 0; k < 2; k++) { l[k] /= 6; rr[k] /= 6; m[k] /= 20; }
    double d = (hypot(m[0] - l[0], m[1] - l[1]) + hypot(m[0] - rr[0], m[1] - rr[1])) / 2;
    double size = floor(d / 0.45);
    double cx = (l[0] + rr[0] + m[0]) / 3, cy = (l[1] + rr[1] + m[1]) / 3;
    double x = floor(fmax(0, cx - 0.5 * size)), y = floor(fmax(0, cy - 0.43 * size));
    return fd_clip_floor(img, x, y, size, size, r);
}

/* Writes the network input of item i to dst; 0 when the item holds no usable face (its
 * descriptor is then all zeros). */
typedef int (*describe_fill)(const void *ctx, int i, float *dst);

/* Runs the recognition network over n items in batches of up to FACE_BATCH_MAX, cutting a
 * batch early when a smaller one fits the remainder exactly. */
static int describe_batched(face_worker *w, int n, describe_fill fill, const void *ctx,
                            float (*desc)[FACE_DESCRIPTOR_DIM])
{
    const face_engine *e = w->engine;
    const size_t one = (size_t)FR_SIZE * FR_SIZE * 3;
    float out[FACE_BATCH_MAX * FACE_DESCRIPTOR_DIM];
    int idx[FACE_BATCH_MAX];
    float *in = face_worker_input(w, one * FACE_BATCH_MAX);
    if (!in)
        return FACE_ERR_NOMEM;
    for (int i = 0; i < n;) {
        int m = 0;
        while (i < n && m < FACE_BATCH_MAX) {
            if (fill(ctx, i, in + m * one))
                idx[m++] = i;
            else
                memset(desc[i], 0, sizeof desc[i]);
            i++;
            if ((m == 1 || m == 2 || m == 4) && n - i < m)
                break;
        }
        int rc = m ? fr_forward(&w->nn, &e->recog, in, m, out) : FACE_OK;
        if (rc != FACE_OK)
            return rc;
        for (int k = 0; k < m; k++)
            memcpy(desc[idx[k]], out + k * FACE_DESCRIPTOR_DIM, sizeof desc[0]);
    }
    return FACE_OK;
}

typedef struct crop_set {
    const face_image *img;
    const fd_region *crops;
} crop_set;

static int fill_crop(const void *ctx, int i, float *dst)
{
    const crop_set *s = ctx;
    const fd_region *c = &s->crops[i];
    if (c->w <= 0 || c->h <= 0)
        return 0;
    fp_input(s->img, c->x, c->y, c->w, c->h, FR_SIZE, 1, FP_NORM_FACE, dst);
    return 1;
}

int fd_describe(face_worker *w, const face_image *img, const fd_region *crops, int n,
                float (*desc)[FACE_DESCRIPTOR_DIM])
{
    const crop_set s = { img, crops };
    return describe_batched(w, n, fill_crop, &s, desc);
}

/* dlib's input layer: (x - mean) / 256 with the recognition means, per RGB channel. */
static const float DLIB_MEAN[3] = { 122.782f, 117.001f, 104.298f };

static int fill_chip(const void *ctx, int i, float *dst)
{
    const face_image *c = &((const face_image *)ctx)[i];
    const size_t one = (size_t)FR_SIZE * FR_SIZE * 3;
    if (!c->rgb || c->width != FR_SIZE || c->height != FR_SIZE)
        return 0;
    for (size_t k = 0; k < one; k++)
        dst[k] = ((float)c->rgb[k] - DLIB_MEAN[k % 3]) / 256.0f;
    return 1;
}

int fd_describe_chips(face_worker *w, const face_image *chips, int n,
                      float (*desc)[FACE_DESCRIPTOR_DIM])
{
    return describe_batched(w, n, fill_chip, chips, desc);
}
