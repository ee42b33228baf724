/* The audit log (see audit.h). */
#include "store/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_id(db_stmt *s, int idx, int64_t id)
{
    if (id > 0)
        db_bind_int64(s, idx, id);
    else
        db_bind_null(s, idx);
}

int store_audit_append(db_conn *c, const store_audit_new *e)
{
    const char *details = e->details ? e->details : "{}";
    db_stmt *s;
    int rc;

    if (strlen(details) >= STORE_AUDIT_DETAILS_MAX || strlen(e->action) >= STORE_AUDIT_ACTION_MAX)
        return DB_ERR;
    s = db_prepare(c, "INSERT INTO audit_events (at, action, actor_id, subject_id, class_id, "
                      "session_id, details, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, e->at);
    db_bind_text(s, 2, e->action);
    bind_id(s, 3, e->actor_id);
    bind_id(s, 4, e->subject_id);
    bind_id(s, 5, e->class_id);
    bind_id(s, 6, e->session_id);
    db_bind_text(s, 7, details);
    db_bind_text(s, 8, e->request_id && e->request_id[0] ? e->request_id : NULL);
    rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERR;
}

int store_audit_append_tx(db_conn *c, const store_audit_new *e, size_t n)
{
    int rc = db_begin_write(c);

    if (rc != DB_OK)
        return rc < 0 ? rc : DB_ERR;
    for (size_t i = 0; i < n && rc == DB_OK; i++)
        rc = store_audit_append(c, &e[i]);
    if (rc == DB_OK && db_commit(c) == DB_OK)
        return DB_OK;
    db_rollback(c);
    return rc < 0 ? rc : DB_ERR;
}

/* ---- listing ----------------------------------------------------------------------- */

/* " WHERE …" for the filter, with `?` in the order bind_filter binds them. */
static void filter_sql(const store_audit_filter *f, char *out, size_t len)
{
    const char *sep = " WHERE ";
    size_t used = 0;

#define ADD(cond)                                                                 \
    do {                                                                          \
        used += (size_t)snprintf(out + used, len - used, "%s%s", sep, cond);      \
        sep = " AND ";                                                            \
    } while (0)
    out[0] = '\0';
    if (f->action)
        ADD("e.action = ?");
    if (f->actor_id)
        ADD("e.actor_id = ?");
    if (f->subject_id)
        ADD("e.subject_id = ?");
    if (f->class_id)
        ADD("e.class_id = ?");
    if (f->has_since)
        ADD("e.at >= ?");
    if (f->has_until)
        ADD("e.at <= ?");
#undef ADD
}

static int bind_filter(db_stmt *s, const store_audit_filter *f)
{
    int i = 1;

    if (f->action)
        db_bind_text(s, i++, f->action);
    if (f->actor_id)
        db_bind_int64(s, i++, f->actor_id);
    if (f->subject_id)
        db_bind_int64(s, i++, f->subject_id);
    if (f->class_id)
        db_bind_int64(s, i++, f->class_id);
    if (f->has_since)
        db_bind_int64(s, i++, f->since);
    if (f->has_until)
        db_bind_int64(s, i++, f->until);
    return i;
}

static void copy_text(char *dst, size_t size, db_stmt *s, int col)
{
    const char *v = db_col_text(s, col);
    snprintf(dst, size, "%s", v ? v : "");
}

static int64_t col_id(db_stmt *s, int col)
{
    return db_col_is_null(s, col) ? 0 : db_col_int64(s, col);
}

static void event_from_row(db_stmt *s, store_audit_event *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_col_int64(s, 0);
    e->at = db_col_int64(s, 1);
    copy_text(e->action, sizeof e->action, s, 2);
    e->actor_id = col_id(s, 3);
    e->subject_id = col_id(s, 4);
    e->class_id = col_id(s, 5);
    e->session_id = col_id(s, 6);
    copy_text(e->details, sizeof e->details, s, 7);
    copy_text(e->request_id, sizeof e->request_id, s, 8);
    e->has_actor_name = !db_col_is_null(s, 9);
    copy_text(e->actor_first, sizeof e->actor_first, s, 9);
    copy_text(e->actor_last, sizeof e->actor_last, s, 10);
    e->has_subject_name = !db_col_is_null(s, 11);
    copy_text(e->subject_first, sizeof e->subject_first, s, 11);
    copy_text(e->subject_last, sizeof e->subject_last, s, 12);
}

static int count_events(db_conn *c, const store_audit_filter *f, const char *where,
                        int64_t *total)
{
    char sql[512];
    db_stmt *s;
    int rc;

    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit_events e%s", where);
    if (!(s = db_prepare(c, sql)))
        return DB_ERR;
    bind_filter(s, f);
    rc = db_step(s);
    if (rc == DB_ROW)
        *total = db_col_int64(s, 0);
    db_finalize(s);
    return rc == DB_ROW ? DB_OK : DB_ERR;
}

int store_audit_list(db_conn *c, const store_audit_filter *f, int64_t limit, int64_t offset,
                     store_audit_event **out, size_t *n, int64_t *total)
{
    char where[256], sql[1024];
    store_audit_event *rows;
    db_stmt *s;
    int rc, i;

    *out = NULL;
    *n = 0;
    filter_sql(f, where, sizeof where);
    if ((rc = count_events(c, f, where, total)) != DB_OK)
        return rc;
    if (!(rows = calloc((size_t)limit, sizeof *rows)))
        return DB_ERR;
    snprintf(sql, sizeof sql,
             "SELECT e.id, e.at, e.action, e.actor_id, e.subject_id, e.class_id, e.session_id, "
             "e.details, e.request_id, a.first_name, a.last_name, b.first_name, b.last_name "
             "FROM audit_events e LEFT JOIN users a ON a.id = e.actor_id "
             "LEFT JOIN users b ON b.id = e.subject_id%s "
             "ORDER BY e.at DESC, e.id DESC LIMIT ? OFFSET ?", where);
    if (!(s = db_prepare(c, sql))) {
        free(rows);
        return DB_ERR;
    }
    i = bind_filter(s, f);
    db_bind_int64(s, i, limit);
    db_bind_int64(s, i + 1, offset);
    while ((rc = db_step(s)) == DB_ROW && *n < (size_t)limit)
        event_from_row(s, &rows[(*n)++]);
    db_finalize(s);
    if (rc != DB_DONE && rc != DB_ROW) {
        free(rows);
        *n = 0;
        return DB_ERR;
    }
    *out = rows;
    return DB_OK;
}
