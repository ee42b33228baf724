/* oneDNN backend of fn_conv_fwd: one convolution primitive per (layer, batch, input size,
 * accumulate) and worker, created on first use and reused. Activations stay NHWC (our
 * buffers are handed to oneDNN as they are); weights are reordered into the layout the
 * primitive prefers, once per engine, and shared read-only by all workers. Bias,
 * residual sum and activation are fused as post-ops. One thread per worker: the pool
 * of workers is the parallelism. */
#include "face/nn/conv_dnnl.h"

#include <dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"

typedef struct fd_prim {
    int n, h, w, acc;
    dnnl_primitive_t prim;
    dnnl_memory_t src, wei, bias, dst, scratch;
    struct fd_prim *next;
} fd_prim;

typedef struct fd_weights {
    int slot;
    dnnl_memory_desc_t md;
    void *data;
    struct fd_weights *next;
} fd_weights;

struct fn_dnnl_shared {
    pthread_mutex_t mu;
    fd_weights *list;
};

struct fn_dnnl {
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    int nslots;
    fd_prim **slots;
    struct fn_dnnl_shared *shared;
    int own_shared;
    void *scratch;
    size_t scratch_cap;
};

struct fn_dnnl_shared *fn_dnnl_shared_new(int nslots)
{
    (void)nslots;
    struct fn_dnnl_shared *s = calloc(1, sizeof *s);
    if (s)
        pthread_mutex_init(&s->mu, NULL);
    return s;
}

void fn_dnnl_shared_free(struct fn_dnnl_shared *s)
{
    if (!s)
        return;
    for (fd_weights *w = s->list, *next; w; w = next) {
        next = w->next;
        free(w->data);
        free(w);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

struct fn_dnnl *fn_dnnl_new(int nslots, struct fn_dnnl_shared *shared)
{
    struct fn_dnnl *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->nslots = nslots;
    d->slots = calloc((size_t)(nslots > 0 ? nslots : 1), sizeof *d->slots);
    d->shared = shared;
    if (!shared) {
        d->shared = fn_dnnl_shared_new(nslots);
        d->own_shared = 1;
    }
    if (!d->slots || !d->shared || dnnl_engine_create(&d->eng, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&d->stream, d->eng, dnnl_stream_default_flags) != dnnl_success) {
        fn_dnnl_free(d);
        return NULL;
    }
    return d;
}

static void prim_free(fd_prim *p)
{
    if (p->prim) dnnl_primitive_destroy(p->prim);
    if (p->src) dnnl_memory_destroy(p->src);
    if (p->wei) dnnl_memory_destroy(p->wei);
    if (p->bias) dnnl_memory_destroy(p->bias);
    if (p->dst) dnnl_memory_destroy(p->dst);
    if (p->scratch) dnnl_memory_destroy(p->scratch);
    free(p);
}

void fn_dnnl_free(struct fn_dnnl *d)
{
    if (!d)
        return;
    for (int i = 0; d->slots && i < d->nslots; i++)
        for (fd_prim *p = d->slots[i], *next; p; p = next) {
            next = p->next;
            prim_free(p);
        }
    free(d->slots);
    if (d->stream) dnnl_stream_destroy(d->stream);
    if (d->eng) dnnl_engine_destroy(d->eng);
    if (d->own_shared) fn_dnnl_shared_free(d->shared);
    free(d->scratch);
    free(d);
}

/* The layer's weights in layout `want`, reordered once per engine. */
static void *shared_weights(struct fn_dnnl *d, const fn_conv *L,
                            const dnnl_memory_desc_t *user, const dnnl_memory_desc_t *want)
{
    struct fn_dnnl_shared *s = d->shared;
    void *data = NULL;
    dnnl_memory_t um = NULL, wm = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;

    pthread_mutex_lock(&s->mu);
    for (fd_weights *w = s->list; w; w = w->next)
        if (w->slot == L->slot && dnnl_memory_desc_equal(&w->md, want)) {
            data = w->data;
            goto out;
        }
    fd_weights *w = calloc(1, sizeof *w);
    size_t bytes = (dnnl_memory_desc_get_size(want) + 63) & ~(size_t)63;
    void *buf = aligned_alloc(64, bytes ? bytes : 64);
    if (!w || !buf ||
        dnnl_memory_create(&um, user, d->eng, L->w) != dnnl_success ||
        dnnl_memory_create(&wm, want, d->eng, buf) != dnnl_success ||
        dnnl_reorder_primitive_desc_create(&rpd, user, d->eng, want, d->eng, NULL) != dnnl_success ||
        dnnl_primitive_create(&r, rpd) != dnnl_success) {
        free(w);
        free(buf);
        goto out;
    }
    dnnl_exec_arg_t args[2] = { { DNNL_ARG_FROM, um }, { DNNL_ARG_TO, wm } };
    if (dnnl_primitive_execute(r, d->stream, 2, args) != dnnl_success ||
        dnnl_stream_wait(d->stream) != dnnl_success) {
        free(w);
        free(buf);
        goto out;
    }
    w->slot = L->slot;
    w->md = *want;
    w->data = buf;
    w->next = s->list;
    s->list = w;
    data = buf;
out:
    pthread_mutex_unlock(&s->mu);
    if (r) dnnl_primitive_destroy(r);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (um) dnnl_memory_destroy(um);
    if (wm) dnnl_memory_destroy(wm);
    return data;
}

static dnnl_primitive_attr_t make_attr(const fn_conv *L, int acc)
{
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    if (dnnl_primitive_attr_create(&attr) != dnnl_success)
        return NULL;
    dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user);
    if (dnnl_post_ops_create(&po) != dnnl_success) {
        dnnl_primitive_attr_destroy(attr);
        return NULL;
    }
    if (acc)
        dnnl_post_ops_append_sum(po, 1.0f);
    switch (L->act) {
    case FN_RELU: dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f); break;
    case FN_RELU6: dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f); break;
    case FN_LEAKY: dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.1f, 0.0f); break;
    default: break;
    }
    dnnl_primitive_attr_set_post_ops(attr, po);
    dnnl_post_ops_destroy(po);
    return attr;
}

