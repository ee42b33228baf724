#include "face_collage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/prep.h"
#include "face_testutil.h"

#define MAX_SOURCES 256
#define CROP_FACES 2.6   /* side of a pasted square, in face sizes */

typedef struct src_face {
    int image;
    double cx, cy, size;
} src_face;

struct fc_sources {
    face_image img[MAX_SOURCES];
    int n_img;
    src_face face[MAX_SOURCES];
    int n_face;
};

static void eye_mid(const face_det *d, double *x, double *y)
{
    double sx = 0, sy = 0;
    for (int i = 36; i < 48; i++) {
        sx += d->landmarks[i].x;
        sy += d->landmarks[i].y;
    }
    *x = sx / 12;
    *y = sy / 12;
}

fc_sources *fc_sources_load(face_worker *w, const char *const *paths, int n)
{
    fc_sources *s = calloc(1, sizeof *s);
    face_opts o;
    face_opts_default(&o);
    o.describe = 0;
    o.min_face_size = 0;
    for (int i = 0; s && i < n && s->n_img < MAX_SOURCES; i++) {
        size_t len;
        char reason[64];
        face_image img;
        face_det *d = NULL;
        int nd = 0;
        void *data = ft_read_file(paths[i], &len);
        if (!data)
            continue;
        int rc = face_image_decode(data, len, 40000000, &img, reason, sizeof reason);
        free(data);
        if (rc != FACE_OK)
            continue;
        if (face_analyze(w, &img, &o, &d, &nd, NULL) != FACE_OK) {
            free(d);
            face_image_free(&img);
            continue;
        }
        /* a face whose pasted square would show another face is not used */
        int used = 0;
        for (int k = 0; k < nd && s->n_face < MAX_SOURCES; k++) {
            double x, y;
            int alone = d[k].face_size >= 60;
            eye_mid(&d[k], &x, &y);
            for (int j = 0; j < nd && alone; j++) {
                double xj, yj, reach = CROP_FACES / 2 * d[k].face_size + 0.7 * d[j].face_size;
                eye_mid(&d[j], &xj, &yj);
                alone = j == k || fabs(x - xj) > reach || fabs(y - yj) > reach;
            }
            if (!alone)
                continue;
            src_face *f = &s->face[s->n_face++];
            f->image = s->n_img;
            f->cx = x;
            f->cy = y;
            f->size = d[k].face_size;
            used++;
        }
        free(d);
        if (!used) {
            face_image_free(&img);
            continue;
        }
        s->img[s->n_img++] = img;
    }
    return s;
}

int fc_sources_count(const fc_sources *s) { return s ? s->n_face : 0; }

void fc_sources_free(fc_sources *s)
{
    for (int i = 0; s && i < s->n_img; i++)
        face_image_free(&s->img[i]);
    free(s);
}

static unsigned next(unsigned *r)
{
    *r = *r * 1103515245u + 12345u;
    return (*r >> 16) & 0x7fff;
}

int fc_collage(const fc_sources *s, int width, int height, int fmin, int fmax, int max_faces,
               unsigned seed, face_image *out, fc_face **truth, int *n_truth)
{
    const int cell = (int)ceil(CROP_FACES * fmax) + 8;
    const int cols = width / cell, rows = height / cell;
    int rc = face_image_alloc(out, width, height);
    *truth = NULL;
    *n_truth = 0;
    if (rc != FACE_OK)
        return rc;
    memset(out->rgb, 118, (size_t)width * height * 3);
    if (!s || s->n_face == 0 || cols < 1 || rows < 1)
        return FACE_ERR_ARG;
    fc_face *t = malloc(sizeof *t * (size_t)(cols * rows));
    float *buf = malloc(sizeof *buf * (size_t)cell * cell * 3);
    if (!t || !buf) {
        free(t);
        free(buf);
        face_image_free(out);
        return FACE_ERR_NOMEM;
    }
    const int cells = cols * rows, want = max_faces > 0 && max_faces < cells ? max_faces : cells;
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int i = r * cols + c;
            if ((i + 1) * want / cells == i * want / cells)
                continue; /* spread `want` faces evenly over the cells */
            const src_face *f = &s->face[(r * cols + c + seed) % (unsigned)s->n_face];
            double size = fmin + (double)next(&seed) / 0x7fff * (fmax - fmin);
            int side = (int)lround(CROP_FACES * size);
            double src_side = CROP_FACES * f->size;
            int jx = (int)(next(&seed) % (unsigned)(cell - side + 1));
            int jy = (int)(next(&seed) % (unsigned)(cell - side + 1));
            int ox = c * cell + jx, oy = r * cell + jy;
            /* the eye midpoint sits a little above the square's centre */
            fp_window(&s->img[f->image], f->cx - src_side / 2, f->cy - src_side * 0.42,
                      src_side, side, 0, FP_NORM_NONE, buf);
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side * 3; x++) {
                    float v = buf[(size_t)y * side * 3 + x];
                    out->rgb[((size_t)(oy + y) * width) * 3 + (size_t)ox * 3 + x] =
                        (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
                }
            double k = side / src_side;
            t[*n_truth] = (fc_face){ ox + side / 2.0, oy + src_side * 0.42 * k, f->size * k };
            (*n_truth)++;
        }
    free(buf);
    *truth = t;
    return FACE_OK;
}

void fc_score(const fc_face *truth, int nt, const face_det *dets, int nd, int *found,
              int *dups, int *false_pos, int verbose)
{
    int *hits = calloc((size_t)(nt ? nt : 1), sizeof *hits);
    *found = *dups = *false_pos = 0;
    for (int i = 0; i < nd; i++) {
        double x, y;
        int match = -1;
        eye_mid(&dets[i], &x, &y);
        for (int k = 0; k < nt && match < 0; k++) {
            double ratio = dets[i].face_size / truth[k].size;
            if (hypot(x - truth[k].cx, y - truth[k].cy) < 0.3 * truth[k].size && ratio < 1.6 &&
                ratio > 1 / 1.6)
                match = k;
        }
        if (match < 0 && verbose) {
            double bd = 1e9;
            int bk = -1;
            for (int k = 0; k < nt; k++)
                if (hypot(x - truth[k].cx, y - truth[k].cy) < bd) {
                    bd = hypot(x - truth[k].cx, y - truth[k].cy);
                    bk = k;
                }
            printf("  unmatched detection at %.0f,%.0f size %d score %.2f; nearest truth "
                   "%.0f px away, size %.0f\n", x, y, dets[i].face_size, dets[i].score, bd,
                   bk >= 0 ? truth[bk].size : 0);
        }
        if (match < 0)
            (*false_pos)++;
        else if (hits[match]++)
            (*dups)++;
    }
    for (int k = 0; k < nt; k++) {
        *found += hits[k] > 0;
        if (!hits[k] && verbose)
            printf("  missed face at %.0f,%.0f size %.0f\n", truth[k].cx, truth[k].cy,
                   truth[k].size);
    }
    free(hits);
}
