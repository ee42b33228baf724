#ifndef ATTENDLY_API_FACE_COMMON_H
#define ATTENDLY_API_FACE_COMMON_H
/* Helpers shared by the face endpoints (API.md §5, §6, §7.7): image input, face-engine
 * capacity with its metrics, the FaceData object and box/number conventions. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "face/face.h"
#include "store/faces.h"

/* The descriptor model's name, stored with each enrolment (FaceData.encoding_version). */
#define API_FACE_ENCODING_VERSION "v2.0"

/* ---- image input (§5.1) ------------------------------------------------------------ */

enum api_image_rc {
    API_IMAGE_OK = 0,
    API_IMAGE_BAD = -1,    /* client error: msg holds the per-image error */
    API_IMAGE_NOMEM = -2   /* server error */
};

#define API_IMAGE_MSG 160

/* Parses an image string (optional data-URL prefix, base64 in either alphabet, padding
 * optional, whitespace ignored) and decodes it: JPEG/PNG/WebP by content, EXIF applied,
 * the pixel limit checked from the header. Messages: "Invalid image data: invalid base64",
 * "Invalid image data: empty image", "Invalid image data: unsupported image format",
 * "Invalid image data: <reason>", "Image too large". */
int api_image_decode(const char *s, size_t len, face_image *out, char msg[API_IMAGE_MSG]);

/* An image field of a request body per §1.3 and clarification 1, with s and len set to
 * the trimmed string. Returns 0 (present), 1 (missing, null or blank) or
 * -1 (not a string). */
int api_image_field(const json_t *v, const char **s, size_t *len);

/* ---- capacity (§5.6) --------------------------------------------------------------- */

typedef struct api_face_slot {
    face_worker *w;
    const char *endpoint;    /* route template, the metrics label */
    double t0;               /* monotonic seconds when the request asked for a worker */
    int faces;               /* faces detected, added to attendly_faces_detected_total */
    int counted;             /* metrics recorded */
    int busy;                /* no worker became free in time */
} api_face_slot;

/* Step 9 of §1.5: waits up to RECOGNITION_QUEUE_TIMEOUT_MS for a worker. The request's
 * pooled database connection is returned first (face work takes up to seconds and must
 * not hold one; api_db() takes a new one afterwards), so no transaction may be open.
 * On failure the reply is set (503 "Server busy, try again" with Retry-After, or 503
 * when the engine is not loaded) and -1 returned. */
int api_face_acquire(api_ctx *ctx, api_face_slot *slot);
/* Returns the worker as soon as the face work is done (idempotent). */
void api_face_release_worker(api_face_slot *slot);
/* Releases the worker if still held and records the request's recognition metrics, with
 * the outcome taken from the reply status. Call once the reply is set. */
void api_face_finish(api_ctx *ctx, api_face_slot *slot);

/* ---- objects and numbers ----------------------------------------------------------- */

/* The FaceData object (§2). */
json_t *api_face_data_json(const store_face_data *fd);
/* The FaceImage object (§2), with its thumbnail URL. */
json_t *api_face_image_json(const store_face_image *im);

/* A detector box clipped to the image, in integer pixels (§5.2). */
typedef struct api_box {
    int x, y, w, h;
} api_box;
void api_face_box(const face_det *d, int img_w, int img_h, api_box *out);
json_t *api_box_json(const api_box *b);

/* §5.5: max(0, 1 - distance / (2 T)). */
double api_face_confidence(double distance, double tolerance);

/* Removes raw upload files (paths relative to the data directory) after a commit. */
void api_face_unlink_raw(char **paths, size_t n);
/* With FACE_IMAGE_STORE=1: writes img as JPEG under <data dir>/faces/<user>/ and returns
 * the malloc'd relative path; NULL when storing is off. *failed is set on a write error. */
char *api_face_store_raw(int64_t user_id, const face_image *img, int *failed);

#endif
