/* dlib-style face chip: template, similarity transform and bilinear sampling. The
 * arithmetic follows dlib's interpolation.h step for step (in double) so that chips agree
 * with dlib's, and with the reference re-implementation, to the grey level. */
#include "face/align.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* dlib's 5-point template (shape_predictor_5_face_landmarks), in 0..1 of the unpadded
 * chip, and the iBUG-68 landmark standing in for each point. */
static const double template5[5][2] = {
    {0.8595674595992, 0.2134981538014},   /* outer corner, image-right eye */
    {0.6460604764104, 0.2289674387677},   /* inner corner, image-right eye */
    {0.1205750620789, 0.2137274526848},   /* outer corner, image-left eye */
    {0.3340850613712, 0.2290642403242},   /* inner corner, image-left eye */
    {0.4901123135679, 0.6277975316475},   /* bottom of the nose */
};
static const int template5_idx[5] = {45, 42, 36, 39, 33};

typedef struct similarity { double a, b, tx, ty; } similarity;

/* Least-squares similarity to ~= M*from + t with M = [[a,-b],[b,a]]: the 2-D closed form
 * of Umeyama's solution (rotation, uniform scale, translation; no reflection). */
static int fit_similarity(const double from[5][2], const double to[5][2], similarity *s)
{
    const int n = 5;
    double mfx = 0, mfy = 0, mtx = 0, mty = 0;
    for (int i = 0; i < n; i++) {
        mfx += from[i][0];
        mfy += from[i][1];
        mtx += to[i][0];
        mty += to[i][1];
    }
    mfx /= n;
    mfy /= n;
    mtx /= n;
    mty /= n;
    double sxx = 0, sa = 0, sb = 0;
    for (int i = 0; i < n; i++) {
        double fx = from[i][0] - mfx, fy = from[i][1] - mfy;
        double tx = to[i][0] - mtx, ty = to[i][1] - mty;
        sxx += fx * fx + fy * fy;
        sa += fx * tx + fy * ty;
        sb += fx * ty - fy * tx;
    }
    if (!(sxx > 0))
        return FACE_ERR_ARG;
    s->a = sa / sxx;
    s->b = sb / sxx;
    s->tx = mtx - (s->a * mfx - s->b * mfy);
    s->ty = mty - (s->b * mfx + s->a * mfy);
    return isfinite(s->a) && isfinite(s->b) && isfinite(s->tx) && isfinite(s->ty) &&
                   (s->a != 0 || s->b != 0)
               ? FACE_OK
               : FACE_ERR_ARG;
}

int face_align_map(const face_point landmarks[68], int size, double padding, face_chip_map *m)
{
    if (!landmarks || !m || size < 2 || !(padding >= 0))
        return FACE_ERR_ARG;
    double from[5][2], to[5][2];
    for (int i = 0; i < 5; i++) {
        from[i][0] = ((padding + template5[i][0]) / (2 * padding + 1)) * size;
        from[i][1] = ((padding + template5[i][1]) / (2 * padding + 1)) * size;
        to[i][0] = landmarks[template5_idx[i]].x;
        to[i][1] = landmarks[template5_idx[i]].y;
    }
    similarity s;
    int rc = fit_similarity(from, to, &s);
    if (rc != FACE_OK)
        return rc;

    /* chip_details: angle and scale of M, rect = centered_drect(tform(centre), size*scale,
     * size*scale), whose corners span size*scale - 1 (dlib's width--). */
    double angle = atan2(s.b, s.a);
    double scale = hypot(s.a, s.b);
    double half = size / 2.0;
    double cx = s.a * half - s.b * half + s.tx;
    double cy = s.b * half + s.a * half + s.ty;
    double h = (size * scale - 1) / 2;
    double ca = cos(angle), sn = sin(angle);
    /* extract_image_chips maps chip (0,0), (size-1,0), (0,size-1) to the rectangle's
     * tl, tr, bl corners rotated about its centre. */
    double tl_x = cx + ca * -h - sn * -h, tl_y = cy + sn * -h + ca * -h;
    double tr_x = cx + ca * h - sn * -h, tr_y = cy + sn * h + ca * -h;
    double bl_x = cx + ca * -h - sn * h, bl_y = cy + sn * -h + ca * h;
    m->tl_x = tl_x;
    m->tl_y = tl_y;
    m->ux = (tr_x - tl_x) / (size - 1);
    m->uy = (tr_y - tl_y) / (size - 1);
    m->vx = (bl_x - tl_x) / (size - 1);
    m->vy = (bl_y - tl_y) / (size - 1);
    m->angle = angle;
    m->scale = scale;
    double wd = h + 1;   /* rect_down(rect).width() */
    m->pyramid_needed = wd * wd > (double)size * size;
    return FACE_OK;
}

