/* Tiling of large photos (API.md §5.2: a face of face size >= 40 must be found anywhere
 * in a photo up to 40 MP): synthetic class photos built at run time from real faces
 * (LFW portraits of ../shared/testdata/faces when present, else the demo photos), faces
 * of 44-80 px pasted on a jittered grid; every face must be found at its place, once,
 * whichever tiles it straddles. Also the same photo with tiling off, which misses most of
 * them (the reason tiles exist). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "face_collage.h"
#include "face_eval.h"
#include "face_testutil.h"

static const char *models;
static face_engine *engine;
static face_worker *worker;
static fc_sources *sources;
/* Recall floor: measured 100 % with LFW faces (97.5-98.5 % over other seeds), 86-88 %
 * with the nine usable demo faces, some of which are turned away. */
static double floor_recall;

static fc_sources *load_sources(void)
{
    static char names[160][4300];
    const char *list[160];
    int n = 0;
    const char *dir = fe_data_dir();
    if (dir) {
        char path[4200], line[1024];
        snprintf(path, sizeof path, "%s/files.txt", dir);
        FILE *f = fopen(path, "r");
        while (f && n < 160 && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (strncmp(line, "lfw/", 4) == 0) {
                snprintf(names[n], sizeof names[n], "%s/%s", dir, line);
                list[n] = names[n];
                n++;
            }
        }
        if (f)
            fclose(f);
        printf("collage faces from %d LFW portraits\n", n);
        floor_recall = 0.95;
    } else {
        printf("../shared/testdata/faces not found: collage faces from the demo photos\n");
        floor_recall = 0.8;
        for (int k = 1; k <= 6; k++) {
            snprintf(names[n], sizeof names[n], "%s/demo/sample%d.jpg", models, k);
            list[n] = names[n];
            n++;
        }
    }
    return fc_sources_load(worker, list, n);
}

typedef struct score { int found, total, dups, fp; double detect_ms; } score;

static void run(int w, int h, int fmin, int fmax, int seeds, enum face_tiling tiles, score *s)
{
    face_opts o;
    face_opts_default(&o);
    o.tiles = tiles;
    memset(s, 0, sizeof *s);
    for (int k = 0; k < seeds; k++) {
        face_image img;
        fc_face *truth;
        face_det *d;
        face_timing t;
        int nt, nd, f, dup, fp;
        assert_int_equal(fc_collage(sources, w, h, fmin, fmax, 0, 101u + 7919u * (unsigned)k, &img,
                                    &truth, &nt), FACE_OK);
        assert_int_equal(face_analyze(worker, &img, &o, &d, &nd, &t), FACE_OK);
        fc_score(truth, nt, d, nd, &f, &dup, &fp, 1);
        s->found += f;
        s->total += nt;
        s->dups += dup;
        s->fp += fp;
        s->detect_ms += t.detect_ms / seeds;
        free(d);
        free(truth);
        face_image_free(&img);
    }
    printf("%dx%d, faces %d-%d px, tiles %s: found %d/%d (%.1f %%), duplicates %d, "
           "unmatched detections %d, detection %.0f ms per photo\n", w, h, fmin, fmax,
           tiles == FACE_TILES_AUTO ? "auto" : "off", s->found, s->total,
           100.0 * s->found / s->total, s->dups, s->fp, s->detect_ms);
}

static void test_full_hd(void **state)
{
    (void)state;
    score s, off;
    run(1920, 1080, 44, 80, 3, FACE_TILES_AUTO, &s);
    assert_true(s.total >= 60);
    assert_true(s.found >= floor_recall * s.total);
    assert_true(s.dups == 0);
    assert_true(s.fp <= s.total / 20);
    run(1920, 1080, 44, 80, 1, FACE_TILES_OFF, &off);
    assert_true(off.found * s.total < s.found * off.total);
}

static void test_12mp(void **state)
{
    (void)state;
    score s;
    run(4000, 3000, 44, 80, 1, FACE_TILES_AUTO, &s);
    assert_true(s.total >= 200);
    assert_true(s.found >= floor_recall * s.total);
    assert_true(s.dups <= 1);
    assert_true(s.fp <= s.total / 15);
}

/* Large faces in a large photo come from the coarser levels and the whole-image pass. */
static void test_large_faces(void **state)
{
    (void)state;
    score s;
    run(4000, 3000, 120, 300, 1, FACE_TILES_AUTO, &s);
    assert_true(s.total >= 8);
    assert_true(s.found >= s.total - 1);
    assert_true(s.dups == 0);
}

int main(void)
{
    int opened = ft_open_engine(1, &models, &engine);
    if (opened <= 0)
        return opened < 0;
    worker = face_worker_acquire(engine, 0);
    sources = load_sources();
    printf("%d source faces\n", fc_sources_count(sources));
    if (fc_sources_count(sources) < 8) {
        fprintf(stderr, "too few source faces\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_hd),
        cmocka_unit_test(test_12mp),
        cmocka_unit_test(test_large_faces),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fc_sources_free(sources);
    face_worker_release(worker);
    face_engine_close(engine);
    return rc;
}
