/* Pad-to-square + legacy bilinear resize + normalisation, without materialising the
 * padded square (a 4000-pixel photo would need 190 MB of floats). */
#include "face/prep.h"

#include <math.h>

static const float TINY_MEAN[3] = { 117.001f, 114.697f, 97.404f };
static const float FACE_MEAN[3] = { 122.782f, 117.001f, 104.298f };

static void normalise(enum fp_norm norm, const float px[3], float *out)
{
    for (int k = 0; k < 3; k++) {
        switch (norm) {
        case FP_NORM_SSD: out[k] = px[k] / 127.5f - 1.0f; break;
        case FP_NORM_TINY: out[k] = (px[k] - TINY_MEAN[k]) / 255.0f; break;
        case FP_NORM_FACE: out[k] = (px[k] - FACE_MEAN[k]) / 255.0f; break;
        default: out[k] = px[k]; break;
        }
    }
}

void fp_input(const face_image *img, int x, int y, int w, int h, int size, int center,
              enum fp_norm norm, float *out)
{
    const int S = w > h ? w : h;
    int before = 0;
    if (center && w != h) {
        int diff = w > h ? w - h : h - w;
        int append = (diff + 1) / 2; /* JS Math.round(diff/2): .5 rounds up */
        before = diff - append;
    }
    /* square cell (sy, sx) shows image pixel (y + sy - offy, x + sx - offx) if inside */
    const int offx = w < h ? before : 0, offy = h < w ? before : 0;
    const size_t stride = (size_t)img->width * 3;
#define PIX(sy, sx, k)                                                                    \
    (((sy) - offy) >= 0 && ((sy) - offy) < h && ((sx) - offx) >= 0 && ((sx) - offx) < w   \
         ? (float)img->rgb[(size_t)(y + (sy) - offy) * stride +                            \
                           (size_t)(x + (sx) - offx) * 3 + (k)]                            \
         : 0.0f)
    /* the tfjs wasm kernel works in float32: so do we */
    const float ratio = (float)S / (float)size;
    for (int r = 0; r < size; r++) {
        int y0 = r, y1 = r;
        float dy = 0;
        if (S != size) {
            float fy = (float)r * ratio;
            y0 = (int)floorf(fy);
            y1 = (int)ceilf(fy);
            if (y1 > S - 1)
                y1 = S - 1;
            dy = fy - (float)y0;
        }
        for (int c = 0; c < size; c++) {
            int x0 = c, x1 = c;
            float dx = 0, px[3];
            if (S != size) {
                float fx = (float)c * ratio;
                x0 = (int)floorf(fx);
                x1 = (int)ceilf(fx);
                if (x1 > S - 1)
                    x1 = S - 1;
                dx = fx - (float)x0;
            }
            for (int k = 0; k < 3; k++) {
                float tl = PIX(y0, x0, k), tr = PIX(y0, x1, k);
                float bl = PIX(y1, x0, k), br = PIX(y1, x1, k);
                float top = tl + (tr - tl) * dx;
                float bot = bl + (br - bl) * dx;
                px[k] = top + (bot - top) * dy;
            }
            normalise(norm, px, out + ((size_t)r * size + c) * 3);
        }
    }
#undef PIX
}

void fp_reshaped(int w, int h, int size, int *rw, int *rh)
{
    double m = w > h ? w : h;
    *rw = (int)floor((double)w * size / m + 0.5);
    *rh = (int)floor((double)h * size / m + 0.5);
}
