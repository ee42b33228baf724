#ifndef ATTENDLY_FACE_NN_NN_H
#define ATTENDLY_FACE_NN_NN_H
/* A tiny CNN toolkit for the face networks: layers (layer.h), plain-C helpers (ops.h)
 * and a per-worker context whose fn_conv_fwd() runs a convolution on one of two
 * backends:
 *   FN_BACKEND_REF   plain C loops (conv_ref.c), obviously correct
 *   FN_BACKEND_DNNL  oneDNN primitives (conv_dnnl.c), created once per worker and shape */
#include <stddef.h>

#include "face/nn/conv_dnnl.h"
#include "face/nn/conv_ref.h"
#include "face/nn/layer.h"
#include "face/nn/ops.h"

enum fn_backend { FN_BACKEND_REF = 0, FN_BACKEND_DNNL = 1 };

#define FN_NBUF 6

typedef struct fn_ctx {
    enum fn_backend backend;
    struct fn_dnnl *dnnl;   /* oneDNN engine, stream and primitive cache (DNNL only) */
    float *buf[FN_NBUF];    /* scratch activations, 64-byte aligned, grown on demand */
    size_t cap[FN_NBUF];
    fn_ref_scratch ref;     /* REF: one output pixel's accumulators */
} fn_ctx;

/* shared: cache of reordered weights common to all workers of an engine (may be NULL
 * for the REF backend). */
int fn_ctx_init(fn_ctx *ctx, enum fn_backend backend, int nslots,
                struct fn_dnnl_shared *shared);
void fn_ctx_free(fn_ctx *ctx);

/* Scratch buffer i with room for at least n floats. Reserve every buffer a forward
 * pass needs before using any: growing one moves it. NULL when out of memory. */
float *fn_buf(fn_ctx *ctx, int i, size_t n);

/* y = act(conv(x) + bias [+ y when accumulate]); y->d must have room; y's shape is set. */
int fn_conv_fwd(fn_ctx *ctx, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                int accumulate);

#endif
