/* face_data and face_descriptors: summary, enrolment transaction and deletion
 * (API.md §6.0-6.6). Reads for thumbnails, recognition and statistics are in
 * faces_query.c. */
#include "store/faces.h"
#include "store/consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/faces_sql.h"

/* ---- helpers (shared through faces_sql.h) ------------------------------------------ */

void face_blob_pack(const float *desc, uint8_t out[FACE_BLOB_LEN])
{
    for (int i = 0; i < STORE_FACE_DIM; i++) {
        uint32_t u;
        memcpy(&u, &desc[i], 4);
        out[4 * i] = (uint8_t)u;
        out[4 * i + 1] = (uint8_t)(u >> 8);
        out[4 * i + 2] = (uint8_t)(u >> 16);
        out[4 * i + 3] = (uint8_t)(u >> 24);
    }
}

int face_blob_unpack(db_stmt *s, int col, float *desc)
{
    size_t len = 0;
    const uint8_t *b = db_col_blob(s, col, &len);

    if (!b || len != FACE_BLOB_LEN)
        return -1;
    for (int i = 0; i < STORE_FACE_DIM; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
                     (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
        memcpy(&desc[i], &u, 4);
    }
    return 0;
}

void face_copy_name(char *dst, size_t size, db_stmt *s, int col)
{
    const char *first = db_col_text(s, col), *last = db_col_text(s, col + 1);
    snprintf(dst, size, "%s %s", first ? first : "", last ? last : "");
}

void face_copy_text(char *dst, size_t size, db_stmt *s, int col)
{
    const char *t = db_col_text(s, col);
    snprintf(dst, size, "%s", t ? t : "");
}

int face_exec_stmt(db_stmt *s)
{
    int rc;

    if (!s)
        return DB_ERR;
    do
        rc = db_step(s);
    while (rc == DB_ROW);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

void store_face_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

/* Appends every non-NULL first column of s (raw image paths of deleted rows). */
static int collect_paths(db_stmt *s, char ***paths, size_t *n)
{
    int rc;

    if (!s)
        return DB_ERR;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *p = db_col_text(s, 0);
        char **grown;
        if (!p)
            continue;
        grown = realloc(*paths, (*n + 1) * sizeof **paths);
        if (!grown || !(grown[*n] = strdup(p))) {
            if (grown)
                *paths = grown;
            rc = DB_ERR;
            break;
        }
        *paths = grown;
        (*n)++;
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

/* ---- summary ----------------------------------------------------------------------- */

int store_face_data_get(db_conn *c, int64_t user_id, store_face_data *out)
{
    db_stmt *s = db_prepare(c,
        "SELECT f.id, f.user_id, u.first_name, u.last_name, f.upload_method,"
        " f.captured_orientations, f.encoding_version, f.created_at, f.updated_at,"
        " (SELECT COUNT(*) FROM face_descriptors d WHERE d.user_id = f.user_id)"
        " FROM face_data f JOIN users u ON u.id = f.user_id WHERE f.user_id = ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof *out);
        out->id = db_col_int64(s, 0);
        out->user_id = db_col_int64(s, 1);
        face_copy_name(out->user_name, sizeof out->user_name, s, 2);
        face_copy_text(out->upload_method, sizeof out->upload_method, s, 4);
        face_copy_text(out->orientations, sizeof out->orientations, s, 5);
        face_copy_text(out->encoding_version, sizeof out->encoding_version, s, 6);
        out->created_at = db_col_int64(s, 7);
        out->updated_at = db_col_int64(s, 8);
        out->images_count = db_col_int64(s, 9);
    }
    db_finalize(s);
    return rc;
}

/* ---- enrolment --------------------------------------------------------------------- */

/* The student's own descriptors, handed to rules->own as one array. */
static int check_own(db_conn *c, int64_t user_id, const store_face_rules *rules)
{
    db_stmt *s = db_prepare(c, "SELECT descriptor FROM face_descriptors WHERE user_id = ?"
                               " ORDER BY id");
    float *all = NULL;
    size_t n = 0, cap = 0;
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 32;
            float *grown = realloc(all, ncap * STORE_FACE_DIM * sizeof *all);
            if (!grown) {
                rc = DB_ERR;
                break;
            }
            all = grown;
            cap = ncap;
        }
        if (face_blob_unpack(s, 0, all + n * STORE_FACE_DIM) == 0)
            n++;
    }
    db_finalize(s);
    if (rc == DB_DONE)
        rc = rules->own(all, n, rules->arg);   /* 0 (= DB_OK) or a rule code */
    free(all);
    return rc;
}

/* Streams the descriptors of every other active user through rules->other. This reads
 * every stored descriptor once per enrolment (512 bytes a row; ~1 µs per row in SQLite,
 * a few µs in PostgreSQL, so about a second for 250,000 descriptors = 10,000 students):
 * acceptable for an operation a student does a few times, and it needs no vector index.
 * Rows are compared as they arrive, so memory stays constant. */
static int check_others(db_conn *c, int64_t user_id, const store_face_rules *rules)
{
    db_stmt *s = db_prepare(c,
        "SELECT d.descriptor FROM face_descriptors d JOIN users u ON u.id = d.user_id"
        " WHERE d.user_id <> ? AND u.is_active = 1");
    float desc[STORE_FACE_DIM];
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    while ((rc = db_step(s)) == DB_ROW) {
        if (face_blob_unpack(s, 0, desc) < 0)
            continue;
        int verdict = rules->other(desc, rules->arg);
        if (verdict) {
            rc = verdict;
            break;
        }
    }
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc;
}

static int delete_all_descriptors(db_conn *c, int64_t user_id, store_face_enrol_result *res)
{
    db_stmt *s = db_prepare(c, "DELETE FROM face_descriptors WHERE user_id = ?"
                               " RETURNING raw_image_path");
    if (s)
        db_bind_int64(s, 1, user_id);
    return collect_paths(s, &res->removed_paths, &res->n_removed_paths);
}

static int insert_descriptors(db_conn *c, const store_face_enrolment *in)
{
    db_stmt *s = db_prepare(c,
        "INSERT INTO face_descriptors (user_id, descriptor, source, orientation, face_size,"
        " detection_score, thumbnail, raw_image_path, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    uint8_t blob[FACE_BLOB_LEN];
    int rc = DB_OK;

    if (!s)
        return DB_ERR;
    for (size_t i = 0; i < in->n_items && rc == DB_OK; i++) {
        const store_face_new *it = &in->items[i];
        if (i > 0 && db_reset(s) != DB_OK) {
            rc = DB_ERR;
            break;
        }
        face_blob_pack(it->descriptor, blob);
        db_bind_int64(s, 1, in->user_id);
        db_bind_blob(s, 2, blob, sizeof blob);
        db_bind_text(s, 3, in->upload_method);
        db_bind_text(s, 4, it->orientation);
        db_bind_int64(s, 5, it->face_size);
        db_bind_double(s, 6, it->detection_score);
        db_bind_blob(s, 7, it->thumbnail, it->thumbnail_len);
        db_bind_text(s, 8, it->raw_path);
        db_bind_int64(s, 9, in->now);
        rc = db_step(s);
        rc = rc == DB_DONE ? DB_OK : rc;
    }
    db_finalize(s);
    return rc;
}

/* Keeps the newest max_images descriptors (highest ids: ids only grow). */
static int trim_descriptors(db_conn *c, const store_face_enrolment *in,
                            store_face_enrol_result *res)
{
    db_stmt *s = db_prepare(c,
        "DELETE FROM face_descriptors WHERE user_id = ? AND id NOT IN"
        " (SELECT id FROM face_descriptors WHERE user_id = ? ORDER BY id DESC LIMIT ?)"
        " RETURNING raw_image_path");
    if (s) {
        db_bind_int64(s, 1, in->user_id);
        db_bind_int64(s, 2, in->user_id);
        db_bind_int64(s, 3, in->max_images);
    }
    return collect_paths(s, &res->removed_paths, &res->n_removed_paths);
}

static int upsert_summary(db_conn *c, const store_face_enrolment *in)
{
    db_stmt *s = db_prepare(c,
        "INSERT INTO face_data (user_id, upload_method, captured_orientations,"
        " encoding_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET upload_method = excluded.upload_method,"
        " captured_orientations = excluded.captured_orientations,"
        " encoding_version = excluded.encoding_version, updated_at = excluded.updated_at");
    if (s) {
        db_bind_int64(s, 1, in->user_id);
        db_bind_text(s, 2, in->upload_method);
        db_bind_text(s, 3, in->orientations);
        db_bind_text(s, 4, in->encoding_version);
        db_bind_int64(s, 5, in->now);
        db_bind_int64(s, 6, in->now);
    }
    return face_exec_stmt(s);
}

/* 1 when the student's consent to version is current, 0 when not, <0 on error. */
static int consent_current(db_conn *c, int64_t user_id, const char *version)
{
    db_stmt *s = db_prepare(c, "SELECT 1 WHERE" STORE_CONSENT_CURRENT("?"));
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    db_bind_text(s, 2, version);
    rc = db_step(s);
    db_finalize(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : DB_ERR;
}

/* Serialises enrolments (migration 002): the row lock is held until commit. */
static int lock_enrolments(db_conn *c)
{
    return face_exec_stmt(db_prepare(c, "UPDATE face_enrol_lock SET id = id WHERE id = 1"));
}

static int enrol_in_tx(db_conn *c, const store_face_enrolment *in, const store_face_rules *rules,
                       store_face_enrol_result *res)
{
    int rc = lock_enrolments(c);

    if (rc != DB_OK)
        return rc;
    if (in->consent_version && (rc = consent_current(c, in->user_id, in->consent_version)) != 1)
        return rc == 0 ? STORE_FACE_NO_CONSENT : DB_ERR;
    rc = store_face_data_get(c, in->user_id, &res->data);
    if (rc != DB_ROW && rc != DB_DONE)
        return rc;
    res->created = rc == DB_DONE;
    if (!res->created && in->check_own && rules->own &&
        (rc = check_own(c, in->user_id, rules)) != DB_OK)
        return rc;
    if (rules->other && (rc = check_others(c, in->user_id, rules)) != DB_OK)
        return rc;
    if (in->replace && (rc = delete_all_descriptors(c, in->user_id, res)) != DB_OK)
        return rc;
    if ((rc = insert_descriptors(c, in)) != DB_OK ||
        (rc = trim_descriptors(c, in, res)) != DB_OK ||
        (rc = upsert_summary(c, in)) != DB_OK ||
        (in->audit && (rc = store_audit_append(c, in->audit)) != DB_OK))
        return rc;
    rc = store_face_data_get(c, in->user_id, &res->data);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int store_face_enrol(db_conn *c, const store_face_enrolment *in, const store_face_rules *rules,
                     store_face_enrol_result *res)
{
    int rc;

    memset(res, 0, sizeof *res);
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = enrol_in_tx(c, in, rules, res);
    if (rc == DB_OK && db_commit(c) != DB_OK)
        rc = DB_ERR;
    if (rc != DB_OK) {
        db_rollback(c);
        store_face_paths_free(res->removed_paths, res->n_removed_paths);
        res->removed_paths = NULL;
        res->n_removed_paths = 0;
    }
    return rc;
}

/* ---- deletion ---------------------------------------------------------------------- */

int store_face_delete_in_tx(db_conn *c, int64_t user_id, const store_audit_new *audit,
                            int64_t *deleted, char ***paths, size_t *n_paths)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM face_descriptors WHERE user_id = ?");
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s);
    *deleted = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_finalize(s);
    if (rc != DB_ROW)
        return DB_ERR;
    s = db_prepare(c, "DELETE FROM face_descriptors WHERE user_id = ? RETURNING raw_image_path");
    if (s)
        db_bind_int64(s, 1, user_id);
    if ((rc = collect_paths(s, paths, n_paths)) != DB_OK)
        return rc;
    s = db_prepare(c, "DELETE FROM face_data WHERE user_id = ? RETURNING id");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s);
    db_finalize(s);
    if (rc != DB_ROW)
        return rc;
    if (audit) {
        store_audit_new e = *audit;
        char details[48];
        snprintf(details, sizeof details, "{\"images\":%lld}", (long long)*deleted);
        e.details = details;
        return store_audit_append(c, &e);
    }
    return DB_OK;
}

int store_face_delete(db_conn *c, int64_t user_id, const store_audit_new *audit,
                      int64_t *deleted, char ***paths, size_t *n_paths)
{
    int rc;

    *deleted = 0;
    *paths = NULL;
    *n_paths = 0;
    if (db_begin_write(c) != DB_OK)
        return DB_ERR;
    rc = store_face_delete_in_tx(c, user_id, audit, deleted, paths, n_paths);
    if (rc == DB_OK && db_commit(c) != DB_OK)
        rc = DB_ERR;
    if (rc != DB_OK) {
        db_rollback(c);
        store_face_paths_free(*paths, *n_paths);
        *paths = NULL;
        *n_paths = 0;
        *deleted = 0;
    }
    return rc;
}
