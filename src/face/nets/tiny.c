/* TinyFaceDetector (FACE-MODELS.md §5): Tiny-YOLOv2 with separable convs, 5 anchors. */
#include <stdio.h>
#include <string.h>

#include "face/face.h"
#include "face/nets/nets.h"

static const int CH[7] = { 3, 16, 32, 64, 128, 256, 512 };

void tiny_load(fn_builder *b, tiny_net *net)
{
    char p[32];
    memset(net, 0, sizeof *net);
    /* conv0 is 'valid': 416 -> 414 */
    fn_conv_load(b, &net->conv0, "conv0", "filters", "bias", 3, 3, 16, 1, FN_VALID, FN_LEAKY);
    for (int i = 1; i <= 5; i++) {
        snprintf(p, sizeof p, "conv%d", i);
        /* explicit 1-pixel zero pad + 'valid' 3x3 stride 1 == TF 'same' */
        fn_dw_load(b, &net->dw[i], p, "depthwise_filter", NULL, 3, CH[i], 1, FN_SAME, FN_NONE);
        fn_conv_load(b, &net->pw[i], p, "pointwise_filter", "bias", 1, CH[i], CH[i + 1], 1,
                     FN_VALID, FN_LEAKY);
    }
    fn_conv_load(b, &net->conv8, "conv8", "filters", "bias", 1, 512, 25, 1, FN_VALID, FN_NONE);
}

void tiny_free(tiny_net *net)
{
    fn_conv_free(&net->conv0);
    for (int i = 0; i < 6; i++) {
        fn_conv_free(&net->dw[i]);
        fn_conv_free(&net->pw[i]);
    }
    fn_conv_free(&net->conv8);
}

int tiny_forward(fn_ctx *ctx, const tiny_net *net, const float *in, int size, float *out)
{
    if (size < 32 || size % 32 != 0)
        return FACE_ERR_ARG;
    const size_t big = (size_t)size * size * 16; /* conv0's output is the largest */
    float *X = fn_buf(ctx, 0, big), *T = fn_buf(ctx, 1, big), *U = fn_buf(ctx, 2, big);
    if (!X || !T || !U)
        return FACE_ERR_NOMEM;

    fn_tensor input = { 1, size, size, 3, (float *)in };
    fn_tensor x = { .d = X }, t = { .d = T }, u = { .d = U };
    int rc = fn_conv_fwd(ctx, &net->conv0, &input, &t, 0);    /* (S-2)^2 x 16 */
    for (int i = 1; i <= 5 && rc == FACE_OK; i++) {
        fn_maxpool(&t, &x, 2, 2, FN_SAME);                     /* 207, 104, 52, 26, 13 */
        rc = fn_conv_fwd(ctx, &net->dw[i], &x, &u, 0);
        if (rc == FACE_OK)
            rc = fn_conv_fwd(ctx, &net->pw[i], &u, &t, 0);
    }
    if (rc != FACE_OK)
        return rc;
    fn_maxpool(&t, &x, 2, 1, FN_SAME);                         /* G x G x 512 */
    fn_tensor o = { .d = out };
    return fn_conv_fwd(ctx, &net->conv8, &x, &o, 0);           /* G x G x 25 */
}
