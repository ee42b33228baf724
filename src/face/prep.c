/* Pad-to-square + legacy bilinear resize + normalisation, without materialising the
 * padded square (a 4000-pixel photo would need 190 MB of floats). */
#include "face/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const float TINY_MEAN[3] = { 117.001f, 114.697f, 97.404f };
static const float FACE_MEAN[3] = { 122.782f, 117.001f, 104.298f };

static void normalise(enum fp_norm norm, const float px[3], float *out)
{
    for (int k = 0; k < 3; k++) {
        switch (norm) {
        case FP_NORM_SSD: out[k] = px[k] / 127.5f - 1.0f; break;
        case FP_NORM_TINY: out[k] = (px[k] - TINY_MEAN[k]) / 255.0f; break;
        case FP_NORM_FACE: out[k] = (px[k] - FACE_MEAN[k]) / 255.0f; break;
        default: out[k] = px[k]; break;
        }
    }
}

void fp_input(const face_image *img, int x, int y, int w, int h, int size, int center,
              enum fp_norm norm, float *out)
{
    const int S = w > h ? w : h;
    int before = 0;
    if (center && w != h) {
        int diff = w > h ? w - h : h - w;
        int append = (diff + 1) / 2; /* JS Math.round(diff/2): .5 rounds up */
        before = diff - append;
    }
    /* square cell (sy, sx) shows image pixel (y + sy - offy, x + sx - offx) if inside */
    const int offx = w < h ? before : 0, offy = h < w ? before : 0;
    const size_t stride = (size_t)img->width * 3;
#define PIX(sy, sx, k)                                                                    \
    (((sy) - offy) >= 0 && ((sy) - offy) < h && ((sx) - offx) >= 0 && ((sx) - offx) < w   \
         ? (float)img->rgb[(size_t)(y + (sy) - offy) * stride +                            \
                           (size_t)(x + (sx) - offx) * 3 + (k)]                            \
         : 0.0f)
    /* the tfjs wasm kernel works in float32: so do we */
    const float ratio = (float)S / (float)size;
    for (int r = 0; r < size; r++) {
        int y0 = r, y1 = r;
        float dy = 0;
        if (S != size) {
            float fy = (float)r * ratio;
            y0 = (int)floorf(fy);
            y1 = (int)ceilf(fy);
            if (y1 > S - 1)
                y1 = S - 1;
            dy = fy - (float)y0;
        }
        for (int c = 0; c < size; c++) {
            int x0 = c, x1 = c;
            float dx = 0, px[3];
            if (S != size) {
                float fx = (float)c * ratio;
                x0 = (int)floorf(fx);
                x1 = (int)ceilf(fx);
                if (x1 > S - 1)
                    x1 = S - 1;
                dx = fx - (float)x0;
            }
            for (int k = 0; k < 3; k++) {
                float tl = PIX(y0, x0, k), tr = PIX(y0, x1, k);
                float bl = PIX(y1, x0, k), br = PIX(y1, x1, k);
                float top = tl + (tr - tl) * dx;
                float bot = bl + (br - bl) * dx;
                px[k] = top + (bot - top) * dy;
            }
            normalise(norm, px, out + ((size_t)r * size + c) * 3);
        }
    }
#undef PIX
}

void fp_reshaped(int w, int h, int size, int *rw, int *rh)
{
    double m = w > h ? w : h;
    *rw = (int)floor((double)w * size / m + 0.5);
    *rh = (int)floor((double)h * size / m + 0.5);
}

/* Pixel rows/columns [i0, i1) whose centres fall in [a, b): the footprint of one output
 * cell when shrinking. */
static void footprint(double a, double b, int *i0, int *i1)
{
    *i0 = (int)ceil(a - 0.5);
    *i1 = (int)ceil(b - 0.5);
    if (*i1 <= *i0)
        *i1 = *i0 + 1;
}

static int window_shrink(const face_image *img, double x0, double y0, double ratio, int size,
                         int flip, enum fp_norm norm, float *out)
{
    const int W = img->width, H = img->height;
    /* per output column: clamped source range and its full width; row accumulator */
    int *cx0 = malloc(sizeof(int) * 3 * (size_t)size);
    float *acc = malloc(sizeof(float) * 3 * (size_t)size);
    if (!cx0 || !acc) {
        free(cx0);
        free(acc);
        return FACE_ERR_NOMEM;
    }
    int *cx1 = cx0 + size, *cn = cx1 + size;
    for (int c = 0; c < size; c++) {
        int a, b;
        footprint(x0 + c * ratio, x0 + (c + 1) * ratio, &a, &b);
        cn[c] = b - a;
        cx0[c] = a < 0 ? 0 : a > W ? W : a;
        cx1[c] = b < 0 ? 0 : b > W ? W : b;
    }
    for (int r = 0; r < size; r++) {
        int a, b;
        footprint(y0 + r * ratio, y0 + (r + 1) * ratio, &a, &b);
        const int rows = b - a;
        if (a < 0)
            a = 0;
        if (b > H)
            b = H;
        memset(acc, 0, sizeof(float) * 3 * (size_t)size);
        for (int y = a; y < b; y++) {
            const uint8_t *row = img->rgb + (size_t)y * W * 3;
            for (int c = 0; c < size; c++) {
                unsigned s0 = 0, s1 = 0, s2 = 0;
                for (int x = cx0[c]; x < cx1[c]; x++) {
                    s0 += row[3 * x];
                    s1 += row[3 * x + 1];
                    s2 += row[3 * x + 2];
                }
                acc[3 * c] += (float)s0;
                acc[3 * c + 1] += (float)s1;
                acc[3 * c + 2] += (float)s2;
            }
        }
        for (int c = 0; c < size; c++) {
            float px[3], inv = 1.0f / ((float)rows * (float)cn[c]);
            for (int k = 0; k < 3; k++)
                px[k] = acc[3 * c + k] * inv;   /* outside pixels count as black */
            int oc = flip ? size - 1 - c : c;
            normalise(norm, px, out + ((size_t)r * size + oc) * 3);
        }
    }
    free(cx0);
    free(acc);
    return FACE_OK;
}

