/* face_eval: accuracy figures of one detection/description strategy on testdata/faces,
 * for comparing strategies by hand (the accuracy test asserts the defaults' floors).
 * usage: face_eval [--tiny] [--faceapi-chip] [--tiles-off] [--portrait] [--faceapi-pass]
 *                  [--zoom Z] [--flip 0|1] [--min-score S] [--min-face N] [--scale S]
 *                  [--tile-face PX] [--tile-net ssd|tiny] [--tile-input N]
 *                  [--tile-overlap F] [--tile-score S] [--tile-ratio R] [--tiles 0|1]
 *                  [--collage W H FMIN FMAX SEEDS] [--annotate DIR] [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "face_collage.h"
#include "face_eval.h"
#include "face_testutil.h"

typedef struct knobs {
    double zoom;
    int flip, faceapi;
    float min_score;
    double tile_face, tile_overlap, tile_ratio;
    int tile_net, tile_input, tiles, zoom_net;
    float tile_score;
} knobs;

static void tweak(fd_plan *p, const face_image *img, void *arg)
{
    const knobs *k = arg;
    (void)img;
    if (k->zoom >= 0)
        p->zoom_out = k->zoom;
    if (k->flip >= 0)
        p->flip = k->flip;
    if (k->faceapi >= 0)
        p->faceapi = k->faceapi;
    if (k->min_score > 0)
        p->min_score = k->min_score;
    if (k->zoom_net >= 0)
        p->zoom_net = k->zoom_net;
    if (k->tile_net >= 0)
        p->tile_net = k->tile_net;
    if (k->tile_input > 0)
        p->tile_input = k->tile_input;
    if (k->tile_score > 0)
        p->tile_min_score = k->tile_score;
    if (k->tile_ratio > 0)
        p->tile_ratio = k->tile_ratio;
    if (k->tile_face > 0) {
        p->tile_side = p->tile_input * 40 / k->tile_face;
        p->tile_overlap = p->tile_side * 0.35;
        p->tiles = img->width > p->tile_side || img->height > p->tile_side;
    }
    if (k->tile_overlap > 0)
        p->tile_overlap = p->tile_side * k->tile_overlap;
    if (k->tiles >= 0)
        p->tiles = k->tiles;
}

/* LFW portraits of the set as collage sources. */
static fc_sources *lfw_sources(face_worker *w, const char *dir)
{
    char path[4200], line[1024];
    static char names[128][1100];
    const char *list[128];
    int n = 0;
    snprintf(path, sizeof path, "%s/files.txt", dir);
    FILE *f = fopen(path, "r");
    while (f && n < 128 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strncmp(line, "lfw/", 4) != 0)
            continue;
        snprintf(names[n], sizeof names[n], "%s/%s", dir, line);
        list[n] = names[n];
        n++;
    }
    if (f)
        fclose(f);
    return fc_sources_load(w, list, n);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Recall, duplicates, false faces and time of the plan on synthetic class photos. */
static int collage_eval(face_worker *w, const char *dir, const fe_config *cfg, int W, int H,
                        int fmin, int fmax, int n_seeds)
{
    fc_sources *src = lfw_sources(w, dir);
    int found = 0, total = 0, dups = 0, fp = 0;
    double ms = 0, det_ms = 0;
    printf("%d source faces\n", fc_sources_count(src));
    for (int s = 0; s < n_seeds; s++) {
        face_image img;
        fc_face *truth;
        int nt, nd, f, d, x;
        face_det *dets;
        face_timing t;
        if (fc_collage(src, W, H, fmin, fmax, 0, (unsigned)s * 7919u, &img, &truth, &nt) != FACE_OK)
            return 1;
        fd_plan plan;
        fd_plan_make(&cfg->opts, W, H, &plan);
        cfg->tweak(&plan, &img, cfg->arg);
        double t0 = now_ms();
        if (fd_analyze(w, &img, &cfg->opts, &plan, &dets, &nd, &t) != FACE_OK)
            return 1;
        ms += now_ms() - t0;
        det_ms += t.detect_ms;
        fc_score(truth, nt, dets, nd, &f, &d, &x, cfg->verbose);
        found += f;
        total += nt;
        dups += d;
        fp += x;
        if (cfg->annotate && s == 0) {
            uint8_t *jpeg;
            size_t len;
            char out[4200];
            snprintf(out, sizeof out, "%s/collage.jpg", cfg->annotate);
            if (face_annotate_jpeg(&img, dets, nd, NULL, 2000, &jpeg, &len) == FACE_OK) {
                FILE *o = fopen(out, "wb");
                if (o) {
                    fwrite(jpeg, 1, len, o);
                    fclose(o);
                }
                free(jpeg);
            }
        }
        free(dets);
        free(truth);
        face_image_free(&img);
    }
    printf("collage %dx%d faces %d-%d: found %d/%d = %.2f %%, duplicates %d, false %d; "
           "%.0f ms per image (detect %.0f)\n", W, H, fmin, fmax, found, total,
           100.0 * found / total, dups, fp, ms / n_seeds, det_ms / n_seeds);
    fc_sources_free(src);
    return 0;
}

