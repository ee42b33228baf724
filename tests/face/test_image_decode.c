/* face_image_decode on real and generated files: formats, bit depths, colour types, EXIF
 * orientation, damaged input and pixel limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"
#include "face_testutil.h"
#include "img_synth.h"

#define LIMIT 40000000L

static char reason[128];

static int decode(const uint8_t *d, size_t n, long limit, face_image *img)
{
    return face_image_decode(d, n, limit, img, reason, sizeof reason);
}

/* Width and height from a JPEG's SOFn segment, read independently of libjpeg. */
static int jpeg_sof_size(const uint8_t *d, size_t n, int *w, int *h)
{
    size_t i = 2;
    while (i + 9 < n) {
        if (d[i] != 0xff) return -1;
        uint8_t m = d[i + 1];
        size_t seg = ((size_t)d[i + 2] << 8) | d[i + 3];
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
            *h = (d[i + 5] << 8) | d[i + 6];
            *w = (d[i + 7] << 8) | d[i + 8];
            return 0;
        }
        i += 2 + seg;
    }
    return -1;
}

static void test_real_jpegs(void **state)
{
    (void)state;
    const char *shared = getenv("ATTENDLY_SHARED_DIR");
    const char *models = getenv("ATTENDLY_MODELS_DIR");
    char paths[8][512];
    int np = 0;
    if (shared) {
        snprintf(paths[np++], 512, "%s/testdata/faces/face_recognition_examples/examples/two_people.jpg", shared);
        snprintf(paths[np++], 512, "%s/testdata/faces/lfw/images/Andrew_Gilligan/Andrew_Gilligan_0001.jpg", shared);
    }
    for (int i = 1; models && i <= 6; i++)
        snprintf(paths[np++], 512, "%s/demo/sample%d.jpg", models, i);
    int decoded = 0;
    for (int i = 0; i < np; i++) {
        size_t n;
        uint8_t *d = ft_read_file(paths[i], &n);
        if (!d)
            continue;
        int w = 0, h = 0;
        assert_int_equal(jpeg_sof_size(d, n, &w, &h), 0);
        face_image img;
        assert_int_equal(decode(d, n, LIMIT, &img), FACE_OK);
        /* These files carry no rotating EXIF orientation. */
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        /* Not a blank picture. */
        long sum = 0;
        for (size_t k = 0; k < (size_t)w * h * 3; k += 97)
            sum += img.rgb[k];
        assert_true(sum > 0);
        /* Pixel limit one below the size. */
        face_image none;
        assert_int_equal(decode(d, n, (long)w * h - 1, &none), FACE_ERR_TOO_LARGE);
        assert_null(none.rgb);
        /* Every truncation point of the entropy-coded data fails cleanly. */
        for (size_t cut = n / 4; cut < n - 2; cut += n / 7) {
            face_image t;
            int rc = decode(d, cut, LIMIT, &t);
            assert_int_equal(rc, FACE_ERR_DECODE);
            assert_string_equal(reason, "truncated jpeg");
        }
        face_image_free(&img);
        free(d);
        decoded++;
    }
    printf("decoded %d real JPEG files\n", decoded);
    if (!decoded) {
        printf("skipped: no real JPEG found (run scripts/models.sh or provide ../shared/testdata)\n");
        skip();
    }
}

/* ---- orientation: expected results built from mirror/rotate primitives -------------- */

static face_image copy_image(const face_image *s)
{
    face_image d;
    assert_int_equal(face_image_alloc(&d, s->width, s->height), FACE_OK);
    memcpy(d.rgb, s->rgb, (size_t)s->width * s->height * 3);
    return d;
}

static face_image mirror_h(const face_image *s)
{
    face_image d = copy_image(s);
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++)
            memcpy(d.rgb + ((size_t)y * s->width + x) * 3,
                   s->rgb + ((size_t)y * s->width + (s->width - 1 - x)) * 3, 3);
    return d;
}

