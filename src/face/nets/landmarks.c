/* FaceLandmark68Net and FaceLandmark68TinyNet (FACE-MODELS.md §6): dense blocks of
 * depthwise-separable convs, global average, fc -> 68 (x, y) in 0..1 of the input. */
#include <stdio.h>
#include <string.h>

#include "face/face.h"
#include "face/nets/nets.h"

static const int CH[5] = { 3, 32, 64, 128, 256 }; /* channels in/out of dense0..3 */

/* sep(x) = pointwise(depthwise(x, 3x3, stride, 'same')) + bias, no activation inside */
static void sep_load(fn_builder *b, fn_conv *dw, fn_conv *pw, const char *prefix, int cin,
                     int cout, int stride, enum fn_act act)
{
    fn_dw_load(b, dw, prefix, "depthwise_filter", NULL, 3, cin, stride, FN_SAME, FN_NONE);
    fn_conv_load(b, pw, prefix, "pointwise_filter", "bias", 1, cin, cout, 1, FN_VALID, act);
}

void fl_load(fn_builder *b, fl_net *net, int tiny)
{
    memset(net, 0, sizeof *net);
    net->tiny = tiny;
    net->nblocks = tiny ? 3 : 4;
    net->nconv = tiny ? 3 : 4;
    for (int i = 0; i < net->nblocks; i++) {
        fl_dense *d = &net->dense[i];
        char p[64];
        snprintf(p, sizeof p, "dense%d/conv0", i);
        /* out1 = relu(conv0(x)): relu fused */
        if (i == 0)
            fn_conv_load(b, &d->first, p, "filters", "bias", 3, CH[0], CH[1], 2, FN_SAME,
                         FN_RELU);
        else
            sep_load(b, &d->first, &d->first_pw, p, CH[i], CH[i + 1], 2, FN_RELU);
        for (int j = 1; j < net->nconv; j++) {
            snprintf(p, sizeof p, "dense%d/conv%d", i, j);
            sep_load(b, &d->dw[j - 1], &d->pw[j - 1], p, CH[i + 1], CH[i + 1], 1, FN_NONE);
        }
    }
    fn_fc_load(b, &net->fc, "fc/weights", "fc/bias", CH[net->nblocks], FL_OUT);
}

void fl_free(fl_net *net)
{
    for (int i = 0; i < 4; i++) {
        fl_dense *d = &net->dense[i];
        fn_conv_free(&d->first);
        fn_conv_free(&d->first_pw);
        for (int j = 0; j < 3; j++) {
            fn_conv_free(&d->dw[j]);
            fn_conv_free(&d->pw[j]);
        }
    }
    fn_conv_free(&net->fc);
}

/* denseBlock: out1 = relu(conv0(x)); then, with S the running sum out1 + out2 + ...,
 * out_k+1 = sep(relu(S)) (out2 = sep(out1)) and the block returns relu(S).
 * x -> y; T, S, A are scratch. */
static int dense(fn_ctx *ctx, const fl_net *net, const fl_dense *d, int first,
                 const fn_tensor *x, fn_tensor *y, float *T, float *S, float *A)
{
    fn_tensor t = { .d = T }, s = { .d = S }, a;
    int rc;
    if (first) {
        rc = fn_conv_fwd(ctx, &d->first, x, &s, 0);
    } else {
        rc = fn_conv_fwd(ctx, &d->first, x, &t, 0);
        if (rc == FACE_OK)
            rc = fn_conv_fwd(ctx, &d->first_pw, &t, &s, 0);
    }
    for (int j = 0; j < net->nconv - 1 && rc == FACE_OK; j++) {
        a = s;
        if (j > 0) {             /* out2 takes out1 itself, already >= 0 */
            a.d = A;
            fn_relu_to(A, S, fn_size(&s));
        }
        rc = fn_conv_fwd(ctx, &d->dw[j], &a, &t, 0);
        if (rc == FACE_OK)
            rc = fn_conv_fwd(ctx, &d->pw[j], &t, &s, 1); /* S += sep(...) */
    }
    if (rc == FACE_OK) {
        float *dst = y->d;  /* x is dead by now: y may be x */
        *y = s;
        y->d = dst;
        fn_relu_to(dst, S, fn_size(&s));
    }
    return rc;
}

int fl_forward(fn_ctx *ctx, const fl_net *net, const float *in, int n, float *out)
{
    const size_t big = (size_t)n * 56 * 56 * 32; /* largest activation */
    float *X = fn_buf(ctx, 0, big), *T = fn_buf(ctx, 1, big);
    float *S = fn_buf(ctx, 2, big), *A = fn_buf(ctx, 3, big);
    if (!X || !T || !S || !A)
        return FACE_ERR_NOMEM;

    fn_tensor input = { n, FL_SIZE, FL_SIZE, 3, (float *)in }, x = { .d = X };
    int rc = dense(ctx, net, &net->dense[0], 1, &input, &x, T, S, A); /* 56x56x32 */
    for (int i = 1; i < net->nblocks && rc == FACE_OK; i++)             /* 28, 14, (7) */
        rc = dense(ctx, net, &net->dense[i], 0, &x, &x, T, S, A);
    if (rc != FACE_OK)
        return rc;
    fn_tensor g = { .d = T }, o = { .d = out };
    fn_global_mean(&x, &g);             /* avgPool 7x7 (tiny: 14x14) s2 'valid' = mean */
    return fn_conv_fwd(ctx, &net->fc, &g, &o, 0);
}