int face_align_extract(const face_image *img, const face_chip_map *m, int size, face_image *chip)
{
    if (!img || !img->rgb || !m || !chip || size < 2)
        return FACE_ERR_ARG;
    int rc = face_image_alloc(chip, size, size);
    if (rc != FACE_OK)
        return rc;
    const int W = img->width, H = img->height;
    const uint8_t *px = img->rgb;
    for (int r = 0; r < size; r++) {
        for (int c = 0; c < size; c++) {
            double x = m->tl_x + c * m->ux + r * m->vx;
            double y = m->tl_y + c * m->uy + r * m->vy;
            double fl = floor(x), ft = floor(y);
            /* Outside (or NaN): left black, as dlib does. Compared in double so that huge
             * coordinates never overflow an int. */
            if (!(fl >= 0 && ft >= 0 && fl + 1 < W && ft + 1 < H))
                continue;
            int left = (int)fl, top = (int)ft;
            double lr = x - left, tb = y - top;
            const uint8_t *p00 = px + ((size_t)top * W + left) * 3;
            const uint8_t *p01 = p00 + 3, *p10 = p00 + (size_t)W * 3, *p11 = p10 + 3;
            uint8_t *o = chip->rgb + ((size_t)r * size + c) * 3;
            for (int k = 0; k < 3; k++) {
                double v = (1 - tb) * ((1 - lr) * p00[k] + lr * p01[k]) +
                           tb * ((1 - lr) * p10[k] + lr * p11[k]);
                o[k] = (uint8_t)v;   /* truncation, v is within [0, 255] */
            }
        }
    }
    return FACE_OK;
}

/* One pyramid level: halves src with the binomial filter [1 3 3 1]/8 in each direction
 * (edges replicated). Destination pixel j covers source pixels 2j-1..2j+2, centred on
 * source coordinate 2j + 0.5, so a source point x lands on (x - 0.5) / 2. Levels stay
 * uint8, as dlib's pyramid_down keeps the image's pixel type. */
static int pyramid_down(const face_image *src, face_image *dst)
{
    const int W = src->width, H = src->height, w = W / 2, h = H / 2;
    static const int k[4] = { 1, 3, 3, 1 };
    uint16_t *tmp = NULL;
    int rc = face_image_alloc(dst, w, h);
    if (rc != FACE_OK)
        return rc;
    tmp = malloc(sizeof *tmp * (size_t)w * H * 3);
    if (!tmp) {
        face_image_free(dst);
        return FACE_ERR_NOMEM;
    }
    for (int y = 0; y < H; y++) {
        const uint8_t *row = src->rgb + (size_t)y * W * 3;
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int s = 0;
                for (int t = 0; t < 4; t++) {
                    int xx = 2 * x - 1 + t;
                    xx = xx < 0 ? 0 : xx >= W ? W - 1 : xx;
                    s += k[t] * row[3 * xx + c];
                }
                tmp[((size_t)y * w + x) * 3 + c] = (uint16_t)s;
            }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int s = 0;
                for (int t = 0; t < 4; t++) {
                    int yy = 2 * y - 1 + t;
                    yy = yy < 0 ? 0 : yy >= H ? H - 1 : yy;
                    s += k[t] * tmp[((size_t)yy * w + x) * 3 + c];
                }
                dst->rgb[((size_t)y * w + x) * 3 + c] = (uint8_t)((s + 32) / 64);
            }
    free(tmp);
    return FACE_OK;
}

