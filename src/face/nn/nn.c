/* Layer construction, weight folding, scratch buffers and the plain-C helpers. */
#include "face/nn/nn.h"

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

static void same_or_valid(enum fn_pad pad, int in, int k, int s, int *out, int *before)
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
    same_or_valid(L->pad, h, L->kh, L->stride, oh, pad_t);
    same_or_valid(L->pad, w, L->kw, L->stride, ow, pad_l);
}

/* ---- context ------------------------------------------------------------------------ */

int fn_ctx_init(fn_ctx *ctx, enum fn_backend backend, int nslots,
                struct fn_dnnl_shared *shared)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->backend = backend;
    if (backend == FN_BACKEND_DNNL) {
        ctx->dnnl = fn_dnnl_new(nslots, shared);
        if (!ctx->dnnl)
            return FACE_ERR_NOMEM;
    }
    return FACE_OK;
}

void fn_ctx_free(fn_ctx *ctx)
{
    if (ctx->dnnl)
        fn_dnnl_free(ctx->dnnl);
    for (int i = 0; i < FN_NBUF; i++)
        free(ctx->buf[i]);
    free(ctx->acc);
    memset(ctx, 0, sizeof *ctx);
}

float *fn_buf(fn_ctx *ctx, int i, size_t n)
{
    if (i < 0 || i >= FN_NBUF)
        return NULL;
    if (ctx->cap[i] < n) {
        size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
        float *p = aligned_alloc(64, bytes);
        if (!p)
            return NULL;
        free(ctx->buf[i]);
        ctx->buf[i] = p;
        ctx->cap[i] = n;
    }
    return ctx->buf[i];
}

int fn_conv_fwd(fn_ctx *ctx, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                int accumulate)
{
    if (x->c != L->cin)
        return FACE_ERR_ARG;
    if (ctx->backend == FN_BACKEND_DNNL)
        return fn_conv_fwd_dnnl(ctx->dnnl, L, x, y, accumulate);
    return fn_conv_fwd_ref(ctx, L, x, y, accumulate);
}

/* ---- helpers ------------------------------------------------------------------------ */

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
    same_or_valid(pad, x->h, k, s, &y->h, &pt);
    same_or_valid(pad, x->w, k, s, &y->w, &pl);
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
