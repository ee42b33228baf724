#ifndef ATTENDLY_FACE_ENGINE_H
#define ATTENDLY_FACE_ENGINE_H
/* Engine internals shared by engine.c, detect.c and pipeline.c (and the tests and
 * benchmark, which pick a backend explicitly). */
#include <pthread.h>

#include "face/face.h"
#include "face/nets/nets.h"

#define FACE_BATCH_MAX 8    /* faces per landmark/descriptor forward pass */

struct face_worker {
    face_engine *engine;
    fn_ctx nn;              /* scratch activations + oneDNN stream and primitives */
    float *input;           /* normalised network input (a batch of crops) */
    size_t input_cap;
    int busy;
};

struct face_engine {
    ssd_net ssd;
    tiny_net tiny;
    fl_net landmarks, landmarks_tiny;
    fr_net recog;
    int nslots;
    enum fn_backend backend;
    struct fn_dnnl_shared *dnnl_shared;
    face_worker *workers;
    int n_workers;
    int busy;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct fe_waiter *wait_head, *wait_tail; /* requests queued for a worker, oldest first */
};

/* face_engine_open with an explicit backend (FN_BACKEND_REF for cross-checks). */
face_engine *face_engine_open_backend(const char *models_dir, int n_workers,
                                      enum fn_backend backend, char *err, size_t errlen);

/* The worker's input buffer with room for n floats (NULL when out of memory). */
float *face_worker_input(face_worker *w, size_t n);

#endif
