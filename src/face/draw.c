/* Annotated preview of a recognition: the photo scaled down, a box per face and a label
 * (white text on a dark strip) drawn with our own 5x7 bitmap font, encoded as JPEG. */
#include "face/draw_font.h"
#include "face/face.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ANNOTATE_QUALITY 85
#define LABEL_MAX_CHARS 64

typedef struct rgb { uint8_t r, g, b; } rgb;

static const rgb colour_known = {0, 200, 0};
static const rgb colour_unknown = {230, 40, 40};
static const rgb colour_strip = {24, 24, 24};
static const rgb colour_text = {255, 255, 255};

/* Area-average downscale (each output pixel averages the source pixels it covers). */
static void downscale(const face_image *src, face_image *dst)
{
    const int W = src->width, H = src->height, ow = dst->width, oh = dst->height;
    for (int y = 0; y < oh; y++) {
        int y0 = (int)((long long)y * H / oh), y1 = (int)((long long)(y + 1) * H / oh);
        if (y1 <= y0)
            y1 = y0 + 1;
        for (int x = 0; x < ow; x++) {
            int x0 = (int)((long long)x * W / ow), x1 = (int)((long long)(x + 1) * W / ow);
            if (x1 <= x0)
                x1 = x0 + 1;
            unsigned long sum[3] = {0, 0, 0};
            for (int sy = y0; sy < y1; sy++) {
                const uint8_t *p = src->rgb + ((size_t)sy * W + x0) * 3;
                for (int sx = x0; sx < x1; sx++, p += 3) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                }
            }
            unsigned long n = (unsigned long)(y1 - y0) * (unsigned long)(x1 - x0);
            uint8_t *o = dst->rgb + ((size_t)y * ow + x) * 3;
            for (int k = 0; k < 3; k++)
                o[k] = (uint8_t)((sum[k] + n / 2) / n);
        }
    }
}

/* Filled rectangle [x0, x1) x [y0, y1), clipped. */
static void fill_rect(face_image *img, int x0, int y0, int x1, int y1, rgb c)
{
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > img->width) x1 = img->width;
    if (y1 > img->height) y1 = img->height;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = img->rgb + ((size_t)y * img->width + x0) * 3;
        for (int x = x0; x < x1; x++, p += 3) {
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
        }
    }
}

static void outline(face_image *img, int x0, int y0, int x1, int y1, int t, rgb c)
{
    fill_rect(img, x0, y0, x1, y0 + t, c);
    fill_rect(img, x0, y1 - t, x1, y1, c);
    fill_rect(img, x0, y0, x0 + t, y1, c);
    fill_rect(img, x1 - t, y0, x1, y1, c);
}

/* Label as printable ASCII: each non-ASCII UTF-8 code point (lead byte plus its
 * continuation bytes) and each control character becomes one '?'. */
static int label_ascii(const char *s, char *out, int cap)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < cap) {
        if (*p < 0x80) {
            out[n++] = (*p >= FACE_FONT_FIRST && *p <= FACE_FONT_LAST) ? (char)*p : '?';
            p++;
            continue;
        }
        out[n++] = '?';
        p++;
        for (int k = 0; k < 3 && (*p & 0xc0) == 0x80; k++)
            p++;
    }
    return n;
}

static void draw_glyph(face_image *img, int x, int y, char ch, int s, rgb c)
{
    const uint8_t *g = face_font5x7[(unsigned char)ch - FACE_FONT_FIRST];
    for (int r = 0; r < FACE_FONT_H; r++) {
        for (int col = 0; col < FACE_FONT_W; col++) {
            if (g[r] & (0x10 >> col))
                fill_rect(img, x + col * s, y + r * s, x + (col + 1) * s, y + (r + 1) * s, c);
        }
    }
}

/* Strip with the label above the box (inside its top edge when there is no room),
 * shifted left to stay in the image and cut to the image width. */
static void draw_label(face_image *img, int bx, int by, const char *label, int s)
{
    char text[LABEL_MAX_CHARS];
    int n = label_ascii(label, text, LABEL_MAX_CHARS);
    if (n == 0)
        return;
    int pad = s + 1, adv = (FACE_FONT_W + 1) * s;
    int fit = (img->width - 2 * pad + s) / adv;
    if (fit <= 0)
        return;
    if (n > fit)
        n = fit;
    int sw = n * adv - s + 2 * pad, sh = FACE_FONT_H * s + 2 * pad;
    int sx = bx, sy = by - sh;
    if (sy < 0)
        sy = by < 0 ? 0 : by;
    if (sx + sw > img->width)
        sx = img->width - sw;
    if (sx < 0)
        sx = 0;
    fill_rect(img, sx, sy, sx + sw, sy + sh, colour_strip);
    for (int i = 0; i < n; i++)
        draw_glyph(img, sx + pad + i * adv, sy + pad, text[i], s, colour_text);
}

static int scaled(double v, double f)
{
    double r = floor(v * f + 0.5);
    if (!(r > -1e6)) return -1000000;   /* also catches NaN */
    if (r > 1e6) return 1000000;
    return (int)r;
}

int face_annotate_jpeg(const face_image *img, const face_det *dets, int n,
                       const char *const *labels, int max_side, uint8_t **jpeg, size_t *len)
{
    if (!img || !img->rgb || img->width <= 0 || img->height <= 0 || n < 0 ||
        (n > 0 && !dets) || !jpeg || !len)
        return FACE_ERR_ARG;
    int longest = img->width > img->height ? img->width : img->height;
    double f = (max_side > 0 && longest > max_side) ? (double)max_side / longest : 1.0;
    int ow = scaled(img->width, f), oh = scaled(img->height, f);
    if (ow < 1) ow = 1;
    if (oh < 1) oh = 1;

    face_image canvas;
    int rc = face_image_alloc(&canvas, ow, oh);
    if (rc != FACE_OK)
        return rc;
    if (f < 1.0)
        downscale(img, &canvas);
    else
        memcpy(canvas.rgb, img->rgb, (size_t)ow * oh * 3);

    int out_long = ow > oh ? ow : oh;
    int thick = out_long > 800 ? 3 : 2;
    int s = out_long / 500;
    s = s < 1 ? 1 : s > 4 ? 4 : s;
    for (int i = 0; i < n; i++) {
        const face_box *b = &dets[i].box;
        const char *label = labels ? labels[i] : NULL;
        int x0 = scaled(b->x, f), y0 = scaled(b->y, f);
        int x1 = scaled((double)b->x + b->w, f), y1 = scaled((double)b->y + b->h, f);
        if (x1 <= x0 || y1 <= y0)
            continue;
        outline(&canvas, x0, y0, x1, y1, thick, label ? colour_known : colour_unknown);
    }
    /* Labels after all boxes, so no box is drawn over a neighbour's text. */
    for (int i = 0; i < n; i++) {
        const face_box *b = &dets[i].box;
        const char *label = labels && labels[i] ? labels[i] : "Unknown";
        int x0 = scaled(b->x, f), y0 = scaled(b->y, f);
        int x1 = scaled((double)b->x + b->w, f), y1 = scaled((double)b->y + b->h, f);
        if (x1 <= x0 || y1 <= y0 || x1 <= 0 || y1 <= 0 || x0 >= ow || y0 >= oh)
            continue;
        draw_label(&canvas, x0 < 0 ? 0 : x0, y0, label, s);
    }
    rc = face_image_encode_jpeg(&canvas, ANNOTATE_QUALITY, jpeg, len);
    face_image_free(&canvas);
    return rc;
}
