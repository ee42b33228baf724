#ifndef ATTENDLY_STORE_ATTENDANCE_H
#define ATTENDLY_STORE_ATTENDANCE_H
/* Attendance sessions and records (API.md §7). Counts are always derived from the
 * records; `total_students` is stored per session and refreshed by every write (API.md §2
 * "Session"). Visibility rules live in the queries: only active sessions of active classes
 * exist, a teacher reaches only their own classes, a student only classes where their
 * enrollment is active.
 *
 * Result codes follow db.h: DB_OK / DB_ROW (found), DB_DONE (not found or no access),
 * negative on failure. Functions that return lists malloc the array; free it with free(). */
#include <stddef.h>
#include <stdint.h>
#include "store/audit.h"
#include "store/db.h"

#define STORE_ATT_TEXT 832   /* room for 200 code points of UTF-8 plus the NUL */
#define STORE_ATT_NAME 656   /* "First Last": two 80-code-point names */

enum store_att_status { ATT_PRESENT = 0, ATT_ABSENT = 1, ATT_LATE = 2 };
/* ATT_CHECKIN is set only by a student's check-in code (API.md §14). */
enum store_att_method { ATT_MANUAL = 0, ATT_AI_FACE = 1, ATT_HYBRID = 2, ATT_CHECKIN = 3 };

/* Names as stored and sent ("present", "ai_face", ...); parse returns -1 for anything else. */
const char *store_att_status_name(enum store_att_status s);
const char *store_att_method_name(enum store_att_method m);
int store_att_status_parse(const char *s);
int store_att_method_parse(const char *s);

typedef struct store_att_stats {
    int64_t total_students;
    int64_t present, late, absent;
    int64_t records;          /* attendance_count */
} store_att_stats;

typedef struct store_att_session {
    int64_t id, class_id, created_by;
    char class_name[STORE_ATT_TEXT];
    char session_name[STORE_ATT_TEXT];
    char session_date[11];    /* YYYY-MM-DD */
    char creator_name[STORE_ATT_NAME];
    int64_t created_at, updated_at;
    int is_active;
    store_att_stats stats;
} store_att_session;

typedef struct store_att_record {
    int64_t id, session_id, student_id, marked_by;
    char student_name[STORE_ATT_NAME];
    char marker_name[STORE_ATT_NAME];
    enum store_att_status status;
    enum store_att_method method;
    int has_confidence;
    double confidence;
    int64_t marked_at, updated_at;
} store_att_record;

/* Who is asking: the owner teacher sees every record of their classes' sessions, a student
 * only classes they are actively enrolled in (and, for records, only their own). */
typedef struct store_att_viewer {
    int64_t user_id;
    int is_teacher;
} store_att_viewer;

/* ---- sessions ------------------------------------------------------------------------ */

/* Creates a session in the teacher's active class, total_students = active enrollments.
 * DB_ROW with *out filled, DB_DONE when the class is missing, archived or not theirs. */
int store_att_session_create(db_conn *c, int64_t teacher_id, int64_t class_id,
                             const char *name, const char *date, int64_t now,
                             store_att_session *out);

/* A visible session for the viewer (owner teacher or actively enrolled student). */
int store_att_session_get(db_conn *c, const store_att_viewer *v, int64_t session_id,
                          store_att_session *out);

/* The sessions of a class (already checked visible by the caller), newest session_date
 * first then highest id; *total counts all of them. */
int store_att_sessions_of_class(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                                store_att_session **out, size_t *n, int64_t *total);

/* ---- records ------------------------------------------------------------------------- */

/* One page of a session's records by student_id; student_id > 0 restricts to that
 * student's record. *total counts all matching records. */
int store_att_records_of_session(db_conn *c, int64_t session_id, int64_t student_id,
                                 int64_t limit, int64_t offset, store_att_record **out,
                                 size_t *n, int64_t *total);

/* A student's records in the sessions of a class, ordered by session_id (used for
 * my_attendance; look one up with store_att_record_find). */
int store_att_records_of_student(db_conn *c, int64_t class_id, int64_t student_id,
                                 store_att_record **out, size_t *n);
/* Every record of the student in any session, by session_id (the data export). */
int store_att_records_of_student_all(db_conn *c, int64_t student_id, store_att_record **out,
                                     size_t *n);
const store_att_record *store_att_record_find(const store_att_record *recs, size_t n,
                                              int64_t session_id);

/* A record of an active session in an active class owned by the teacher. */
int store_att_record_get_owned(db_conn *c, int64_t teacher_id, int64_t record_id,
                               store_att_record *out);

/* Sets a record's status (method and confidence kept), marked_by and updated_at, then
 * refreshes total_students, in one transaction. DB_ROW with the record and the session's
 * stats after the write, DB_DONE when the record is not the teacher's. */
int store_att_record_update(db_conn *c, int64_t teacher_id, int64_t record_id,
                            enum store_att_status status, int64_t now,
                            store_att_record *out, store_att_stats *stats);
/* The same, appending an attendance.record_changed event from `change` (see
 * store_mark_opts) when the status changes. */
int store_att_record_update_audited(db_conn *c, int64_t teacher_id, int64_t record_id,
                                    enum store_att_status status, int64_t now,
                                    const store_audit_new *change, store_att_record *out,
                                    store_att_stats *stats);

/* ---- marking ------------------------------------------------------------------------- */

/* What happens to a student who already has a record:
 *  REPLACE      (mark-attendance): a different status replaces it, the same is unchanged;
 *  ABSENT_ONLY  (recognise-and-mark): only an `absent` record is replaced. */