/* Rotate 90 degrees clockwise: the left column becomes the top row. */
static face_image rotate_cw(const face_image *s)
{
    face_image d;
    assert_int_equal(face_image_alloc(&d, s->height, s->width), FACE_OK);
    for (int y = 0; y < d.height; y++)
        for (int x = 0; x < d.width; x++)
            memcpy(d.rgb + ((size_t)y * d.width + x) * 3,
                   s->rgb + ((size_t)(s->height - 1 - x) * s->width + y) * 3, 3);
    return d;
}

static face_image apply_steps(const face_image *s, int mirror, int quarter_turns)
{
    face_image cur = mirror ? mirror_h(s) : copy_image(s);
    for (int i = 0; i < quarter_turns; i++) {
        face_image next = rotate_cw(&cur);
        face_image_free(&cur);
        cur = next;
    }
    return cur;
}

/* What a viewer does for each EXIF value (TIFF/EXIF 2.3 wording: "mirror horizontal and
 * rotate 270 CW" for 5, and so on). */
static face_image expected_orientation(const face_image *s, int o)
{
    static const int mirror[9] = {0, 0, 1, 0, 1, 1, 0, 1, 0};
    static const int turns[9] = {0, 0, 0, 2, 2, 3, 1, 1, 3};
    return apply_steps(s, mirror[o], turns[o]);
}

static void assert_same_image(const face_image *a, const face_image *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    assert_memory_equal(a->rgb, b->rgb, (size_t)a->width * a->height * 3);
}

typedef uint8_t *(*encode_fn)(const uint8_t *rgb, int w, int h, int orientation, size_t *len);

static uint8_t *enc_jpeg(const uint8_t *rgb, int w, int h, int o, size_t *len)
{
    return synth_jpeg(rgb, w, h, SYNTH_JPEG_RGB, 95, 0, o, len);
}
static uint8_t *enc_png(const uint8_t *rgb, int w, int h, int o, size_t *len)
{
    return synth_png(rgb, (size_t)w * h * 3, w, h, 2, 8, NULL, 0, o, len);
}
static uint8_t *enc_webp(const uint8_t *rgb, int w, int h, int o, size_t *len)
{
    return synth_webp(rgb, w, h, 1, o, len);
}

static void check_orientations(encode_fn enc)
{
    const int w = 24, h = 16;
    uint8_t *px = synth_pattern(w, h);
    size_t n;
    uint8_t *plain = enc(px, w, h, 0, &n);
    assert_non_null(plain);
    face_image base;
    assert_int_equal(decode(plain, n, LIMIT, &base), FACE_OK);
    free(plain);
    for (int o = 1; o <= 8; o++) {
        uint8_t *file = enc(px, w, h, o, &n);
        assert_non_null(file);
        face_image got;
        assert_int_equal(decode(file, n, LIMIT, &got), FACE_OK);
        face_image want = expected_orientation(&base, o);
        assert_same_image(&got, &want);
        if (o >= 5) {
            assert_int_equal(got.width, h);
            assert_int_equal(got.height, w);
        }
        face_image_free(&got);
        face_image_free(&want);
        free(file);
    }
    face_image_free(&base);
    free(px);
}

static void test_orientation_jpeg(void **s) { (void)s; check_orientations(enc_jpeg); }
static void test_orientation_png(void **s) { (void)s; check_orientations(enc_png); }
static void test_orientation_webp(void **s) { (void)s; check_orientations(enc_webp); }

/* Anchor the convention itself: with orientation 6 (rotate 90 cw) the stored top-left
 * quadrant (red) is shown top-right; with 8 bottom-left. */
