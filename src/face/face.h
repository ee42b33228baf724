#ifndef ATTENDLY_FACE_FACE_H
#define ATTENDLY_FACE_FACE_H
/* The face engine's public surface. face/ knows nothing of HTTP or SQL.
 *
 *   face_image_decode  bytes -> oriented RGB8 image (JPEG/PNG/WebP, EXIF applied,
 *                      pixel limit checked from the header before decoding)
 *   face_engine_open   load the four networks once (weights shared, read-only)
 *   face_worker_*      a fixed pool of per-thread contexts (scratch, oneDNN stream)
 *   face_analyze       detect -> 68 landmarks -> aligned chip -> 128-d descriptor
 *   face_assign        one-to-one face <-> candidate assignment under a tolerance
 *
 * Specification of the networks: ../shared/FACE-MODELS.md. */
#include <stddef.h>
#include <stdint.h>

#define FACE_DESCRIPTOR_DIM 128
#define FACE_CHIP_SIZE 150

enum face_rc {
    FACE_OK = 0,
    FACE_ERR_FORMAT = -1,    /* not JPEG/PNG/WebP: "unsupported image format" */
    FACE_ERR_DECODE = -2,    /* recognised format that fails to decode (reason given) */
    FACE_ERR_TOO_LARGE = -3, /* header width*height above the pixel limit */
    FACE_ERR_NOMEM = -4,
    FACE_ERR_MODEL = -5,     /* missing / corrupt / truncated weights */
    FACE_ERR_ARG = -6,
    FACE_ERR_BUSY = -7       /* no worker free within the timeout */
};

/* ---- images ------------------------------------------------------------------------ */

typedef struct face_image {
    int width, height;
    uint8_t *rgb;            /* width*height*3 bytes, row-major, RGB */
} face_image;

/* Decodes and orients an image. On FACE_ERR_DECODE, `reason` gets a short
 * lower-case text for "Invalid image data: <reason>". */
int face_image_decode(const void *data, size_t len, long max_pixels, face_image *out,
                      char *reason, size_t reason_len);
int face_image_alloc(face_image *img, int width, int height);
void face_image_free(face_image *img);
/* JPEG encoding of an RGB image (quality 1-100); *jpeg is malloc'd. */
int face_image_encode_jpeg(const face_image *img, int quality, uint8_t **jpeg, size_t *len);

/* ---- detection results ------------------------------------------------------------- */

typedef struct face_point { float x, y; } face_point;
typedef struct face_box { float x, y, w, h; } face_box;

typedef struct face_det {
    face_box box;                 /* detector box, oriented-image pixels, unclipped */
    float score;                  /* detector confidence */
    face_point landmarks[68];     /* iBUG 68 points, image pixels */
    int face_size;                /* 2.5 x distance of the eye centres (API.md §5.3) */
    int has_descriptor;
    float descriptor[FACE_DESCRIPTOR_DIM];
} face_det;

enum face_detector { FACE_DETECTOR_SSD = 0, FACE_DETECTOR_TINY = 1 };
enum face_tiling { FACE_TILES_AUTO = 0, FACE_TILES_OFF = 1 };
enum face_chip_mode { FACE_CHIP_DLIB = 0, FACE_CHIP_FACEAPI = 1 };
enum face_landmark_net { FACE_LANDMARKS_FULL = 0, FACE_LANDMARKS_TINY = 1 };

typedef struct face_opts {
    enum face_detector detector;      /* default SSD */
    enum face_tiling tiles;           /* default AUTO: tile large photos; OFF together with
                                         FACE_CHIP_FACEAPI = face-api's pipeline exactly */
    enum face_chip_mode chip;         /* default DLIB (5-point similarity chip, /256) */
    enum face_landmark_net landmarks; /* default FULL */
    float min_score;                  /* detector threshold; <= 0 = engine default */
    int min_face_size;                /* drop faces whose face_size is below (default 40) */
    int describe;                     /* compute descriptors (default 1) */
    int portrait;                     /* enrolment photos: extra recall passes (default 0) */
    int tiny_input_size;              /* TinyFaceDetector input, multiple of 32 (default 416) */
} face_opts;

void face_opts_default(face_opts *o);

/* Wall-clock time spent per stage by one face_analyze call, in milliseconds. */
typedef struct face_timing {
    double decode_ms, detect_ms, landmarks_ms, describe_ms;
} face_timing;

/* ---- engine and workers ------------------------------------------------------------ */

typedef struct face_engine face_engine;
typedef struct face_worker face_worker;

/* Loads the networks from models_dir (the face-api `model/` files) and creates
 * n_workers contexts. NULL with a reason in err on failure. */
face_engine *face_engine_open(const char *models_dir, int n_workers, char *err, size_t errlen);
void face_engine_close(face_engine *e);
/* Hands out a worker, waiting up to timeout_ms; NULL when none became free. */
face_worker *face_worker_acquire(face_engine *e, long timeout_ms);
void face_worker_release(face_worker *w);
int face_engine_busy(const face_engine *e);   /* workers currently handed out */

/* Detects every face of img (reading order: box.y, then box.x), with landmarks and,
 * when opts->describe, descriptors. *out is malloc'd (free with free()). */
int face_analyze(face_worker *w, const face_image *img, const face_opts *opts,
                 face_det **out, int *n_out, face_timing *timing);

/* The 150x150 aligned chip of a detected face, as JPEG (thumbnail). */
int face_chip_jpeg(face_worker *w, const face_image *img, const face_det *det,
                   uint8_t **jpeg, size_t *len);

/* ---- matching, drawing, quality ---------------------------------------------------- */

double face_distance(const float *a, const float *b);   /* euclidean, in double */

/* Maximum-weight one-to-one assignment: dist is n_faces x n_cands (row-major); a pair is
 * eligible iff dist < tolerance, weight = tolerance - dist. face_to_cand[i] receives the
 * candidate index or -1. */
int face_assign(const double *dist, int n_faces, int n_cands, double tolerance,
                int *face_to_cand);

/* Draws each det's box with its label ("Unknown" when NULL; non-ASCII drawn as '?') onto
 * a copy of img scaled so that its long side is at most max_side, and encodes JPEG. */
int face_annotate_jpeg(const face_image *img, const face_det *dets, int n,
                       const char *const *labels, int max_side, uint8_t **jpeg, size_t *len);

/* Mean luma (0-255) and variance of the Laplacian of the grey levels over a region
 * (NULL = whole image), for validate-image. */
void face_region_quality(const face_image *img, const face_box *region,
                         double *brightness, double *sharpness);

#endif
