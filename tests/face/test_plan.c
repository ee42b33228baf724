/* Detection plan and window sampling, without the networks: the tile layout covers every
 * face it promises to see whole, window sampling (copy, shrink, enlarge, mirror, black
 * outside), and the anti-aliased chip of large faces. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face/align.h"
#include "face/plan.h"
#include "face/prep.h"

static void plan_for(int w, int h, int min_face, fd_plan *p)
{
    face_opts o;
    face_opts_default(&o);
    o.min_face_size = min_face;
    fd_plan_make(&o, w, h, p);
}

/* Every box up to the level-0 overlap in size, anywhere in the image, lies whole inside
 * some level-0 tile, and the tiles stay inside the image. */
static void check_cover(int w, int h, int min_face)
{
    fd_plan p;
    plan_for(w, h, min_face, &p);
    int n = fd_plan_tiles(&p, w, h, NULL, 0);
    fd_window *t = malloc(sizeof *t * (size_t)(n ? n : 1));
    assert_int_equal(fd_plan_tiles(&p, w, h, t, n), n);
    if (!p.tiles) {
        assert_int_equal(n, 0);
        free(t);
        return;
    }
    int level0 = 0;
    while (level0 < n && t[level0].side == p.tile_side)
        level0++;
    assert_true(level0 > 0);
    for (int i = 0; i < n; i++) {
        assert_true(t[i].x == floor(t[i].x) && t[i].y == floor(t[i].y));
        if (t[i].side <= w)
            assert_true(t[i].x >= 0 && t[i].x + t[i].side <= w);
        if (t[i].side <= h)
            assert_true(t[i].y >= 0 && t[i].y + t[i].side <= h);
    }
    const double box = p.tile_overlap - 1; /* whole-pixel positions may cost a pixel */
    unsigned seed = 7;
    for (int k = 0; k < 2000; k++) {
        seed = seed * 1103515245u + 12345u;
        double bx = (double)(seed >> 8) / (1u << 24) * fmax(0, w - box);
        seed = seed * 1103515245u + 12345u;
        double by = (double)(seed >> 8) / (1u << 24) * fmax(0, h - box);
        int inside = 0;
        for (int i = 0; i < level0 && !inside; i++)
            inside = bx >= t[i].x - 1e-9 && by >= t[i].y - 1e-9 &&
                     bx + fmin(box, w) <= t[i].x + t[i].side + 1e-9 &&
                     by + fmin(box, h) <= t[i].y + t[i].side + 1e-9;
        if (!inside)
            fail_msg("%dx%d: box at %.1f,%.1f (side %.0f) in no tile", w, h, bx, by, box);
    }
    printf("%5dx%-5d min face %2d: %3d tiles (%d at %.0f px, overlap %.0f)\n", w, h, min_face,
           n, level0, p.tile_side, p.tile_overlap);
    free(t);
}

static void test_tile_cover(void **state)
{
    (void)state;
    check_cover(1920, 1080, 40);
    check_cover(4000, 3000, 40);
    check_cover(7300, 5480, 40);   /* 40 MP, the pixel limit */
    check_cover(300, 6000, 40);    /* extreme aspect */
    check_cover(1920, 1080, 64);   /* enrolment's minimum face size: coarser tiles */
    check_cover(400, 300, 40);     /* small photo: no tiles */
}

static void test_plan_modes(void **state)
{
    (void)state;
    face_opts o;
    fd_plan p;
    face_opts_default(&o);
    o.tiles = FACE_TILES_OFF;
    o.chip = FACE_CHIP_FACEAPI;
    fd_plan_make(&o, 4000, 3000, &p);
    assert_true(p.faceapi);              /* face-api's pipeline exactly */
    o.chip = FACE_CHIP_DLIB;
    fd_plan_make(&o, 4000, 3000, &p);
    assert_false(p.faceapi);
    assert_false(p.tiles);
    assert_true(p.zoom_out > 1);
    face_opts_default(&o);
    fd_plan_make(&o, 4000, 3000, &p);
    assert_true(p.tiles);
    assert_false(p.flip);
    o.portrait = 1;
    fd_plan_make(&o, 640, 480, &p);
    assert_true(p.flip && p.zoom_out > 1);
}

static face_image pattern(int w, int h)
{
    face_image img;
    assert_int_equal(face_image_alloc(&img, w, h), FACE_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < 3; k++)
                img.rgb[((size_t)y * w + x) * 3 + k] = (uint8_t)((x * 7 + y * 13 + k * 50) % 256);
    return img;
}

