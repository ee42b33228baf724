/* The decoders' shared failure reason and header size check. */
#include "face/image/decode_util.h"

#include <stdio.h>

int face_decode_fail(face_decode_ctx *ctx, const char *reason)
{
    if (ctx->reason && ctx->reason_len)
        snprintf(ctx->reason, ctx->reason_len, "%s", reason);
    return FACE_ERR_DECODE;
}

int face_decode_check_size(face_decode_ctx *ctx, long long w, long long h)
{
    if (w <= 0 || h <= 0)
        return face_decode_fail(ctx, "invalid image dimensions");
    if (w > FACE_IMAGE_MAX_SIDE || h > FACE_IMAGE_MAX_SIDE || w * h > ctx->max_pixels)
        return FACE_ERR_TOO_LARGE;
    return FACE_OK;
}
