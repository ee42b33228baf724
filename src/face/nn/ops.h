#ifndef ATTENDLY_FACE_NN_OPS_H
#define ATTENDLY_FACE_NN_OPS_H
/* Plain-C helpers of the networks (memory bound; the same code for both backends). */
#include <stddef.h>

#include "face/nn/layer.h"

void fn_relu(float *x, size_t n);
void fn_relu_to(float *dst, const float *src, size_t n);
/* Max pooling k x k, stride s, TF 'same' (padded cells ignored) or 'valid'. */
void fn_maxpool(const fn_tensor *x, fn_tensor *y, int k, int s, enum fn_pad pad);
/* Average pooling k x k, stride s, 'valid'. */
void fn_avgpool_valid(const fn_tensor *x, fn_tensor *y, int k, int s);
/* Mean over H and W: y is n x 1 x 1 x c. */
void fn_global_mean(const fn_tensor *x, fn_tensor *y);

#endif
