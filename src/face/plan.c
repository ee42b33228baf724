/* Detection strategy: face-api's single pass for parity, or several passes (whole image,
 * zoomed out, mirrored, tiles) merged into one list of faces. The measurements behind the
 * defaults are in docs/face-engine.md. */
#include "face/plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MIN_SCORE 0.5f

/* A candidate of the merge: cut = it touches the inner border of its tile, so another
 * window probably sees the face whole. */
typedef struct cand {
    fd_box b;
    int cut;
} cand;

typedef struct cands {
    cand *v;
    int n, cap;
} cands;

static int push(cands *c, const fd_box *b, int n, int cut)
{
    if (c->n + n > c->cap) {
        int cap = (c->n + n) * 2 + 16;
        cand *v = realloc(c->v, sizeof *v * (size_t)cap);
        if (!v)
            return FACE_ERR_NOMEM;
        c->v = v;
        c->cap = cap;
    }
    for (int i = 0; i < n; i++)
        c->v[c->n++] = (cand){ b[i], cut };
    return FACE_OK;
}

void fd_plan_make(const face_opts *o, int width, int height, fd_plan *p)
{
    memset(p, 0, sizeof *p);
    p->detector = o->detector;
    p->min_score = o->min_score > 0 ? o->min_score : DEFAULT_MIN_SCORE;
    p->tiny_size = o->tiny_input_size > 0 ? o->tiny_input_size : TINY_DEFAULT_SIZE;
    p->merge_iou = 0.4;
    if (o->tiles == FACE_TILES_OFF && !o->portrait) {
        p->faceapi = 1;
        return;
    }
    p->zoom_out = 2;
    p->flip = o->portrait;
    (void)width;
    (void)height;
}

static int run_window(face_worker *w, const face_image *img, const fd_plan *p,
                      enum face_detector net, int input, float min_score, fd_window win,
                      fd_box **b, int *n)
{
    if (net == FACE_DETECTOR_TINY)
        return fd_tiny_window(w, img, win, input, min_score, b, n);
    return fd_ssd_window(w, img, win, min_score, FD_SSD_MAX_RESULTS, b, n);
}

/* Whole-image passes: the image itself (face-api's input), zoomed out, mirrored. */
static int whole_passes(face_worker *w, const face_image *img, const fd_plan *p, cands *c)
{
    const double side = img->width > img->height ? img->width : img->height;
    fd_box *b = NULL;
    int n = 0, rc;
    fd_window wins[4];
    int nw = 0;
    wins[nw++] = (fd_window){ 0, 0, side, 0 };
    if (p->flip)
        wins[nw++] = (fd_window){ img->width - side, 0, side, 1 };
    if (p->zoom_out > 1) {
        double zs = side * p->zoom_out;
        fd_window z = { (img->width - zs) / 2, (img->height - zs) / 2, zs, 0 };
        wins[nw++] = z;
        if (p->flip) {
            z.flip = 1;
            wins[nw++] = z;
        }
    }
    for (int i = 0; i < nw; i++) {
        rc = run_window(w, img, p, p->detector, p->tiny_size, p->min_score, wins[i], &b, &n);
        if (rc == FACE_OK)
            rc = push(c, b, n, 0);
        free(b);
        if (rc != FACE_OK)
            return rc;
    }
    return FACE_OK;
}

static double iou(const fd_box *a, const fd_box *b)
{
    double iw = fmax(0, fmin(a->x + a->w, b->x + b->w) - fmax(a->x, b->x));
    double ih = fmax(0, fmin(a->y + a->h, b->y + b->h) - fmax(a->y, b->y));
    double inter = iw * ih, u = a->w * a->h + b->w * b->h - inter;
    return u > 0 ? inter / u : 0;
}

static int by_priority(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    if (a->cut != b->cut)
        return a->cut - b->cut;
    if (a->b.score != b->b.score)
        return a->b.score > b->b.score ? -1 : 1;
    return 0;
}

static int by_score(const void *x, const void *y)
{
    const fd_box *a = x, *b = y;
    return a->score > b->score ? -1 : a->score < b->score;
}

/* Greedy NMS over every pass: whole faces first, then by score; a kept box takes the
 * best score of the boxes it absorbs. */
static int merge(cands *c, double thr, fd_box **out, int *n)
{
    qsort(c->v, (size_t)c->n, sizeof *c->v, by_priority);
    fd_box *k = malloc(sizeof *k * (size_t)(c->n ? c->n : 1));
    int nk = 0;
    if (!k)
        return FACE_ERR_NOMEM;
    for (int i = 0; i < c->n; i++) {
        int dup = -1;
        for (int j = 0; j < nk && dup < 0; j++)
            if (iou(&c->v[i].b, &k[j]) > thr)
                dup = j;
        if (dup < 0)
            k[nk++] = c->v[i].b;
        else if (c->v[i].b.score > k[dup].score)
            k[dup].score = c->v[i].b.score;
    }
    qsort(k, (size_t)nk, sizeof *k, by_score);
    *out = k;
    *n = nk;
    return FACE_OK;
}

int fd_plan_run(face_worker *w, const face_image *img, const fd_plan *p, fd_box **out, int *n)
{
    fd_region all = { 0, 0, img->width, img->height };
    cands c = { 0 };
    int rc;
    *out = NULL;
    *n = 0;
    if (p->faceapi) {
        if (p->detector == FACE_DETECTOR_TINY)
            return fd_tiny(w, img, all, p->tiny_size, p->min_score, out, n);
        return fd_ssd(w, img, all, p->min_score, FD_SSD_MAX_RESULTS, out, n);
    }
    rc = whole_passes(w, img, p, &c);
    if (rc == FACE_OK)
        rc = merge(&c, p->merge_iou, out, n);
    free(c.v);
    return rc;
}
