/* face_annotate_jpeg (size, boxes, labels) and face_region_quality on synthetic images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"

static face_image flat(int w, int h, uint8_t r, uint8_t g, uint8_t b)
{
    face_image img;
    assert_int_equal(face_image_alloc(&img, w, h), FACE_OK);
    for (int i = 0; i < w * h; i++) {
        img.rgb[i * 3] = r;
        img.rgb[i * 3 + 1] = g;
        img.rgb[i * 3 + 2] = b;
    }
    return img;
}

static face_image decode_jpeg(const uint8_t *jpg, size_t n)
{
    face_image img;
    char reason[64];
    assert_int_equal(face_image_decode(jpg, n, 100000000L, &img, reason, sizeof reason), FACE_OK);
    return img;
}

static const uint8_t *px(const face_image *img, int x, int y)
{
    return img->rgb + ((size_t)y * img->width + x) * 3;
}

static void test_annotate(void **state)
{
    (void)state;
    face_image img = flat(2000, 1000, 128, 128, 128);
    face_det dets[3];
    memset(dets, 0, sizeof dets);
    dets[0].box = (face_box){400, 300, 400, 400};     /* labelled */
    dets[1].box = (face_box){1200, 100, 300, 300};    /* unknown */
    dets[2].box = (face_box){-50, 900, 200, 300};     /* partly outside */
    const char *labels[3] = {"Ada L\xc3\xb6velace \xe6\x97\xa5", NULL, "x"};
    uint8_t *jpg;
    size_t n;
    assert_int_equal(face_annotate_jpeg(&img, dets, 3, labels, 1000, &jpg, &n), FACE_OK);
    face_image out = decode_jpeg(jpg, n);
    free(jpg);
    assert_int_equal(out.width, 1000);
    assert_int_equal(out.height, 500);
    /* Box 0 scaled by 0.5: left edge at x=200..201, from y=150 to 350. Green. */
    const uint8_t *p = px(&out, 200, 250);
    assert_true(p[1] > 150 && p[0] < 80 && p[2] < 80);
    /* Box 1 (no label) in red: top edge at y=50. */
    p = px(&out, 700, 50);
    assert_true(p[0] > 170 && p[1] < 90);
    /* Inside the boxes the photo is untouched. */
    p = px(&out, 300, 300);
    assert_true(abs(p[0] - 128) < 6 && abs(p[1] - 128) < 6);
    /* A dark label strip just above box 0 with white text pixels in it. */
    int dark = 0, white = 0;
    for (int y = 130; y < 150; y++) {
        for (int x = 200; x < 300; x++) {
            const uint8_t *q = px(&out, x, y);
            dark += q[0] < 60 && q[1] < 60 && q[2] < 60;
            white += q[0] > 200 && q[1] > 200 && q[2] > 200;
        }
    }
    assert_true(dark > 200);
    assert_true(white > 40);
    /* The label reads "Ada L?velace ?": 14 glyphs, one '?' per non-ASCII code point. At
     * this size glyphs are 2x (12 px advance, 3 px padding): the strip spans x 200..371. */
    int last_dark = 0;
    for (int x = 200; x < 420; x++) {
        int col = 0;
        for (int y = 131; y < 149; y++)
            col += px(&out, x, y)[1] < 60;
        if (col >= 6)
            last_dark = x;
    }
    assert_true(last_dark >= 366 && last_dark <= 374);
    face_image_free(&out);

    /* No downscale when the image is small enough; no faces at all is fine too. */
    face_image small = flat(320, 240, 10, 200, 30);
    assert_int_equal(face_annotate_jpeg(&small, NULL, 0, NULL, 1000, &jpg, &n), FACE_OK);
    out = decode_jpeg(jpg, n);
    assert_int_equal(out.width, 320);
    assert_int_equal(out.height, 240);
    free(jpg);
    face_image_free(&out);
    /* Degenerate boxes and a label far wider than the picture. */
    dets[0].box = (face_box){NAN, 5, 10, 10};
    dets[1].box = (face_box){5, 5, -10, 10};
    dets[2].box = (face_box){10, 10, 50, 50};
    const char *long_labels[3] = {"a", "b", "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"};
    assert_int_equal(face_annotate_jpeg(&small, dets, 3, long_labels, 0, &jpg, &n), FACE_OK);
    out = decode_jpeg(jpg, n);
    assert_int_equal(out.width, 320);
    free(jpg);
    face_image_free(&out);
    face_image_free(&small);

    /* Area averaging: a fine checkerboard shrinks to its mean grey. */
    face_image cb;
    assert_int_equal(face_image_alloc(&cb, 400, 400), FACE_OK);
    for (int y = 0; y < 400; y++)
        for (int x = 0; x < 400; x++)
            memset(cb.rgb + ((size_t)y * 400 + x) * 3, ((x + y) & 1) ? 255 : 0, 3);
    assert_int_equal(face_annotate_jpeg(&cb, NULL, 0, NULL, 100, &jpg, &n), FACE_OK);
    out = decode_jpeg(jpg, n);
    assert_int_equal(out.width, 100);
    p = px(&out, 50, 50);
    assert_true(abs(p[0] - 128) < 6);
    free(jpg);
    face_image_free(&out);
    face_image_free(&cb);
    face_image_free(&img);
    assert_int_equal(face_annotate_jpeg(NULL, NULL, 0, NULL, 100, &jpg, &n), FACE_ERR_ARG);
}

