#ifndef ATTENDLY_STORE_ATTENDANCE_SQL_H
#define ATTENDLY_STORE_ATTENDANCE_SQL_H
/* Internal to store/: the attendance SELECT heads, row readers and statement steps (the
 * row collector is also used by the other Part II store files). */
#include <stddef.h>
#include "store/db.h"

/* A Session with its class name, creator name and counts derived from the records.
 * Callers append WHERE ... over aliases s (session) and c (class). */
#define ATT_SESSION_SELECT \
    "SELECT s.id, s.class_id, c.name, s.session_name, s.session_date, s.created_by," \
    " u.first_name, u.last_name, s.created_at, s.updated_at, s.is_active, s.total_students," \
    " (SELECT COUNT(*) FROM attendance_records r WHERE r.session_id = s.id" \
    "  AND r.status = 'present')," \
    " (SELECT COUNT(*) FROM attendance_records r WHERE r.session_id = s.id" \
    "  AND r.status = 'late')," \
    " (SELECT COUNT(*) FROM attendance_records r WHERE r.session_id = s.id" \
    "  AND r.status = 'absent')," \
    " (SELECT COUNT(*) FROM attendance_records r WHERE r.session_id = s.id)" \
    " FROM attendance_sessions s JOIN classes c ON c.id = s.class_id" \
    " JOIN users u ON u.id = s.created_by"

/* A Record with the student's and the marker's names; callers append joins/WHERE over r. */
#define ATT_RECORD_SELECT \
    "SELECT r.id, r.session_id, r.student_id, st.first_name, st.last_name, r.status," \
    " r.recognition_method, r.recognition_confidence, r.marked_at, r.updated_at," \
    " r.marked_by, mk.first_name, mk.last_name FROM attendance_records r" \
    " JOIN users st ON st.id = r.student_id JOIN users mk ON mk.id = r.marked_by"

/* Copies text (NULL as "") / "first last" from columns first_col and first_col + 1. */
void att_copy_text(char *dst, size_t size, const char *src);
void att_copy_name(char *dst, size_t size, db_stmt *s, int first_col);
/* Commits when rc >= 0, else rolls back; returns rc or the commit failure. */
int att_tx_end(db_conn *c, int rc);
/* Steps a statement expected to give at most one row: DB_ROW / DB_DONE / error. */
int att_step_one(db_stmt *s);
/* Runs a statement whose rows do not matter: DB_OK or the error. */
int att_step_done(db_stmt *s);
/* Reads one row of s into item. */
typedef void (*att_row_reader)(db_stmt *s, void *item);
/* Appends every remaining row of s to the growing array *arr (elem bytes each, *n items)
 * through read: DB_OK; on an error the array is freed (*arr NULL, *n 0) and the error
 * returned. s is not finalized. */
int att_collect(db_stmt *s, void **arr, size_t elem, size_t *n, att_row_reader read);

#endif