static void test_window_sampling(void **state)
{
    (void)state;
    face_image img = pattern(64, 48);
    float *out = malloc(sizeof(float) * 64 * 64 * 3);
    /* 1:1 copy at an offset, black outside, mirrored */
    fp_window(&img, 10, -4, 16, 16, 0, FP_NORM_NONE, out);
    assert_true(out[0] == 0);                                   /* row -4: outside */
    assert_true(out[(4 * 16 + 0) * 3] == img.rgb[(0 * 64 + 10) * 3]);
    assert_true(out[(5 * 16 + 3) * 3 + 2] == img.rgb[(1 * 64 + 13) * 3 + 2]);
    fp_window(&img, 10, 0, 16, 16, 1, FP_NORM_NONE, out);
    assert_true(out[(2 * 16 + 15) * 3 + 1] == img.rgb[(2 * 64 + 10) * 3 + 1]);
    /* SSD normalisation of the copy */
    fp_window(&img, 0, 0, 8, 8, 0, FP_NORM_SSD, out);
    assert_true(fabsf(out[3] - (img.rgb[3] / 127.5f - 1)) < 1e-6f);
    /* shrinking by 2 averages 2x2 blocks; the part outside counts as black */
    fp_window(&img, 0, 0, 64, 32, 0, FP_NORM_NONE, out);
    for (int k = 0; k < 3; k++) {
        float want = (img.rgb[k] + img.rgb[3 + k] + img.rgb[64 * 3 + k] + img.rgb[64 * 3 + 3 + k]) / 4.0f;
        assert_true(fabsf(out[k] - want) < 1e-3f);
    }
    assert_true(out[(31 * 32 + 5) * 3] == 0);                   /* rows 62-63: outside */
    /* enlarging by 2: output (r 10, c 11) has its centre at source (5.25, 4.75) */
    fp_window(&img, 0, 0, 32, 64, 0, FP_NORM_NONE, out);
    float row4 = 0.75f * img.rgb[(4 * 64 + 5) * 3] + 0.25f * img.rgb[(4 * 64 + 6) * 3];
    float row5 = 0.75f * img.rgb[(5 * 64 + 5) * 3] + 0.25f * img.rgb[(5 * 64 + 6) * 3];
    assert_true(fabsf(out[(10 * 64 + 11) * 3] - (0.25f * row4 + 0.75f * row5)) < 1e-3f);
    free(out);
    face_image_free(&img);
}

/* A fine texture seen through a chip 4x smaller than the face: with the pyramid the chip
 * is close to the chip of the same face photographed at chip scale; sampling the large
 * image directly aliases. */
static void test_pyramid_chip(void **state)
{
    (void)state;
    const int S = 4, W = 300, H = 300;
    face_image small, big;
    assert_int_equal(face_image_alloc(&small, W, H), FACE_OK);
    assert_int_equal(face_image_alloc(&big, W * S, H * S), FACE_OK);
    for (int y = 0; y < H * S; y++)
        for (int x = 0; x < W * S; x++)
            for (int k = 0; k < 3; k++) /* stripes 2 px wide at full size, plus a ramp */
                big.rgb[((size_t)y * W * S + x) * 3 + k] =
                    (uint8_t)(((x / 2 + y / 2) % 2) * 120 + (x + y) * 60 / (W * S + H * S) + k * 20);
    for (int y = 0; y < H; y++)   /* the ideal small photo: box average of the big one */
        for (int x = 0; x < W; x++)
            for (int k = 0; k < 3; k++) {
                int s = 0;
                for (int j = 0; j < S; j++)
                    for (int i = 0; i < S; i++)
                        s += big.rgb[((size_t)(y * S + j) * W * S + x * S + i) * 3 + k];
                small.rgb[((size_t)y * W + x) * 3 + k] = (uint8_t)((s + S * S / 2) / (S * S));
            }
    static const double t5[5][2] = { { 0.8596, 0.2135 }, { 0.6461, 0.2290 }, { 0.1206, 0.2137 },
                                     { 0.3341, 0.2291 }, { 0.4901, 0.6278 } };
    static const int idx[5] = { 45, 42, 36, 39, 33 };
    face_point ls[68], lb[68];
    memset(ls, 0, sizeof ls);
    memset(lb, 0, sizeof lb);
    for (int i = 0; i < 5; i++) { /* a 100-px face in the small photo */
        ls[idx[i]] = (face_point){ (float)(100 + 100 * t5[i][0]), (float)(100 + 100 * t5[i][1]) };
        lb[idx[i]] = (face_point){ (ls[idx[i]].x + 0.5f) * S - 0.5f, (ls[idx[i]].y + 0.5f) * S - 0.5f };
    }
    face_chip_map m;
    assert_int_equal(face_align_map(lb, FACE_CHIP_SIZE, FACE_CHIP_PADDING, &m), FACE_OK);
    assert_true(m.pyramid_needed);
    face_image ref, smooth, direct;
    assert_int_equal(face_align_chip(&small, ls, &ref), FACE_OK);
    assert_int_equal(face_align_chip(&big, lb, &smooth), FACE_OK);
    assert_int_equal(face_align_extract(&big, &m, FACE_CHIP_SIZE, &direct), FACE_OK);
    double ds = 0, dd = 0;
    size_t n = (size_t)FACE_CHIP_SIZE * FACE_CHIP_SIZE * 3;
    for (size_t i = 0; i < n; i++) {
        ds += abs(smooth.rgb[i] - ref.rgb[i]);
        dd += abs(direct.rgb[i] - ref.rgb[i]);
    }
    printf("mean |chip - ideal chip|: pyramid %.2f, direct sampling %.2f grey levels\n", ds / n,
           dd / n);
    assert_true(ds / n < 6);
    assert_true(ds < dd / 3);
    face_image_free(&ref);
    face_image_free(&smooth);
    face_image_free(&direct);
    face_image_free(&small);
    face_image_free(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tile_cover),
        cmocka_unit_test(test_plan_modes),
        cmocka_unit_test(test_window_sampling),
        cmocka_unit_test(test_pyramid_chip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
