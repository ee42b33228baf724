/* PNG decoding through libspng: every bit depth and colour type to RGB8, alpha dropped
 * (not composited), no gamma correction, orientation from an eXIf chunk. */
#include "face/image/exif.h"
#include "face/image/formats.h"

#include <spng.h>

/* Ancillary chunks are not needed beyond eXIf; cap what spng may buffer for them. */
#define PNG_CHUNK_LIMIT (1024 * 1024)
#define PNG_CACHE_LIMIT (4 * 1024 * 1024)

static int png_fail(face_decode_ctx *ctx, int err)
{
    if (err == SPNG_EUSER_WIDTH || err == SPNG_EUSER_HEIGHT)
        return FACE_ERR_TOO_LARGE;
    if (err == SPNG_EOF)
        return face_decode_fail(ctx, "truncated png");
    if (err == SPNG_EMEM)
        return FACE_ERR_NOMEM;
    return face_decode_fail(ctx, "corrupt png");
}

int face_decode_png(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                    int *orientation)
{
    int rc;
    spng_ctx *png = spng_ctx_new(0);
    if (!png)
        return FACE_ERR_NOMEM;
    spng_set_image_limits(png, FACE_IMAGE_MAX_SIDE, FACE_IMAGE_MAX_SIDE);
    spng_set_chunk_limits(png, PNG_CHUNK_LIMIT, PNG_CACHE_LIMIT);
    int err = spng_set_png_buffer(png, data, len);
    struct spng_ihdr ihdr;
    if (!err)
        err = spng_get_ihdr(png, &ihdr);
    if (err) {
        rc = png_fail(ctx, err);
        goto out;
    }
    rc = face_decode_check_size(ctx, ihdr.width, ihdr.height);
    if (rc != FACE_OK)
        goto out;
    size_t need;
    err = spng_decoded_image_size(png, SPNG_FMT_RGB8, &need);
    if (err || need != (size_t)ihdr.width * ihdr.height * 3) {
        rc = err ? png_fail(ctx, err) : face_decode_fail(ctx, "corrupt png");
        goto out;
    }
    rc = face_image_alloc(out, (int)ihdr.width, (int)ihdr.height);
    if (rc != FACE_OK)
        goto out;
    err = spng_decode_image(png, out->rgb, need, SPNG_FMT_RGB8, 0);
    if (err) {
        rc = png_fail(ctx, err);
        goto out;
    }
    /* eXIf may follow the image data; spng has read it by now. */
    struct spng_exif exif;
    *orientation = 1;
    if (spng_get_exif(png, &exif) == 0)
        *orientation = face_exif_orientation((const uint8_t *)exif.data, exif.length);
out:
    spng_ctx_free(png);
    if (rc != FACE_OK)
        face_image_free(out);
    return rc;
}
