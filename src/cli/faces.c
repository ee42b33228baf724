/* `attendly faces`: the face engine from the command line. Per image: boxes, scores, face
 * sizes, 68 landmarks, descriptors and per-stage timings (text or JSON); or, with
 * --compare, the distance between the largest faces of two images. */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "face/face.h"
#define MAX_FILE_BYTES (256L << 20)

typedef struct faces_args {
    face_opts opts;
    const char *models;
    int json, compare;
    char **files;
    int n_files;
} faces_args;

static void usage(FILE *f)
{
    fprintf(f, "usage: attendly faces [--detector ssd|tiny] [--tiles auto|off] "
               "[--chip dlib|faceapi]\n"
               "                      [--portrait] [--min-face-size N] [--models DIR] "
               "[--json] IMG...\n"
               "       attendly faces [options] --compare IMG_A IMG_B\n"
               "Models: --models, else FACE_MODELS_DIR (environment or .env), else ./models.\n");
}

static int parse_args(int argc, char **argv, faces_args *a)
{
    memset(a, 0, sizeof *a);
    face_opts_default(&a->opts);
    a->models = g_config.models_dir[0] ? g_config.models_dir : "models";
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(o, "--json") || !strcmp(o, "--compare") || !strcmp(o, "--portrait"))
            takes = 0;
        if (takes && !v) {
            fprintf(stderr, "attendly faces: %s needs a value\n", o);
            return -1;
        }
        if (!strcmp(o, "--json"))
            a->json = 1;
        else if (!strcmp(o, "--compare"))
            a->compare = 1;
        else if (!strcmp(o, "--portrait"))
            a->opts.portrait = 1;
        else if (!strcmp(o, "--detector") && (!strcmp(v, "ssd") || !strcmp(v, "tiny")))
            a->opts.detector = !strcmp(v, "ssd") ? FACE_DETECTOR_SSD : FACE_DETECTOR_TINY;
        else if (!strcmp(o, "--tiles") && (!strcmp(v, "auto") || !strcmp(v, "off")))
            a->opts.tiles = !strcmp(v, "auto") ? FACE_TILES_AUTO : FACE_TILES_OFF;
        else if (!strcmp(o, "--chip") && (!strcmp(v, "dlib") || !strcmp(v, "faceapi")))
            a->opts.chip = !strcmp(v, "dlib") ? FACE_CHIP_DLIB : FACE_CHIP_FACEAPI;
        else if (!strcmp(o, "--min-face-size") && atoi(v) >= 0 && strspn(v, "0123456789") == strlen(v))
            a->opts.min_face_size = atoi(v);
        else if (!strcmp(o, "--models"))
            a->models = v;
        else {
            fprintf(stderr, "attendly faces: bad option %s%s%s\n", o, takes ? " " : "",
                    takes ? v : "");
            return -1;
        }
        i += takes;
    }
    a->files = argv + i;
    a->n_files = argc - i;
    if (a->n_files < 1 || (a->compare && a->n_files != 2)) {
        fprintf(stderr, "attendly faces: %s\n",
                a->compare ? "--compare needs exactly two images" : "no image given");
        return -1;
    }
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n <= MAX_FILE_BYTES &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

typedef struct analysed {
    face_image img;
    face_det *dets;
    int n;
    face_timing t;
} analysed;

/* Reads, decodes and analyses one image; prints the reason on failure. */
static int analyse_file(face_worker *w, const faces_args *a, const char *path, analysed *r)
{
    char reason[128] = "";
    size_t len = 0;
    memset(r, 0, sizeof *r);
    void *data = read_file(path, &len);
    if (!data) {
        fprintf(stderr, "%s: cannot read the file\n", path);
        return -1;
    }
    double t0 = now_ms();
    int rc = face_image_decode(data, len, g_config.max_image_pixels, &r->img, reason, sizeof reason);
    double decode_ms = now_ms() - t0;
    free(data);
    if (rc != FACE_OK) {
        fprintf(stderr, "%s: %s\n", path,
                rc == FACE_ERR_FORMAT     ? "Invalid image data: unsupported image format"
                : rc == FACE_ERR_TOO_LARGE ? "Image too large"
                : rc == FACE_ERR_DECODE    ? reason
                                           : "cannot decode the image");
        return -1;
    }
    rc = face_analyze(w, &r->img, &a->opts, &r->dets, &r->n, &r->t);
    r->t.decode_ms = decode_ms;
    if (rc != FACE_OK) {
        fprintf(stderr, "%s: face analysis failed (%d)\n", path, rc);
        face_image_free(&r->img);
        return -1;
    }
    return 0;
}

static void analysed_free(analysed *r)
{
    free(r->dets);
    face_image_free(&r->img);
}

