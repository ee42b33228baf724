/* SsdMobilenetv1 (FACE-MODELS.md §4): MobileNet-V1 backbone, 8 extra layers, 6 box/class
 * heads over 5118 stored anchors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"
#include "face/nets/nets.h"

#define BN_EPS 0.0010000000474974513f

static const struct { int cin, cout, stride; } BACKBONE[14] = {
    { 3, 32, 2 },                                             /* Conv2d_0: plain 3x3 conv */
    { 32, 64, 1 },    { 64, 128, 2 },   { 128, 128, 1 },  { 128, 256, 2 },
    { 256, 256, 1 },  { 256, 512, 2 },  { 512, 512, 1 },  { 512, 512, 1 },
    { 512, 512, 1 },  { 512, 512, 1 },  { 512, 512, 1 },  { 512, 1024, 2 },
    { 1024, 1024, 1 },
};
static const struct { int k, stride, cin, cout; } EXTRA[8] = {
    { 1, 1, 1024, 256 }, { 3, 2, 256, 512 }, { 1, 1, 512, 128 }, { 3, 2, 128, 256 },
    { 1, 1, 256, 128 },  { 3, 2, 128, 256 }, { 1, 1, 256, 64 },  { 3, 2, 64, 128 },
};
static const int HEAD_C[6] = { 512, 1024, 512, 256, 256, 128 };   /* feature channels */
static const int HEAD_A[6] = { 3, 6, 6, 6, 6, 6 };                /* anchors per cell */

void ssd_load(fn_builder *b, ssd_net *net)
{
    char p[96];
    memset(net, 0, sizeof *net);
    fn_conv_load(b, &net->conv0, "MobilenetV1/Conv2d_0_pointwise", "weights",
                 "convolution_bn_offset", 3, 3, 32, 2, FN_SAME, FN_RELU6);
    for (int i = 1; i < 14; i++) {
        int cin = BACKBONE[i].cin;
        snprintf(p, sizeof p, "MobilenetV1/Conv2d_%d_depthwise", i);
        /* relu6(batchnorm(depthwise(x))): the batch norm is folded into the filter */
        fn_dw_load(b, &net->dw[i], p, "depthwise_weights", NULL, 3, cin, BACKBONE[i].stride,
                   FN_SAME, FN_RELU6);
        fn_conv_fold_bn(&net->dw[i], fn_get(b, p, "BatchNorm/gamma", 1, cin, 0, 0, 0),
                        fn_get(b, p, "BatchNorm/beta", 1, cin, 0, 0, 0),
                        fn_get(b, p, "BatchNorm/moving_mean", 1, cin, 0, 0, 0),
                        fn_get(b, p, "BatchNorm/moving_variance", 1, cin, 0, 0, 0), BN_EPS);
        snprintf(p, sizeof p, "MobilenetV1/Conv2d_%d_pointwise", i);
        fn_conv_load(b, &net->pw[i], p, "weights", "convolution_bn_offset", 1, cin,
                     BACKBONE[i].cout, 1, FN_SAME, FN_RELU6);
    }
    for (int i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "Prediction/Conv2d_%d_pointwise", i);
        fn_conv_load(b, &net->extra[i], p, "weights", "convolution_bn_offset", EXTRA[i].k,
                     EXTRA[i].cin, EXTRA[i].cout, EXTRA[i].stride, FN_SAME, FN_RELU6);
    }
    for (int k = 0; k < 6; k++) {
        snprintf(p, sizeof p, "Prediction/BoxPredictor_%d/BoxEncodingPredictor", k);
        fn_conv_load(b, &net->box[k], p, "weights", "biases", 1, HEAD_C[k], 4 * HEAD_A[k], 1,
                     FN_SAME, FN_NONE);
        snprintf(p, sizeof p, "Prediction/BoxPredictor_%d/ClassPredictor", k);
        fn_conv_load(b, &net->cls[k], p, "weights", "biases", 1, HEAD_C[k], 3 * HEAD_A[k], 1,
                     FN_SAME, FN_NONE);
    }
    const float *anchors = fw_get(&b->r, "Output/extra_dim", 3, 1, SSD_ANCHORS, 4, 0);
    if (anchors) {
        net->anchors = malloc(sizeof(float) * SSD_ANCHORS * 4);
        if (!net->anchors) {
            b->nomem = 1;
            b->r.failed = 1;
            return;
        }
        memcpy(net->anchors, anchors, sizeof(float) * SSD_ANCHORS * 4);
    }
}

