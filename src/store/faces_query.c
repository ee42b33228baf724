/* Reads over face data: thumbnails with their access rule (API.md §6.10), recognition
 * candidates of a class (§7.7), class coverage and teacher statistics (§6.8, §6.9). */
#include "store/faces.h"
#include "store/consent.h"

#include <stdlib.h>
#include <string.h>

#include "store/faces_sql.h"

/* An active class owned by viewer (teacher) where student is actively enrolled, as an SQL
 * condition on two parameters: viewer id, then student id. */
#define TEACHES_STUDENT                                                              \
    "EXISTS (SELECT 1 FROM enrollments e JOIN classes k ON k.id = e.class_id"       \
    " WHERE k.teacher_id = ? AND k.is_active = 1 AND e.is_active = 1"               \
    " AND e.student_id = ?)"

/* Actively enrolled students of a class (alias e for the enrollment, u for the user);
 * callers add joins, then WHERE CLASS_IS with the class id parameter. */
#define CLASS_STUDENTS " FROM enrollments e JOIN users u ON u.id = e.student_id"
#define CLASS_IS " WHERE e.class_id = ? AND e.is_active = 1"

/* ---- images and thumbnails --------------------------------------------------------- */

int store_face_can_view(db_conn *c, int64_t viewer_id, int64_t student_id)
{
    db_stmt *s;
    int rc;

    s = db_prepare(c, "SELECT 1 FROM users st WHERE st.id = ? AND st.role = 'student' AND"
                      " (st.id = ? OR " TEACHES_STUDENT ")");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, student_id);
    db_bind_int64(s, 2, viewer_id);
    db_bind_int64(s, 3, viewer_id);
    db_bind_int64(s, 4, student_id);
    rc = db_step(s);
    db_finalize(s);
    if (rc == DB_ROW)
        return 1;
    return rc == DB_DONE ? 0 : rc;
}

static int count_images(db_conn *c, int64_t student_id, int64_t *total)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM face_descriptors WHERE user_id = ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, student_id);
    rc = db_step(s);
    *total = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int store_face_images(db_conn *c, int64_t student_id, int64_t limit, int64_t offset,
                      store_face_image **out, size_t *n, int64_t *total)
{
    db_stmt *s;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = count_images(c, student_id, total)) != DB_OK)
        return rc;
    s = db_prepare(c, "SELECT id, user_id, created_at, source, orientation, face_size,"
                      " detection_score FROM face_descriptors WHERE user_id = ?"
                      " ORDER BY id LIMIT ? OFFSET ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, student_id);
    db_bind_int64(s, 2, limit);
    db_bind_int64(s, 3, offset);
    while ((rc = db_step(s)) == DB_ROW) {
        store_face_image *grown = realloc(*out, (*n + 1) * sizeof **out);
        if (!grown) {
            rc = DB_ERR;
            break;
        }
        *out = grown;
        store_face_image *im = &grown[(*n)++];
        memset(im, 0, sizeof *im);
        im->id = db_col_int64(s, 0);
        im->student_id = db_col_int64(s, 1);
        im->created_at = db_col_int64(s, 2);
        face_copy_text(im->source, sizeof im->source, s, 3);
        face_copy_text(im->orientation, sizeof im->orientation, s, 4);
        im->face_size = (int)db_col_int64(s, 5);
        im->detection_score = db_col_double(s, 6);
    }
    db_finalize(s);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

int store_face_thumbnail(db_conn *c, int64_t viewer_id, int64_t image_id, uint8_t **jpeg,
                         size_t *len, int64_t *student_id)
{
    db_stmt *s = db_prepare(c,
        "SELECT d.thumbnail, d.user_id FROM face_descriptors d JOIN users st ON st.id = d.user_id"
        " WHERE d.id = ? AND st.role = 'student' AND (st.id = ? OR"
        " EXISTS (SELECT 1 FROM enrollments e JOIN classes k ON k.id = e.class_id"
        " WHERE k.teacher_id = ? AND k.is_active = 1 AND e.is_active = 1"
        " AND e.student_id = d.user_id))");
    int rc;

    *jpeg = NULL;
    *len = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, image_id);
    db_bind_int64(s, 2, viewer_id);
    db_bind_int64(s, 3, viewer_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        size_t n = 0;
        const void *b = db_col_blob(s, 0, &n);
        *student_id = db_col_int64(s, 1);
        *jpeg = malloc(n ? n : 1);
        if (!*jpeg) {
            rc = DB_ERR;
        } else {
            if (n)
                memcpy(*jpeg, b, n);
            *len = n;
        }
    }
    db_finalize(s);
    return rc;
}

