/* Engine mechanics: the worker pool (acquire, timeout, release, busy count, hand-over
 * to a waiting thread), argument checks, a photo without faces, and the reference
 * backend against oneDNN on a whole photo. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>

#include "face/engine.h"
#include "face_testutil.h"

static const char *models;
static face_engine *engine;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *release_later(void *arg)
{
    usleep(100 * 1000);
    face_worker_release(arg);
    return NULL;
}

static void test_pool(void **state)
{
    (void)state;
    face_worker *a = face_worker_acquire(engine, 0), *b = face_worker_acquire(engine, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(face_engine_busy(engine), 2);

    double t0 = now_ms();
    assert_null(face_worker_acquire(engine, 80));
    double waited = now_ms() - t0;
    assert_true(waited >= 75 && waited < 2000);

    /* a waiting acquire gets the worker released by another thread */
    pthread_t th;
    pthread_create(&th, NULL, release_later, a);
    face_worker *c = face_worker_acquire(engine, 5000);
    pthread_join(th, NULL);
    assert_ptr_equal(c, a);
    assert_int_equal(face_engine_busy(engine), 2);
    face_worker_release(b);
    face_worker_release(c);
    face_worker_release(c); /* a double release is harmless */
    assert_int_equal(face_engine_busy(engine), 0);
}

/* Waiters are served oldest first: each thread records when it got a worker. */
typedef struct fifo_waiter {
    int order;
    long timeout_ms;
} fifo_waiter;
static int fifo_next;
static pthread_mutex_t fifo_mu = PTHREAD_MUTEX_INITIALIZER;

static void *fifo_wait(void *arg)
{
    fifo_waiter *fw = arg;
    face_worker *w = face_worker_acquire(engine, fw->timeout_ms);
    pthread_mutex_lock(&fifo_mu);
    fw->order = w ? fifo_next++ : -1;
    pthread_mutex_unlock(&fifo_mu);
    if (w) {
        usleep(20 * 1000);
        face_worker_release(w);
    }
    return NULL;
}

static void test_pool_fifo(void **state)
{
    (void)state;
    face_worker *a = face_worker_acquire(engine, 0), *b = face_worker_acquire(engine, 0);
    assert_non_null(a);
    assert_non_null(b);
    enum { N = 4 };
    fifo_waiter fw[N + 1];
    pthread_t th[N + 1];
    fifo_next = 0;
    for (int i = 0; i < N; i++) { /* queued one after the other */
        fw[i] = (fifo_waiter){ -2, 10000 };
        pthread_create(&th[i], NULL, fifo_wait, &fw[i]);
        usleep(30 * 1000);
    }
    /* one more with a short timeout leaves the queue without disturbing it */
    fw[N] = (fifo_waiter){ -2, 1 };
    pthread_create(&th[N], NULL, fifo_wait, &fw[N]);
    pthread_join(th[N], NULL);
    assert_int_equal(fw[N].order, -1);
    face_worker_release(a); /* one worker passes from waiter to waiter, in queue order */
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    face_worker_release(b);
    for (int i = 0; i < N; i++)
        assert_int_equal(fw[i].order, i);
    assert_int_equal(face_engine_busy(engine), 0);
}

static void test_arguments(void **state)
{
    (void)state;
    face_worker *w = face_worker_acquire(engine, 0);
    face_det *dets = NULL;
    int n = -1;
    face_image none = { 0, 0, NULL }, img;
    face_opts o;
    face_opts_default(&o);
    assert_int_equal(o.detector, FACE_DETECTOR_SSD);
    assert_int_equal(o.min_face_size, 40);
    assert_int_equal(o.describe, 1);
    assert_int_equal(face_analyze(w, &none, &o, &dets, &n, NULL), FACE_ERR_ARG);
    ft_gradient(&img, 64);
    o.detector = FACE_DETECTOR_TINY;
    o.tiny_input_size = 100;
    assert_int_equal(face_analyze(w, &img, &o, &dets, &n, NULL), FACE_ERR_ARG);
    /* a synthetic gradient has no face, with either detector; a 1x1 image is fine too */
    o.tiny_input_size = 320;
    assert_int_equal(face_analyze(w, &img, &o, &dets, &n, NULL), FACE_OK);
    assert_int_equal(n, 0);
    free(dets);
    assert_int_equal(face_analyze(w, &img, NULL, &dets, &n, NULL), FACE_OK);
    assert_int_equal(n, 0);
    free(dets);
    img.width = img.height = 1;
    assert_int_equal(face_analyze(w, &img, NULL, &dets, &n, NULL), FACE_OK);
    free(dets);
    free(img.rgb);
    face_worker_release(w);
}

/* The whole pipeline on the reference backend equals the oneDNN one. */
static void test_backends_agree(void **state)
{
    (void)state;
    char path[4096], err[256];
    face_image img;
    snprintf(path, sizeof path, "%s/demo/sample1.jpg", models);
    assert_int_equal(ft_decode_jpeg(path, &img), 0);
    face_engine *ref = face_engine_open_backend(models, 1, FN_BACKEND_REF, err, sizeof err);
    assert_non_null(ref);
    face_worker *wr = face_worker_acquire(ref, 0), *wd = face_worker_acquire(engine, 0);
    face_opts o;
    face_opts_default(&o);
    o.chip = FACE_CHIP_FACEAPI;
    face_det *dr, *dd;
    int nr, nd;
    assert_int_equal(face_analyze(wr, &img, &o, &dr, &nr, NULL), FACE_OK);
    assert_int_equal(face_analyze(wd, &img, &o, &dd, &nd, NULL), FACE_OK);
    assert_int_equal(nr, nd);
    assert_true(nd >= 3);
    double db = 0, dl = 0, dv = 0, ds = 0;
    for (int i = 0; i < nd; i++) {
        db = fmax(db, ft_max_abs_diff(&dr[i].box.x, &dd[i].box.x, 4));
        ds = fmax(ds, ft_max_abs_diff(&dr[i].score, &dd[i].score, 1));
        dl = fmax(dl, ft_max_abs_diff(&dr[i].landmarks[0].x, &dd[i].landmarks[0].x, 136));
        dv = fmax(dv, ft_max_abs_diff(dr[i].descriptor, dd[i].descriptor, 128));
        assert_int_equal(dr[i].face_size, dd[i].face_size);
        assert_true(dd[i].face_size > 40);
    }
    printf("ref vs dnnl on sample1.jpg (%d faces): score %.3g, box %.3g px, landmarks %.3g px, "
           "descriptor %.3g\n", nd, ds, db, dl, dv);
    assert_true(ds < 1e-4 && db < 0.01 && dl < 0.01 && dv < 1e-4);
    free(dr);
    free(dd);
    face_worker_release(wr);
    face_worker_release(wd);
    face_engine_close(ref);
    free(img.rgb);
}

int main(void)
{
    int opened = ft_open_engine(2, &models, &engine);
    if (opened <= 0)
        return opened < 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_pool_fifo),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_backends_agree),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    face_engine_close(engine);
    return rc;
}
