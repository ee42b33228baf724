/* JPEG decoding and encoding through the libjpeg API of libjpeg-turbo.
 *
 * libjpeg reports errors by calling error_exit, which must not return: we longjmp back to
 * the caller's setjmp. Messages are never printed. Truncated data is only a *warning* to
 * libjpeg (it pads the image with grey); we turn it into an error, as we do for bad Huffman
 * codes, so a damaged upload is refused instead of being recognised half-grey. */
#include "face/image/exif.h"
#include "face/image/formats.h"

#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/* A progressive file can hold thousands of tiny scans that each cost a pass over the
 * whole image; real encoders write about ten. */
#define JPEG_MAX_SCANS 500

enum jpeg_fail { JF_NONE, JF_CORRUPT, JF_TRUNCATED, JF_SCANS, JF_COLOUR, JF_PRECISION, JF_NOMEM };

typedef struct jpeg_guard {
    struct jpeg_error_mgr pub;   /* first: libjpeg casts cinfo->err to this */
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    enum jpeg_fail fail;
    j_decompress_ptr dinfo;      /* for the scan counter; NULL when compressing */
} jpeg_guard;

static void guard_error_exit(j_common_ptr c)
{
    jpeg_guard *g = (jpeg_guard *)c->err;
    switch (c->err->msg_code) {
    case JERR_OUT_OF_MEMORY: g->fail = JF_NOMEM; break;
    case JERR_CONVERSION_NOTIMPL:
    case JERR_BAD_J_COLORSPACE:
    case JERR_BAD_IN_COLORSPACE: g->fail = JF_COLOUR; break;
    case JERR_BAD_PRECISION: g->fail = JF_PRECISION; break;
    default: if (g->fail == JF_NONE) g->fail = JF_CORRUPT; break;
    }
    longjmp(g->jump, 1);
}

static void guard_emit_message(j_common_ptr c, int level)
{
    if (level >= 0)
        return;   /* trace messages */
    jpeg_guard *g = (jpeg_guard *)c->err;
    if (c->err->msg_code == JWRN_JPEG_EOF) {
        g->fail = JF_TRUNCATED;
        longjmp(g->jump, 1);
    }
    if (c->err->msg_code == JWRN_HUFF_BAD_CODE) {
        g->fail = JF_CORRUPT;
        longjmp(g->jump, 1);
    }
    /* Other warnings (extraneous bytes before a marker, odd APPn lengths) are common in
     * camera files and harmless. */
}

static void guard_output_message(j_common_ptr c)
{
    (void)c;   /* never print */
}

static void guard_progress(j_common_ptr c)
{
    jpeg_guard *g = (jpeg_guard *)c->err;
    if (g->dinfo && g->dinfo->input_scan_number > JPEG_MAX_SCANS) {
        g->fail = JF_SCANS;
        longjmp(g->jump, 1);
    }
}

static void guard_init(jpeg_guard *g)
{
    memset(g, 0, sizeof *g);
    jpeg_std_error(&g->pub);
    g->pub.error_exit = guard_error_exit;
    g->pub.emit_message = guard_emit_message;
    g->pub.output_message = guard_output_message;
    g->progress.progress_monitor = guard_progress;
}

static int guard_result(face_decode_ctx *ctx, enum jpeg_fail f)
{
    switch (f) {
    case JF_TRUNCATED: return face_decode_fail(ctx, "truncated jpeg");
    case JF_SCANS: return face_decode_fail(ctx, "too many jpeg scans");
    case JF_COLOUR: return face_decode_fail(ctx, "unsupported jpeg colour space");
    case JF_PRECISION: return face_decode_fail(ctx, "unsupported jpeg precision");
    case JF_NOMEM: return FACE_ERR_NOMEM;
    default: return face_decode_fail(ctx, "corrupt jpeg");
    }
}

/* Orientation from the first APP1 marker that carries EXIF. */
static int jpeg_orientation(j_decompress_ptr d)
{
    for (jpeg_saved_marker_ptr m = d->marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0)
            return face_exif_orientation(m->data, m->data_length);
    }
    return 1;
}

/* CMYK (or YCCK, which libjpeg turns into CMYK) to RGB. Adobe files, i.e. nearly all
 * CMYK JPEGs in the wild, store the inks inverted. */
static void cmyk_row_to_rgb(const uint8_t *cmyk, uint8_t *rgb, int width, int adobe)
{
    for (int x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        unsigned k = adobe ? cmyk[3] : 255u - cmyk[3];
        for (int i = 0; i < 3; i++) {
            unsigned c = adobe ? cmyk[i] : 255u - cmyk[i];
            rgb[i] = (uint8_t)((c * k + 127) / 255);
        }
    }
}

typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    jpeg_guard guard;
    uint8_t *row;   /* CMYK row buffer */
    int created;
} jpeg_job;

/* Everything after setjmp lives in *job (memory, not registers), so the values are
 * well defined after a longjmp. */
