/* face_eval: accuracy figures of one detection/description strategy on testdata/faces,
 * for comparing strategies by hand (the accuracy test asserts the defaults' floors).
 * usage: face_eval [--tiny] [--faceapi-chip] [--tiles-off] [--portrait] [--faceapi-pass]
 *                  [--zoom Z] [--flip 0|1] [--min-score S] [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face_eval.h"
#include "face_testutil.h"

typedef struct knobs {
    double zoom;
    int flip, faceapi;
    float min_score;
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
}

int main(int argc, char **argv)
{
    fe_config cfg = { .tweak = tweak };
    knobs k = { -1, -1, -1, 0 };
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
    int rc = fe_evaluate(w, dir, &cfg, &r);
    if (rc == FACE_OK)
        fe_print("result", &r);
    face_worker_release(w);
    face_engine_close(e);
    return rc == FACE_OK ? 0 : 1;
}
