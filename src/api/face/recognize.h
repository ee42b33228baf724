#ifndef ATTENDLY_API_FACE_RECOGNIZE_H
#define ATTENDLY_API_FACE_RECOGNIZE_H
/* Recognition of one photo against a class's candidates (API.md §7.7 "Processing"),
 * shared by recognize-faces and recognize-from-photo. */
#include <stddef.h>

#include "api/api.h"
#include "face/face.h"
#include "store/audit.h"
#include "store/faces.h"

/* One analysed image: its faces in reading order and their assignment. */
typedef struct rec_image {
    int width, height;
    face_det *dets;
    int n;
    int *cand;          /* per face: candidate index, or -1 (unknown) */
    double *dist;       /* per face: distance to the assigned candidate */
} rec_image;

/* Detects and describes every face of img, then assigns faces to candidates one-to-one
 * (face_assign: distance < tolerance, maximum total tolerance - distance). The distance
 * between a face and a candidate is the minimum over the candidate's descriptors.
 * 0, or -1 on a server failure. */
int rec_match(face_worker *w, const face_image *img, const store_face_candidate *cands,
              size_t n_cands, double tolerance, rec_image *out);
void rec_image_free(rec_image *r);

/* The audit events of one recognition request (API.md §15): face.recognition_run by the
 * teacher, then one face.matched per recognised student. */
typedef struct rec_audit {
    store_audit_new *events;
    char (*details)[STORE_AUDIT_DETAILS_MAX];
    size_t n;
} rec_audit;
typedef struct rec_audit_match {
    int64_t student_id;
    double distance;
} rec_audit_match;
/* 0, or -1 when out of memory. session_id 0 = none. */
int rec_audit_build(const api_ctx *ctx, int64_t class_id, int64_t session_id, int images,
                    int faces, const rec_audit_match *matched, size_t n_matched, rec_audit *a);
void rec_audit_free(rec_audit *a);

/* §13.4: the class's candidates (only students whose consent is current, when consent is
 * required) and the students with face data but no current consent (empty when it is
 * not required). 0, or -1 with a 500 reply set; free both either way. */
int rec_load_candidates(api_ctx *ctx, int64_t class_id, store_face_candidate **cands,
                        size_t *nc, store_face_person **no_consent, size_t *nn);
/* [{"id", "name"}] of people, by the order given. */
json_t *rec_people_json(const store_face_person *p, size_t n);

#endif
