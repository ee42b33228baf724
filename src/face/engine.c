/* Engine: the networks, loaded once and shared read-only, and a fixed pool of worker
 * contexts handed out under a mutex/condvar with a timeout. */
#include "face/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64

void face_opts_default(face_opts *o)
{
    memset(o, 0, sizeof *o);
    o->detector = FACE_DETECTOR_SSD;
    o->tiles = FACE_TILES_AUTO;
    o->chip = FACE_CHIP_DLIB;
    o->landmarks = FACE_LANDMARKS_FULL;
    o->min_score = 0;          /* engine default: 0.5, as face-api */
    o->min_face_size = 40;
    o->describe = 1;
    o->portrait = 0;
    o->tiny_input_size = TINY_DEFAULT_SIZE;
}

typedef void (*net_loader)(fn_builder *b, void *net, int arg);

static void load_recog(fn_builder *b, void *n, int a) { (void)a; fr_load(b, n); }
static void load_lm(fn_builder *b, void *n, int tiny) { fl_load(b, n, tiny); }
static void load_ssd(fn_builder *b, void *n, int a) { (void)a; ssd_load(b, n); }
static void load_tiny(fn_builder *b, void *n, int a) { (void)a; tiny_load(b, n); }

/* Reads one weight file and builds its network; layer slots continue across nets. */
static int load_net(face_engine *e, const char *dir, const char *model, net_loader fn,
                    void *net, int arg, char *err, size_t errlen)
{
    fw_model m;
    int rc = fw_load(dir, model, &m, err, errlen);
    if (rc != FACE_OK)
        return rc;
    fn_builder b = { .r = { .m = &m, .err = err, .errlen = errlen }, .nslots = e->nslots };
    fn(&b, net, arg);
    e->nslots = b.nslots;
    fw_free(&m);
    if (b.nomem)
        return FACE_ERR_NOMEM;
    return b.r.failed ? FACE_ERR_MODEL : FACE_OK;
}

static void free_nets(face_engine *e)
{
    ssd_free(&e->ssd);
    tiny_free(&e->tiny);
    fl_free(&e->landmarks);
    fl_free(&e->landmarks_tiny);
    fr_free(&e->recog);
}

face_engine *face_engine_open_backend(const char *models_dir, int n_workers,
                                      enum fn_backend backend, char *err, size_t errlen)
{
    face_engine *e = calloc(1, sizeof *e);
    int rc;
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (n_workers <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_workers = cpus > 0 ? (int)cpus : 1;
    }
    if (n_workers > MAX_WORKERS)
        n_workers = MAX_WORKERS;
    e->backend = backend;
    pthread_mutex_init(&e->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->cv, &ca);
    pthread_condattr_destroy(&ca);

    rc = load_net(e, models_dir, "ssd_mobilenetv1_model", load_ssd, &e->ssd, 0, err, errlen);
    if (rc == FACE_OK)
        rc = load_net(e, models_dir, "tiny_face_detector_model", load_tiny, &e->tiny, 0, err,
                      errlen);
    if (rc == FACE_OK)
        rc = load_net(e, models_dir, "face_landmark_68_model", load_lm, &e->landmarks, 0, err,
                      errlen);
    if (rc == FACE_OK)
        rc = load_net(e, models_dir, "face_landmark_68_tiny_model", load_lm,
                      &e->landmarks_tiny, 1, err, errlen);
    if (rc == FACE_OK)
        rc = load_net(e, models_dir, "face_recognition_model", load_recog, &e->recog, 0, err,
                      errlen);
    if (rc == FACE_OK && backend == FN_BACKEND_DNNL &&
        !(e->dnnl_shared = fn_dnnl_shared_new(e->nslots)))
        rc = FACE_ERR_NOMEM;
    if (rc == FACE_OK && !(e->workers = calloc((size_t)n_workers, sizeof *e->workers)))
        rc = FACE_ERR_NOMEM;
    for (int i = 0; rc == FACE_OK && i < n_workers; i++) {
        e->workers[i].engine = e;
        rc = fn_ctx_init(&e->workers[i].nn, backend, e->nslots, e->dnnl_shared);
        if (rc == FACE_OK)
            e->n_workers++;
    }
    if (rc != FACE_OK) {
        if (rc == FACE_ERR_NOMEM)
            snprintf(err, errlen, "out of memory");
        face_engine_close(e);
        return NULL;
    }
    return e;
}