static int jpeg_run(face_decode_ctx *ctx, jpeg_job *job, const uint8_t *data, size_t len,
                    face_image *out, int *orientation)
{
    j_decompress_ptr d = &job->cinfo;
    d->err = &job->guard.pub;
    job->guard.dinfo = d;
    jpeg_create_decompress(d);
    job->created = 1;
    d->progress = &job->guard.progress;
    jpeg_mem_src(d, data, (unsigned long)len);
    jpeg_save_markers(d, JPEG_APP0 + 1, 0xffff);
    jpeg_read_header(d, TRUE);

    int rc = face_decode_check_size(ctx, d->image_width, d->image_height);
    if (rc != FACE_OK)
        return rc;
    *orientation = jpeg_orientation(d);

    int cmyk = d->jpeg_color_space == JCS_CMYK || d->jpeg_color_space == JCS_YCCK;
    d->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    /* Bound libjpeg's big buffers (progressive coefficients) by what the pixel limit
     * allows; beyond that it fails instead of allocating. */
    long slack = 32L * 1024 * 1024;
    d->mem->max_memory_to_use = ctx->max_pixels > (LONG_MAX - slack) / 10
                                    ? LONG_MAX
                                    : ctx->max_pixels * 10 + slack;
    jpeg_start_decompress(d);
    if ((d->output_components != (cmyk ? 4 : 3)) ||
        d->output_width != d->image_width || d->output_height != d->image_height)
        return face_decode_fail(ctx, "unsupported jpeg colour space");

    rc = face_image_alloc(out, (int)d->output_width, (int)d->output_height);
    if (rc != FACE_OK)
        return rc;
    if (cmyk) {
        job->row = malloc((size_t)d->output_width * 4);
        if (!job->row)
            return FACE_ERR_NOMEM;
    }
    while (d->output_scanline < d->output_height) {
        uint8_t *dst = out->rgb + (size_t)d->output_scanline * out->width * 3;
        JSAMPROW rows[1] = {cmyk ? job->row : dst};
        if (jpeg_read_scanlines(d, rows, 1) != 1)
            return face_decode_fail(ctx, "truncated jpeg");
        if (cmyk)
            cmyk_row_to_rgb(job->row, dst, out->width, d->saw_Adobe_marker);
    }
    jpeg_finish_decompress(d);
    return FACE_OK;
}

int face_decode_jpeg(face_decode_ctx *ctx, const uint8_t *data, size_t len, face_image *out,
                     int *orientation)
{
    jpeg_job *job = calloc(1, sizeof *job);
    if (!job)
        return FACE_ERR_NOMEM;
    int rc;
    guard_init(&job->guard);
    if (setjmp(job->guard.jump) == 0)
        rc = jpeg_run(ctx, job, data, len, out, orientation);
    else
        rc = guard_result(ctx, job->guard.fail);
    if (job->created)
        jpeg_destroy_decompress(&job->cinfo);
    free(job->row);
    free(job);
    if (rc != FACE_OK)
        face_image_free(out);
    return rc;
}

/* ---- encoding ------------------------------------------------------------------------ */

typedef struct jpeg_enc_job {
    struct jpeg_compress_struct cinfo;
    jpeg_guard guard;
    unsigned char *buf;
    unsigned long size;
    int created;
} jpeg_enc_job;

static void jpeg_encode_run(jpeg_enc_job *job, const face_image *img, int quality)
{
    j_compress_ptr c = &job->cinfo;
    c->err = &job->guard.pub;
    jpeg_create_compress(c);
    job->created = 1;
    jpeg_mem_dest(c, &job->buf, &job->size);
    c->image_width = (JDIMENSION)img->width;
    c->image_height = (JDIMENSION)img->height;
    c->input_components = 3;
    c->in_color_space = JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, quality, TRUE);
    jpeg_start_compress(c, TRUE);
    while (c->next_scanline < c->image_height) {
        JSAMPROW row = img->rgb + (size_t)c->next_scanline * img->width * 3;
        jpeg_write_scanlines(c, &row, 1);
    }
    jpeg_finish_compress(c);
}

int face_image_encode_jpeg(const face_image *img, int quality, uint8_t **jpeg, size_t *len)
{
    if (!img || !img->rgb || img->width <= 0 || img->height <= 0 || !jpeg || !len ||
        quality < 1 || quality > 100)
        return FACE_ERR_ARG;
    *jpeg = NULL;
    *len = 0;
    jpeg_enc_job *job = calloc(1, sizeof *job);
    if (!job)
        return FACE_ERR_NOMEM;
    volatile int rc = FACE_OK;
    guard_init(&job->guard);
    if (setjmp(job->guard.jump) == 0)
        jpeg_encode_run(job, img, quality);
    else
        rc = job->guard.fail == JF_NOMEM ? FACE_ERR_NOMEM : FACE_ERR_ARG;
    if (job->created)
        jpeg_destroy_compress(&job->cinfo);
    if (rc == FACE_OK) {
        *jpeg = job->buf;
        *len = job->size;
    } else {
        free(job->buf);
    }
    free(job);
    return rc;
}
