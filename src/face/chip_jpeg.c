/* face_chip_jpeg (face.h): the enrolment thumbnail is the dlib-style 150x150 aligned chip
 * of align.c, encoded as JPEG. The worker is not needed: the chip is plain resampling. */
#include "face/align.h"

#define THUMBNAIL_QUALITY 90

int face_chip_jpeg(face_worker *w, const face_image *img, const face_det *det,
                   uint8_t **jpeg, size_t *len)
{
    (void)w;
    if (!img || !det || !jpeg || !len)
        return FACE_ERR_ARG;
    return face_align_chip_jpeg(img, det->landmarks, THUMBNAIL_QUALITY, jpeg, len);
}