/* Large faces: sampling a chip at more than ~2 image pixels per chip pixel would alias, so
 * (as dlib does) the region under the chip is first halved `levels` times, until the chip
 * samples at 1-2 pixels per pixel, and the chip is taken from that level. Only the
 * footprint of the chip (plus the filter's reach) is copied and reduced. */
static int extract_pyramid(const face_image *img, const face_chip_map *m, int size,
                           face_image *chip)
{
    int levels = 0;
    while ((size * m->scale / (1 << levels) + 1) / 2 > size && levels < 16)
        levels++;
    const double f = 1 << levels, reach = 2 * f + 2;
    double xs[4], ys[4], n1 = size - 1;
    for (int i = 0; i < 4; i++) {
        double c = (i & 1) ? n1 : 0, r = (i & 2) ? n1 : 0;
        xs[i] = m->tl_x + c * m->ux + r * m->vx;
        ys[i] = m->tl_y + c * m->uy + r * m->vy;
    }
    double x0 = fmin(fmin(xs[0], xs[1]), fmin(xs[2], xs[3])) - reach;
    double x1 = fmax(fmax(xs[0], xs[1]), fmax(xs[2], xs[3])) + reach;
    double y0 = fmin(fmin(ys[0], ys[1]), fmin(ys[2], ys[3])) - reach;
    double y1 = fmax(fmax(ys[0], ys[1]), fmax(ys[2], ys[3])) + reach;
    x0 = fmax(x0, 0);
    y0 = fmax(y0, 0);
    x1 = fmin(x1, img->width);
    y1 = fmin(y1, img->height);
    if (!(x1 - x0 >= 2 * f && y1 - y0 >= 2 * f)) { /* the chip misses the image: black */
        int rc = face_image_alloc(chip, size, size);
        if (rc == FACE_OK)
            memset(chip->rgb, 0, (size_t)size * size * 3);
        return rc;
    }
    int rx = (int)floor(x0), ry = (int)floor(y0);
    int rw = (int)ceil(x1) - rx, rh = (int)ceil(y1) - ry;
    face_image cur = { 0 }, next = { 0 };
    int rc = face_image_alloc(&cur, rw, rh);
    if (rc != FACE_OK)
        return rc;
    for (int y = 0; y < rh; y++)
        memcpy(cur.rgb + (size_t)y * rw * 3, img->rgb + ((size_t)(ry + y) * img->width + rx) * 3,
               (size_t)rw * 3);
    for (int l = 0; l < levels && rc == FACE_OK; l++) {
        rc = pyramid_down(&cur, &next);
        face_image_free(&cur);
        cur = next;
        next = (face_image){ 0 };
    }
    if (rc == FACE_OK) {
        face_chip_map lm = *m;
        double off = (f - 1) / 2;
        lm.tl_x = (m->tl_x - rx - off) / f;
        lm.tl_y = (m->tl_y - ry - off) / f;
        lm.ux /= f;
        lm.uy /= f;
        lm.vx /= f;
        lm.vy /= f;
        lm.scale /= f;
        rc = face_align_extract(&cur, &lm, size, chip);
    }
    face_image_free(&cur);
    return rc;
}

int face_align_chip(const face_image *img, const face_point landmarks[68], face_image *chip)
{
    face_chip_map m;
    int rc = face_align_map(landmarks, FACE_CHIP_SIZE, FACE_CHIP_PADDING, &m);
    if (rc != FACE_OK)
        return rc;
    if (m.pyramid_needed && img && img->rgb && chip)
        return extract_pyramid(img, &m, FACE_CHIP_SIZE, chip);
    return face_align_extract(img, &m, FACE_CHIP_SIZE, chip);
}

int face_align_chip_jpeg(const face_image *img, const face_point landmarks[68], int quality,
                         uint8_t **jpeg, size_t *len)
{
    face_image chip = {0};
    int rc = face_align_chip(img, landmarks, &chip);
    if (rc == FACE_OK)
        rc = face_image_encode_jpeg(&chip, quality, jpeg, len);
    face_image_free(&chip);
    return rc;
}