static void test_quality(void **state)
{
    (void)state;
    face_image img = flat(64, 48, 200, 100, 50);
    double b, s;
    face_region_quality(&img, NULL, &b, &s);
    assert_true(fabs(b - round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)) < 1e-9);
    assert_true(s == 0.0);

    /* Checkerboard of 0/255 grey: Laplacian +-1020 everywhere inside: variance 1020^2. */
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++)
            memset(img.rgb + ((size_t)y * 64 + x) * 3, ((x + y) & 1) ? 255 : 0, 3);
    face_region_quality(&img, NULL, &b, &s);
    assert_true(fabs(b - 127.5) < 1e-9);
    assert_true(fabs(s - 1020.0 * 1020.0) < 1e-6);

    /* Region clipped to the image: left half flat black, right half checkerboard. */
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 32; x++)
            memset(img.rgb + ((size_t)y * 64 + x) * 3, 0, 3);
    face_box left = {-10, -10, 40, 100};   /* clips to x 0..29, all rows */
    face_region_quality(&img, &left, &b, &s);
    assert_true(b == 0.0);
    assert_true(s == 0.0);
    face_box right = {40, 10, 100, 20};
    face_region_quality(&img, &right, &b, &s);
    assert_true(s > 1e5);
    /* A smooth ramp is much less sharp than the checkerboard. */
    face_image ramp;
    assert_int_equal(face_image_alloc(&ramp, 64, 48), FACE_OK);
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++)
            memset(ramp.rgb + ((size_t)y * 64 + x) * 3, x * 4, 3);
    double s_ramp;
    face_region_quality(&ramp, NULL, &b, &s_ramp);
    assert_true(s_ramp < 1.0);
    face_image_free(&ramp);

    /* Outside the image, empty, NaN: zeros, no crash. */
    face_box outside = {100, 100, 10, 10}, empty = {5, 5, 0, 0}, nan = {NAN, 0, 5, 5};
    face_region_quality(&img, &outside, &b, &s);
    assert_true(b == 0 && s == 0);
    face_region_quality(&img, &empty, &b, &s);
    assert_true(b == 0 && s == 0);
    face_region_quality(&img, &nan, &b, &s);
    assert_true(b == 0 && s == 0);
    /* A 1x1 region has a brightness but no Laplacian neighbourhood issue. */
    face_box one = {40, 20, 1, 1};
    face_region_quality(&img, &one, &b, &s);
    assert_true(s == 0.0);
    face_image_free(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annotate),
        cmocka_unit_test(test_quality),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
