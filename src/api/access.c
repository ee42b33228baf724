/* Ownership and membership gates (see access.h). */
#include "api/access.h"

#include <stdio.h>

#include "store/enrollments.h"

void api_fail(api_ctx *ctx, const char *what)
{
    char details[512];

    snprintf(details, sizeof details, "%s: %s", what,
             ctx->db ? db_errmsg(ctx->db) : "no database connection");
    reply_internal_error(ctx->rep, ctx->req, details);
}

int api_current_user(api_ctx *ctx, store_user *out)
{
    db_conn *c = api_db(ctx);
    int rc;

    if (!c)
        return -1;
    rc = store_user_get(c, ctx->user_id, out);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE) {
        json_t *body = json_pack("{s:s, s:s}", "error", "User not found or inactive",
                                 "msg", "User not found or inactive");
        reply_json(ctx->rep, 401, body);
    } else {
        api_fail(ctx, "store_user_get");
    }
    return -1;
}

/* Loads the active class; 404 when absent. */
static int load_class(api_ctx *ctx, int64_t class_id, const char *not_found,
                      store_class *out)
{
    db_conn *c = api_db(ctx);
    int rc;

    if (!c)
        return -1;
    rc = store_class_get(c, class_id, out);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE)
        reply_error(ctx->rep, 404, not_found);
    else
        api_fail(ctx, "store_class_get");
    return -1;
}

int api_owned_class(api_ctx *ctx, int64_t class_id, const char *not_found, store_class *out)
{
    if (load_class(ctx, class_id, not_found, out) < 0)
        return -1;
    if (out->teacher_id == ctx->user_id)
        return 0;
    store_class_clear(out);
    reply_error(ctx->rep, 404, not_found);
    return -1;
}

/* The caller's active enrolment in the loaded class *out; on refusal *out is cleared and
 * the 404 (or 500) reply is set. */
static int require_enrolled(api_ctx *ctx, int64_t class_id, const char *not_found,
                            store_class *out)
{
    int rc = store_enrollment_active(ctx->db, class_id, ctx->user_id);
    if (rc == 1)
        return 0;
    store_class_clear(out);
    if (rc == 0)
        reply_error(ctx->rep, 404, not_found);
    else
        api_fail(ctx, "store_enrollment_active");
    return -1;
}

int api_enrolled_class(api_ctx *ctx, int64_t class_id, const char *not_found,
                       store_class *out)
{
    if (load_class(ctx, class_id, not_found, out) < 0)
        return -1;
    return require_enrolled(ctx, class_id, not_found, out);
}

int api_visible_class(api_ctx *ctx, int64_t class_id, const char *not_found,
                      store_class *out, int *is_owner)
{
    if (load_class(ctx, class_id, not_found, out) < 0)
        return -1;
    *is_owner = out->teacher_id == ctx->user_id;
    if (*is_owner)
        return 0;
    return require_enrolled(ctx, class_id, not_found, out);
}
