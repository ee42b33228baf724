/* WebP decoding through libwebp (lossy and lossless; alpha dropped), orientation from the
 * EXIF chunk of an extended (VP8X) file. Animations are refused. */
#include "face/image/exif.h"
#include "face/image/formats.h"

#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

static int webp_fail(face_decode_ctx *ctx, VP8StatusCode st)
{
    if (st == VP8_STATUS_NOT_ENOUGH_DATA)
        return face_decode_fail(ctx, "truncated webp");
    if (st == VP8_STATUS_OUT_OF_MEMORY)
        return FACE_ERR_NOMEM;
    if (st == VP8_STATUS_UNSUPPORTED_FEATURE)
        return face_decode_fail(ctx, "unsupported webp feature");
    return face_decode_fail(ctx, "corrupt webp");
}

static int webp_orientation(const uint8_t *data, size_t len)
{
    /* Only the extended format can carry EXIF; skip the demuxer otherwise. */
    if (len < 21 || memcmp(data + 12, "VP8X", 4) != 0 || !(data[20] & 0x08))
        return 1;
    WebPData wd = {data, len};
    WebPDemuxer *demux = WebPDemux(&wd);
    if (!demux)
        return 1;
    int orientation = 1;
    WebPChunkIterator it;
    if (WebPDemuxGetChunk(demux, "EXIF", 1, &it)) {
        orientation = face_exif_orientation(it.chunk.bytes, it.chunk.size);
        WebPDemuxReleaseChunkIterator(&it);
    }
    WebPDemuxDelete(demux);
    return orientation;
}

int face_decode_webp(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation)
{
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg))
        return face_decode_fail(ctx, "webp decoder unavailable");
    VP8StatusCode st = WebPGetFeatures(data, len, &cfg.input);
    if (st != VP8_STATUS_OK)
        return webp_fail(ctx, st);
    if (cfg.input.has_animation)
        return face_decode_fail(ctx, "animated webp not supported");
    int rc = face_decode_check_size(ctx, cfg.input.width, cfg.input.height);
    if (rc != FACE_OK)
        return rc;
    rc = face_image_alloc(out, cfg.input.width, cfg.input.height);
    if (rc != FACE_OK)
        return rc;
    cfg.output.colorspace = MODE_RGB;
    cfg.output.is_external_memory = 1;
    cfg.output.u.RGBA.rgba = out->rgb;
    cfg.output.u.RGBA.stride = out->width * 3;
    cfg.output.u.RGBA.size = (size_t)out->width * out->height * 3;
    st = WebPDecode(data, len, &cfg);
    WebPFreeDecBuffer(&cfg.output);
    if (st != VP8_STATUS_OK) {
        face_image_free(out);
        return webp_fail(ctx, st);
    }
    *orientation = webp_orientation(data, len);
    return FACE_OK;
}
