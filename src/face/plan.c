/* Detection strategy: face-api's single pass for parity, or several passes (whole image,
 * zoomed out, mirrored, tiles) merged into one list of faces. The measurements behind the
 * defaults are in docs/face-engine.md. */
#include "face/plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MIN_SCORE 0.5f
#define FACE_MIN_GUARANTEED 40   /* API.md §5.2 */
#define TILE_NET FACE_DETECTOR_TINY
#define TILE_INPUT 416
#define TILE_FACE_PX 40.0        /* input pixels a min-size face gets in a tile */
#define TILE_OVERLAP 0.35        /* of the tile side */
#define TILE_RATIO 3.0           /* tile side growth per level */

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
    /* face-api's pipeline exactly (oracle parity): its crop and its single pass */
    if (o->tiles == FACE_TILES_OFF && o->chip == FACE_CHIP_FACEAPI && !o->portrait) {
        p->faceapi = 1;
        return;
    }
    p->flip = o->portrait;   /* enrolment: mirrored passes too (docs/face-engine.md) */
    /* Tiles: the smallest face that must be found (API.md §5.2: face size 40) has to reach
     * TILE_FACE_PX pixels of the tile network's input. */
    int min_face = o->min_face_size > FACE_MIN_GUARANTEED ? o->min_face_size : FACE_MIN_GUARANTEED;
    p->tile_net = TILE_NET;
    p->tile_input = TILE_INPUT;
    p->tile_min_score = p->min_score;
    p->tile_side = round((double)p->tile_input * min_face / TILE_FACE_PX);
    p->tile_overlap = p->tile_side * TILE_OVERLAP;
    p->tile_ratio = TILE_RATIO;
    p->tiles = o->tiles == FACE_TILES_AUTO && (width > p->tile_side || height > p->tile_side);
    /* SSD misses faces that fill the frame (6 of the 111 LFW portraits at face-api's single
     * pass; 4-6 with our passes but no zoomed-out one when the portraits are upscaled to
     * 650-1000 px); a zoomed-out view finds them all, whatever the image size */
    p->zoom_out = 2;
    p->zoom_net = FACE_DETECTOR_TINY;  /* as good as SSD there, a tenth of the cost */
}

static int run_window(face_worker *w, const face_image *img, enum face_detector net,
                      int input, float min_score, fd_window win, fd_box **b, int *n)
{
    if (net == FACE_DETECTOR_TINY)
        return fd_tiny_window(w, img, win, input, min_score, b, n);
    return fd_ssd_window(w, img, win, min_score, FD_SSD_MAX_RESULTS, b, n);
}

/* Whole-image passes: the image framed as face-api frames it (padded bottom/right to a
 * square, but shrunk by area averaging), zoomed out, mirrored. */
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
        enum face_detector net = wins[i].side > side ? p->zoom_net : p->detector;
        rc = run_window(w, img, net, p->tiny_size, p->min_score, wins[i], &b, &n);
        /* Tiny's boxes are confirmed by landmarks unless the user chose Tiny */
        for (int k = 0; rc == FACE_OK && k < n; k++)
            b[k].unconfirmed = net == FACE_DETECTOR_TINY && p->detector != FACE_DETECTOR_TINY;
        if (rc == FACE_OK)
            rc = push(c, b, n, 0);
        free(b);
        if (rc != FACE_OK)
            return rc;
    }
    return FACE_OK;
}

/* Start of tile i of n covering [0, len) with tiles of `side`, spread evenly; whole
 * pixels, so that a 1:1 tile samples pixel centres exactly. */
static double tile_pos(int i, int n, double len, double side)
{
    return floor(n > 1 ? i * (len - side) / (n - 1) : (len - side) / 2);
}

static int tile_count(double len, double side, double overlap)
{
    if (len <= side)
        return 1;
    return (int)ceil((len - overlap) / (side - overlap));
}

int fd_plan_tiles(const fd_plan *p, int width, int height, fd_window *out, int max)
{
    const double long_side = width > height ? width : height;
    double side = p->tile_side, overlap = p->tile_overlap;
    int n = 0;
    if (!p->tiles || !(side > 0) || !(p->tile_ratio > 1) || !(overlap < side))
        return 0;
    while (side < long_side) {
        const int nx = tile_count(width, side, overlap), ny = tile_count(height, side, overlap);
        for (int ty = 0; ty < ny; ty++)
            for (int tx = 0; tx < nx; tx++, n++)
                if (out && n < max)
                    out[n] = (fd_window){ tile_pos(tx, nx, width, side),
                                          tile_pos(ty, ny, height, side), side, 0 };
        side *= p->tile_ratio;
        overlap *= p->tile_ratio;
    }
    return n;
}

/* Every tile of every level. A box touching an inner tile border is marked cut: the merge
 * prefers another tile's whole view of that face. */
static int tile_passes(face_worker *w, const face_image *img, const fd_plan *p, cands *c)
{
    int n = fd_plan_tiles(p, img->width, img->height, NULL, 0), rc = FACE_OK;
    fd_window *wins = malloc(sizeof *wins * (size_t)(n ? n : 1));
    if (!wins)
        return FACE_ERR_NOMEM;
    fd_plan_tiles(p, img->width, img->height, wins, n);
    for (int t = 0; t < n && rc == FACE_OK; t++) {
        const fd_window win = wins[t];
        const double edge = win.side * 0.02;
        fd_box *b = NULL;
        int nb = 0;
        rc = run_window(w, img, p->tile_net, p->tile_input, p->tile_min_score, win, &b, &nb);
        for (int i = 0; rc == FACE_OK && i < nb; i++) {
            int cut = (win.x > 0 && b[i].x < win.x + edge) ||
                      (win.y > 0 && b[i].y < win.y + edge) ||
                      (win.x + win.side < img->width && b[i].x + b[i].w > win.x + win.side - edge) ||
                      (win.y + win.side < img->height && b[i].y + b[i].h > win.y + win.side - edge);
            b[i].unconfirmed = 1;
            rc = push(c, &b[i], 1, cut);
        }
        free(b);
    }
    free(wins);
    return rc;
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
 * best score of the boxes it absorbs, and is confirmed when any of them is. */
static int merge(cands *c, double thr, fd_box **out, int *n)
{
    if (c->n > 1)
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
        if (dup < 0) {
            k[nk++] = c->v[i].b;
        } else {
            if (c->v[i].b.score > k[dup].score)
                k[dup].score = c->v[i].b.score;
            k[dup].unconfirmed &= c->v[i].b.unconfirmed;
        }
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
    if (rc == FACE_OK && p->tiles)
        rc = tile_passes(w, img, p, &c);
    if (rc == FACE_OK)
        rc = merge(&c, p->merge_iou, out, n);
    free(c.v);
    return rc;
}