enum store_mark_policy { STORE_MARK_REPLACE = 0, STORE_MARK_ABSENT_ONLY = 1 };

enum store_mark_action {
    STORE_MARK_INVALID = 0,   /* not actively enrolled in the session's class */
    STORE_MARK_CREATED,
    STORE_MARK_UPDATED,
    STORE_MARK_UNCHANGED
};

typedef struct store_mark_item {
    /* in */
    int64_t student_id;
    int has_confidence;
    double confidence;
    /* out */
    enum store_mark_action action;
    char student_name[STORE_ATT_NAME];
    enum store_att_status previous_status;  /* UPDATED / UNCHANGED: the status found */
    enum store_att_status status;           /* the status after the call */
    enum store_att_method method;           /* the method after the call */
    int has_kept_confidence;                /* UNCHANGED: the record's kept confidence */
    double kept_confidence;
} store_mark_item;

typedef struct store_mark_opts {
    enum store_att_status status;
    enum store_att_method method;
    enum store_mark_policy policy;
    /* Manual marking (§15): for each existing record whose status changes, an
     * attendance.record_changed event from this template (actor, request id, time), with
     * the student, class, session and {"from", "to"} filled in. NULL: none. */
    const store_audit_new *record_changed;
} store_mark_opts;

/* Locks a visible session of the teacher for writing and returns its class id and name
 * (name optional, STORE_ATT_TEXT bytes). Must run inside a write transaction: every write
 * to the session then serialises on this row. DB_ROW / DB_DONE / error. */
int store_att_session_lock(db_conn *c, int64_t teacher_id, int64_t session_id, int64_t now,
                           int64_t *class_id, char *session_name);

/* The marking step, inside the caller's write transaction after store_att_session_lock:
 * applies opts to each item (ids must be distinct) and fills the outputs. Does not
 * refresh total_students: call store_att_session_refresh afterwards. */
int store_att_mark_items(db_conn *c, int64_t session_id, int64_t class_id, int64_t marker_id,
                         const store_mark_opts *opts, store_mark_item *items, size_t n,
                         int64_t now);

/* Sets total_students to |active students ∪ students with a record| (API.md §2) and
 * fills *stats (optional) from the records. Inside a transaction. */
int store_att_session_refresh(db_conn *c, int64_t session_id, int64_t class_id, int64_t now,
                              store_att_stats *stats);

/* Counts of a session from its records, with its stored total_students. */
int store_att_session_stats(db_conn *c, int64_t session_id, store_att_stats *out);

/* mark-attendance as one transaction: lock, mark, refresh. DB_OK with the outputs and the
 * stats after the write, DB_DONE when the session is not the teacher's (nothing written). */
int store_att_mark(db_conn *c, int64_t teacher_id, int64_t session_id,
                   const store_mark_opts *opts, store_mark_item *items, size_t n, int64_t now,
                   char *session_name, store_att_stats *stats);
/* The same, appending n_audit audit events in the transaction (recognition). */
int store_att_mark_audited(db_conn *c, int64_t teacher_id, int64_t session_id,
                           const store_mark_opts *opts, store_mark_item *items, size_t n,
                           int64_t now, char *session_name, store_att_stats *stats,
                           const store_audit_new *audit, size_t n_audit);

/* ---- finalize ------------------------------------------------------------------------ */

typedef struct store_att_student {
    int64_t id;
    char name[STORE_ATT_NAME];
} store_att_student;

/* One transaction: every actively enrolled student without a record gets an `absent`,
 * `manual` record marked by the teacher; then total_students is refreshed. *absent lists
 * them by student id (malloc'd, may be NULL when none). DB_OK / DB_DONE / error. */
int store_att_finalize(db_conn *c, int64_t teacher_id, int64_t session_id, int64_t now,
                       store_att_student **absent, size_t *n_absent, store_att_stats *stats);

/* ---- a student's history (API.md §7.8) ----------------------------------------------- */

typedef struct store_att_history_item {
    int64_t session_id, class_id;
    char session_name[STORE_ATT_TEXT];
    char session_date[11];
    char class_name[STORE_ATT_TEXT];
    int has_record;
    enum store_att_status status;
    enum store_att_method method;
    int64_t marked_at;
    int has_confidence;
    double confidence;
} store_att_history_item;

typedef struct store_att_class_tally {
    int64_t class_id;
    char class_name[STORE_ATT_TEXT];
    int64_t sessions, present, late, absent;   /* unmarked = sessions - the three */
} store_att_class_tally;

/* Sessions of the classes in scope (class_id > 0: that class, else every active class the
 * student is actively enrolled in) dated on or after since_date (NULL: all), newest first.
 * *items is one page; *classes (one per class in scope, by class_id) covers everything. */
int store_att_student_history(db_conn *c, int64_t student_id, int64_t class_id,
                              const char *since_date, int64_t limit, int64_t offset,
                              store_att_history_item **items, size_t *n, int64_t *total,
                              store_att_class_tally **classes, size_t *n_classes);

/* ---- class report (API.md §7.9) ------------------------------------------------------ */

typedef struct store_att_report_row {
    int64_t student_id;
    char name[STORE_ATT_NAME];
    char email[256];
    int64_t present, late, absent;
} store_att_report_row;

/* The number of active sessions of a class. DB_OK or an error. */
int store_att_session_count(db_conn *c, int64_t class_id, int64_t *out);

/* Actively enrolled students by id with their counts over the class's sessions.
 * limit < 0 means every student. */
int store_att_report_rows(db_conn *c, int64_t class_id, int64_t limit, int64_t offset,
                          store_att_report_row **out, size_t *n, int64_t *total);

#endif
