#ifndef ATTENDLY_FACE_NN_H
#define ATTENDLY_FACE_NN_H
/* A tiny CNN toolkit for the face networks: NHWC float tensors, one layer type (2-D
 * convolution, plain or depthwise, with folded bias and a fused activation) and a few
 * plain-C helpers (pooling, sums, activations).
 *
 * Convolutions run on one of two backends behind fn_conv_fwd():
 *   FN_BACKEND_REF   plain C loops, obviously correct (tests cross-check against it)
 *   FN_BACKEND_DNNL  oneDNN primitives, created once per worker and shape, then reused
 * Padding follows TensorFlow (FACE-MODELS.md §1): 'same' pads floor(P/2) top/left and
 * the rest bottom/right; 'valid' pads nothing. */
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
enum fn_backend { FN_BACKEND_REF = 0, FN_BACKEND_DNNL = 1 };

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

/* Output size of L on an h x w input (TF rules) and its top/left padding. */
void fn_conv_geometry(const fn_conv *L, int h, int w, int *oh, int *ow, int *pad_t,
                      int *pad_l);

/* ---- per-worker execution context ------------------------------------------------- */

#define FN_NBUF 6

struct fn_dnnl;
struct fn_dnnl_shared;

typedef struct fn_ctx {
    enum fn_backend backend;
    struct fn_dnnl *dnnl;   /* oneDNN engine, stream and primitive cache (DNNL only) */
    float *buf[FN_NBUF];    /* scratch activations, 64-byte aligned, grown on demand */
    size_t cap[FN_NBUF];
    float *acc;             /* REF: one output pixel's accumulators */
    size_t acc_cap;
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
int fn_conv_fwd_ref(fn_ctx *ctx, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                    int accumulate);

/* Engine-wide part of the oneDNN backend (reordered weights shared by the workers). */
struct fn_dnnl_shared *fn_dnnl_shared_new(int nslots);
void fn_dnnl_shared_free(struct fn_dnnl_shared *s);
struct fn_dnnl *fn_dnnl_new(int nslots, struct fn_dnnl_shared *shared);
void fn_dnnl_free(struct fn_dnnl *d);
int fn_conv_fwd_dnnl(struct fn_dnnl *d, const fn_conv *L, const fn_tensor *x,
                     fn_tensor *y, int accumulate);

/* ---- plain-C helpers (memory bound; the same code for both backends) --------------- */

void fn_relu(float *x, size_t n);
void fn_relu_to(float *dst, const float *src, size_t n);
/* Max pooling k x k, stride s, TF 'same' (padded cells ignored) or 'valid'. */
void fn_maxpool(const fn_tensor *x, fn_tensor *y, int k, int s, enum fn_pad pad);
/* Average pooling k x k, stride s, 'valid'. */
void fn_avgpool_valid(const fn_tensor *x, fn_tensor *y, int k, int s);
/* Mean over H and W: y is n x 1 x 1 x c. */
void fn_global_mean(const fn_tensor *x, fn_tensor *y);

#endif