static void test_orientation_anchor(void **state)
{
    (void)state;
    const int w = 40, h = 20;
    uint8_t *px = synth_pattern(w, h);
    size_t n;
    for (int o = 6; o <= 8; o += 2) {
        uint8_t *file = enc_png(px, w, h, o, &n);
        face_image img;
        assert_int_equal(decode(file, n, LIMIT, &img), FACE_OK);
        assert_int_equal(img.width, h);
        int x = o == 6 ? img.width - 2 : 1, y = o == 6 ? 1 : img.height - 2;
        const uint8_t *p = img.rgb + ((size_t)y * img.width + x) * 3;
        assert_true(p[0] > 150 && p[1] < 100 && p[2] < 100);
        face_image_free(&img);
        free(file);
    }
    free(px);
}

/* Some writers put eXIf after the image data; it still counts. */
static void test_png_exif_after_idat(void **state)
{
    (void)state;
    const int w = 24, h = 16;
    uint8_t *px = synth_pattern(w, h);
    size_t n;
    uint8_t *png = synth_png(px, (size_t)w * h * 3, w, h, 2, 8, NULL, 0, 6, &n);
    assert_non_null(png);
    size_t at = 0;
    for (size_t i = 8; i + 8 < n; i++)
        if (memcmp(png + i + 4, "eXIf", 4) == 0) { at = i; break; }
    assert_true(at > 0);
    size_t clen = 12 + ((size_t)png[at] << 24 | (size_t)png[at + 1] << 16 | (size_t)png[at + 2] << 8 | png[at + 3]);
    uint8_t *moved = malloc(n);
    size_t k = 0;
    memcpy(moved, png, at); k = at;
    memcpy(moved + k, png + at + clen, n - at - clen - 12); k += n - at - clen - 12;
    memcpy(moved + k, png + at, clen); k += clen;
    memcpy(moved + k, png + n - 12, 12); k += 12;
    assert_int_equal(k, n);
    face_image img;
    assert_int_equal(decode(moved, n, LIMIT, &img), FACE_OK);
    assert_int_equal(img.width, h);
    assert_int_equal(img.height, w);
    face_image_free(&img);
    free(moved);
    free(png);
    free(px);
}

/* ---- PNG variants --------------------------------------------------------------------- */

static void test_png_16bit_and_alpha(void **state)
{
    (void)state;
    const int w = 7, h = 5;
    /* RGBA 16-bit, big-endian; values v*257 so any 16->8 reduction gives v. Alpha 0
     * must not blacken the pixel (dropped, not composited). */
    uint8_t *d = malloc((size_t)w * h * 8);
    for (int i = 0; i < w * h; i++) {
        unsigned v[4] = {(unsigned)(i * 7) % 256, (unsigned)(255 - i * 3) % 256, (unsigned)(i * 31) % 256, 0};
        for (int k = 0; k < 4; k++) {
            unsigned s = v[k] * 257;
            d[i * 8 + k * 2] = (uint8_t)(s >> 8);
            d[i * 8 + k * 2 + 1] = (uint8_t)s;
        }
    }
    size_t n;
    uint8_t *png = synth_png(d, (size_t)w * h * 8, w, h, 6, 16, NULL, 0, 0, &n);
    assert_non_null(png);
    face_image img;
    assert_int_equal(decode(png, n, LIMIT, &img), FACE_OK);
    for (int i = 0; i < w * h; i++) {
        assert_int_equal(img.rgb[i * 3], (i * 7) % 256);
        assert_int_equal(img.rgb[i * 3 + 1], (255 - i * 3) % 256);
        assert_int_equal(img.rgb[i * 3 + 2], (i * 31) % 256);
    }
    face_image_free(&img);
    free(png);
    free(d);
}