static json_t *face_json(const face_det *d)
{
    json_t *lm = json_array(), *desc = json_array();
    for (int p = 0; p < 68; p++)
        json_array_append_new(lm, json_pack("[f,f]", d->landmarks[p].x, d->landmarks[p].y));
    for (int k = 0; d->has_descriptor && k < FACE_DESCRIPTOR_DIM; k++)
        json_array_append_new(desc, json_real(d->descriptor[k]));
    return json_pack("{s:{s:f,s:f,s:f,s:f},s:f,s:i,s:o,s:o}", "box", "x", d->box.x, "y",
                     d->box.y, "width", d->box.w, "height", d->box.h, "score", d->score,
                     "face_size", d->face_size, "landmarks", lm, "descriptor",
                     d->has_descriptor ? desc : (json_decref(desc), json_null()));
}

static json_t *image_json(const char *path, const analysed *r)
{
    json_t *faces = json_array();
    for (int i = 0; i < r->n; i++)
        json_array_append_new(faces, face_json(&r->dets[i]));
    return json_pack("{s:s,s:i,s:i,s:o,s:{s:f,s:f,s:f,s:f}}", "image", path, "width",
                     r->img.width, "height", r->img.height, "faces", faces, "timing_ms",
                     "decode", r->t.decode_ms, "detect", r->t.detect_ms, "landmarks",
                     r->t.landmarks_ms, "describe", r->t.describe_ms);
}

static void print_text(const char *path, const analysed *r)
{
    printf("%s: %dx%d, %d face%s; ms: decode %.1f, detect %.1f, landmarks %.1f, "
           "describe %.1f\n", path, r->img.width, r->img.height, r->n, r->n == 1 ? "" : "s",
           r->t.decode_ms, r->t.detect_ms, r->t.landmarks_ms, r->t.describe_ms);
    for (int i = 0; i < r->n; i++) {
        const face_det *d = &r->dets[i];
        printf("  face %d: box %.1f %.1f %.1f %.1f  score %.3f  face size %d\n", i, d->box.x,
               d->box.y, d->box.w, d->box.h, d->score, d->face_size);
        printf("    landmarks:");
        for (int p = 0; p < 68; p++)
            printf(" %.1f,%.1f", d->landmarks[p].x, d->landmarks[p].y);
        printf("\n    descriptor:");
        for (int k = 0; d->has_descriptor && k < FACE_DESCRIPTOR_DIM; k++)
            printf(" %.5f", d->descriptor[k]);
        printf("%s\n", d->has_descriptor ? "" : " none");
    }
}

static const face_det *largest(const analysed *r)
{
    const face_det *best = NULL;
    for (int i = 0; i < r->n; i++)
        if (r->dets[i].has_descriptor && (!best || r->dets[i].face_size > best->face_size))
            best = &r->dets[i];
    return best;
}

static int compare(face_worker *w, const faces_args *a)
{
    analysed r[2];
    int status = 1;
    if (analyse_file(w, a, a->files[0], &r[0]) != 0)
        return 1;
    if (analyse_file(w, a, a->files[1], &r[1]) != 0) {
        analysed_free(&r[0]);
        return 1;
    }
    const face_det *x = largest(&r[0]), *y = largest(&r[1]);
    if (!x || !y) {
        fprintf(stderr, "%s: no face found\n", a->files[x ? 1 : 0]);
    } else {
        double d = face_distance(x->descriptor, y->descriptor);
        if (a->json) {
            json_t *j = json_pack("{s:f,s:b}", "distance", d, "same_person", d < 0.6);
            char *s = json_dumps(j, JSON_INDENT(2));
            printf("%s\n", s);
            free(s);
            json_decref(j);
        } else {
            printf("distance %.4f (%s at tolerance 0.6)\n", d,
                   d < 0.6 ? "same person" : "different people");
        }
        status = 0;
    }
    analysed_free(&r[0]);
    analysed_free(&r[1]);
    return status;
}

int cli_faces_main(int argc, char **argv)
{
    faces_args a;
    char err[256];
    int status = 0;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (cli_load_config() != 0)
        return 1;
    if (parse_args(argc, argv, &a) != 0) {
        usage(stderr);
        return 2;
    }
    face_engine *e = face_engine_open(a.models, 1, err, sizeof err);
    if (!e) {
        fprintf(stderr, "attendly faces: cannot load the face models from %s: %s\n", a.models,
                err);
        return 1;
    }
    face_worker *w = face_worker_acquire(e, 0);
    if (a.compare) {
        status = compare(w, &a);
    } else {
        json_t *all = a.json ? json_array() : NULL;
        for (int i = 0; i < a.n_files; i++) {
            analysed r;
            if (analyse_file(w, &a, a.files[i], &r) != 0) {
                status = 1;
                continue;
            }
            if (all)
                json_array_append_new(all, image_json(a.files[i], &r));
            else
                print_text(a.files[i], &r);
            analysed_free(&r);
        }
        if (all) {
            char *s = json_dumps(all, JSON_INDENT(2) | JSON_REAL_PRECISION(7));
            printf("%s\n", s);
            free(s);
            json_decref(all);
        }
    }
    face_worker_release(w);
    face_engine_close(e);
    return status;
}
