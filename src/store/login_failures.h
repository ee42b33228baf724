#ifndef ATTENDLY_STORE_LOGIN_FAILURES_H
#define ATTENDLY_STORE_LOGIN_FAILURES_H
/* Failed logins for rate limiting (API.md §3.10). Kept in the database so that every
 * server process sharing it sees the same counters. */
#include <stdint.h>
#include "store/db.h"

typedef struct store_failure_window {
    int64_t count;     /* failures with failed_at > since */
    int64_t oldest;    /* failed_at of the oldest of them; 0 when count is 0 */
} store_failure_window;

/* DB_OK with *out filled, or DB_ERR. */
int store_login_failures_by_email(db_conn *c, const char *email, int64_t since,
                                  store_failure_window *out);
int store_login_failures_by_addr(db_conn *c, const char *addr, int64_t since,
                                 store_failure_window *out);
int store_login_failure_add(db_conn *c, const char *email, const char *addr, int64_t now);
/* Forgets an email's failures (after a successful login); the address keeps its own. */
int store_login_failures_clear(db_conn *c, const char *email);
/* Deletes rows at or before `before` (they can no longer count). */
int store_login_failures_purge(db_conn *c, int64_t before);

#endif