static void test_png_grey_and_palette(void **state)
{
    (void)state;
    const int w = 8, h = 3;
    /* 8-bit grey: R=G=B. */
    uint8_t grey[24];
    for (int i = 0; i < 24; i++)
        grey[i] = (uint8_t)(i * 10);
    size_t n;
    uint8_t *png = synth_png(grey, sizeof grey, w, h, 0, 8, NULL, 0, 0, &n);
    face_image img;
    assert_int_equal(decode(png, n, LIMIT, &img), FACE_OK);
    for (int i = 0; i < 24; i++) {
        assert_int_equal(img.rgb[i * 3], i * 10);
        assert_int_equal(img.rgb[i * 3 + 1], i * 10);
        assert_int_equal(img.rgb[i * 3 + 2], i * 10);
    }
    face_image_free(&img);
    free(png);

    /* 2-bit palette: four entries, rows packed 4 pixels per byte. */
    const uint8_t pal[12] = {10, 20, 30, 200, 100, 0, 0, 255, 0, 90, 90, 250};
    uint8_t packed[6];
    for (int r = 0; r < h; r++) {
        for (int b = 0; b < 2; b++) {
            uint8_t v = 0;
            for (int k = 0; k < 4; k++)
                v |= (uint8_t)(((r + b * 4 + k) % 4) << (6 - 2 * k));
            packed[r * 2 + b] = v;
        }
    }
    png = synth_png(packed, sizeof packed, w, h, 3, 2, pal, 4, 0, &n);
    assert_non_null(png);
    assert_int_equal(decode(png, n, LIMIT, &img), FACE_OK);
    for (int r = 0; r < h; r++)
        for (int x = 0; x < w; x++)
            assert_memory_equal(img.rgb + (r * w + x) * 3, pal + ((r + x) % 4) * 3, 3);
    face_image_free(&img);
    free(png);
}

/* ---- JPEG variants -------------------------------------------------------------------- */

static void test_jpeg_grey_progressive_cmyk(void **state)
{
    (void)state;
    const int w = 32, h = 24;
    uint8_t grey[32 * 24];
    for (int i = 0; i < w * h; i++)
        grey[i] = (uint8_t)(40 + (i % w) * 5);
    size_t n;
    uint8_t *jpg = synth_jpeg(grey, w, h, SYNTH_JPEG_GREY, 95, 0, 0, &n);
    face_image img;
    assert_int_equal(decode(jpg, n, LIMIT, &img), FACE_OK);
    for (int i = 0; i < w * h; i++) {
        assert_int_equal(img.rgb[i * 3], img.rgb[i * 3 + 1]);
        assert_int_equal(img.rgb[i * 3], img.rgb[i * 3 + 2]);
        assert_true(abs(img.rgb[i * 3] - grey[i]) <= 6);
    }
    face_image_free(&img);
    free(jpg);

    /* Progressive equals baseline closely (same quantisation, different scan order). */
    uint8_t *px = synth_pattern(w, h);
    size_t nb, np;
    uint8_t *base = synth_jpeg(px, w, h, SYNTH_JPEG_RGB, 90, 0, 0, &nb);
    uint8_t *prog = synth_jpeg(px, w, h, SYNTH_JPEG_RGB, 90, 1, 0, &np);
    assert_true(nb != np || memcmp(base, prog, nb) != 0);
    face_image a, b;
    assert_int_equal(decode(base, nb, LIMIT, &a), FACE_OK);
    assert_int_equal(decode(prog, np, LIMIT, &b), FACE_OK);
    for (int i = 0; i < w * h * 3; i++)
        assert_true(abs(a.rgb[i] - b.rgb[i]) <= 2);
    /* Truncated progressive file: refused, not half-grey. */
    face_image t;
    assert_int_equal(decode(prog, np * 2 / 3, LIMIT, &t), FACE_ERR_DECODE);
    assert_string_equal(reason, "truncated jpeg");
    face_image_free(&a);
    face_image_free(&b);
    free(base);
    free(prog);
    free(px);

    /* CMYK with the Adobe marker (inverted inks): solid colours come out as RGB. */
    static const uint8_t inks[3][4] = {{255, 0, 0, 255}, {0, 255, 255, 255}, {255, 255, 255, 128}};
    static const uint8_t want[3][3] = {{255, 0, 0}, {0, 255, 255}, {128, 128, 128}};
    for (int c = 0; c < 3; c++) {
        uint8_t cmyk[16 * 16 * 4];
        for (int i = 0; i < 256; i++)
            memcpy(cmyk + i * 4, inks[c], 4);
        jpg = synth_jpeg(cmyk, 16, 16, SYNTH_JPEG_CMYK, 95, 0, 0, &n);
        assert_non_null(jpg);
        assert_int_equal(decode(jpg, n, LIMIT, &img), FACE_OK);
        for (int k = 0; k < 3; k++)
            assert_true(abs(img.rgb[(8 * 16 + 8) * 3 + k] - want[c][k]) <= 4);
        face_image_free(&img);
        free(jpg);
    }
}

