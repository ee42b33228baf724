#ifndef ATTENDLY_FACE_IMAGE_INTERNAL_H
#define ATTENDLY_FACE_IMAGE_INTERNAL_H
/* Shared pieces of the image decoders in face/image/. Not part of the public surface. */
#include "face/face.h"

/* Largest side accepted from any header, whatever the pixel limit: keeps every
 * width*height*3 product far from overflow. */
#define FACE_IMAGE_MAX_SIDE 65535

/* Largest metadata block (EXIF) we are willing to parse. */
#define FACE_EXIF_MAX_BYTES (256 * 1024)

typedef struct face_decode_ctx {
    long max_pixels;
    char *reason;
    size_t reason_len;
} face_decode_ctx;

/* Writes a short reason into ctx and returns FACE_ERR_DECODE. */
int face_decode_fail(face_decode_ctx *ctx, const char *reason);

/* FACE_OK when a w x h header is acceptable; FACE_ERR_TOO_LARGE or FACE_ERR_DECODE otherwise. */
int face_decode_check_size(face_decode_ctx *ctx, long long w, long long h);

/* Per-format decoders: RGB8 into *out (allocated here), orientation (1-8) into *orientation. */
int face_decode_jpeg(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation);
int face_decode_png(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                    int *orientation);
int face_decode_webp(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation);

/* EXIF Orientation (1-8) of a TIFF/EXIF block: `data` starts with "Exif\0\0" or directly
 * with the TIFF header ("II*\0" / "MM\0*"). 1 when absent or unreadable. */
int face_exif_orientation(const uint8_t *data, size_t len);

/* Replaces *img by its oriented version (EXIF values 2-8; 1 and others leave it). */
int face_image_orient(face_image *img, int orientation);

#endif
