#ifndef ATTENDLY_STORE_USERS_SQL_H
#define ATTENDLY_STORE_USERS_SQL_H
/* Internal to store/: the users columns in the order store_user_from_row reads them. */
#include "store/db.h"
#include "store/users.h"

#define USER_COLS \
    "id, email, password_hash, first_name, last_name, role, is_active, token_version, " \
    "created_at, updated_at, status"

/* Fills u from a row selected with USER_COLS. */
void store_user_from_row(db_stmt *s, store_user *u);
/* Steps a statement returning at most one USER_COLS row (out optional), then finalizes it. */
int store_user_step(db_stmt *s, store_user *out);

#endif
