/* Face-engine benchmark: forward-pass time of each network on one worker (one core),
 * then with two workers in parallel, and descriptor throughput. Minimum and median of
 * N runs after a warm-up (the machine may be shared: the minimum is the signal).
 * usage: attendly-bench-face [models_dir] [runs] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/engine.h"
#include "face/prep.h"

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
    face_worker_release(w1);
    face_worker_release(w2);
    face_engine_close(e);
    return 0;
}
