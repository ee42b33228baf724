/* Face-engine benchmark: forward-pass time of each network on one worker (one core),
 * then with two workers in parallel, and descriptor throughput; then end to end (JPEG
 * decode -> detection -> landmarks -> descriptors) on synthetic group photos built at
 * run time from the faces of the demo photos: 1080p with 30 faces and 12 MP with 30
 * faces. Minimum and median of N runs after a warm-up (the machine may be shared: the
 * minimum is the signal).
 * usage: attendly-bench-face [models_dir] [runs] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/engine.h"
#include "face/prep.h"
#include "face_collage.h"

typedef struct job {
    face_worker *w;
    int which, runs;
    double min_ms, med_ms;
} job;

enum { NET_SSD, NET_TINY, NET_LM1, NET_LM8, NET_FR1, NET_FR8, NET_COUNT };
static const char *NAMES[NET_COUNT] = {
    "SSD-512", "Tiny-416", "landmarks, batch 1", "landmarks, batch 8 (per face)",
    "descriptor, batch 1", "descriptor, batch 8 (per face)",
};
static const int PER[NET_COUNT] = { 1, 1, 1, 8, 1, 8 };

/* Resident set size in MB (Linux). */
static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lf", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A deterministic textured input (values in the normalised range). */
static void fill(float *p, size_t n)
{
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (float)((s >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
}

static int run_once(face_worker *w, int which, float *in, float *out)
{
    const face_engine *e = w->engine;
    switch (which) {
    case NET_SSD: return ssd_forward(&w->nn, &e->ssd, in, out, out + SSD_ANCHORS * 4);
    case NET_TINY: return tiny_forward(&w->nn, &e->tiny, in, TINY_DEFAULT_SIZE, out);
    case NET_LM1: return fl_forward(&w->nn, &e->landmarks, in, 1, out);
    case NET_LM8: return fl_forward(&w->nn, &e->landmarks, in, 8, out);
    case NET_FR1: return fr_forward(&w->nn, &e->recog, in, 1, out);
    default: return fr_forward(&w->nn, &e->recog, in, 8, out);
    }
}

static void *bench(void *arg)
{
    job *j = arg;
    size_t in_n = (size_t)SSD_SIZE * SSD_SIZE * 3 + 8 * (size_t)FR_SIZE * FR_SIZE * 3;
    float *in = malloc(in_n * sizeof(float)), *out = malloc(sizeof(float) * SSD_ANCHORS * 5);
    double *t = malloc(sizeof(double) * (size_t)j->runs);
    fill(in, in_n);
    run_once(j->w, j->which, in, out); /* warm-up: primitives, weight reorders */
    for (int r = 0; r < j->runs; r++) {
        double t0 = now_ms();
        if (run_once(j->w, j->which, in, out) != FACE_OK) {
            fprintf(stderr, "forward failed\n");
            exit(1);
        }
        t[r] = (now_ms() - t0) / PER[j->which];
    }
    qsort(t, (size_t)j->runs, sizeof *t, cmp_double);
    j->min_ms = t[0];
    j->med_ms = t[j->runs / 2];
    free(t);
    free(in);
    free(out);
    return NULL;
}

/* ---- end to end ------------------------------------------------------------------- */

typedef struct photo {
    const char *name;
    uint8_t *jpeg;
    size_t len;
    int faces;              /* pasted */
} photo;

typedef struct e2e_job {
    face_worker *w;
    const photo *p;
    int runs, found;
    double min_total, med_total, wall;
    face_timing best;       /* stage times of the fastest run */
} e2e_job;

static void *e2e(void *arg)
{
    e2e_job *j = arg;
    double *t = malloc(sizeof(double) * (size_t)j->runs);
    face_opts o;
    face_opts_default(&o);
    double start = 0;
    for (int r = -1; r < j->runs; r++) { /* run -1 warms up */
        face_image img;
        face_det *d = NULL;
        face_timing ft;
        char reason[64];
        int n = 0;
        if (r == 0)
            start = now_ms();
        double t0 = now_ms();
        if (face_image_decode(j->p->jpeg, j->p->len, 40000000, &img, reason, sizeof reason) !=
                FACE_OK) {
            fprintf(stderr, "decode failed\n");
            exit(1);
        }
        double t1 = now_ms();
        if (face_analyze(j->w, &img, &o, &d, &n, &ft) != FACE_OK) {
            fprintf(stderr, "face_analyze failed\n");
            exit(1);
        }
        ft.decode_ms = t1 - t0;
        j->found = n;
        free(d);
        face_image_free(&img);
        if (r < 0)
            continue;
        t[r] = now_ms() - t0;
        if (r == 0 || t[r] < j->min_total)
            j->best = ft;
        if (r == 0 || t[r] < j->min_total)
            j->min_total = t[r];
    }
    j->wall = now_ms() - start;
    qsort(t, (size_t)j->runs, sizeof *t, cmp_double);
    j->med_total = t[j->runs / 2];
    free(t);
    return NULL;
}

static int make_photo(face_worker *w, const char *dir, const char *name, int width, int height,
                      int fmin, int fmax, int faces, photo *p)
{
    char paths[6][4200];
    const char *list[6];
    for (int k = 0; k < 6; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/demo/sample%d.jpg", dir, k + 1);
        list[k] = paths[k];
    }
    fc_sources *s = fc_sources_load(w, list, 6);
    face_image img;
    fc_face *truth = NULL;
    int rc = fc_collage(s, width, height, fmin, fmax, faces, 1u, &img, &truth, &p->faces);
    fc_sources_free(s);
    free(truth);
    if (rc != FACE_OK)
        return rc;
    p->name = name;
    rc = face_image_encode_jpeg(&img, 90, &p->jpeg, &p->len);
    face_image_free(&img);
    return rc;
}

static void bench_e2e(face_worker *w1, face_worker *w2, const char *dir, int runs)
{
    photo ph[2];
    if (make_photo(w1, dir, "1080p", 1920, 1080, 50, 89, 30, &ph[0]) != FACE_OK ||
        make_photo(w1, dir, "12 MP", 4000, 3000, 40, 80, 30, &ph[1]) != FACE_OK) {
        fprintf(stderr, "cannot build the group photos\n");
        return;
    }
    printf("\nend to end (JPEG decode -> detect -> landmarks -> descriptors), default options "
           "(tiles auto, SSD + Tiny tiles, dlib chip); %d runs, ms\n", runs);
    printf("photos: faces cut from the demo photos, pasted at face size 50-89 px (1080p) and "
           "40-80 px (12 MP) on grey\n");
    printf("%-22s %7s %16s %34s %28s\n", "photo", "faces", "1 worker min/med",
           "stages of the fastest (dec/det/lm/desc)", "2 workers: per photo (wall)");
    for (int k = 0; k < 2; k++) {
        e2e_job one = { .w = w1, .p = &ph[k], .runs = runs };
        e2e(&one);
        e2e_job two[2] = { { .w = w1, .p = &ph[k], .runs = runs },
                           { .w = w2, .p = &ph[k], .runs = runs } };
        pthread_t th[2];
        double t0 = now_ms();
        for (int i = 0; i < 2; i++)
            pthread_create(&th[i], NULL, e2e, &two[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        double wall = now_ms() - t0;
        char label[64];
        snprintf(label, sizeof label, "%s (%d placed)", ph[k].name, ph[k].faces);
        printf("%-22s %7d %7.0f / %6.0f %9.1f / %5.1f / %5.1f / %6.1f %20.0f\n", label,
               one.found, one.min_total, one.med_total, one.best.decode_ms, one.best.detect_ms,
               one.best.landmarks_ms, one.best.describe_ms, wall / (2.0 * (runs + 1)));
        free(ph[k].jpeg);
    }
    printf("budget: 1080p photo with 30 faces end to end <= 150 ms on 2 cores "
           "(2 workers: wall time / photos done)\n");
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "models";
    int runs = argc > 2 ? atoi(argv[2]) : 20;
    char err[256];
    face_engine *e = face_engine_open(dir, 2, err, sizeof err);
    if (!e) {
        fprintf(stderr, "face_engine_open: %s\n", err);
        return 1;
    }
    double rss_idle = rss_mb();
    face_worker *w1 = face_worker_acquire(e, 0), *w2 = face_worker_acquire(e, 0);
    printf("face networks, oneDNN backend, one thread per worker; %d runs, ms (min / median)\n",
           runs);
    printf("%-32s %18s %24s\n", "net", "1 worker", "2 workers in parallel");
    double fr_par = 0;
    for (int k = 0; k < NET_COUNT; k++) {
        job one = { w1, k, runs, 0, 0 };
        bench(&one);
        job two[2] = { { w1, k, runs, 0, 0 }, { w2, k, runs, 0, 0 } };
        pthread_t th[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&th[i], NULL, bench, &two[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
        double par_min = two[0].min_ms > two[1].min_ms ? two[0].min_ms : two[1].min_ms;
        double par_med = (two[0].med_ms + two[1].med_ms) / 2;
        printf("%-32s %8.2f / %7.2f %12.2f / %7.2f\n", NAMES[k], one.min_ms, one.med_ms,
               par_min, par_med);
        if (k == NET_FR8)
            fr_par = par_med;
        if (k == NET_FR8)
            printf("descriptors/s: %.0f on 1 worker (min), %.0f on 2 workers (median)\n",
                   1000.0 / one.min_ms, 2000.0 / fr_par);
    }
    printf("RSS: %.0f MB idle with the models loaded (2 workers), %.0f MB after the runs\n",
           rss_idle, rss_mb());
    printf("budget: descriptor <= 3 ms/face/core, SSD-512 <= 35 ms, landmarks <= 1 ms/face\n");
    bench_e2e(w1, w2, dir, runs < 10 ? runs : 10);
    face_worker_release(w1);
    face_worker_release(w2);
    face_engine_close(e);
    return 0;
}