int main(int argc, char **argv)
{
    fe_config cfg = { .tweak = tweak };
    knobs k = { -1, -1, -1, 0, 0, 0, 0, -1, 0, -1, -1, 0 };
    int collage[5] = { 0 };
    char err[256];
    face_opts_default(&cfg.opts);
    cfg.arg = &k;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(a, "--tiny")) cfg.opts.detector = FACE_DETECTOR_TINY;
        else if (!strcmp(a, "--faceapi-chip")) cfg.opts.chip = FACE_CHIP_FACEAPI;
        else if (!strcmp(a, "--tiles-off")) cfg.opts.tiles = FACE_TILES_OFF;
        else if (!strcmp(a, "--portrait")) cfg.opts.portrait = 1;
        else if (!strcmp(a, "--faceapi-pass")) k.faceapi = 1;
        else if (!strcmp(a, "--zoom")) { k.zoom = atof(v); i++; }
        else if (!strcmp(a, "--flip")) { k.flip = atoi(v); i++; }
        else if (!strcmp(a, "--min-score")) { k.min_score = (float)atof(v); i++; }
        else if (!strcmp(a, "--min-face")) { cfg.opts.min_face_size = atoi(v); i++; }
        else if (!strcmp(a, "--tile-face")) { k.tile_face = atof(v); i++; }
        else if (!strcmp(a, "--tile-overlap")) { k.tile_overlap = atof(v); i++; }
        else if (!strcmp(a, "--tile-ratio")) { k.tile_ratio = atof(v); i++; }
        else if (!strcmp(a, "--tile-net")) { k.tile_net = !strcmp(v, "tiny"); i++; }
        else if (!strcmp(a, "--tile-input")) { k.tile_input = atoi(v); i++; }
        else if (!strcmp(a, "--tile-score")) { k.tile_score = (float)atof(v); i++; }
        else if (!strcmp(a, "--tiles")) { k.tiles = atoi(v); i++; }
        else if (!strcmp(a, "--collage") && i + 5 < argc) {
            for (int j = 0; j < 5; j++)
                collage[j] = atoi(argv[++i]);
        }
        else if (!strcmp(a, "--zoom-net")) { k.zoom_net = !strcmp(v, "tiny"); i++; }
        else if (!strcmp(a, "--scale")) { cfg.scale = atof(v); i++; }
        else if (!strcmp(a, "-v")) cfg.verbose = 1;
        else if (!strcmp(a, "--annotate")) { cfg.annotate = v; i++; }
        else { fprintf(stderr, "unknown option %s\n", a); return 2; }
    }
    const char *models = ft_models_dir(), *dir = fe_data_dir();
    if (!models || !dir) {
        printf("SKIP: models or testdata missing\n");
        return 0;
    }
    face_engine *e = face_engine_open(models, 1, err, sizeof err);
    if (!e) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    face_worker *w = face_worker_acquire(e, 0);
    fe_report r;
    int rc;
    if (collage[0] > 0) {
        rc = collage_eval(w, dir, &cfg, collage[0], collage[1], collage[2], collage[3],
                          collage[4] > 0 ? collage[4] : 1);
    } else {
        rc = fe_evaluate(w, dir, &cfg, &r);
        if (rc == FACE_OK)
            fe_print("result", &r);
    }
    face_worker_release(w);
    face_engine_close(e);
    return rc == FACE_OK ? 0 : 1;
}
