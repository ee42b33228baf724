#ifndef ATTENDLY_TESTS_FACE_TESTUTIL_H
#define ATTENDLY_TESTS_FACE_TESTUTIL_H
/* Shared helpers of the face-engine tests: where models and fixtures live, reading
 * fixture files, exact JPEG decoding for oracle parity, comparisons. */
#include <stddef.h>

#include "face/face.h"

/* $ATTENDLY_MODELS_DIR (or ./models); NULL, with the reason printed, when the weights
 * are absent, in which case the caller skips. */
const char *ft_models_dir(void);
/* Opens an engine with `workers` workers on ft_models_dir(): 1 when opened, 0 when the
 * weights are absent (the caller skips), -1 when opening failed (the reason is printed).
 * models_out (may be NULL) receives the directory. */
int ft_open_engine(int workers, const char **models_out, face_engine **engine);
/* $ATTENDLY_FIXTURES_DIR/face/<name> into buf. */
void ft_fixture_path(const char *name, char *buf, size_t len);
/* Reads a whole file; NULL when missing. */
void *ft_read_file(const char *path, size_t *len);
/* Reads exactly n little-endian floats from a fixture file (fails the test otherwise). */
float *ft_read_f32(const char *fixture, size_t n);
/* The oracle's synthetic "gradient" input at size x size. */
void ft_gradient(face_image *img, int size);
/* JPEG decoded with libjpeg-turbo's accurate integer IDCT and fancy upsampling, EXIF
 * ignored: the exact pixels the fixtures were generated from. */
int ft_decode_jpeg(const char *path, face_image *img);
double ft_max_abs_diff(const float *a, const float *b, size_t n);

#endif
