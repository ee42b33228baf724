/* /api/admin/users/{id}/… (API.md §12.3): approve, deactivate, reactivate and
 * reset-password. Each change and its audit event commit together (store/admin.h);
 * authentication reads the account's state per request, so a change is seen by every
 * server process on the database at once. */
#include "api/handlers.h"

#include <time.h>

#include "api/access.h"
#include "api/admin/admin.h"
#include "api/audit_event.h"
#include "api/fields.h"
#include "api/objects.h"
#include "core/password.h"
#include "store/admin.h"

void api_admin_reply(api_ctx *ctx, int status, json_t *body)
{
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

typedef struct status_route {
    enum store_status_change change;
    const char *action;          /* the audit event */
    const char *done;            /* the 200 message */
    const char *wrong_state;     /* the 409 message */
} status_route;

static void change_status(api_ctx *ctx, const status_route *r)
{
    int64_t id = req_path_id(ctx->req, 0);
    store_audit_new ev;
    store_user u;
    int rc;

    if (api_require_admin(ctx) < 0 || !api_db(ctx))
        return;
    api_audit_init(ctx, &ev, r->action);
    rc = store_admin_set_status(ctx->db, id, r->change, (int64_t)time(NULL), &ev, &u);
    if (rc == DB_ROW)
        api_admin_reply(ctx, 200, json_pack("{s:s, s:o}", "message", r->done,
                                            "user", api_user_json(&u)));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "User not found");
    else if (rc == STORE_ADMIN_TARGET_ADMIN)
        reply_error(ctx->rep, 403, "Admins cannot be deactivated through the API");
    else if (rc == STORE_ADMIN_WRONG_STATE)
        reply_error(ctx->rep, 409, r->wrong_state);
    else
        api_fail(ctx, "store_admin_set_status");
}

void api_admin_approve(api_ctx *ctx)
{
    static const status_route r = {STORE_APPROVE, "account.approved", "User approved",
                                   "User is not pending approval"};
    change_status(ctx, &r);
}

void api_admin_deactivate(api_ctx *ctx)
{
    static const status_route r = {STORE_DEACTIVATE, "account.deactivated", "User deactivated",
                                   "User is already deactivated"};
    change_status(ctx, &r);
}

void api_admin_reactivate(api_ctx *ctx)
{
    static const status_route r = {STORE_REACTIVATE, "account.reactivated", "User reactivated",
                                   "User is not deactivated"};
    change_status(ctx, &r);
}

/* Clarification 6: new_password's presence and type, then §3.8's length rules. */
static int new_password_field(api_ctx *ctx, const json_t *body, api_text *pw)
{
    enum api_field r = api_field_text(body, "new_password", 0, pw);

    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "new_password");
    if (r != AF_OK)
        return api_field_error(ctx, "%s is required", "new_password");
    return api_new_password_length(ctx, *pw);
}

void api_admin_reset_password(api_ctx *ctx)
{
    int64_t id = req_path_id(ctx->req, 0);
    char hash[PASSWORD_HASH_MAX];
    store_audit_new ev;
    json_t *body;
    api_text pw;
    store_user u;
    int rc;

    if (api_require_admin(ctx) < 0 || !(body = req_json_body(ctx->req, ctx->rep)) ||
        new_password_field(ctx, body, &pw) < 0 || !api_db(ctx))
        return;
    rc = store_user_get(ctx->db, id, &u);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, "User not found");
        return;
    }
    if (rc != DB_ROW || password_hash(pw.p, pw.n, hash) != 0) {
        api_fail(ctx, "reset-password");
        return;
    }
    api_audit_init(ctx, &ev, "account.password_reset");
    rc = store_admin_reset_password(ctx->db, id, hash, (int64_t)time(NULL), &ev, &u);
    if (rc == DB_ROW)
        api_admin_reply(ctx, 200, json_pack("{s:s}", "message", "Password reset"));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "User not found");
    else
        api_fail(ctx, "store_admin_reset_password");
}