/* ---- recognition candidates -------------------------------------------------------- */

void store_face_candidates_free(store_face_candidate *cands, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cands[i].descriptors);
    free(cands);
}

/* Adds one descriptor row to the last candidate, or starts a new one for a new id. */
static int add_candidate_row(db_stmt *s, store_face_candidate **out, size_t *n)
{
    int64_t id = db_col_int64(s, 0);
    store_face_candidate *cd;
    float *grown;

    if (*n == 0 || (*out)[*n - 1].id != id) {
        store_face_candidate *more = realloc(*out, (*n + 1) * sizeof **out);
        if (!more)
            return -1;
        *out = more;
        cd = &more[(*n)++];
        memset(cd, 0, sizeof *cd);
        cd->id = id;
        face_copy_name(cd->name, sizeof cd->name, s, 1);
        face_copy_text(cd->email, sizeof cd->email, s, 3);
    }
    cd = &(*out)[*n - 1];
    grown = realloc(cd->descriptors, (cd->n_desc + 1) * STORE_FACE_DIM * sizeof(float));
    if (!grown)
        return -1;
    cd->descriptors = grown;
    if (face_blob_unpack(s, 4, grown + cd->n_desc * STORE_FACE_DIM) == 0)
        cd->n_desc++;
    return 0;
}

#define CANDIDATES_SQL \
    "SELECT u.id, u.first_name, u.last_name, u.email, d.descriptor" CLASS_STUDENTS \
    " JOIN face_data f ON f.user_id = u.id JOIN face_descriptors d ON d.user_id = u.id" \
    CLASS_IS " AND u.is_active = 1"

