#ifndef ATTENDLY_FACE_IMAGE_DECODE_UTIL_H
#define ATTENDLY_FACE_IMAGE_DECODE_UTIL_H
/* What every image decoder of face/image/ shares: the size limits, the failure reason
 * and the header size check. Not part of the public surface. */
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

#endif