/* Enlarging (or 1:1) bilinear sampling; the column weights are computed once per call. */
static int window_enlarge(const face_image *img, double x0, double y0, double ratio,
                          int size, int flip, enum fp_norm norm, float *out)
{
    const int W = img->width, H = img->height;
    int *xa = malloc(sizeof(int) * 3 * (size_t)size);   /* xa, xb, inside-x flags */
    float *dxs = malloc(sizeof(float) * (size_t)size);
    if (!xa || !dxs) {
        free(xa);
        free(dxs);
        return FACE_ERR_NOMEM;
    }
    int *xb = xa + size, *in_x = xb + size;
    for (int c = 0; c < size; c++) {
        double fx = x0 + (c + 0.5) * ratio - 0.5;
        double cx = fmin(fmax(fx, 0), W - 1);
        in_x[c] = fx >= -0.5 && fx <= W - 0.5;
        xa[c] = (int)floor(cx);
        xb[c] = xa[c] + 1 < W ? xa[c] + 1 : xa[c];
        dxs[c] = (float)(cx - xa[c]);
    }
    for (int r = 0; r < size; r++) {
        double fy = y0 + (r + 0.5) * ratio - 0.5;
        int inside_y = fy >= -0.5 && fy <= H - 0.5;
        double cy = fmin(fmax(fy, 0), H - 1);
        int y0i = (int)floor(cy), y1i = y0i + 1 < H ? y0i + 1 : y0i;
        float dy = (float)(cy - y0i);
        const uint8_t *r0 = img->rgb + (size_t)y0i * W * 3, *r1 = img->rgb + (size_t)y1i * W * 3;
        for (int c = 0; c < size; c++) {
            float px[3] = { 0, 0, 0 };
            if (inside_y && in_x[c]) {
                const uint8_t *p00 = r0 + xa[c] * 3, *p01 = r0 + xb[c] * 3;
                const uint8_t *p10 = r1 + xa[c] * 3, *p11 = r1 + xb[c] * 3;
                float dx = dxs[c];
                for (int k = 0; k < 3; k++) {
                    float top = p00[k] + (p01[k] - p00[k]) * dx;
                    float bot = p10[k] + (p11[k] - p10[k]) * dx;
                    px[k] = top + (bot - top) * dy;
                }
            }
            int oc = flip ? size - 1 - c : c;
            normalise(norm, px, out + ((size_t)r * size + oc) * 3);
        }
    }
    free(xa);
    free(dxs);
    return FACE_OK;
}

/* 1:1 window at whole-pixel offsets (tiles): a straight copy, normalised as y = x*a + b. */
static void window_copy(const face_image *img, int x0, int y0, int size, int flip,
                        enum fp_norm norm, float *out)
{
    float a[3], b[3], zero[3] = { 0, 0, 0 }, one[3] = { 1, 1, 1 };
    normalise(norm, zero, b);
    normalise(norm, one, a);
    for (int k = 0; k < 3; k++)
        a[k] -= b[k];
    for (int r = 0; r < size; r++) {
        float *o = out + (size_t)r * size * 3;
        int y = y0 + r;
        for (int c = 0; c < size; c++) {
            int x = x0 + c, oc = flip ? size - 1 - c : c;
            float *q = o + (size_t)oc * 3;
            if (y < 0 || y >= img->height || x < 0 || x >= img->width) {
                q[0] = b[0];
                q[1] = b[1];
                q[2] = b[2];
                continue;
            }
            const uint8_t *p = img->rgb + ((size_t)y * img->width + x) * 3;
            q[0] = p[0] * a[0] + b[0];
            q[1] = p[1] * a[1] + b[1];
            q[2] = p[2] * a[2] + b[2];
        }
    }
}

int fp_window(const face_image *img, double x0, double y0, double side, int size, int flip,
              enum fp_norm norm, float *out)
{
    double ratio = side / size;
    if (size < 1 || !(side > 0) || !isfinite(x0) || !isfinite(y0) || !isfinite(side) ||
        fabs(x0) > 1e9 || fabs(y0) > 1e9 || side > 1e9)
        return FACE_ERR_ARG;
    if (side == size && x0 == floor(x0) && y0 == floor(y0)) {
        window_copy(img, (int)x0, (int)y0, size, flip, norm, out);
        return FACE_OK;
    }
    if (ratio > 1.0 + 1e-9)
        return window_shrink(img, x0, y0, ratio, size, flip, norm, out);
    return window_enlarge(img, x0, y0, ratio, size, flip, norm, out);
}
