#ifndef ATTENDLY_TESTS_FACE_COLLAGE_H
#define ATTENDLY_TESTS_FACE_COLLAGE_H
/* Synthetic class photos for the tiling tests and the benchmark: faces cut from real
 * photos (found by the engine itself), scaled to a chosen face size and pasted on a grid,
 * with their true positions. Built at run time; no large fixtures. */
#include "face/face.h"

typedef struct fc_face {
    double cx, cy;      /* midpoint of the eye centres in the collage */
    double size;        /* face size (API.md §5.3) in the collage */
} fc_face;

/* Collects source faces (face size >= 60) from the given photos, each only when the square
 * pasted around it would show no other face. */
typedef struct fc_sources fc_sources;
fc_sources *fc_sources_load(face_worker *w, const char *const *paths, int n);
int fc_sources_count(const fc_sources *s);
void fc_sources_free(fc_sources *s);

/* A width x height grey canvas with faces of face size fmin..fmax (uniform, seeded) on a
 * jittered grid, at most max_faces of them (<= 0: one per grid cell) spread evenly.
 * *truth is malloc'd. */
int fc_collage(const fc_sources *s, int width, int height, int fmin, int fmax, int max_faces,
               unsigned seed, face_image *out, fc_face **truth, int *n_truth);

/* Matches detections to the truth (eye midpoint within 0.3 face sizes, face size within a
 * factor 1.6): found = truths with a match, dups = extra detections on a found truth,
 * false = detections matching nothing (printed when verbose). */
void fc_score(const fc_face *truth, int nt, const face_det *dets, int nd, int *found,
              int *dups, int *false_pos, int verbose);

#endif
