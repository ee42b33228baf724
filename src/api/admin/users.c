/* /api/admin (API.md §12.3): the user list, account creation and the figures. Every
 * route is admin-only; the status changes and password resets are in accounts.c. */
#include "api/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/admin/admin.h"
#include "api/auth/signup.h"
#include "api/objects.h"
#include "api/pagination.h"
#include "store/admin.h"

#define ADMIN_Q_MAX_CHARS 200

int api_require_admin(api_ctx *ctx)
{
    return api_require_role(ctx, ROLE_ADMIN, "Admin access required");
}

/* NULL when absent; -1 with the 400 reply when not one of `allowed`. */
static int enum_query(api_ctx *ctx, const char *key, const char *const *allowed,
                      const char *message, const char **out)
{
    const char *v = req_query(ctx->req, key);

    *out = NULL;
    if (!v)
        return 0;
    for (; *allowed; allowed++)
        if (strcmp(v, *allowed) == 0) {
            *out = *allowed;
            return 0;
        }
    reply_error(ctx->rep, 400, message);
    return -1;
}

static int list_query(api_ctx *ctx, store_user_filter *f, api_page *page)
{
    static const char *const roles[] = {"teacher", "student", "admin", NULL};
    static const char *const states[] = {"active", "pending", "deactivated", NULL};

    if (api_page_from_request(ctx, page) < 0 ||
        enum_query(ctx, "role", roles, "role must be one of: teacher, student, admin",
                   &f->role) < 0 ||
        enum_query(ctx, "status", states,
                   "status must be one of: active, pending, deactivated", &f->status) < 0)
        return -1;
    f->q = req_query(ctx->req, "q");
    if (f->q) {
        api_text t = {f->q, strlen(f->q)};
        if (api_text_chars(t) > ADMIN_Q_MAX_CHARS) {
            reply_error(ctx->rep, 400, "q must be at most 200 characters");
            return -1;
        }
    }
    return 0;
}

void api_admin_users(api_ctx *ctx)
{
    store_user_filter f = {0};
    store_user *rows = NULL;
    int64_t total = 0;
    api_page page;
    size_t n = 0;
    json_t *list, *body;

    if (api_require_admin(ctx) < 0 || list_query(ctx, &f, &page) < 0 || !api_db(ctx))
        return;
    if (store_admin_users(ctx->db, &f, page.limit, page.offset, &rows, &n, &total) != DB_OK) {
        api_fail(ctx, "store_admin_users");
        return;
    }
    list = json_array();
    for (size_t i = 0; list && i < n; i++)
        json_array_append_new(list, api_user_json(&rows[i]));
    free(rows);
    body = json_pack("{s:o, s:I}", "users", list, "total", (json_int_t)total);
    api_admin_reply(ctx, 200, body);
}

void api_admin_create_user(api_ctx *ctx)
{
    json_t *body;
    signup_input in = {0};
    store_user u;
    int rc;

    if (api_require_admin(ctx) < 0 || !(body = req_json_body(ctx->req, ctx->rep)) ||
        api_signup_read(ctx, body, &in) < 0)
        goto out;
    rc = api_signup_insert(ctx, &in, NULL, ctx->user_id, &u);
    if (rc == DB_ROW)
        api_admin_reply(ctx, 201, json_pack("{s:s, s:o}", "message", "User created",
                                            "user", api_user_json(&u)));
    else if (rc == DB_CONSTRAINT)
        reply_error(ctx->rep, 409, "User with this email already exists");
    else if (reply_status(ctx->rep) != 500)
        api_fail(ctx, "admin create user");
out:
    api_signup_free(&in);
}

void api_admin_stats(api_ctx *ctx)
{
    store_admin_figures s;

    if (api_require_admin(ctx) < 0 || !api_db(ctx))
        return;
    if (store_admin_stats(ctx->db, &s) != DB_OK) {
        api_fail(ctx, "store_admin_stats");
        return;
    }
    api_admin_reply(ctx, 200, json_pack(
        "{s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:I}", "users",
        "teacher", (json_int_t)s.teachers, "student", (json_int_t)s.students,
        "admin", (json_int_t)s.admins, "pending", (json_int_t)s.pending,
        "deactivated", (json_int_t)s.deactivated, "classes", (json_int_t)s.classes,
        "active_classes", (json_int_t)s.active_classes,
        "students_with_face_data", (json_int_t)s.students_with_face_data,
        "sessions", (json_int_t)s.sessions, "records", (json_int_t)s.records));
}
