#ifndef ATTENDLY_STORE_FACES_H
#define ATTENDLY_STORE_FACES_H
/* Face data (API.md §2 "FaceData"/"FaceImage", §6): a student's enrolment summary
 * (face_data) and one row per accepted enrolment image (face_descriptors: a 128-float
 * descriptor stored as 512 little-endian float32 bytes, a 150x150 JPEG thumbnail and, with
 * FACE_IMAGE_STORE=1, the path of the kept upload relative to the data directory).
 *
 * Result codes follow db.h: DB_ROW / DB_OK found or written, DB_DONE none, negative on
 * failure. Lists are malloc'd arrays released with the matching *_free function. */
#include <stddef.h>
#include <stdint.h>
#include "store/audit.h"
#include "store/db.h"

#define STORE_FACE_DIM 128
#define STORE_FACE_NAME 656       /* "First Last": two 80-code-point names */
#define STORE_FACE_EMAIL 256
#define STORE_FACE_ORIENTS 96     /* JSON array of at most five orientation names */

/* The summary of a student's face data. */
typedef struct store_face_data {
    int64_t id, user_id;
    char user_name[STORE_FACE_NAME];
    char upload_method[24];               /* single_image | multiple_images | orientations */
    char orientations[STORE_FACE_ORIENTS];/* JSON array text, "" unless orientations */
    char encoding_version[32];
    int64_t created_at, updated_at;
    int64_t images_count;                 /* descriptors stored */
} store_face_data;

/* DB_ROW with *out, DB_DONE when the student has no face data. */
int store_face_data_get(db_conn *c, int64_t user_id, store_face_data *out);

/* ---- enrolment --------------------------------------------------------------------- */

/* One accepted enrolment image. */
typedef struct store_face_new {
    float descriptor[STORE_FACE_DIM];
    const char *orientation;              /* NULL unless the source is orientations */
    int face_size;
    double detection_score;
    const uint8_t *thumbnail;             /* JPEG */
    size_t thumbnail_len;
    const char *raw_path;                 /* NULL unless FACE_IMAGE_STORE=1 */
} store_face_new;

/* Rules evaluated inside the enrolment transaction, so that they see exactly the data the
 * write goes on top of. Each returns 0 to go on or a code >= STORE_FACE_RULE_MIN that
 * aborts the enrolment (rolled back, returned by store_face_enrol). */
#define STORE_FACE_RULE_MIN 16
typedef struct store_face_rules {
    /* The student's stored descriptors (only called when they have face data and
     * check_own is set): n rows of STORE_FACE_DIM floats. */
    int (*own)(const float *descriptors, size_t n, void *arg);
    /* Every stored descriptor of another active user, one at a time. */
    int (*other)(const float *descriptor, void *arg);
    void *arg;
} store_face_rules;

typedef struct store_face_enrolment {
    int64_t user_id;
    const store_face_new *items;
    size_t n_items;
    const char *upload_method;
    const char *orientations;             /* JSON array text or NULL */
    const char *encoding_version;
    int replace;                          /* 1: drop every existing descriptor first */
    int check_own;                        /* 1: call rules->own when data exists */
    int max_images;                       /* keep the newest this many descriptors */
    int64_t now;
    const store_audit_new *audit;         /* appended in the transaction (NULL: none) */
    /* When set, the student's consent to this version must be current inside the
     * transaction (API.md §13.4), else STORE_FACE_NO_CONSENT. */
    const char *consent_version;
} store_face_enrolment;
#define STORE_FACE_NO_CONSENT 15

typedef struct store_face_enrol_result {
    int created;                          /* 1 when the student had no face data before */
    store_face_data data;                 /* the summary after the write */
    char **removed_paths;                 /* raw images of deleted rows, to unlink after */
    size_t n_removed_paths;               /* commit (free with store_face_paths_free) */
} store_face_enrol_result;

/* One write transaction: rules (own, then other), then the rows, the trim to max_images
 * and the summary upsert. DB_OK with *res, a rule code (nothing written), or a negative
 * db_rc. */
