/* Plain-C helpers of the networks (memory bound; the same code for both backends). */
#include "face/nn/ops.h"

#include <math.h>
#include <string.h>

void fn_relu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] > 0 ? x[i] : 0;
}

void fn_relu_to(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] > 0 ? src[i] : 0;
}

void fn_maxpool(const fn_tensor *x, fn_tensor *y, int k, int s, enum fn_pad pad)
{
    int pt, pl;
    fn_pad_geometry(pad, x->h, k, s, &y->h, &pt);
    fn_pad_geometry(pad, x->w, k, s, &y->w, &pl);
    y->n = x->n;
    y->c = x->c;
    const int C = x->c;
    for (int n = 0; n < x->n; n++)
        for (int oy = 0; oy < y->h; oy++)
            for (int ox = 0; ox < y->w; ox++) {
                float *o = y->d + (((size_t)n * y->h + oy) * y->w + ox) * C;
                int first = 1;
                for (int i = 0; i < k; i++) {
                    int iy = oy * s + i - pt;
                    if (iy < 0 || iy >= x->h)
                        continue;
                    for (int j = 0; j < k; j++) {
                        int ix = ox * s + j - pl;
                        if (ix < 0 || ix >= x->w)
                            continue;
                        const float *p = x->d + (((size_t)n * x->h + iy) * x->w + ix) * C;
                        if (first) {
                            memcpy(o, p, (size_t)C * sizeof(float));
                            first = 0;
                        } else {
                            for (int c = 0; c < C; c++)
                                o[c] = p[c] > o[c] ? p[c] : o[c];
                        }
                    }
                }
            }
}

void fn_avgpool_valid(const fn_tensor *x, fn_tensor *y, int k, int s)
{
    y->n = x->n;
    y->h = (x->h - k) / s + 1;
    y->w = (x->w - k) / s + 1;
    y->c = x->c;
    const int C = x->c;
    const float inv = 1.0f / (float)(k * k);
    for (int n = 0; n < x->n; n++)
        for (int oy = 0; oy < y->h; oy++)
            for (int ox = 0; ox < y->w; ox++) {
                float *o = y->d + (((size_t)n * y->h + oy) * y->w + ox) * C;
                memset(o, 0, (size_t)C * sizeof(float));
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) {
                        const float *p =
                            x->d + (((size_t)n * x->h + oy * s + i) * x->w + ox * s + j) * C;
                        for (int c = 0; c < C; c++)
                            o[c] += p[c];
                    }
                for (int c = 0; c < C; c++)
                    o[c] *= inv;
            }
}

void fn_global_mean(const fn_tensor *x, fn_tensor *y)
{
    fn_tensor in = *x;
    int k = x->h;
    /* every use here is a square map pooled as a whole */
    fn_avgpool_valid(&in, y, k, 1);
}
