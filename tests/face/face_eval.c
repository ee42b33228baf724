#include "face_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "face/prep.h"
#include "face_testutil.h"

#define MAX_IMAGES 512
#define PAIR_THRESHOLD 0.6

typedef struct fe_image {
    char path[512];
    int n;                          /* faces found */
    int has_desc;                   /* descriptor of the face nearest the centre */
    float desc[FACE_DESCRIPTOR_DIM];
    face_box *boxes;
} fe_image;

typedef struct fe_set {
    fe_image img[MAX_IMAGES];
    int n;
} fe_set;

const char *fe_data_dir(void)
{
    static char dir[4096];
    const char *env = getenv("ATTENDLY_SHARED_DIR");
    char probe[4200];
    snprintf(dir, sizeof dir, "%s/testdata/faces", env && *env ? env : "../shared");
    snprintf(probe, sizeof probe, "%s/pairs.tsv", dir);
    FILE *f = fopen(probe, "r");
    if (!f)
        return NULL;
    fclose(f);
    return dir;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static fe_image *find(fe_set *s, const char *path)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->img[i].path, path) == 0)
            return &s->img[i];
    return NULL;
}

static fe_image *add(fe_set *s, const char *path)
{
    fe_image *im = find(s, path);
    if (im || s->n == MAX_IMAGES)
        return im;
    im = &s->img[s->n++];
    memset(im, 0, sizeof *im);
    snprintf(im->path, sizeof im->path, "%s", path);
    return im;
}

/* Reads column `col` (0-based, tab-separated) of each line; calls fn(line fields). */
static int read_tsv(const char *dir, const char *name, void (*fn)(char **f, int nf, void *),
                    void *arg)
{
    char path[4200], line[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        char *fields[8];
        int nf = 0;
        line[strcspn(line, "\r\n")] = 0;
        if (!*line)
            continue;
        for (char *p = strtok(line, "\t"); p && nf < 8; p = strtok(NULL, "\t"))
            fields[nf++] = p;
        fn(fields, nf, arg);
    }
    fclose(f);
    return 0;
}

static void add_pair(char **f, int nf, void *arg)
{
    if (nf >= 3) {
        add(arg, f[0]);
        add(arg, f[1]);
    }
}

static void add_first(char **f, int nf, void *arg)
{
    if (nf >= 1)
        add(arg, f[0]);
}

static int is_image(const char *p)
{
    const char *dot = strrchr(p, '.');
    return dot && (!strcmp(dot, ".jpg") || !strcmp(dot, ".jpeg") || !strcmp(dot, ".png"));
}

typedef struct portrait_ctx { fe_set *all; fe_set *group; } portrait_ctx;

static void add_portrait(char **f, int nf, void *arg)
{
    portrait_ctx *c = arg;
    if (nf >= 1 && is_image(f[0]) && !find(c->group, f[0]))
        add(c->all, f[0]);
}

