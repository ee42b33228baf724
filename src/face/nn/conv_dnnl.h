#ifndef ATTENDLY_FACE_NN_CONV_DNNL_H
#define ATTENDLY_FACE_NN_CONV_DNNL_H
/* oneDNN convolution backend: primitives created once per worker and shape, then
 * reused; weights reordered once per engine and shared by its workers. */
#include "face/nn/layer.h"

struct fn_dnnl;
struct fn_dnnl_shared;

/* Engine-wide part of the oneDNN backend (reordered weights shared by the workers). */
struct fn_dnnl_shared *fn_dnnl_shared_new(int nslots);
void fn_dnnl_shared_free(struct fn_dnnl_shared *s);
struct fn_dnnl *fn_dnnl_new(int nslots, struct fn_dnnl_shared *shared);
void fn_dnnl_free(struct fn_dnnl *d);
int fn_conv_fwd_dnnl(struct fn_dnnl *d, const fn_conv *L, const fn_tensor *x,
                     fn_tensor *y, int accumulate);

#endif