face_engine *face_engine_open(const char *models_dir, int n_workers, char *err, size_t errlen)
{
    return face_engine_open_backend(models_dir, n_workers, FN_BACKEND_DNNL, err, errlen);
}

void face_engine_close(face_engine *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n_workers; i++) {
        fn_ctx_free(&e->workers[i].nn);
        free(e->workers[i].input);
    }
    free(e->workers);
    fn_dnnl_shared_free(e->dnnl_shared);
    free_nets(e);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

/* A request waiting for a worker. Waiters form a FIFO queue and a released worker is
 * handed straight to the oldest one, so a newcomer cannot overtake a request that has
 * been waiting (without the queue, a waiter could lose every race until its timeout). */
struct fe_waiter {
    struct fe_waiter *next;
    face_worker *granted;
};

static face_worker *free_worker(face_engine *e)
{
    for (int i = 0; i < e->n_workers; i++)
        if (!e->workers[i].busy)
            return &e->workers[i];
    return NULL;
}

static void waiter_unlink(face_engine *e, struct fe_waiter *me)
{
    struct fe_waiter **pp = &e->wait_head, *prev = NULL;
    while (*pp && *pp != me) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = me->next;
    if (e->wait_tail == me)
        e->wait_tail = prev;
}

static struct timespec deadline_after(long timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_ms < 0)
        timeout_ms = 0;
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    return until;
}

face_worker *face_worker_acquire(face_engine *e, long timeout_ms)
{
    struct timespec until = deadline_after(timeout_ms);
    struct fe_waiter me = { NULL, NULL };
    face_worker *w = NULL;
    pthread_mutex_lock(&e->mu);
    if (!e->wait_head && (w = free_worker(e)) != NULL) {
        w->busy = 1;
        e->busy++;
        pthread_mutex_unlock(&e->mu);
        return w;
    }
    if (e->wait_tail)
        e->wait_tail->next = &me;
    else
        e->wait_head = &me;
    e->wait_tail = &me;
    while (!me.granted)
        if (pthread_cond_timedwait(&e->cv, &e->mu, &until) == ETIMEDOUT)
            break;
    w = me.granted; /* a hand-over may have raced the timeout: then keep the worker */
    if (!w)
        waiter_unlink(e, &me);
    pthread_mutex_unlock(&e->mu);
    return w;
}

void face_worker_release(face_worker *w)
{
    if (!w)
        return;
    face_engine *e = w->engine;
    pthread_mutex_lock(&e->mu);
    if (w->busy) {
        struct fe_waiter *next = e->wait_head;
        if (next) { /* hand over: the worker stays busy, now for the oldest waiter */
            e->wait_head = next->next;
            if (!e->wait_head)
                e->wait_tail = NULL;
            next->granted = w;
            pthread_cond_broadcast(&e->cv);
        } else {
            w->busy = 0;
            e->busy--;
        }
    }
    pthread_mutex_unlock(&e->mu);
}

int face_engine_busy(const face_engine *e)
{
    face_engine *m = (face_engine *)e; /* the lock is not part of the engine's value */
    pthread_mutex_lock(&m->mu);
    int n = m->busy;
    pthread_mutex_unlock(&m->mu);
    return n;
}

float *face_worker_input(face_worker *w, size_t n)
{
    if (w->input_cap < n) {
        float *p = aligned_alloc(64, (n * sizeof(float) + 63) & ~(size_t)63);
        if (!p)
            return NULL;
        free(w->input);
        w->input = p;
        w->input_cap = n;
    }
    return w->input;
}
