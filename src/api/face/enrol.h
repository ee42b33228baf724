#ifndef ATTENDLY_API_FACE_ENROL_H
#define ATTENDLY_API_FACE_ENROL_H
/* The enrolment pipeline of API.md §6.0, shared by upload, multiple-upload,
 * upload-orientations (steps 1-4 and 6-8) and validate-image (steps 1-3). */
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "api/face/common.h"
#include "face/face.h"
#include "store/faces.h"

/* One image of an enrolment request after steps 1-4. */
typedef struct enrol_image {
    int accepted;
    char error[API_IMAGE_MSG];      /* the per-image error when not accepted */
    store_face_new row;             /* descriptor, size, score, thumbnail, raw path */
    uint8_t *thumb;                 /* owned: row.thumbnail */
    char *raw;                      /* owned: row.raw_path (FACE_IMAGE_STORE=1) */
} enrol_image;

/* The engine options for enrolment photos. */
void enrol_opts(face_opts *o, int describe);

/* Step 3 on a detection result: the index of the accepted face, or -1 with *error set to
 * the per-image message. */
int enrol_pick_face(const face_det *dets, int n, const char **error);

/* Steps 1-4 for one image string. 0 with e->accepted or e->error filled; -1 on a server
 * failure (out of memory, engine or disk error). Faces detected are added to *faces. */
int enrol_process(face_worker *w, int64_t user_id, const char *s, size_t len,
                  enrol_image *e, int *faces);
/* Frees the images; with discard, also removes raw files written for them (a failed
 * request must leave nothing behind). */
void enrol_images_free(enrol_image *imgs, size_t n, int discard);

/* Step 5 for every pair of accepted images: 1 when all are within T of each other. */
int enrol_same_person(const enrol_image *imgs, size_t n);

/* Steps 6-8: stores the accepted images in one transaction. On success returns 0 with
 * *res filled (raw files of trimmed or replaced rows already removed). Otherwise the reply
 * is set (400 "Face does not match your registered face data" or 409 "This face is
 * already registered to another account", through reply_rule when given; or 500) and -1
 * is returned. */
typedef void (*enrol_rule_reply)(api_ctx *ctx, int status, const char *message);
typedef struct enrol_store_req {
    const enrol_image *imgs;
    size_t n;
    const char *method;             /* single_image | multiple_images | orientations */
    const char *orientations;       /* JSON array text (orientations) or NULL */
    int replace;
    int check_own;
    enrol_rule_reply reply_rule;    /* NULL: the general {"error"} form */
} enrol_store_req;
int enrol_store(api_ctx *ctx, const enrol_store_req *rq, store_face_enrol_result *res);

#endif
