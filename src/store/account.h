#ifndef ATTENDLY_STORE_ACCOUNT_H
#define ATTENDLY_STORE_ACCOUNT_H
/* A user's data rights (API.md §16.2-16.3): the rows the export needs that no other query
 * gives, and the deletion that anonymises an account while keeping the register.
 * Results follow db.h. */
#include <stddef.h>
#include <stdint.h>
#include "store/attendance.h"
#include "store/audit.h"
#include "store/db.h"

typedef struct store_enrollment_row {
    int64_t class_id;
    char class_name[STORE_ATT_TEXT];
    int is_active;
    int64_t enrolled_at, updated_at;
} store_enrollment_row;

/* Every enrollment of the student, active or ended, by enrolled_at (malloc'd). */
int store_account_enrollments(db_conn *c, int64_t student_id, store_enrollment_row **out,
                              size_t *n);
/* Every attendance record of the student, in any class, by session (malloc'd). */
int store_account_records(db_conn *c, int64_t student_id, store_att_record **out, size_t *n);

/* Refusal of store_account_delete: a teacher with a class that is not archived. */
#define STORE_ACCOUNT_HAS_CLASSES 16

/* One transaction: face data, consent and its history deleted, enrollments ended, email
 * replaced by deleted-<id>@invalid, names by Deleted / User, status deactivated, every
 * token revoked (token version bumped), and the audit event. Attendance records stay.
 * DB_OK with *face_images and the raw paths to unlink; STORE_ACCOUNT_HAS_CLASSES; or an
 * error. */
int store_account_delete(db_conn *c, int64_t user_id, int64_t now, const store_audit_new *audit,
                         int64_t *face_images, char ***paths, size_t *n_paths);

#endif