int store_face_candidates(db_conn *c, int64_t class_id, const char *consent_version,
                          store_face_candidate **out, size_t *n)
{
    db_stmt *s = db_prepare(c, consent_version
        ? CANDIDATES_SQL " AND" STORE_CONSENT_CURRENT("u.id") " ORDER BY u.id, d.id"
        : CANDIDATES_SQL " ORDER BY u.id, d.id");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    if (consent_version)
        db_bind_text(s, 2, consent_version);
    while ((rc = db_step(s)) == DB_ROW)
        if (add_candidate_row(s, out, n) < 0) {
            rc = DB_ERR;
            break;
        }
    db_finalize(s);
    if (rc != DB_DONE) {
        store_face_candidates_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

/* Runs a people query over a class (parameter 1; parameter 2, when given, the consent
 * version) and collects id and name. */
static int class_people(db_stmt *s, int64_t class_id, const char *version,
                        store_face_person **out, size_t *n)
{
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    if (version)
        db_bind_text(s, 2, version);
    while ((rc = db_step(s)) == DB_ROW) {
        store_face_person *grown = realloc(*out, (*n + 1) * sizeof **out);
        if (!grown) {
            rc = DB_ERR;
            break;
        }
        *out = grown;
        grown[*n].id = db_col_int64(s, 0);
        face_copy_name(grown[*n].name, sizeof grown[*n].name, s, 1);
        (*n)++;
    }
    db_finalize(s);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

int store_face_without_data(db_conn *c, int64_t class_id, store_face_person **out, size_t *n)
{
    return class_people(db_prepare(c, "SELECT u.id, u.first_name, u.last_name" CLASS_STUDENTS
                                      CLASS_IS " AND NOT EXISTS (SELECT 1 FROM face_data f"
                                      " WHERE f.user_id = u.id) ORDER BY u.id"),
                        class_id, NULL, out, n);
}

int store_face_without_consent(db_conn *c, int64_t class_id, const char *consent_version,
                               store_face_person **out, size_t *n)
{
    return class_people(db_prepare(c, "SELECT u.id, u.first_name, u.last_name" CLASS_STUDENTS
                                      CLASS_IS " AND EXISTS (SELECT 1 FROM face_data f"
                                      " WHERE f.user_id = u.id) AND NOT"
                                      STORE_CONSENT_CURRENT("u.id") " ORDER BY u.id"),
                        class_id, consent_version, out, n);
}

/* ---- coverage and statistics ------------------------------------------------------- */

static int class_counts(db_conn *c, int64_t class_id, int64_t *with_data, int64_t *enrolled)
{
    db_stmt *s = db_prepare(c,
        "SELECT COUNT(*), COUNT(f.id) FROM enrollments e"
        " LEFT JOIN face_data f ON f.user_id = e.student_id"
        " WHERE e.class_id = ? AND e.is_active = 1");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *enrolled = db_col_int64(s, 0);
        *with_data = db_col_int64(s, 1);
    }
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

static int coverage_row(db_stmt *s, store_face_coverage_row **out, size_t *n)
{
    store_face_coverage_row *grown = realloc(*out, (*n + 1) * sizeof **out);
    store_face_coverage_row *r;

    if (!grown)
        return -1;
    *out = grown;
    r = &grown[(*n)++];
    memset(r, 0, sizeof *r);
    r->student_id = db_col_int64(s, 0);
    face_copy_name(r->name, sizeof r->name, s, 1);
    face_copy_text(r->email, sizeof r->email, s, 3);
    face_copy_text(r->encoding_version, sizeof r->encoding_version, s, 4);
    r->registered_at = db_col_int64(s, 5);
    r->images_count = db_col_int64(s, 6);
    return 0;
}

int store_face_class_coverage(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                              store_face_coverage_row **out, size_t *n, int64_t *with_data,
                              int64_t *enrolled)
{
    db_stmt *s;
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = class_counts(c, class_id, with_data, enrolled)) != DB_OK)
        return rc;
    s = db_prepare(c,
        "SELECT u.id, u.first_name, u.last_name, u.email, f.encoding_version, f.created_at,"
        " (SELECT COUNT(*) FROM face_descriptors d WHERE d.user_id = u.id)" CLASS_STUDENTS
        " JOIN face_data f ON f.user_id = u.id" CLASS_IS " ORDER BY u.id LIMIT ? OFFSET ?");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, class_id);
    db_bind_int64(s, 2, limit);
    db_bind_int64(s, 3, offset);
    while ((rc = db_step(s)) == DB_ROW)
        if (coverage_row(s, out, n) < 0) {
            rc = DB_ERR;
            break;
        }
    db_finalize(s);
    if (rc != DB_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return DB_OK;
}

/* The distinct students actively enrolled in the teacher's active classes. */
#define TEACHER_STUDENTS                                                             \
    "SELECT DISTINCT e.student_id FROM enrollments e JOIN classes k ON k.id = e.class_id" \
    " WHERE k.teacher_id = ? AND k.is_active = 1 AND e.is_active = 1"

static int count_one(db_conn *c, const char *sql, int64_t teacher_id, int64_t *out)
{
    db_stmt *s = db_prepare(c, sql);
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, teacher_id);
    rc = db_step(s);
    *out = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int store_face_teacher_stats(db_conn *c, int64_t teacher_id, store_face_stats *out)
{
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = count_one(c, "SELECT COUNT(*) FROM (" TEACHER_STUDENTS ") st", teacher_id,
                        &out->total_students)) != DB_OK ||
        (rc = count_one(c, "SELECT COUNT(*) FROM face_data f WHERE f.user_id IN ("
                           TEACHER_STUDENTS ")", teacher_id, &out->with_face_data)) != DB_OK)
        return rc;
    return count_one(c, "SELECT COUNT(*) FROM face_descriptors d WHERE d.user_id IN ("
                        TEACHER_STUDENTS ")", teacher_id, &out->total_encodings);
}
