#ifndef ATTENDLY_API_ACCESS_H
#define ATTENDLY_API_ACCESS_H
/* Ownership and membership gates shared by the class, face-data and attendance endpoints.
 * Each either fills *out and returns 0, or sets the reply (404 with the caller's message,
 * or 500 when the database fails) and returns -1. Archived classes never pass. */
#include <stdint.h>
#include "api/api.h"
#include "store/classes.h"
#include "store/users.h"

/* Replies 500 for a failed store call; `what` goes to the log only. */
void api_fail(api_ctx *ctx, const char *what);

/* The caller's row (for handlers that return the User object). A user deleted since
 * authentication gets 401 "User not found or inactive", as §1.6 words it. */
int api_current_user(api_ctx *ctx, store_user *out);

/* The active class `class_id` when the caller owns it. */
int api_owned_class(api_ctx *ctx, int64_t class_id, const char *not_found, store_class *out);
/* The active class `class_id` when the caller is actively enrolled in it. */
int api_enrolled_class(api_ctx *ctx, int64_t class_id, const char *not_found,
                       store_class *out);
/* Owner or actively enrolled student; *is_owner tells which. */
int api_visible_class(api_ctx *ctx, int64_t class_id, const char *not_found,
                      store_class *out, int *is_owner);

#endif
