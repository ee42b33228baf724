#include "img_synth.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <spng.h>
#include <webp/encode.h>
#include <webp/mux.h>

static void put16(uint8_t *p, unsigned v, int be)
{
    p[be ? 0 : 1] = (uint8_t)(v >> 8);
    p[be ? 1 : 0] = (uint8_t)v;
}

static void put32(uint8_t *p, unsigned long v, int be)
{
    for (int i = 0; i < 4; i++)
        p[be ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
}

uint8_t *synth_exif(int orientation, int be, int with_prefix, size_t *len)
{
    /* TIFF header (8) + IFD0: count (2) + one 12-byte entry + next-IFD offset (4). */
    size_t pre = with_prefix ? 6 : 0, n = pre + 8 + 2 + 12 + 4;
    uint8_t *b = calloc(1, n);
    if (!b)
        return NULL;
    if (with_prefix)
        memcpy(b, "Exif\0\0", 6);
    uint8_t *t = b + pre;
    memcpy(t, be ? "MM" : "II", 2);
    put16(t + 2, 42, be);
    put32(t + 4, 8, be);
    put16(t + 8, 1, be);
    put16(t + 10, 0x0112, be);    /* Orientation */
    put16(t + 12, 3, be);         /* SHORT */
    put32(t + 14, 1, be);
    put16(t + 18, (unsigned)orientation, be);
    put32(t + 22, 0, be);
    *len = n;
    return b;
}

struct synth_err { struct jpeg_error_mgr pub; jmp_buf jb; };
static void synth_error_exit(j_common_ptr c) { longjmp(((struct synth_err *)c->err)->jb, 1); }

uint8_t *synth_jpeg(const uint8_t *pixels, int width, int height, enum synth_jpeg_kind kind,
                    int quality, int progressive, int orientation, size_t *len)
{
    struct jpeg_compress_struct c;
    struct synth_err err;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;
    c.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = synth_error_exit;
    if (setjmp(err.jb)) {
        jpeg_destroy_compress(&c);
        free(buf);
        return NULL;
    }
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, (unsigned char **)&buf, &size);
    int comps = kind == SYNTH_JPEG_GREY ? 1 : kind == SYNTH_JPEG_CMYK ? 4 : 3;
    c.image_width = (JDIMENSION)width;
    c.image_height = (JDIMENSION)height;
    c.input_components = comps;
    c.in_color_space = kind == SYNTH_JPEG_GREY ? JCS_GRAYSCALE
                       : kind == SYNTH_JPEG_CMYK ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    if (orientation > 0) {
        size_t n;
        uint8_t *exif = synth_exif(orientation, orientation % 2, 1, &n);
        if (exif)
            jpeg_write_marker(&c, JPEG_APP0 + 1, exif, (unsigned)n);
        free(exif);
    }
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c.next_scanline * width * comps);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *len = size;
    return buf;
}

uint8_t *synth_png(const void *data, size_t data_len, int width, int height, int colour_type,
                   int bit_depth, const uint8_t *palette, int n_palette, int orientation,
                   size_t *len)
{
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    uint8_t *out = NULL, *exif = NULL;
    if (!ctx)
        return NULL;
    spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    struct spng_ihdr ihdr = {.width = (uint32_t)width, .height = (uint32_t)height,
                             .bit_depth = (uint8_t)bit_depth, .color_type = (uint8_t)colour_type};
    if (spng_set_ihdr(ctx, &ihdr))
        goto out;
    if (colour_type == 3) {
        struct spng_plte plte = {.n_entries = (uint32_t)n_palette};
        for (int i = 0; i < n_palette; i++) {
            plte.entries[i].red = palette[3 * i];
            plte.entries[i].green = palette[3 * i + 1];
            plte.entries[i].blue = palette[3 * i + 2];
        }
        if (spng_set_plte(ctx, &plte))
            goto out;
    }
    if (orientation > 0) {
        size_t n;
        exif = synth_exif(orientation, 1, 0, &n);
        struct spng_exif e = {.length = n, .data = (char *)exif};
        if (!exif || spng_set_exif(ctx, &e))
            goto out;
    }
    if (spng_encode_image(ctx, data, data_len, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE))
        goto out;
    int err = 0;
    out = spng_get_png_buffer(ctx, len, &err);
    if (err) {
        free(out);
        out = NULL;
    }
out:
    spng_ctx_free(ctx);
    free(exif);
    return out;
}

uint8_t *synth_webp(const uint8_t *rgb, int width, int height, int lossless, int orientation,
                    size_t *len)
{
    uint8_t *enc = NULL, *res = NULL;
    size_t n = lossless ? WebPEncodeLosslessRGB(rgb, width, height, width * 3, &enc)
                        : WebPEncodeRGB(rgb, width, height, width * 3, 90, &enc);
    if (!n)
        return NULL;
    if (orientation <= 0) {
        res = malloc(n);
        if (res)
            memcpy(res, enc, n);
        *len = n;
        WebPFree(enc);
        return res;
    }
    size_t en;
    uint8_t *exif = synth_exif(orientation, 0, 0, &en);
    WebPMux *mux = WebPMuxNew();
    WebPData image = {enc, n}, meta = {exif, en}, assembled = {NULL, 0};
    if (mux && exif && WebPMuxSetImage(mux, &image, 1) == WEBP_MUX_OK &&
        WebPMuxSetChunk(mux, "EXIF", &meta, 1) == WEBP_MUX_OK &&
        WebPMuxAssemble(mux, &assembled) == WEBP_MUX_OK) {
        res = malloc(assembled.size);
        if (res) {
            memcpy(res, assembled.bytes, assembled.size);
            *len = assembled.size;
        }
    }
    WebPDataClear(&assembled);
    WebPMuxDelete(mux);
    WebPFree(enc);
    free(exif);
    return res;
}

uint8_t *synth_pattern(int width, int height)
{
    static const uint8_t quad[4][3] = {{220, 30, 30}, {30, 200, 40}, {40, 60, 220}, {230, 220, 40}};
    uint8_t *p = malloc((size_t)width * height * 3);
    if (!p)
        return NULL;
    for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
            int q = (y >= height / 2) * 2 + (x >= width / 2);
            uint8_t *o = p + ((size_t)y * width + x) * 3;
            for (int k = 0; k < 3; k++)
                o[k] = (uint8_t)((quad[q][k] * 3 + (x * 255 / width + y * 255 / height) / 2) / 4);
        }
    }
    return p;
}