int store_face_enrol(db_conn *c, const store_face_enrolment *in, const store_face_rules *rules,
                     store_face_enrol_result *res);

void store_face_paths_free(char **paths, size_t n);

/* Hard-deletes every descriptor and the summary in one transaction, with the audit event
 * (optional; its details become {"images": n}). DB_OK with the number of descriptors
 * deleted and the raw image paths to unlink; DB_DONE when there was no face data
 * (nothing written). */
int store_face_delete(db_conn *c, int64_t user_id, const store_audit_new *audit,
                      int64_t *deleted, char ***paths, size_t *n_paths);

/* The same inside the caller's write transaction (consent withdrawal, account deletion,
 * retention): DB_OK, DB_DONE when there was no face data, or an error; on failure the
 * caller rolls back and frees *paths. */
int store_face_delete_in_tx(db_conn *c, int64_t user_id, const store_audit_new *audit,
                            int64_t *deleted, char ***paths, size_t *n_paths);

/* ---- images and thumbnails (§6.10) ------------------------------------------------- */

typedef struct store_face_image {
    int64_t id, student_id, created_at;
    char source[24];
    char orientation[8];                  /* "" when none */
    int face_size;
    double detection_score;
} store_face_image;

/* 1 when viewer may see student_id's images (the student themself, or a teacher owning an
 * active class where the student is actively enrolled), 0 when not, negative on error. */
int store_face_can_view(db_conn *c, int64_t viewer_id, int64_t student_id);

/* One page of a student's images, oldest first; *total counts them all. */
int store_face_images(db_conn *c, int64_t student_id, int64_t limit, int64_t offset,
                      store_face_image **out, size_t *n, int64_t *total);

/* The thumbnail JPEG of an image the viewer may see (malloc'd) and whose it is.
 * DB_ROW or DB_DONE. */
int store_face_thumbnail(db_conn *c, int64_t viewer_id, int64_t image_id, uint8_t **jpeg,
                         size_t *len, int64_t *student_id);

/* ---- recognition candidates (§7.7) ------------------------------------------------- */

typedef struct store_face_candidate {
    int64_t id;
    char name[STORE_FACE_NAME];
    char email[STORE_FACE_EMAIL];
    size_t n_desc;
    float *descriptors;                   /* n_desc x STORE_FACE_DIM */
} store_face_candidate;

typedef struct store_face_person {
    int64_t id;
    char name[STORE_FACE_NAME];
} store_face_person;

/* The actively enrolled students of a class with an active account and face data, by id,
 * with all their descriptors; with consent_version, only those whose consent to that
 * version is current (API.md §13.4). */
int store_face_candidates(db_conn *c, int64_t class_id, const char *consent_version,
                          store_face_candidate **out, size_t *n);
void store_face_candidates_free(store_face_candidate *cands, size_t n);

/* The actively enrolled students of a class without face data, by id (malloc'd). */
int store_face_without_data(db_conn *c, int64_t class_id, store_face_person **out, size_t *n);
/* Those with face data but no current consent to consent_version, by id (malloc'd). */
int store_face_without_consent(db_conn *c, int64_t class_id, const char *consent_version,
                               store_face_person **out, size_t *n);

/* ---- coverage and statistics (§6.8, §6.9) ------------------------------------------ */

typedef struct store_face_coverage_row {
    int64_t student_id;
    char name[STORE_FACE_NAME];
    char email[STORE_FACE_EMAIL];
    char encoding_version[32];
    int64_t registered_at;
    int64_t images_count;
} store_face_coverage_row;

/* A page of the actively enrolled students of a class that have face data, by student id;
 * *with_data counts them all, *enrolled counts every active enrollment. */
int store_face_class_coverage(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                              store_face_coverage_row **out, size_t *n, int64_t *with_data,
                              int64_t *enrolled);

typedef struct store_face_stats {
    int64_t total_students;               /* distinct, actively enrolled in active classes */
    int64_t with_face_data;
    int64_t total_encodings;
} store_face_stats;

/* Figures over the distinct students of the teacher's active classes. */
int store_face_teacher_stats(db_conn *c, int64_t teacher_id, store_face_stats *out);

#endif
