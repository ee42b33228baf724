#ifndef ATTENDLY_STORE_USERS_H
#define ATTENDLY_STORE_USERS_H
/* Users (API.md §2 "User", §3). Results follow db.h: DB_ROW when a row was found or
 * written, DB_DONE when none matched, DB_CONSTRAINT when an email is already taken,
 * DB_ERR otherwise. */
#include <stdint.h>
#include "store/db.h"

/* 80 code points of up to 4 bytes each, plus the NUL. */
#define STORE_NAME_MAX 324
#define STORE_EMAIL_MAX 256
#define STORE_HASH_MAX 128

typedef struct store_user {
    int64_t id;
    char email[STORE_EMAIL_MAX];
    char first_name[STORE_NAME_MAX];
    char last_name[STORE_NAME_MAX];
    int is_teacher;
    int is_admin;               /* role admin (API.md §12.1): neither teacher nor student */
    int is_active;              /* status is not deactivated */
    char status[16];            /* active | pending | deactivated */
    int64_t token_version;
    int64_t created_at;
    int64_t updated_at;
    char password_hash[STORE_HASH_MAX];
} store_user;

typedef struct store_user_new {
    const char *email;          /* trimmed, lowercased */
    const char *password_hash;
    const char *first_name;     /* trimmed */
    const char *last_name;
    int is_teacher;
    int is_admin;
    const char *status;         /* NULL = active */
    int64_t now;
    /* account.created, appended in the same transaction with the new user as subject;
     * actor STORE_USER_ACTOR_SELF stands for the new user. NULL: none. */
    const struct store_audit_new *audit;
} store_user_new;
#define STORE_USER_ACTOR_SELF (-1)

/* DB_ROW (out filled), DB_CONSTRAINT when the email exists, DB_ERR. */
int store_user_create(db_conn *c, const store_user_new *in, store_user *out);
int store_user_get(db_conn *c, int64_t id, store_user *out);
int store_user_by_email(db_conn *c, const char *email, store_user *out);

/* NULL fields are kept; updated_at is always set. DB_CONSTRAINT when `email` belongs to
 * another user. */
int store_user_update_profile(db_conn *c, int64_t id, const char *first_name,
                              const char *last_name, const char *email, int64_t now,
                              store_user *out);
/* Stores the hash and increments token_version in one statement. */
int store_user_set_password(db_conn *c, int64_t id, const char *hash, int64_t now,
                            store_user *out);

/* 1 when the account has history (§3.9: classes owned, enrollments, face data,
 * attendance records as student or marker), 0 when not, <0 on error. */
int store_user_has_history(db_conn *c, int64_t id);
/* Sets the role only while the account has no history, atomically.
 * DB_ROW changed, DB_CONSTRAINT history exists, DB_DONE no such user, DB_ERR. */
int store_user_set_role_if_new(db_conn *c, int64_t id, int is_teacher, int64_t now,
                               store_user *out);

#endif
