#ifndef ATTENDLY_FACE_NN_LAYER_H
#define ATTENDLY_FACE_NN_LAYER_H
/* Tensors and convolution layers of the face networks: NHWC float tensors, one layer
 * type (2-D convolution, plain or depthwise, with folded bias and a fused activation),
 * built from a loaded weight file. Padding follows TensorFlow (FACE-MODELS.md §1):
 * 'same' pads floor(P/2) top/left and the rest bottom/right; 'valid' pads nothing. */
#include <stddef.h>

#include "face/nn/weights.h"

typedef struct fn_tensor {
    int n, h, w, c;
    float *d;               /* n*h*w*c floats, NHWC */
} fn_tensor;

static inline size_t fn_size(const fn_tensor *t)
{
    return (size_t)t->n * t->h * t->w * t->c;
}

enum fn_pad { FN_SAME, FN_VALID };
enum fn_act { FN_NONE, FN_RELU, FN_RELU6, FN_LEAKY };

typedef struct fn_conv {
    int kh, kw, cin, cout, stride;
    int depthwise;          /* cout == cin, one kh x kw filter per channel */
    enum fn_pad pad;
    enum fn_act act;
    float *w;               /* [kh,kw,cin,cout] (HWIO); depthwise: [kh,kw,cin] */
    float *b;               /* [cout] */
    int slot;               /* index of this layer in every worker's primitive cache */
} fn_conv;

/* Builds layers from a loaded weight file; remembers the first error. */
typedef struct fn_builder {
    fw_reader r;
    int nslots;             /* layers created so far, across all networks of an engine */
    int nomem;
} fn_builder;

/* The tensor `<prefix>/<name>` (prefix may be ""), shape-checked (see fw_get). */
const float *fn_get(fn_builder *b, const char *prefix, const char *name, int ndim, int d0,
                    int d1, int d2, int d3);
/* Loads `<prefix>/<wname>` (and `<prefix>/<bname>`, or a zero bias when bname is NULL).
 * The weights are copied, so the fw_model can be freed afterwards. */
void fn_conv_load(fn_builder *b, fn_conv *L, const char *prefix, const char *wname,
                  const char *bname, int k, int cin, int cout, int stride, enum fn_pad pad,
                  enum fn_act act);
void fn_dw_load(fn_builder *b, fn_conv *L, const char *prefix, const char *wname,
                const char *bname, int k, int c, int stride, enum fn_pad pad, enum fn_act act);
/* Fully connected `x·W + b` with W [cin,cout], run as a 1x1 conv on a 1x1 map. */
void fn_fc_load(fn_builder *b, fn_conv *L, const char *wname, const char *bname, int cin,
                int cout);
/* y = y*scale + shift per output channel, folded into weights and bias. */
void fn_conv_fold_affine(fn_conv *L, const float *scale, const float *shift);
/* y = beta + (y - mean)*gamma/sqrt(var + eps), folded (SSD depthwise batch norms). */
void fn_conv_fold_bn(fn_conv *L, const float *gamma, const float *beta, const float *mean,
                     const float *var, float eps);
void fn_conv_free(fn_conv *L);

/* Output size of a k-wide window with stride s over `in` cells (TF rules) and its
 * leading padding. */
void fn_pad_geometry(enum fn_pad pad, int in, int k, int s, int *out, int *before);
/* Output size of L on an h x w input (TF rules) and its top/left padding. */
void fn_conv_geometry(const fn_conv *L, int h, int w, int *oh, int *ow, int *pad_t,
                      int *pad_l);

#endif
