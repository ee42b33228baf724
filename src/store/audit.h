#ifndef ATTENDLY_STORE_AUDIT_H
#define ATTENDLY_STORE_AUDIT_H
/* The audit log (API.md §15, migration 004): append-only events. An event is appended
 * inside the transaction of the change it records, so both commit or neither does; the
 * store functions that write such changes take the event to append (see faces.h,
 * attendance.h). Ids of 0 stand for "none" (SQL NULL). */
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "store/users.h"

#define STORE_AUDIT_ACTION_MAX 40
#define STORE_AUDIT_DETAILS_MAX 512     /* a small JSON object */
#define STORE_AUDIT_REQUEST_ID_MAX 72

typedef struct store_audit_new {
    const char *action;                 /* e.g. "face.enrolled" */
    int64_t actor_id, subject_id, class_id, session_id;   /* 0 = none */
    const char *details;                /* JSON object text; NULL = "{}" */
    const char *request_id;             /* NULL = none */
    int64_t at;
} store_audit_new;

/* Appends one event on c, in the caller's transaction when one is open. DB_OK or an
 * error (details longer than STORE_AUDIT_DETAILS_MAX included). */
int store_audit_append(db_conn *c, const store_audit_new *e);
/* Appends n events in one write transaction of its own (read events, or the events of
 * a request that changes nothing else). */
int store_audit_append_tx(db_conn *c, const store_audit_new *e, size_t n);

typedef struct store_audit_event {
    int64_t id, at;
    char action[STORE_AUDIT_ACTION_MAX];
    int64_t actor_id, subject_id, class_id, session_id;   /* 0 = none */
    char actor_first[STORE_NAME_MAX], actor_last[STORE_NAME_MAX];     /* "" when none */
    char subject_first[STORE_NAME_MAX], subject_last[STORE_NAME_MAX];
    int has_actor_name, has_subject_name;
    char details[STORE_AUDIT_DETAILS_MAX];
    char request_id[STORE_AUDIT_REQUEST_ID_MAX];                     /* "" when none */
} store_audit_event;

/* Filters of a list; 0 / NULL fields do not filter. since/until are inclusive. */
typedef struct store_audit_filter {
    const char *action;
    int64_t actor_id, subject_id, class_id;
    int has_since, has_until;
    int64_t since, until;
} store_audit_filter;

/* One page, newest first (at, then id, descending); *total counts every match.
 * *out is malloc'd (free it). */
int store_audit_list(db_conn *c, const store_audit_filter *f, int64_t limit, int64_t offset,
                     store_audit_event **out, size_t *n, int64_t *total);

#endif
