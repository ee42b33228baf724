#ifndef ATTENDLY_STORE_ENROLLMENTS_H
#define ATTENDLY_STORE_ENROLLMENTS_H
/* Enrollments of students in classes (API.md §4.4, §4.7, §4.8, §4.10). */
#include <stdint.h>
#include "store/db.h"

enum store_join_result {
    STORE_JOIN_NEW = 1,          /* a new enrollment was created */
    STORE_JOIN_REACTIVATED = 2,  /* a left or removed enrollment is active again */
    STORE_JOIN_ALREADY = 3       /* it was already active: nothing changed */
};

/* 1 when the student is actively enrolled in the (active) class, 0 when not, <0 error. */
int store_enrollment_active(db_conn *c, int64_t class_id, int64_t student_id);
/* Creates or reactivates an enrollment (enrolled_at kept on reactivation).
 * Returns a store_join_result or a negative db_rc. */
int store_enrollment_join(db_conn *c, int64_t class_id, int64_t student_id, int64_t now);
/* Makes an active enrollment inactive. DB_ROW, or DB_DONE when there was none. */
int store_enrollment_deactivate(db_conn *c, int64_t class_id, int64_t student_id,
                                int64_t now);

typedef struct store_class_student {
    int64_t id;                 /* the student's user id */
    const char *first_name;     /* valid during the callback only */
    const char *last_name;
    const char *email;
    int64_t enrolled_at;
    int has_face_data;
    int has_consent_row, consent_withdrawn;   /* API.md §13.4 */
    const char *consent_version;              /* version given, NULL when never */
} store_class_student;

typedef int (*store_student_cb)(const store_class_student *st, void *arg);

/* The active enrollments of a class, by enrolled_at then student id. DB_OK or DB_ERR
 * (also when cb returns non-zero). */
int store_class_students(db_conn *c, int64_t class_id, store_student_cb cb, void *arg);

#endif
