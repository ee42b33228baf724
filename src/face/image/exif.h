#ifndef ATTENDLY_FACE_IMAGE_EXIF_H
#define ATTENDLY_FACE_IMAGE_EXIF_H
/* EXIF orientation: reading the tag (exif.c) and applying it (orient.c). */
#include <stddef.h>
#include <stdint.h>

#include "face/face.h"

/* EXIF Orientation (1-8) of a TIFF/EXIF block: `data` starts with "Exif\0\0" or directly
 * with the TIFF header ("II*\0" / "MM\0*"). 1 when absent or unreadable. */
int face_exif_orientation(const uint8_t *data, size_t len);

/* Replaces *img by its oriented version (EXIF values 2-8; 1 and others leave it). */
int face_image_orient(face_image *img, int orientation);

#endif
