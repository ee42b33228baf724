/* Reference convolution: the definition of FACE-MODELS.md §1, written as plainly as
 * possible. Slow but obviously right; the oneDNN backend is tested against it. */
#include "face/nn/conv_ref.h"

#include <stdlib.h>
#include <string.h>

#include "face/face.h"

static float act(enum fn_act a, float v)
{
    switch (a) {
    case FN_RELU: return v > 0 ? v : 0;
    case FN_RELU6: return v < 0 ? 0 : v > 6 ? 6 : v;
    case FN_LEAKY: return v > 0 ? v : 0.1f * v;
    default: return v;
    }
}

int fn_conv_fwd_ref(fn_ref_scratch *s, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                    int accumulate)
{
    int oh, ow, pt, pl;
    fn_conv_geometry(L, x->h, x->w, &oh, &ow, &pt, &pl);
    y->n = x->n;
    y->h = oh;
    y->w = ow;
    y->c = L->cout;
    if (s->cap < (size_t)L->cout) {
        free(s->acc);
        s->acc = malloc((size_t)L->cout * sizeof(float));
        if (!s->acc) {
            s->cap = 0;
            return FACE_ERR_NOMEM;
        }
        s->cap = (size_t)L->cout;
    }
    float *acc = s->acc;
    const int C = x->c, O = L->cout;
    for (int n = 0; n < x->n; n++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                memset(acc, 0, (size_t)O * sizeof(float));
                for (int i = 0; i < L->kh; i++) {
                    int iy = oy * L->stride + i - pt;
                    if (iy < 0 || iy >= x->h)
                        continue;
                    for (int j = 0; j < L->kw; j++) {
                        int ix = ox * L->stride + j - pl;
                        if (ix < 0 || ix >= x->w)
                            continue;
                        const float *xp = x->d + (((size_t)n * x->h + iy) * x->w + ix) * C;
                        if (L->depthwise) {
                            const float *wp = L->w + ((size_t)i * L->kw + j) * C;
                            for (int c = 0; c < C; c++)
                                acc[c] += xp[c] * wp[c];
                        } else {
                            const float *wp = L->w + ((size_t)i * L->kw + j) * C * O;
                            for (int c = 0; c < C; c++) {
                                const float xv = xp[c];
                                const float *wc = wp + (size_t)c * O;
                                for (int o = 0; o < O; o++)
                                    acc[o] += xv * wc[o];
                            }
                        }
                    }
                }
                float *yp = y->d + (((size_t)n * oh + oy) * ow + ox) * O;
                for (int o = 0; o < O; o++) {
                    float v = acc[o] + L->b[o];
                    if (accumulate)
                        v += yp[o];
                    yp[o] = act(L->act, v);
                }
            }
    return FACE_OK;
}

void fn_ref_scratch_free(fn_ref_scratch *s)
{
    free(s->acc);
    s->acc = NULL;
    s->cap = 0;
}
