#ifndef ATTENDLY_FACE_IMAGE_FORMATS_H
#define ATTENDLY_FACE_IMAGE_FORMATS_H
/* The per-format decoders (jpeg.c, png.c, webp.c), called by decode.c. */
#include <stddef.h>
#include <stdint.h>

#include "face/image/decode_util.h"

/* RGB8 into *out (allocated here), orientation (1-8) into *orientation. */
int face_decode_jpeg(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation);
int face_decode_png(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                    int *orientation);
int face_decode_webp(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation);

#endif
