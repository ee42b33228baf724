#ifndef ATTENDLY_FACE_PLAN_H
#define ATTENDLY_FACE_PLAN_H
/* The detection strategy of face_analyze: which detector passes run over which windows of
 * the image, and how their boxes are merged. A plan is derived from face_opts and the
 * image size (fd_plan_make) and then run (fd_plan_run); tests and the measurement tools
 * adjust a plan's fields to compare strategies. */
#include "face/detect.h"

typedef struct fd_plan {
    enum face_detector detector;
    float min_score;        /* detector threshold of every pass */
    int tiny_size;          /* Tiny's input size for whole-image passes */
    int faceapi;            /* one face-api pass over the whole image, nothing else */
    double zoom_out;        /* > 1: also a pass over a centred window this many times the
                               image's long side (faces that fill the frame) */
    enum face_detector zoom_net;  /* detector of the zoomed-out pass */
    int flip;               /* also the mirrored whole image (and zoomed-out window) */
    /* tiles: a grid of square windows of tile_side image pixels, overlapping by at least
     * tile_overlap pixels, each fed to tile_net at tile_input pixels */
    int tiles;
    double tile_side, tile_overlap;
    enum face_detector tile_net;
    int tile_input;
    float tile_min_score;
    double tile_ratio;      /* next level's tiles are this many times larger */
    double merge_iou;       /* boxes of different passes overlapping more are one face */
} fd_plan;

void fd_plan_make(const face_opts *o, int width, int height, fd_plan *p);
/* Runs the passes of p and merges them; boxes by descending score, image pixels. */
int fd_plan_run(face_worker *w, const face_image *img, const fd_plan *p, fd_box **out, int *n);
/* The tile windows of p for a width x height image, finest level first: level k has
 * tiles of tile_side * tile_ratio^k overlapping by tile_overlap * tile_ratio^k, spread
 * evenly over the image (whole-pixel positions); levels stop once a tile would span the
 * image's long side (the whole-image pass covers those faces). Writes at most max windows
 * to out (out may be NULL) and returns how many there are. */
int fd_plan_tiles(const fd_plan *p, int width, int height, fd_window *out, int max);

/* face_analyze with an explicit plan (NULL: fd_plan_make's), for measurements. */
int fd_analyze(face_worker *w, const face_image *img, const face_opts *opts,
               const fd_plan *plan, face_det **out, int *n_out, face_timing *timing);

#endif
