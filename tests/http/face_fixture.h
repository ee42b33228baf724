#ifndef ATTENDLY_TESTS_HTTP_FACE_FIXTURE_H
#define ATTENDLY_TESTS_HTTP_FACE_FIXTURE_H
/* Face HTTP tests: where the models and labelled photos are, images as the base64 strings
 * the API takes (read from files at run time, or synthesised: flat, rescaled, cropped,
 * headers claiming huge sizes), and request bodies carrying them. Users, classes and
 * sessions come from att_fixture.h. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "att_fixture.h"
#include "face/face.h"

/* The model directory (ATTENDLY_MODELS_DIR, else ./models) when it holds the weights. */
const char *ff_models_dir(void);
/* <ATTENDLY_SHARED_DIR>/testdata/faces when present, else NULL. */
const char *ff_faces_dir(void);
/* A path under the labelled set, or under the models' demo folder (static buffer). */
const char *ff_face_path(const char *rel);
const char *ff_demo_path(const char *name);

/* Starts the server for argv[1] with the face engine (FACE_MODELS_DIR set,
 * FACE_CONSENT_REQUIRED=0) and the extra "K=V" settings, which win; -1 when the models
 * are absent (the caller skips). */
int ff_start(int argc, char **argv, const char *const *extra_env);

/* Base64 of a file's bytes (malloc'd), failing the test when it cannot be read. */
char *ff_b64_file(const char *path);
/* Decodes a file (EXIF applied) into img; fails the test on error. */
void ff_load(const char *path, face_image *img);
/* JPEG (quality 90) of img as base64 (malloc'd). */
char *ff_b64_image(const face_image *img);
/* A bilinear rescale by factor f (dst allocated here). */
void ff_scale(const face_image *src, double f, face_image *dst);
/* The region clipped to the image, then scaled by f. */
void ff_crop(const face_image *src, int x, int y, int w, int h, double f, face_image *dst);
/* A mirror image. */
void ff_flip(const face_image *src, face_image *dst);
/* A flat grey JPEG of w x h as base64. */
char *ff_b64_flat(int w, int h, uint8_t grey);
/* A PNG / JPEG whose header claims w x h pixels (no real pixel data), as base64. */
char *ff_b64_huge_png(uint32_t w, uint32_t h);
char *ff_b64_huge_jpeg(const char *real_jpeg_path, uint16_t w, uint16_t h);

/* {"image": b64} / {"images": [b64...]} helpers (take no ownership). */
json_t *ff_image_body(const char *b64);
json_t *ff_images_array(const char *const *b64, size_t n);

/* Distinct people with three photos each. From the labelled set when present; otherwise
 * faces cut out of the npm demo group photos (boxes found through recognize-faces as
 * `teacher`, in a scratch class), each as a crop, its mirror image and a rescaled crop;
 * person numbers then wrap around. Returns how many distinct people there are. */
#define FF_MAX_PEOPLE 7
int ff_people_init(const user *teacher);
int ff_labelled(void);
/* Base64 of person p's photo v (0-2), malloc'd. */
char *ff_portrait(int p, int v);
/* The decoded photo (for rescaling); the caller frees it. */
void ff_portrait_image(int p, int v, face_image *img);

/* POST a JSON body; returns the reply (caller frees). */
att_resp ff_post(const char *path, const user *u, json_t *body_steals);

/* Face data steps: upload / multiple-upload as u (replies for the caller to check). */
att_resp ff_upload(const user *u, const char *b64);
att_resp ff_upload_person(const user *u, int p, int v);
att_resp ff_multi(const user *u, const char *const *b64, size_t n);
/* images_count from my-data (0 without face data); total of the student's image list as
 * seen by viewer; delete the caller's face data (200 or 404). */
long long ff_stored_count(const user *u);
long long ff_images_total(const user *viewer, long long student_id);
void ff_delete_face_data(const user *u);
/* FaceData / FaceImage shapes (API.md §2). */
void ff_check_face_data(const json_t *fd, const user *u, long long count, const char *method);
void ff_check_face_image(const json_t *im, long long student_id);

#endif