void ssd_free(ssd_net *net)
{
    fn_conv_free(&net->conv0);
    for (int i = 0; i < 14; i++) {
        fn_conv_free(&net->dw[i]);
        fn_conv_free(&net->pw[i]);
    }
    for (int i = 0; i < 8; i++)
        fn_conv_free(&net->extra[i]);
    for (int k = 0; k < 6; k++) {
        fn_conv_free(&net->box[k]);
        fn_conv_free(&net->cls[k]);
    }
    free(net->anchors);
    net->anchors = NULL;
}

/* Head k on its feature map. The NHWC outputs, flattened, are already in anchor order
 * (y, x, a), so they are written straight into the 5118-anchor arrays. */
static int head(fn_ctx *ctx, const ssd_net *net, int k, const fn_tensor *f, int *anchor,
                float *enc, float *logits)
{
    fn_tensor e = { .d = enc + (size_t)*anchor * 4 }, c = { .d = logits + (size_t)*anchor * 3 };
    int rc = fn_conv_fwd(ctx, &net->box[k], f, &e, 0);
    if (rc == FACE_OK)
        rc = fn_conv_fwd(ctx, &net->cls[k], f, &c, 0);
    *anchor += f->h * f->w * HEAD_A[k];
    return rc;
}

/* (ty, tx, th, tw) relative to an anchor, variances 10/10/5/5. */
static void decode(const float *anchors, const float *enc, const float *logits, float *boxes,
                   float *scores)
{
    for (int i = 0; i < SSD_ANCHORS; i++) {
        const float *a = anchors + 4 * i, *t = enc + 4 * i;
        float ah = a[2] - a[0], aw = a[3] - a[1];
        float acy = a[0] + ah / 2, acx = a[1] + aw / 2;
        float cy = t[0] / 10 * ah + acy, cx = t[1] / 10 * aw + acx;
        float h2 = expf(t[2] / 5) * ah / 2, w2 = expf(t[3] / 5) * aw / 2;
        boxes[4 * i + 0] = cy - h2;
        boxes[4 * i + 1] = cx - w2;
        boxes[4 * i + 2] = cy + h2;
        boxes[4 * i + 3] = cx + w2;
        scores[i] = 1.0f / (1.0f + expf(-logits[3 * i + 1]));
    }
}

int ssd_forward(fn_ctx *ctx, const ssd_net *net, const float *in, float *boxes,
                float *scores)
{
    const size_t big = (size_t)256 * 256 * 64; /* largest activation */
    float *X = fn_buf(ctx, 0, big), *T = fn_buf(ctx, 1, big);
    float *enc = fn_buf(ctx, 2, SSD_ANCHORS * 4), *logits = fn_buf(ctx, 3, SSD_ANCHORS * 3);
    if (!X || !T || !enc || !logits)
        return FACE_ERR_NOMEM;

    fn_tensor input = { 1, SSD_SIZE, SSD_SIZE, 3, (float *)in };
    fn_tensor x = { .d = X }, t = { .d = T };
    int anchor = 0, k = 0;
    int rc = fn_conv_fwd(ctx, &net->conv0, &input, &x, 0);            /* 256x256x32 */
    for (int i = 1; i < 14 && rc == FACE_OK; i++) {
        rc = fn_conv_fwd(ctx, &net->dw[i], &x, &t, 0);
        if (rc == FACE_OK)
            rc = fn_conv_fwd(ctx, &net->pw[i], &t, &x, 0);
        if (rc == FACE_OK && (i == 11 || i == 13))   /* 32x32x512, 16x16x1024 */
            rc = head(ctx, net, k++, &x, &anchor, enc, logits);
    }
    for (int i = 0; i < 8 && rc == FACE_OK; i++) {
        rc = fn_conv_fwd(ctx, &net->extra[i], &x, &t, 0);
        fn_tensor s = x;
        x = t;
        t = s;
        if (rc == FACE_OK && i % 2 == 1)              /* 8x8x512, 4x4, 2x2, 1x1 */
            rc = head(ctx, net, k++, &x, &anchor, enc, logits);
    }
    if (rc != FACE_OK)
        return rc;
    if (anchor != SSD_ANCHORS)
        return FACE_ERR_ARG;
    decode(net->anchors, enc, logits, boxes, scores);
    return FACE_OK;
}
