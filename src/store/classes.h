#ifndef ATTENDLY_STORE_CLASSES_H
#define ATTENDLY_STORE_CLASSES_H
/* Classes (API.md §2 "Class", §4). Only active classes are ever returned: archived ones
 * do not exist for the API. Results follow db.h (DB_ROW found/written, DB_DONE none). */
#include <stdint.h>
#include "store/db.h"
#include "store/join_code.h"

typedef struct store_class {
    int64_t id;
    char *name;              /* malloc'd; released by store_class_clear */
    char *description;
    char join_code[JOIN_CODE_LEN + 1];
    int64_t teacher_id;
    char *teacher_first_name;
    char *teacher_last_name;
    int64_t created_at;
    int64_t updated_at;
    int is_active;
    int64_t student_count;   /* active enrollments */
} store_class;

void store_class_clear(store_class *cls);

/* Called once per row of a list; the row is released after the call. Returning
 * non-zero stops the listing with DB_ERR. */
typedef int (*store_class_cb)(const store_class *cls, void *arg);

/* Creates a class with a fresh join code (never issued before). DB_ROW with *out. */
int store_class_create(db_conn *c, int64_t teacher_id, const char *name,
                       const char *description, int64_t now, store_class *out);
/* The active class with that id. */
int store_class_get(db_conn *c, int64_t id, store_class *out);
/* The active class with that (normalised) join code. */
int store_class_by_join_code(db_conn *c, const char *code, store_class *out);

/* A teacher's active classes by id, or a student's active enrollments in active classes
 * by enrolment order; *total counts the whole list. DB_OK or DB_ERR. */
int store_classes_of_teacher(db_conn *c, int64_t teacher_id, int64_t limit, int64_t offset,
                             store_class_cb cb, void *arg, int64_t *total);
int store_classes_of_student(db_conn *c, int64_t student_id, int64_t limit, int64_t offset,
                             store_class_cb cb, void *arg, int64_t *total);

/* NULL keeps a field; updated_at is always set. DB_ROW, or DB_DONE when not active. */
int store_class_update(db_conn *c, int64_t id, const char *name, const char *description,
                       int64_t now);
/* is_active = 0. DB_ROW, or DB_DONE when it was not active. */
int store_class_archive(db_conn *c, int64_t id, int64_t now);
/* Replaces the join code with a fresh one, written to code_out. DB_ROW or DB_DONE. */
int store_class_regenerate_code(db_conn *c, int64_t id, int64_t now,
                                char code_out[JOIN_CODE_LEN + 1]);

#endif
