#ifndef ATTENDLY_FACE_DETECT_H
#define ATTENDLY_FACE_DETECT_H
/* Detection, landmarks and descriptors for a batch of faces: the stages of face_analyze.
 * Detectors work on a region of the image (the whole image, or a tile) and report boxes
 * in image pixels, face-api's post-processing included (FACE-MODELS.md §4, §5, §6, §8). */
#include "face/engine.h"

typedef struct fd_box {
    double x, y, w, h;      /* image pixels, unclipped */
    float score;
    int unconfirmed;        /* found only by a tile pass: landmarks must confirm it */
} fd_box;

typedef struct fd_region { int x, y, w, h; } fd_region;

/* A square window of the image (may reach outside it: black there), optionally mirrored;
 * see fp_window. Our own detection passes use windows; fd_ssd/fd_tiny stay face-api's. */
typedef struct fd_window { double x, y, side; int flip; } fd_window;

#define FD_SSD_MAX_RESULTS 100
#define FD_SSD_IOU 0.5
#define FD_TINY_IOU 0.4

/* SsdMobilenetv1 on region r: score > min_score, NMS 0.5, at most max_results boxes,
 * by descending score. *out is malloc'd. */
int fd_ssd(face_worker *w, const face_image *img, fd_region r, float min_score,
           int max_results, fd_box **out, int *n);
/* TinyFaceDetector at input size (multiple of 32) on region r: score > min_score,
 * NMS 0.4. *out is malloc'd. */
int fd_tiny(face_worker *w, const face_image *img, fd_region r, int size, float min_score,
            fd_box **out, int *n);

/* The same detectors on a window; boxes come back in image pixels (clipped to the window
 * for SSD, as face-api clips to its square). */
int fd_ssd_window(face_worker *w, const face_image *img, fd_window win, float min_score,
                  int max_results, fd_box **out, int *n);
int fd_tiny_window(face_worker *w, const face_image *img, fd_window win, int size,
                   float min_score, fd_box **out, int *n);

/* face-api's crop of a box: clipped to the image, then x, y, w, h floored one by one.
 * 0 when empty. */
int fd_clip_floor(const face_image *img, double x, double y, double w, double h,
                  fd_region *r);

/* 68 landmarks (image pixels) of each box, batched. ok[i] = 0 when box i is empty. */
int fd_landmarks(face_worker *w, const face_image *img, const fd_box *boxes, int n, int tiny,
                 face_point (*points)[68], int *ok);
/* face-api's descriptor crop from 68 landmarks (§8 step 3). 0 when empty. */
int fd_faceapi_crop(const face_image *img, const face_point *pts, fd_region *r);
/* Descriptors of n crops, batched; an empty crop gives zeros. */
int fd_describe(face_worker *w, const face_image *img, const fd_region *crops, int n,
                float (*desc)[FACE_DESCRIPTOR_DIM]);
/* Descriptors of n 150x150 aligned chips (face_align_chip), batched, with dlib's input
 * normalisation (x - mean) / 256; a missing chip gives zeros. */
int fd_describe_chips(face_worker *w, const face_image *chips, int n,
                      float (*desc)[FACE_DESCRIPTOR_DIM]);

#endif
