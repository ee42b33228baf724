/* Layer construction: weights read from a model file, folded affine/batch-norm terms,
 * and the TensorFlow padding geometry shared by both convolution backends. */
#include "face/nn/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"

const float *fn_get(fn_builder *b, const char *prefix, const char *name, int ndim,
                        int d0, int d1, int d2, int d3)
{
    char full[160];
    snprintf(full, sizeof full, "%s%s%s", prefix, *prefix ? "/" : "", name);
    return fw_get(&b->r, full, ndim, d0, d1, d2, d3);
}

static void layer_init(fn_builder *b, fn_conv *L, const float *w, const float *bias,
                       size_t wn)
{
    L->w = malloc(wn * sizeof(float));
    L->b = calloc((size_t)L->cout, sizeof(float));
    if (!L->w || !L->b) {
        b->nomem = 1;
        b->r.failed = 1;
        return;
    }
    if (w)
        memcpy(L->w, w, wn * sizeof(float));
    if (bias)
        memcpy(L->b, bias, (size_t)L->cout * sizeof(float));
}

void fn_conv_load(fn_builder *b, fn_conv *L, const char *prefix, const char *wname,
                  const char *bname, int k, int cin, int cout, int stride, enum fn_pad pad,
                  enum fn_act act)
{
    *L = (fn_conv){ .kh = k, .kw = k, .cin = cin, .cout = cout, .stride = stride,
                    .pad = pad, .act = act, .slot = b->nslots++ };
    const float *w = fn_get(b, prefix, wname, 4, k, k, cin, cout);
    const float *bias = bname ? fn_get(b, prefix, bname, 1, cout, 0, 0, 0) : NULL;
    if (w && (bias || !bname))
        layer_init(b, L, w, bias, (size_t)k * k * cin * cout);
}

void fn_fc_load(fn_builder *b, fn_conv *L, const char *wname, const char *bname, int cin,
                int cout)
{
    *L = (fn_conv){ .kh = 1, .kw = 1, .cin = cin, .cout = cout, .stride = 1,
                    .pad = FN_VALID, .act = FN_NONE, .slot = b->nslots++ };
    const float *w = fw_get(&b->r, wname, 2, cin, cout, 0, 0);
    const float *bias = bname ? fw_get(&b->r, bname, 1, cout, 0, 0, 0) : NULL;
    if (w && (bias || !bname))
        layer_init(b, L, w, bias, (size_t)cin * cout);
}

void fn_dw_load(fn_builder *b, fn_conv *L, const char *prefix, const char *wname,
                const char *bname, int k, int c, int stride, enum fn_pad pad, enum fn_act act)
{
    *L = (fn_conv){ .kh = k, .kw = k, .cin = c, .cout = c, .stride = stride, .depthwise = 1,
                    .pad = pad, .act = act, .slot = b->nslots++ };
    const float *w = fn_get(b, prefix, wname, 4, k, k, c, 1);
    const float *bias = bname ? fn_get(b, prefix, bname, 1, c, 0, 0, 0) : NULL;
    if (w && (bias || !bname))
        layer_init(b, L, w, bias, (size_t)k * k * c);
}

void fn_conv_fold_affine(fn_conv *L, const float *scale, const float *shift)
{
    if (!L->w || !scale || !shift)
        return;
    size_t taps = (size_t)L->kh * L->kw * (L->depthwise ? 1 : L->cin);
    for (size_t t = 0; t < taps; t++)
        for (int o = 0; o < L->cout; o++)
            L->w[t * L->cout + o] *= scale[o];
    for (int o = 0; o < L->cout; o++)
        L->b[o] = L->b[o] * scale[o] + shift[o];
}

void fn_conv_fold_bn(fn_conv *L, const float *gamma, const float *beta, const float *mean,
                     const float *var, float eps)
{
    if (!L->w || !gamma || !beta || !mean || !var)
        return;
    float scale[2048], shift[2048];
    if (L->cout > 2048)
        return;
    for (int o = 0; o < L->cout; o++) {
        scale[o] = gamma[o] / sqrtf(var[o] + eps);
        shift[o] = beta[o] - mean[o] * scale[o];
    }
    fn_conv_fold_affine(L, scale, shift);
}

void fn_conv_free(fn_conv *L)
{
    free(L->w);
    free(L->b);
    L->w = L->b = NULL;
}

void fn_pad_geometry(enum fn_pad pad, int in, int k, int s, int *out, int *before)
{
    if (pad == FN_SAME) {
        *out = (in + s - 1) / s;
        int p = (*out - 1) * s + k - in;
        *before = p > 0 ? p / 2 : 0;
    } else {
        *out = (in - k) / s + 1;
        *before = 0;
    }
}

void fn_conv_geometry(const fn_conv *L, int h, int w, int *oh, int *ow, int *pad_t,
                      int *pad_l)
{
    fn_pad_geometry(L->pad, h, L->kh, L->stride, oh, pad_t);
    fn_pad_geometry(L->pad, w, L->kw, L->stride, ow, pad_l);
}
