/* The EXIF orientation transform. */
#include "face/image/exif.h"

#include <stdlib.h>
#include <string.h>

/* Source pixel of output pixel (x, y) for EXIF orientation o, where (w, h) is the stored
 * (un-oriented) size. The tag says where the stored 0th row / 0th column appear visually:
 * 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 cw, 7 transverse, 8 rotate 90 ccw. */
static void orient_source(int o, int w, int h, int x, int y, int *sx, int *sy)
{
    switch (o) {
    case 2: *sx = w - 1 - x; *sy = y; break;
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; break;
    case 4: *sx = x; *sy = h - 1 - y; break;
    case 5: *sx = y; *sy = x; break;
    case 6: *sx = y; *sy = h - 1 - x; break;
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; break;
    case 8: *sx = w - 1 - y; *sy = x; break;
    default: *sx = x; *sy = y; break;
    }
}

int face_image_orient(face_image *img, int orientation)
{
    if (orientation < 2 || orientation > 8)
        return FACE_OK;
    int w = img->width, h = img->height;
    int swap = orientation >= 5;
    face_image out;
    int rc = face_image_alloc(&out, swap ? h : w, swap ? w : h);
    if (rc != FACE_OK)
        return rc;
    for (int y = 0; y < out.height; y++) {
        /* Along an output row the source moves by a constant step: one lookup per row. */
        int sx0, sy0, sx1, sy1;
        orient_source(orientation, w, h, 0, y, &sx0, &sy0);
        orient_source(orientation, w, h, 1, y, &sx1, &sy1);
        ptrdiff_t step = ((ptrdiff_t)(sy1 - sy0) * w + (sx1 - sx0)) * 3;
        ptrdiff_t si = ((ptrdiff_t)sy0 * w + sx0) * 3;
        uint8_t *dst = out.rgb + (size_t)y * out.width * 3;
        for (int x = 0; x < out.width; x++, dst += 3, si += step)
            memcpy(dst, img->rgb + si, 3);
    }
    face_image_free(img);
    *img = out;
    return FACE_OK;
}
