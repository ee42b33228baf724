#ifndef ATTENDLY_FACE_ALIGN_H
#define ATTENDLY_FACE_ALIGN_H
/* dlib-style aligned face chip (get_face_chip_details(shape, 150, 0.25) geometry), built
 * from dlib's 5-point template matched to five of the 68 landmarks: the eye corners
 * 45, 42, 36, 39 and the nose point 33. A similarity transform (least squares, Umeyama)
 * maps the padded template onto the landmarks; the chip is sampled bilinearly, pixels
 * whose 2x2 neighbourhood leaves the image are black, values are truncated to uint8
 * (dlib's static_cast). The descriptor net divides the chip by 256. */
#include "face/face.h"

#define FACE_CHIP_PADDING 0.25

/* Where chip pixel (c, r) samples the image: (tl_x + c*ux + r*vx, tl_y + c*uy + r*vy). */
typedef struct face_chip_map {
    double tl_x, tl_y;
    double ux, uy, vx, vy;
    double angle, scale;   /* rotation (radians) and image pixels per chip pixel */
    int pyramid_needed;    /* dlib would first halve the image here (scale above ~2) */
} face_chip_map;

/* Mapping of a size x size chip with the given padding for 68 landmarks (image pixels).
 * FACE_ERR_ARG for a degenerate shape (all five points equal, non-finite values). */
int face_align_map(const face_point landmarks[68], int size, double padding, face_chip_map *m);

/* Samples a size x size chip from img through m; *chip is allocated here. */
int face_align_extract(const face_image *img, const face_chip_map *m, int size, face_image *chip);

/* The 150x150 chip (FACE_CHIP_SIZE, padding 0.25) of a face. *chip is allocated here.
 * When m.pyramid_needed (more than ~2 image pixels per chip pixel) the face's region is
 * first halved with a binomial filter until it is not, as dlib does, instead of sampling
 * (and aliasing) the full-resolution image. */
int face_align_chip(const face_image *img, const face_point landmarks[68], face_image *chip);

/* The same chip encoded as JPEG (thumbnails); *jpeg is malloc'd. face_chip_jpeg calls this. */
int face_align_chip_jpeg(const face_image *img, const face_point landmarks[68], int quality,
                         uint8_t **jpeg, size_t *len);

#endif
