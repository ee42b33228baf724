/* FaceRecognitionNet (FACE-MODELS.md §7): dlib's ResNet-29 as ported by face-api. */
#include <stdio.h>
#include <string.h>

#include "face/face.h"
#include "face/nets/nets.h"

static const struct {
    const char *name;
    int cin, cout, down;
} BLOCKS[FR_BLOCKS] = {
    { "conv32_1", 32, 32, 0 },      { "conv32_2", 32, 32, 0 },
    { "conv32_3", 32, 32, 0 },      { "conv64_down", 32, 64, 1 },
    { "conv64_1", 64, 64, 0 },      { "conv64_2", 64, 64, 0 },
    { "conv64_3", 64, 64, 0 },      { "conv128_down", 64, 128, 1 },
    { "conv128_1", 128, 128, 0 },   { "conv128_2", 128, 128, 0 },
    { "conv256_down", 128, 256, 1 }, { "conv256_1", 256, 256, 0 },
    { "conv256_2", 256, 256, 0 },   { "conv256_down_out", 256, 256, 1 },
};

/* convLayer: conv + bias, then the per-channel `scale` affine, folded at load. */
static void conv_layer(fn_builder *b, fn_conv *L, const char *prefix, int k, int cin,
                       int cout, int stride, enum fn_pad pad, enum fn_act act)
{
    fn_conv_load(b, L, prefix, "conv/filters", "conv/bias", k, cin, cout, stride, pad, act);
    fn_conv_fold_affine(L, fn_get(b, prefix, "scale/weights", 1, cout, 0, 0, 0),
                        fn_get(b, prefix, "scale/biases", 1, cout, 0, 0, 0));
}

void fr_load(fn_builder *b, fr_net *net)
{
    memset(net, 0, sizeof *net);
    conv_layer(b, &net->conv32_down, "conv32_down", 7, 3, 32, 2, FN_VALID, FN_RELU);
    for (int i = 0; i < FR_BLOCKS; i++) {
        fr_block *blk = &net->block[i];
        char p[64];
        blk->down = BLOCKS[i].down;
        snprintf(p, sizeof p, "%s/conv1", BLOCKS[i].name);
        conv_layer(b, &blk->conv1, p, 3, BLOCKS[i].cin, BLOCKS[i].cout, blk->down ? 2 : 1,
                   blk->down ? FN_VALID : FN_SAME, FN_RELU);
        snprintf(p, sizeof p, "%s/conv2", BLOCKS[i].name);
        /* residual: relu(conv2 + x) fuses into conv2 (sum, then relu); residualDown
         * merges its shortcut separately */
        conv_layer(b, &blk->conv2, p, 3, BLOCKS[i].cout, BLOCKS[i].cout, 1, FN_SAME,
                   blk->down ? FN_NONE : FN_RELU);
    }
    fn_fc_load(b, &net->fc, "fc", NULL, 256, 128);
}

void fr_free(fr_net *net)
{
    fn_conv_free(&net->conv32_down);
    for (int i = 0; i < FR_BLOCKS; i++) {
        fn_conv_free(&net->block[i].conv1);
        fn_conv_free(&net->block[i].conv2);
    }
    fn_conv_free(&net->fc);
}

/* relu(conv2(conv1(x)) + x), in place: conv2 accumulates into x and applies relu. */
static int residual(fn_ctx *ctx, const fr_block *blk, fn_tensor *x, float *tmp)
{
    fn_tensor t = { .d = tmp };
    int rc = fn_conv_fwd(ctx, &blk->conv1, x, &t, 0);
    if (rc != FACE_OK)
        return rc;
    fn_tensor y = *x;
    return fn_conv_fwd(ctx, &blk->conv2, &t, &y, 1);
}

/* relu(avgpool2x2(x) ++ zero channels + conv branch zero-padded bottom/right). */
static void merge_down(const fn_tensor *x, const fn_tensor *b, fn_tensor *y)
{
    y->n = x->n;
    y->h = (x->h - 2) / 2 + 1;
    y->w = (x->w - 2) / 2 + 1;
    y->c = b->c;
    const int Ci = x->c, C = y->c;
    for (int n = 0; n < y->n; n++)
        for (int i = 0; i < y->h; i++)
            for (int j = 0; j < y->w; j++) {
                float *o = y->d + (((size_t)n * y->h + i) * y->w + j) * C;
                const float *p = x->d + (((size_t)n * x->h + 2 * i) * x->w + 2 * j) * Ci;
                const float *q = p + (size_t)x->w * Ci;
                for (int c = 0; c < Ci; c++)
                    o[c] = (p[c] + p[Ci + c] + q[c] + q[Ci + c]) * 0.25f;
                for (int c = Ci; c < C; c++)
                    o[c] = 0;
                if (i < b->h && j < b->w) {
                    const float *r = b->d + (((size_t)n * b->h + i) * b->w + j) * C;
                    for (int c = 0; c < C; c++)
                        o[c] += r[c];
                }
                fn_relu(o, (size_t)C);
            }
}

static int residual_down(fn_ctx *ctx, const fr_block *blk, const fn_tensor *x, fn_tensor *y,
                         float *tmp1, float *tmp2)
{
    fn_tensor a = { .d = tmp1 }, b = { .d = tmp2 };
    int rc = fn_conv_fwd(ctx, &blk->conv1, x, &a, 0);
    if (rc == FACE_OK)
        rc = fn_conv_fwd(ctx, &blk->conv2, &a, &b, 0);
    if (rc == FACE_OK)
        merge_down(x, &b, y);
    return rc;
}

int fr_forward(fn_ctx *ctx, const fr_net *net, const float *in, int n, float *out)
{
    const size_t big = (size_t)n * 72 * 72 * 32; /* largest activation */
    float *X = fn_buf(ctx, 0, big), *Y = fn_buf(ctx, 1, big);
    float *T = fn_buf(ctx, 2, big), *U = fn_buf(ctx, 3, big);
    if (!X || !Y || !T || !U)
        return FACE_ERR_NOMEM;

    fn_tensor input = { n, FR_SIZE, FR_SIZE, 3, (float *)in };
    fn_tensor a = { .d = T }, x = { .d = X }, y = { .d = Y };
    int rc = fn_conv_fwd(ctx, &net->conv32_down, &input, &a, 0); /* 72x72x32 */
    if (rc != FACE_OK)
        return rc;
    fn_maxpool(&a, &x, 3, 2, FN_VALID);                              /* 35x35x32 */
    for (int i = 0; i < FR_BLOCKS && rc == FACE_OK; i++) {
        if (!net->block[i].down) {
            rc = residual(ctx, &net->block[i], &x, T);
        } else {                                  /* 17x17x64, 8x8x128, 4x4x256, 2x2x256 */
            rc = residual_down(ctx, &net->block[i], &x, &y, T, U);
            fn_tensor s = x;
            x = y;
            y = s;
        }
    }
    if (rc != FACE_OK)
        return rc;
    fn_tensor g = { .d = T }, d = { .d = out };
    fn_global_mean(&x, &g);                                          /* n x 256 */
    return fn_conv_fwd(ctx, &net->fc, &g, &d, 0);                    /* n x 128 */
}