/* ---- damaged input and limits ----------------------------------------------------------- */

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void test_bad_input(void **state)
{
    (void)state;
    face_image img;
    assert_int_equal(decode((const uint8_t *)"", 0, LIMIT, &img), FACE_ERR_DECODE);
    assert_string_equal(reason, "empty image");
    assert_null(img.rgb);
    assert_int_equal(decode(NULL, 0, LIMIT, &img), FACE_ERR_DECODE);

    const char *gif = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
    assert_int_equal(decode((const uint8_t *)gif, 13, LIMIT, &img), FACE_ERR_FORMAT);
    uint8_t noise[512];
    for (int i = 0; i < 512; i++)
        noise[i] = (uint8_t)(i * 131 + 7);
    assert_int_equal(decode(noise, sizeof noise, LIMIT, &img), FACE_ERR_FORMAT);
    /* Right magic, garbage after it. */
    noise[0] = 0xff; noise[1] = 0xd8; noise[2] = 0xff;
    assert_int_equal(decode(noise, sizeof noise, LIMIT, &img), FACE_ERR_DECODE);
    assert_true(strstr(reason, "jpeg") != NULL);
    memcpy(noise, "\x89PNG\r\n\x1a\n", 8);
    assert_int_equal(decode(noise, sizeof noise, LIMIT, &img), FACE_ERR_DECODE);
    assert_true(strstr(reason, "png") != NULL);
    memcpy(noise, "RIFF\x00\x01\x00\x00WEBPVP8 ", 16);
    assert_int_equal(decode(noise, sizeof noise, LIMIT, &img), FACE_ERR_DECODE);
    assert_true(strstr(reason, "webp") != NULL);
    assert_null(img.rgb);
    /* Magic only. */
    assert_int_equal(decode((const uint8_t *)"\xff\xd8\xff", 3, LIMIT, &img), FACE_ERR_DECODE);

    /* Truncated PNG and WebP of a real pattern. */
    uint8_t *px = synth_pattern(64, 48);
    size_t n;
    uint8_t *png = synth_png(px, 64 * 48 * 3, 64, 48, 2, 8, NULL, 0, 0, &n);
    for (size_t cut = 8; cut < n; cut += n / 5) {
        assert_int_equal(decode(png, cut, LIMIT, &img), FACE_ERR_DECODE);
        assert_true(strstr(reason, "png") != NULL);
    }
    /* A flipped bit in the image data. */
    png[n / 2] ^= 0x40;
    assert_int_equal(decode(png, n, LIMIT, &img), FACE_ERR_DECODE);
    assert_string_equal(reason, "corrupt png");
    free(png);
    for (int lossless = 0; lossless <= 1; lossless++) {
        uint8_t *webp = synth_webp(px, 64, 48, lossless, 0, &n);
        assert_int_equal(decode(webp, n, LIMIT, &img), FACE_OK);
        assert_int_equal(img.width, 64);
        face_image_free(&img);
        assert_int_equal(decode(webp, n * 2 / 3, LIMIT, &img), FACE_ERR_DECODE);
        assert_true(strstr(reason, "webp") != NULL);
        free(webp);
    }
    free(px);
}

/* Headers claiming huge images are refused from the header alone. (In the sanitizer build
 * an attempt to allocate 12 GB would abort the test.) */
