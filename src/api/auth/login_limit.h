#ifndef ATTENDLY_API_LOGIN_LIMIT_H
#define ATTENDLY_API_LOGIN_LIMIT_H
/* Login throttling (API.md §3.10) over the failures recorded in the database. */
#include <stdint.h>
#include "api/api.h"
#include "store/db.h"

/* 0: the attempt may proceed. -1: refused or failed, reply already set (429 with
 * Retry-After, or 500). */
int api_login_allowed(api_ctx *ctx, db_conn *c, const char *email, const char *addr,
                      int64_t now);
/* Records a failed attempt (and now and then drops rows that left the window).
 * -1 with a 500 reply on a database failure. */
int api_login_failed(api_ctx *ctx, db_conn *c, const char *email, const char *addr,
                     int64_t now);
/* Pure: seconds until a window holding `oldest` frees a slot; at least 1. */
int64_t api_login_retry_after(int64_t oldest, int64_t window, int64_t now);

#endif