static int analyze_image(face_worker *w, const char *dir, const fe_config *cfg, fe_image *im,
                         double *ms)
{
    char path[4200], reason[128];
    size_t len;
    face_image img = { 0 };
    face_det *dets = NULL;
    int n = 0, rc;
    snprintf(path, sizeof path, "%s/%s", dir, im->path);
    void *data = ft_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "cannot read %s\n", path);
        return FACE_ERR_ARG;
    }
    rc = face_image_decode(data, len, 40000000, &img, reason, sizeof reason);
    free(data);
    if (rc != FACE_OK) {
        fprintf(stderr, "%s: decode %d %s\n", im->path, rc, reason);
        return rc;
    }
    if (cfg->scale > 0 && cfg->scale != 1) {
        face_image big;
        int sw = (int)lround(img.width * cfg->scale), sh = (int)lround(img.height * cfg->scale);
        int side = sw > sh ? sw : sh;
        float *buf = malloc(sizeof *buf * (size_t)side * side * 3);
        if (!buf || face_image_alloc(&big, sw, sh) != FACE_OK) {
            free(buf);
            face_image_free(&img);
            return FACE_ERR_NOMEM;
        }
        fp_window(&img, 0, 0, side / cfg->scale, side, 0, FP_NORM_NONE, buf);
        for (int y = 0; y < sh; y++)
            for (int x = 0; x < sw * 3; x++) {
                float v = buf[(size_t)y * side * 3 + x];
                big.rgb[(size_t)y * sw * 3 + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
            }
        free(buf);
        face_image_free(&img);
        img = big;
    }
    fd_plan plan;
    fd_plan_make(&cfg->opts, img.width, img.height, &plan);
    if (cfg->tweak)
        cfg->tweak(&plan, &img, cfg->arg);
    double t0 = now_ms();
    rc = fd_analyze(w, &img, &cfg->opts, &plan, &dets, &n, NULL);
    *ms += now_ms() - t0;
    if (rc == FACE_OK && cfg->annotate && n > 1) {
        uint8_t *jpeg = NULL;
        size_t jlen = 0;
        char out[4400], flat[512];
        snprintf(flat, sizeof flat, "%s", im->path);
        for (char *p = flat; *p; p++)
            if (*p == '/')
                *p = '_';
        snprintf(out, sizeof out, "%s/%s", cfg->annotate, flat);
        if (face_annotate_jpeg(&img, dets, n, NULL, 1024, &jpeg, &jlen) == FACE_OK) {
            FILE *f = fopen(out, "wb");
            if (f) {
                fwrite(jpeg, 1, jlen, f);
                fclose(f);
            }
        }
        free(jpeg);
    }
    if (rc == FACE_OK) {
        double best = 1e30;
        im->n = n;
        im->boxes = malloc(sizeof *im->boxes * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            im->boxes[i] = dets[i].box;
            double cx = dets[i].box.x + dets[i].box.w / 2 - img.width / 2.0;
            double cy = dets[i].box.y + dets[i].box.h / 2 - img.height / 2.0;
            if (dets[i].has_descriptor && cx * cx + cy * cy < best) {
                best = cx * cx + cy * cy;
                im->has_desc = 1;
                memcpy(im->desc, dets[i].descriptor, sizeof im->desc);
            }
        }
    }
    free(dets);
    face_image_free(&img);
    return rc;
}

typedef struct pair_ctx { fe_set *s; fe_report *r; int verbose; } pair_ctx;

static void score_pair(char **f, int nf, void *arg)
{
    pair_ctx *c = arg;
    if (nf < 3)
        return;
    fe_image *a = find(c->s, f[0]), *b = find(c->s, f[1]);
    int same = atoi(f[2]);
    c->r->pairs++;
    if (!a || !b || !a->has_desc || !b->has_desc) {
        if (c->verbose)
            printf("  pair unscored: %s (%d faces) %s (%d faces)\n", f[0], a ? a->n : -1, f[1],
                   b ? b->n : -1);
        return;
    }
    double d = face_distance(a->desc, b->desc);
    int ok = (d < PAIR_THRESHOLD) == same;
    c->r->pairs_scored++;
    c->r->pairs_scored_correct += ok;
    c->r->pairs_correct += ok;
    if (!ok && c->verbose)
        printf("  pair wrong (same=%d, d=%.3f): %s %s\n", same, d, f[0], f[1]);
}

typedef struct det_ctx { fe_set *s; fe_report *r; int verbose; } det_ctx;

static void score_count(char **f, int nf, void *arg)
{
    det_ctx *c = arg;
    fe_image *im = nf >= 2 ? find(c->s, f[0]) : NULL;
    if (!im)
        return;
    int want = atoi(f[1]);
    c->r->det_images++;
    c->r->det_exact += im->n == want;
    c->r->det_found += im->n < want ? im->n : want;
    c->r->det_expected += want;
    if (c->verbose)
        printf("  %s: %d faces (labelled %d)\n", f[0], im->n, want);
}