static void test_huge_headers(void **state)
{
    (void)state;
    uint8_t *px = synth_pattern(16, 16);
    size_t n;
    face_image img;
    /* JPEG: patch the SOF0 dimensions to 65000 x 65000. */
    uint8_t *jpg = synth_jpeg(px, 16, 16, SYNTH_JPEG_RGB, 90, 0, 0, &n);
    for (size_t i = 2; i + 9 < n; i++) {
        if (jpg[i] == 0xff && jpg[i + 1] == 0xc0) {
            jpg[i + 5] = jpg[i + 7] = 0xfd;
            jpg[i + 6] = jpg[i + 8] = 0xe8;
            break;
        }
    }
    assert_int_equal(decode(jpg, n, LIMIT, &img), FACE_ERR_TOO_LARGE);
    assert_null(img.rgb);
    free(jpg);

    /* PNG: IHDR of 60000 x 60000 with a valid CRC. */
    uint8_t *png = synth_png(px, 16 * 16 * 3, 16, 16, 2, 8, NULL, 0, 0, &n);
    uint8_t dims[8] = {0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60};
    memcpy(png + 16, dims, 8);
    uint32_t crc = crc32_png(png + 12, 17);
    png[29] = (uint8_t)(crc >> 24); png[30] = (uint8_t)(crc >> 16);
    png[31] = (uint8_t)(crc >> 8); png[32] = (uint8_t)crc;
    assert_int_equal(decode(png, n, LIMIT, &img), FACE_ERR_TOO_LARGE);
    /* Within the side limit but over a small pixel limit. */
    assert_int_equal(decode(png, n, 100, &img), FACE_ERR_TOO_LARGE);
    free(png);

    /* WebP extended header with a 16384 x 16384 canvas. */
    uint8_t vp8x[30] = "RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00";
    vp8x[20] = 0;
    vp8x[24] = vp8x[27] = 0xff; vp8x[25] = vp8x[28] = 0x3f;
    assert_int_equal(decode(vp8x, sizeof vp8x, LIMIT, &img), FACE_ERR_TOO_LARGE);

    /* A real 16x16 file against limits 255 and 256. */
    png = synth_png(px, 16 * 16 * 3, 16, 16, 2, 8, NULL, 0, 0, &n);
    assert_int_equal(decode(png, n, 255, &img), FACE_ERR_TOO_LARGE);
    assert_int_equal(decode(png, n, 256, &img), FACE_OK);
    face_image_free(&img);
    free(png);
    free(px);
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    face_image img;
    assert_int_equal(face_image_alloc(&img, 33, 17), FACE_OK);
    for (int i = 0; i < 33 * 17 * 3; i++)
        img.rgb[i] = (uint8_t)(100 + (i / 3) % 33);
    uint8_t *jpg;
    size_t n;
    assert_int_equal(face_image_encode_jpeg(&img, 95, &jpg, &n), FACE_OK);
    face_image back;
    assert_int_equal(decode(jpg, n, LIMIT, &back), FACE_OK);
    assert_int_equal(back.width, 33);
    assert_int_equal(back.height, 17);
    for (int i = 0; i < 33 * 17 * 3; i++)
        assert_true(abs(back.rgb[i] - img.rgb[i]) <= 4);
    assert_int_equal(face_image_encode_jpeg(&img, 0, &jpg, &n), FACE_ERR_ARG);
    free(jpg);
    face_image_free(&back);
    face_image_free(&img);
    assert_int_equal(face_image_alloc(&img, 0, 5), FACE_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_jpegs),
        cmocka_unit_test(test_orientation_jpeg),
        cmocka_unit_test(test_orientation_png),
        cmocka_unit_test(test_orientation_webp),
        cmocka_unit_test(test_orientation_anchor),
        cmocka_unit_test(test_png_exif_after_idat),
        cmocka_unit_test(test_png_16bit_and_alpha),
        cmocka_unit_test(test_png_grey_and_palette),
        cmocka_unit_test(test_jpeg_grey_progressive_cmyk),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_huge_headers),
        cmocka_unit_test(test_encode_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
