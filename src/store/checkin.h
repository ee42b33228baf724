#ifndef ATTENDLY_STORE_CHECKIN_H
#define ATTENDLY_STORE_CHECKIN_H
/* Check-in windows (API.md §14, migration 007): at most one per session, with its random
 * secret; a window past closes_at counts as closed, so every process on the database
 * agrees without a timer. Wrong codes are rows too (the rate limit is shared). Results
 * follow db.h. */
#include <stddef.h>
#include <stdint.h>
#include "store/attendance.h"
#include "store/audit.h"
#include "store/db.h"

#define STORE_CHECKIN_SECRET 32

typedef struct store_checkin {
    int64_t session_id, class_id, opens_at, closes_at;
    int has_late_after;
    int64_t late_after;
    uint8_t secret[STORE_CHECKIN_SECRET];
    int64_t checked_in;                 /* the session's records with method checkin */
} store_checkin;

/* Opens or replaces the session's window (the caller checked the session is theirs). */
int store_checkin_open(db_conn *c, const store_checkin *w, int64_t teacher_id);
/* The open window of a session at `now`: DB_ROW with *out, DB_DONE when none. */
int store_checkin_get(db_conn *c, int64_t session_id, int64_t now, store_checkin *out);
/* Closes it: DB_ROW, or DB_DONE when none was open. */
int store_checkin_close(db_conn *c, int64_t session_id, int64_t now);

/* The open window of a session of an active class the student is actively enrolled in:
 * DB_ROW / DB_DONE. */
int store_checkin_for_student(db_conn *c, int64_t session_id, int64_t student_id,
                              int64_t now, store_checkin *out);

typedef struct store_checkin_listing {
    int64_t session_id, class_id, closes_at;
    char class_name[STORE_ATT_TEXT];
    char session_name[STORE_ATT_TEXT];
} store_checkin_listing;
/* The open windows of the student's classes, soonest-closing first (malloc'd). */
int store_checkin_open_for_student(db_conn *c, int64_t student_id, int64_t now,
                                   store_checkin_listing **out, size_t *n);

/* Wrong codes by the student for the session since `since`: *count and the oldest time. */
int store_checkin_failures(db_conn *c, int64_t session_id, int64_t student_id, int64_t since,
                           int64_t *count, int64_t *oldest);
/* Records one wrong code (and drops that pair's rows older than `forget_before`). */
int store_checkin_fail(db_conn *c, int64_t session_id, int64_t student_id, int64_t now,
                       int64_t forget_before);

/* Marks the student with `status` and method checkin unless a record already says present
 * or late, in one transaction that re-checks the window and writes the audit event.
 * DB_OK with *item (action, status) and *rec (the record after), DB_DONE when the window
 * closed or the enrolment ended meanwhile. */
int store_checkin_mark(db_conn *c, int64_t session_id, int64_t student_id,
                       enum store_att_status status, int64_t now, const store_audit_new *audit,
                       store_mark_item *item, store_att_record *rec);

#endif
