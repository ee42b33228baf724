/* The per-worker execution context: scratch buffers and the convolution dispatcher that
 * picks the backend (conv_ref.c or conv_dnnl.c). */
#include "face/nn/nn.h"

#include <stdlib.h>
#include <string.h>

#include "face/face.h"

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
    fn_ref_scratch_free(&ctx->ref);
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
    return fn_conv_fwd_ref(&ctx->ref, L, x, y, accumulate);
}
