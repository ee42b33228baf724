/* face_image_decode: picks the decoder from the first bytes (never from a MIME type),
 * then applies the EXIF orientation. */
#include "face/image/exif.h"
#include "face/image/formats.h"

#include <stdio.h>
#include <string.h>

enum image_kind { KIND_UNKNOWN, KIND_JPEG, KIND_PNG, KIND_WEBP };

static enum image_kind sniff(const uint8_t *d, size_t len)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return KIND_JPEG;
    if (len >= 8 && memcmp(d, png_sig, 8) == 0)
        return KIND_PNG;
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return KIND_WEBP;
    return KIND_UNKNOWN;
}

int face_image_decode(const void *data, size_t len, long max_pixels, face_image *out,
                      char *reason, size_t reason_len)
{
    if (!out || (!data && len) || max_pixels <= 0)
        return FACE_ERR_ARG;
    out->width = out->height = 0;
    out->rgb = NULL;
    if (reason && reason_len)
        reason[0] = '\0';
    face_decode_ctx ctx = {.max_pixels = max_pixels, .reason = reason, .reason_len = reason_len};
    if (len == 0)
        return face_decode_fail(&ctx, "empty image");

    const uint8_t *d = data;
    face_image img = {0};
    int orientation = 1;
    int rc;
    switch (sniff(d, len)) {
    case KIND_JPEG: rc = face_decode_jpeg(&ctx, d, len, &img, &orientation); break;
    case KIND_PNG: rc = face_decode_png(&ctx, d, len, &img, &orientation); break;
    case KIND_WEBP: rc = face_decode_webp(&ctx, d, len, &img, &orientation); break;
    default: return FACE_ERR_FORMAT;
    }
    if (rc == FACE_OK)
        rc = face_image_orient(&img, orientation);
    if (rc != FACE_OK) {
        face_image_free(&img);
        return rc;
    }
    *out = img;
    return FACE_OK;
}
