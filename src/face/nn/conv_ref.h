#ifndef ATTENDLY_FACE_NN_CONV_REF_H
#define ATTENDLY_FACE_NN_CONV_REF_H
/* Reference convolution backend: plain C loops, obviously correct (tests cross-check
 * the oneDNN backend against it). */
#include <stddef.h>

#include "face/nn/layer.h"

/* One output pixel's accumulators, grown on demand; owned by the caller's context. */
typedef struct fn_ref_scratch {
    float *acc;
    size_t cap;
} fn_ref_scratch;

/* y = act(conv(x) + bias [+ y when accumulate]); y->d must have room; y's shape is set. */
int fn_conv_fwd_ref(fn_ref_scratch *s, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                    int accumulate);
void fn_ref_scratch_free(fn_ref_scratch *s);

#endif
