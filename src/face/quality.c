/* Image quality numbers for validate-image: mean luma and the variance of the Laplacian
 * (the usual blur measure: a sharp face has strong second derivatives). */
#include "face/face.h"

#include <math.h>
#include <stdlib.h>

/* BT.601 luma, rounded to the grey level the Laplacian works on. */
static inline int luma(const uint8_t *p)
{
    return (int)(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2] + 0.5);
}

/* Region clipped to the image as [x0, x1) x [y0, y1); 0 when nothing is left. */
static int clip_region(const face_image *img, const face_box *r, int *x0, int *y0, int *x1,
                       int *y1)
{
    *x0 = 0;
    *y0 = 0;
    *x1 = img->width;
    *y1 = img->height;
    if (r) {
        if (!isfinite(r->x) || !isfinite(r->y) || !isfinite(r->w) || !isfinite(r->h))
            return 0;
        double fx0 = floor(r->x), fy0 = floor(r->y);
        double fx1 = ceil((double)r->x + r->w), fy1 = ceil((double)r->y + r->h);
        if (fx0 > *x0) *x0 = fx0 < img->width ? (int)fx0 : img->width;
        if (fy0 > *y0) *y0 = fy0 < img->height ? (int)fy0 : img->height;
        if (fx1 < *x1) *x1 = fx1 > 0 ? (int)fx1 : 0;
        if (fy1 < *y1) *y1 = fy1 > 0 ? (int)fy1 : 0;
    }
    return *x1 > *x0 && *y1 > *y0;
}

void face_region_quality(const face_image *img, const face_box *region, double *brightness,
                         double *sharpness)
{
    double bright = 0, sharp = 0;
    int x0, y0, x1, y1;
    if (!img || !img->rgb || img->width <= 0 || img->height <= 0 ||
        !clip_region(img, region, &x0, &y0, &x1, &y1))
        goto out;
    const int W = img->width;
    const int rw = x1 - x0, rh = y1 - y0;
    /* Grey levels of the region plus a one-pixel border where the image has one. */
    int gx0 = x0 > 0 ? x0 - 1 : 0, gy0 = y0 > 0 ? y0 - 1 : 0;
    int gx1 = x1 < W ? x1 + 1 : W, gy1 = y1 < img->height ? y1 + 1 : img->height;
    int gw = gx1 - gx0, gh = gy1 - gy0;
    uint8_t *grey = malloc((size_t)gw * gh);
    if (!grey)
        goto out;
    for (int y = 0; y < gh; y++) {
        const uint8_t *p = img->rgb + ((size_t)(gy0 + y) * W + gx0) * 3;
        for (int x = 0; x < gw; x++, p += 3)
            grey[(size_t)y * gw + x] = (uint8_t)luma(p);
    }
    double sum = 0;
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++)
            sum += grey[(size_t)(y - gy0) * gw + (x - gx0)];
    }
    bright = sum / ((double)rw * rh);

    /* 3x3 Laplacian [0 1 0; 1 -4 1; 0 1 0] at every region pixel whose neighbours all lie
     * in the image; variance over those pixels. */
    double lsum = 0, lsq = 0;
    long long count = 0;
    for (int y = y0; y < y1; y++) {
        if (y < 1 || y + 1 >= img->height)
            continue;
        const uint8_t *row = grey + (size_t)(y - gy0) * gw;
        for (int x = x0; x < x1; x++) {
            if (x < 1 || x + 1 >= W)
                continue;
            int c = x - gx0;
            int l = row[c - 1] + row[c + 1] + row[c - gw] + row[c + gw] - 4 * row[c];
            lsum += l;
            lsq += (double)l * l;
            count++;
        }
    }
    if (count > 0) {
        double mean = lsum / count;
        sharp = lsq / count - mean * mean;
        if (sharp < 0)
            sharp = 0;
    }
    free(grey);
out:
    if (brightness)
        *brightness = bright;
    if (sharpness)
        *sharpness = sharp;
}
