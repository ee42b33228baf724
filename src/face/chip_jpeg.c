/* face_chip_jpeg (face.h) until the detection pipeline provides its own: the enrolment
 * thumbnail is align.c's dlib-style 150x150 chip, encoded as JPEG. Weak, so that the
 * pipeline's definition replaces it without a link conflict; delete this file then. */
#include "face/align.h"

#define THUMBNAIL_QUALITY 90

__attribute__((weak)) int face_chip_jpeg(face_worker *w, const face_image *img,
                                         const face_det *det, uint8_t **jpeg, size_t *len)
{
    (void)w;
    if (!img || !det || !jpeg || !len)
        return FACE_ERR_ARG;
    return face_align_chip_jpeg(img, det->landmarks, THUMBNAIL_QUALITY, jpeg, len);
}
