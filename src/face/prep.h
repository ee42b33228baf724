#ifndef ATTENDLY_FACE_PREP_H
#define ATTENDLY_FACE_PREP_H
/* Network input preparation (FACE-MODELS.md §3): pad a region of the image to a square
 * with black, resize it with TF's legacy bilinear rule and normalise per network. */
#include "face/face.h"

enum fp_norm {
    FP_NORM_SSD,      /* x/127.5 - 1 */
    FP_NORM_TINY,     /* (x - (117.001, 114.697, 97.404)) / 255 */
    FP_NORM_FACE,     /* (x - (122.782, 117.001, 104.298)) / 255: landmarks, recognition */
    FP_NORM_NONE      /* 0..255 as float (tests compare the resized pixels) */
};

/* Region (x, y, w, h) of img, which must lie inside it, padded to a square (bottom/right
 * when !center; centred, the odd pixel after, when center), resized to size x size and
 * normalised into out (size*size*3 floats, HWC). */
void fp_input(const face_image *img, int x, int y, int w, int h, int size, int center,
              enum fp_norm norm, float *out);

/* A square window of the image as network input, for detection passes of our own (tiles,
 * zoomed-out and flipped passes; not used for oracle parity): the window's top-left corner
 * is at image point (x0, y0) and its side is `side` image pixels; whatever of it lies
 * outside the image is black. Shrinking averages the covered pixels (no aliasing: faces
 * in a 12 MP photo stay faces), enlarging is bilinear with pixel centres at +0.5.
 * flip mirrors the window horizontally. out: size*size*3 floats. FACE_ERR_ARG for a
 * non-finite or absurd window, FACE_ERR_NOMEM. */
int fp_window(const face_image *img, double x0, double y0, double side, int size, int flip,
              enum fp_norm norm, float *out);

/* (round(w*size/max), round(h*size/max)): the content's size inside the padded square. */
void fp_reshaped(int w, int h, int size, int *rw, int *rh);

#endif
