#ifndef ATTENDLY_TESTS_FACE_EVAL_H
#define ATTENDLY_TESTS_FACE_EVAL_H
/* Accuracy figures of the face engine on the labelled photos of ../shared/testdata/faces
 * (README there): verification on pairs.tsv, detection recall on the portraits (every
 * image not listed in detection.tsv), face counts of detection.tsv and box recall against
 * detection_boxes.tsv. Used by the accuracy test and by tools that compare strategies. */
#include "face/plan.h"

typedef struct fe_config {
    face_opts opts;
    /* optional: adjust the plan fd_plan_make chose for an image */
    void (*tweak)(fd_plan *p, const face_image *img, void *arg);
    void *arg;
    int verbose;            /* print misses and extra faces */
    double scale;           /* > 0: resample every image by this factor first */
    const char *annotate;   /* directory: annotated JPEGs of portraits without exactly one
                               face (NULL: none) */
} fe_config;

typedef struct fe_report {
    int pairs, pairs_correct, pairs_scored, pairs_scored_correct;
    int portraits, portraits_found, portraits_multi, extra_faces;
    int det_images, det_exact, det_found, det_expected;
    int boxes, boxes_found;
    double ms_total;        /* face_analyze time over all images */
    int images;
} fe_report;

/* The testdata/faces directory ($ATTENDLY_SHARED_DIR/testdata/faces), NULL when absent. */
const char *fe_data_dir(void);
/* Runs the engine over the set. FACE_OK, or the first engine/decoding error. */
int fe_evaluate(face_worker *w, const char *dir, const fe_config *cfg, fe_report *r);
void fe_print(const char *label, const fe_report *r);

#endif