static void score_box(char **f, int nf, void *arg)
{
    det_ctx *c = arg;
    fe_image *im = nf >= 5 ? find(c->s, f[0]) : NULL;
    if (!im)
        return;
    double x = atof(f[1]), y = atof(f[2]), w = atof(f[3]), h = atof(f[4]), best = 0;
    for (int i = 0; i < im->n; i++) {
        const face_box *b = &im->boxes[i];
        double iw = fmax(0, fmin(x + w, b->x + b->w) - fmax(x, b->x));
        double ih = fmax(0, fmin(y + h, b->y + b->h) - fmax(y, b->y));
        double u = w * h + b->w * b->h - iw * ih;
        if (u > 0 && iw * ih / u > best)
            best = iw * ih / u;
    }
    c->r->boxes++;
    c->r->boxes_found += best >= 0.5;
}

int fe_evaluate(face_worker *w, const char *dir, const fe_config *cfg, fe_report *r)
{
    fe_set *all = calloc(1, sizeof *all), *group = calloc(1, sizeof *group);
    int rc = FACE_ERR_NOMEM;
    memset(r, 0, sizeof *r);
    if (!all || !group)
        goto out;
    rc = FACE_ERR_ARG;
    if (read_tsv(dir, "detection.tsv", add_first, group) != 0 ||
        read_tsv(dir, "pairs.tsv", add_pair, all) != 0)
        goto out;
    portrait_ctx pc = { all, group };
    if (read_tsv(dir, "files.txt", add_portrait, &pc) != 0)
        goto out;
    int first_group = all->n;
    for (int i = 0; i < group->n; i++)
        add(all, group->img[i].path);
    rc = FACE_OK;
    for (int i = 0; i < all->n && rc == FACE_OK; i++)
        rc = analyze_image(w, dir, cfg, &all->img[i], &r->ms_total);
    if (rc != FACE_OK)
        goto out;
    r->images = all->n;
    for (int i = 0; i < first_group; i++) {
        fe_image *im = &all->img[i];
        r->portraits++;
        r->portraits_found += im->n > 0;
        r->portraits_multi += im->n > 1;
        r->extra_faces += im->n > 1 ? im->n - 1 : 0;
        if (cfg->verbose && im->n != 1) {
            printf("  portrait %s: %d faces", im->path, im->n);
            for (int k = 0; k < im->n; k++)
                printf(" [%.0f %.0f %.0f %.0f]", im->boxes[k].x, im->boxes[k].y,
                       im->boxes[k].w, im->boxes[k].h);
            printf("\n");
        }
    }
    pair_ctx pr = { all, r, cfg->verbose };
    read_tsv(dir, "pairs.tsv", score_pair, &pr);
    det_ctx dc = { all, r, cfg->verbose };
    read_tsv(dir, "detection.tsv", score_count, &dc);
    read_tsv(dir, "detection_boxes.tsv", score_box, &dc);
out:
    for (int i = 0; all && i < all->n; i++)
        free(all->img[i].boxes);
    free(all);
    free(group);
    return rc;
}

void fe_print(const char *label, const fe_report *r)
{
    printf("%s: pairs %d/%d = %.2f %% (scored %d, %.2f %% of those); portraits with a face "
           "%d/%d = %.2f %%, with >1 face %d (%d extra); group photos exact count %d/%d, "
           "faces %d/%d; boxes IoU>=0.5 %d/%d; %.0f ms for %d images\n",
           label, r->pairs_correct, r->pairs, 100.0 * r->pairs_correct / (r->pairs ? r->pairs : 1),
           r->pairs_scored, 100.0 * r->pairs_scored_correct / (r->pairs_scored ? r->pairs_scored : 1),
           r->portraits_found, r->portraits,
           100.0 * r->portraits_found / (r->portraits ? r->portraits : 1), r->portraits_multi,
           r->extra_faces, r->det_exact, r->det_images, r->det_found, r->det_expected,
           r->boxes_found, r->boxes, r->ms_total, r->images);
}