static fd_prim *make_prim(struct fn_dnnl *d, const fn_conv *L, int n, int h, int w, int acc)
{
    int oh, ow, pt, pl;
    fn_conv_geometry(L, h, w, &oh, &ow, &pt, &pl);
    int pb = (oh - 1) * L->stride + L->kh - h - pt, pr = (ow - 1) * L->stride + L->kw - w - pl;
    dnnl_dims_t sdims = { n, L->cin, h, w }, ddims = { n, L->cout, oh, ow }, bdims = { L->cout };
    dnnl_dims_t strides = { L->stride, L->stride }, pad_l = { pt, pl };
    dnnl_dims_t pad_r = { pb > 0 ? pb : 0, pr > 0 ? pr : 0 };
    dnnl_memory_desc_t smd, dmd, bmd, wany, wuser;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    fd_prim *p = calloc(1, sizeof *p);
    int ok = 0;

    if (!p)
        return NULL;
    p->n = n; p->h = h; p->w = w; p->acc = acc;
    dnnl_memory_desc_init_by_tag(&smd, 4, sdims, dnnl_f32, dnnl_nhwc);
    dnnl_memory_desc_init_by_tag(&dmd, 4, ddims, dnnl_f32, dnnl_nhwc);
    dnnl_memory_desc_init_by_tag(&bmd, 1, bdims, dnnl_f32, dnnl_a);
    if (L->depthwise) {
        dnnl_dims_t wd = { L->cin, 1, 1, L->kh, L->kw };
        dnnl_memory_desc_init_by_tag(&wany, 5, wd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&wuser, 5, wd, dnnl_f32, dnnl_hwigo);
    } else {
        dnnl_dims_t wd = { L->cout, L->cin, L->kh, L->kw };
        dnnl_memory_desc_init_by_tag(&wany, 4, wd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&wuser, 4, wd, dnnl_f32, dnnl_hwio);
    }
    attr = make_attr(L, acc);
    if (!attr ||
        dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                           &smd, &wany, &bmd, &dmd, strides, pad_l,
                                           pad_r) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &cd, attr, d->eng, NULL) != dnnl_success)
        goto out;
    const dnnl_memory_desc_t *wmd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *spmd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    void *wdata = wmd ? shared_weights(d, L, &wuser, wmd) : NULL;
    if (!wdata || !spmd)
        goto out;
    size_t sp = dnnl_memory_desc_get_size(spmd);
    if (sp > d->scratch_cap) {
        void *s = aligned_alloc(64, (sp + 63) & ~(size_t)63);
        if (!s)
            goto out;
        free(d->scratch);
        d->scratch = s;
        d->scratch_cap = sp;
    }
    ok = dnnl_primitive_create(&p->prim, pd) == dnnl_success &&
         dnnl_memory_create(&p->src, &smd, d->eng, DNNL_MEMORY_NONE) == dnnl_success &&
         dnnl_memory_create(&p->dst, &dmd, d->eng, DNNL_MEMORY_NONE) == dnnl_success &&
         dnnl_memory_create(&p->wei, wmd, d->eng, wdata) == dnnl_success &&
         dnnl_memory_create(&p->bias, &bmd, d->eng, L->b) == dnnl_success &&
         dnnl_memory_create(&p->scratch, spmd, d->eng, DNNL_MEMORY_NONE) == dnnl_success;
out:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!ok) {
        prim_free(p);
        return NULL;
    }
    return p;
}

int fn_conv_fwd_dnnl(struct fn_dnnl *d, const fn_conv *L, const fn_tensor *x, fn_tensor *y,
                     int accumulate)
{
    fd_prim *p;
    if (L->slot < 0 || L->slot >= d->nslots)
        return FACE_ERR_ARG;
    /* oneDNN parallelises with OpenMP over the calling thread's team: keep it at one
     * thread, the worker pool runs the images in parallel */
    if (omp_get_max_threads() != 1)
        omp_set_num_threads(1);
    for (p = d->slots[L->slot]; p; p = p->next)
        if (p->n == x->n && p->h == x->h && p->w == x->w && p->acc == accumulate)
            break;
    if (!p) {
        p = make_prim(d, L, x->n, x->h, x->w, accumulate);
        if (!p)
            return FACE_ERR_NOMEM;
        p->next = d->slots[L->slot];
        d->slots[L->slot] = p;
    }
    int oh, ow, pt, pl;
    fn_conv_geometry(L, x->h, x->w, &oh, &ow, &pt, &pl);
    y->n = x->n;
    y->h = oh;
    y->w = ow;
    y->c = L->cout;
    dnnl_memory_set_data_handle(p->src, x->d);
    dnnl_memory_set_data_handle(p->dst, y->d);
    dnnl_memory_set_data_handle(p->scratch, d->scratch);
    dnnl_exec_arg_t args[5] = {
        { DNNL_ARG_SRC, p->src }, { DNNL_ARG_WEIGHTS, p->wei }, { DNNL_ARG_BIAS, p->bias },
        { DNNL_ARG_DST, p->dst }, { DNNL_ARG_SCRATCHPAD, p->scratch },
    };
    if (dnnl_primitive_execute(p->prim, d->stream, 5, args) != dnnl_success ||
        dnnl_stream_wait(d->stream) != dnnl_success)
        return FACE_ERR_ARG;
    return FACE_OK;
}
