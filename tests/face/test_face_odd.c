/* face_analyze on images without faces and of odd shapes (1x1, 2x3, 5000x3, 3x4000, flat
 * grey) under every plan: no face, no error, nothing out of bounds (also run in the
 * sanitizer build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face/face.h"
#include "face_testutil.h"

static face_engine *engine;

static void run_all_plans(int w, int h, int noise)
{
    face_image img;
    assert_int_equal(face_image_alloc(&img, w, h), FACE_OK);
    unsigned s = 12345;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) {
        s = s * 1103515245u + 12345u;
        img.rgb[i] = noise ? (uint8_t)(s >> 16) : 128;
    }
    face_worker *wk = face_worker_acquire(engine, 1000);
    assert_non_null(wk);
    for (int mode = 0; mode < 4; mode++) {
        face_opts o;
        face_det *d = NULL;
        int n = -1;
        face_timing t;
        face_opts_default(&o);
        if (mode == 1)
            o.portrait = 1;
        if (mode == 2)
            o.detector = FACE_DETECTOR_TINY;
        if (mode == 3) {
            o.tiles = FACE_TILES_OFF;
            o.chip = FACE_CHIP_FACEAPI;
        }
        assert_int_equal(face_analyze(wk, &img, &o, &d, &n, &t), FACE_OK);
        assert_int_equal(n, 0);
        assert_true(t.detect_ms >= 0);
        free(d);
    }
    face_worker_release(wk);
    face_image_free(&img);
}

static void test_odd_images(void **state)
{
    (void)state;
    run_all_plans(1, 1, 1);
    run_all_plans(2, 3, 1);
    run_all_plans(33, 17, 1);
    run_all_plans(5000, 3, 1);
    run_all_plans(3, 4000, 1);
    run_all_plans(640, 480, 0);
}

int main(void)
{
    int opened = ft_open_engine(1, NULL, &engine);
    if (opened <= 0)
        return opened < 0;
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_odd_images) };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    face_engine_close(engine);
    return rc;
}
