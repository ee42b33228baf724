#ifndef ATTENDLY_STORE_ADMIN_H
#define ATTENDLY_STORE_ADMIN_H
/* Account administration (API.md §12): the admin's user list and figures, status changes
 * and password resets, each with its audit event in the same transaction, and the
 * promotion of a fresh account to admin (command line). Results follow db.h. */
#include <stddef.h>
#include <stdint.h>
#include "store/audit.h"
#include "store/db.h"
#include "store/users.h"

typedef struct store_user_filter {
    const char *role;           /* teacher | student | admin, or NULL */
    const char *status;         /* active | pending | deactivated, or NULL */
    const char *q;              /* case-insensitive substring of email or full name */
} store_user_filter;

/* A page, newest first (created_at, then id, descending); *out malloc'd. */
int store_admin_users(db_conn *c, const store_user_filter *f, int64_t limit, int64_t offset,
                      store_user **out, size_t *n, int64_t *total);

enum store_status_change { STORE_APPROVE, STORE_DEACTIVATE, STORE_REACTIVATE };
/* Refusals of store_admin_set_status (beyond DB_DONE = no such user). */
#define STORE_ADMIN_WRONG_STATE 16     /* not pending / already deactivated / not deactivated */
#define STORE_ADMIN_TARGET_ADMIN 17    /* deactivating an admin */

/* One write transaction: the check, the change and the event (subject = the user).
 * Deactivation also bumps the token version, so that no token issued before it works
 * again after a reactivation. DB_ROW with *out, DB_DONE, or a refusal above. */
int store_admin_set_status(db_conn *c, int64_t id, enum store_status_change change,
                           int64_t now, const store_audit_new *audit, store_user *out);

/* Sets the password hash and bumps the token version, with the event. DB_ROW / DB_DONE. */
int store_admin_reset_password(db_conn *c, int64_t id, const char *hash, int64_t now,
                               const store_audit_new *audit, store_user *out);

typedef struct store_admin_figures {
    int64_t teachers, students, admins, pending, deactivated;
    int64_t classes, active_classes, students_with_face_data, sessions, records;
} store_admin_figures;
int store_admin_stats(db_conn *c, store_admin_figures *out);

/* Makes the account `email` an active admin when it has no history (classes,
 * enrollments, face data, records). DB_ROW, DB_DONE no such account, DB_CONSTRAINT it
 * has history. An admin already is left as it is (DB_ROW). */
int store_admin_promote(db_conn *c, const char *email, int64_t now, store_user *out);

#endif
