#ifndef ATTENDLY_API_FACE_RECOGNIZE_H
#define ATTENDLY_API_FACE_RECOGNIZE_H
/* Recognition of one photo against a class's candidates (API.md §7.7 "Processing"),
 * shared by recognize-faces and recognize-from-photo. */
#include <stddef.h>

#include "face/face.h"
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

#endif
