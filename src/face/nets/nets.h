#ifndef ATTENDLY_FACE_NETS_H
#define ATTENDLY_FACE_NETS_H
/* The four face-api networks (FACE-MODELS.md §4-§7). Each net is a struct of layers
 * loaded once (read-only afterwards, shared by all workers) and a forward function
 * that takes already normalised NHWC input (see prep.h) and runs on a worker's fn_ctx.
 * Loaders record the first missing/misshapen tensor in the builder's error. */
#include "face/nn/nn.h"

/* ---- FaceRecognitionNet (§7): 150x150 face -> 128-d descriptor ----------------------- */
#define FR_SIZE 150
#define FR_BLOCKS 14

typedef struct fr_block {   /* residual or residualDown */
    fn_conv conv1;          /* 3x3, s1 'same' (s2 'valid' when down), scale folded, relu */
    fn_conv conv2;          /* 3x3, s1 'same', scale folded */
    int down;
} fr_block;

typedef struct fr_net {
    fn_conv conv32_down;    /* [7,7,3,32] s2 'valid', relu -> 72x72x32 */
    fr_block block[FR_BLOCKS]; /* conv32_1..3, conv64_down, conv64_1..3, conv128_down,
                                  conv128_1..2, conv256_down, conv256_1..2, conv256_down_out */
    fn_conv fc;             /* [256,128], no bias, as a 1x1 conv */
} fr_net;

void fr_load(fn_builder *b, fr_net *net);
void fr_free(fr_net *net);
/* in: n x 150 x 150 x 3 normalised; out: n x 128. */
int fr_forward(fn_ctx *ctx, const fr_net *net, const float *in, int n, float *out);

/* ---- FaceLandmark68Net / FaceLandmark68TinyNet (§6): 112x112 face -> 68 points ------- */
#define FL_SIZE 112
#define FL_OUT 136

typedef struct fl_dense {
    fn_conv first;          /* dense0: 3x3 s2 conv; others: depthwise 3x3 s2 ... */
    fn_conv first_pw;       /* ... + pointwise (unused in dense0) */
    fn_conv dw[3], pw[3];   /* conv1..conv3 (tiny: conv1..conv2), s1 separable */
} fl_dense;

typedef struct fl_net {
    int tiny;               /* 3 blocks of 3 convs instead of 4 blocks of 4 */
    int nblocks, nconv;
    fl_dense dense[4];      /* 3->32 (56), 32->64 (28), 64->128 (14), 128->256 (7) */
    fn_conv fc;             /* [256|128, 136] */
} fl_net;

void fl_load(fn_builder *b, fl_net *net, int tiny);
void fl_free(fl_net *net);
/* in: n x 112 x 112 x 3 normalised; out: n x 136 (x0,y0,x1,... in 0..1 of the input). */
int fl_forward(fn_ctx *ctx, const fl_net *net, const float *in, int n, float *out);

/* ---- SsdMobilenetv1 (§4): 512x512 -> 5118 boxes + scores --------------------------- */
#define SSD_SIZE 512
#define SSD_ANCHORS 5118

typedef struct ssd_net {
    fn_conv conv0;          /* [3,3,3,32] s2 'same', relu6 */
    fn_conv dw[14], pw[14]; /* Conv2d_1..13: depthwise (bn folded) + pointwise, relu6 */
    fn_conv extra[8];       /* Prediction/Conv2d_0..7_pointwise, relu6 */
    fn_conv box[6], cls[6]; /* BoxPredictor_k: 1x1 -> 4A / 3A, no activation */
    float *anchors;         /* [5118][4] (ymin, xmin, ymax, xmax) of the padded square */
} ssd_net;

void ssd_load(fn_builder *b, ssd_net *net);
void ssd_free(ssd_net *net);
/* in: 512 x 512 x 3 normalised; boxes: 5118 x 4 decoded (ymin, xmin, ymax, xmax),
 * unclipped; scores: 5118 sigmoid(logit 1). */
int ssd_forward(fn_ctx *ctx, const ssd_net *net, const float *in, float *boxes,
                float *scores);

/* ---- TinyFaceDetector (§5): S x S (S multiple of 32) -> G x G x 25 ------------------ */
#define TINY_DEFAULT_SIZE 416

typedef struct tiny_net {
    fn_conv conv0;          /* [3,3,3,16] 'valid', leaky */
    fn_conv dw[6], pw[6];   /* conv1..5: pad 1 + depthwise 'valid' + pointwise, leaky */
    fn_conv conv8;          /* [1,1,512,25] */
} tiny_net;

void tiny_load(fn_builder *b, tiny_net *net);
void tiny_free(tiny_net *net);
/* in: size x size x 3 normalised; out: (size/32)^2 x 25. */
int tiny_forward(fn_ctx *ctx, const tiny_net *net, const float *in, int size, float *out);

#endif
