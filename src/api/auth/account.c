/* The signed-in user's own account: token check, profile, password, onboarding role
 * (API.md §3.5-3.9). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/fields.h"
#include "api/objects.h"
#include "api/auth/tokens.h"
#include "core/password.h"
#include "store/users.h"

/* {message?, user} with 200. */
static void reply_user(api_ctx *ctx, const char *message, const store_user *u)
{
    json_t *body = json_pack("{s:o}", "user", api_user_json(u));

    if (body && message && json_object_set_new(body, "message", json_string(message))) {
        json_decref(body);
        body = NULL;
    }
    if (!body) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    reply_json(ctx->rep, 200, body);
}

void api_auth_verify_token(api_ctx *ctx)
{
    store_user u;

    if (api_current_user(ctx, &u) == 0)
        reply_user(ctx, "Token is valid", &u);
}

void api_auth_profile_get(api_ctx *ctx)
{
    store_user u;

    if (api_current_user(ctx, &u) == 0)
        reply_user(ctx, NULL, &u);
}

/* ---- PUT profile ----------------------------------------------------------------- */

typedef struct profile_input {
    char *first_name;   /* NULL = unchanged */
    char *last_name;
    char *email;
} profile_input;

/* An optional name: absent → *out stays NULL. */
static int profile_name(api_ctx *ctx, const json_t *body, const char *key, char **out)
{
    api_text t;
    enum api_field r = api_field_text(body, key, 1, &t);

    if (r == AF_ABSENT)
        return 0;
    if (r == AF_NULL || r == AF_BLANK)
        return api_field_error(ctx, "%s cannot be empty", key);
    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", key);
    if (api_text_rules(ctx, key, t, API_NAME_MAX_CHARS) < 0)
        return -1;
    *out = api_text_dup(t);
    if (!*out) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    return 0;
}

static int profile_email(api_ctx *ctx, const json_t *body, char **out)
{
    api_text t;
    enum api_field r = api_field_text(body, "email", 1, &t);

    if (r == AF_ABSENT)
        return 0;
    if (r == AF_NULL || r == AF_BLANK)
        return api_field_error(ctx, "%s cannot be empty", "email");
    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "email");
    *out = api_text_dup_lower(t);
    if (!*out) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    if (!api_email_valid(*out, t.n)) {
        reply_error(ctx->rep, 400, "Invalid email format");
        return -1;
    }
    return 0;
}

/* 409 when the email belongs to another user; 0 when free or the caller's own. */
static int email_free_for(api_ctx *ctx, db_conn *c, const char *email)
{
    store_user other;
    int rc = store_user_by_email(c, email, &other);

    if (rc == DB_DONE || (rc == DB_ROW && other.id == ctx->user_id))
        return 0;
    if (rc == DB_ROW)
        reply_error(ctx->rep, 409, "Email already taken");
    else
        api_fail(ctx, "store_user_by_email");
    return -1;
}

static void profile_store(api_ctx *ctx, db_conn *c, const profile_input *in)
{
    store_user u;
    int rc;

    if (in->email && email_free_for(ctx, c, in->email) < 0)
        return;
    rc = store_user_update_profile(c, ctx->user_id, in->first_name, in->last_name,
                                   in->email, (int64_t)time(NULL), &u);
    if (rc == DB_ROW)
        reply_user(ctx, "Profile updated successfully", &u);
    else if (rc == DB_CONSTRAINT)
        reply_error(ctx->rep, 409, "Email already taken");
    else if (rc == DB_DONE)
        api_current_user(ctx, &u);   /* deleted meanwhile: the 401 of §1.6 */
    else
        api_fail(ctx, "store_user_update_profile");
}

void api_auth_profile_put(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    profile_input in = {0};
    db_conn *c;

    if (!body)
        return;
    if (profile_name(ctx, body, "first_name", &in.first_name) == 0 &&
        profile_name(ctx, body, "last_name", &in.last_name) == 0 &&
        profile_email(ctx, body, &in.email) == 0 && (c = api_db(ctx)) != NULL)
        profile_store(ctx, c, &in);
    free(in.first_name);
    free(in.last_name);
    free(in.email);
}

/* ---- change-password ------------------------------------------------------------- */

/* Steps 1-2. */
static int password_fields(api_ctx *ctx, const json_t *body, api_text *cur, api_text *next)
{
    enum api_field rc = api_field_text(body, "current_password", 0, cur);
    enum api_field rn = api_field_text(body, "new_password", 0, next);

    if ((rc != AF_OK && rc != AF_NOT_STRING) || (rn != AF_OK && rn != AF_NOT_STRING)) {
        reply_error(ctx->rep, 400, "Current password and new password are required");
        return -1;
    }
    if (rc == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "current_password");
    if (rn == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "new_password");
    return 0;
}

static void password_store(api_ctx *ctx, api_text next)
{
    char hash[PASSWORD_HASH_MAX];
    store_user u;
    json_t *body;
    int rc;

    if (password_hash(next.p, next.n, hash) != 0) {
        reply_internal_error(ctx->rep, ctx->req, "password hashing failed");
        return;
    }
    rc = store_user_set_password(ctx->db, ctx->user_id, hash, (int64_t)time(NULL), &u);
    if (rc != DB_ROW) {
        api_fail(ctx, "store_user_set_password");
        return;
    }
    body = json_pack("{s:s}", "message", "Password changed successfully");
    if (!body || api_add_tokens(ctx, body, &u, 1) < 0) {
        if (!body)
            reply_internal_error(ctx->rep, ctx->req, "out of memory");
        json_decref(body);
        return;
    }
    reply_json(ctx->rep, 200, body);
}

void api_auth_change_password(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    api_text cur, next;
    store_user u;

    if (!body || password_fields(ctx, body, &cur, &next) < 0 ||
        api_current_user(ctx, &u) < 0)
        return;
    if (!password_verify(u.password_hash, cur.p, cur.n)) {
        reply_error(ctx->rep, 401, "Current password is incorrect");
        return;
    }
    if (api_new_password_length(ctx, next) == 0)
        password_store(ctx, next);
}

/* ---- update-role ----------------------------------------------------------------- */

static int role_field(api_ctx *ctx, const json_t *body, int *is_teacher)
{
    api_text t;
    enum api_field r = api_field_text(body, "role", 1, &t);

    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "role");
    if (r != AF_OK)
        return api_field_error(ctx, "%s is required", "role");
    if (!api_text_equals(t, "teacher") && !api_text_equals(t, "student")) {
        reply_error(ctx->rep, 400, "Role must be either teacher or student");
        return -1;
    }
    *is_teacher = api_text_equals(t, "teacher");
    return 0;
}

static void reply_role(api_ctx *ctx, const store_user *u)
{
    json_t *body = json_pack("{s:s, s:o}", "message", "Role updated successfully",
                             "user", api_user_json(u));

    if (!body) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    if (api_add_tokens(ctx, body, u, 0) < 0) {
        json_decref(body);
        return;
    }
    reply_json(ctx->rep, 200, body);
}

void api_auth_update_role(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    int is_teacher = 0, rc;
    store_user u;

    if (!body || role_field(ctx, body, &is_teacher) < 0 || api_current_user(ctx, &u) < 0)
        return;
    if (u.is_admin) {   /* §12.1: update-role never grants or removes admin */
        reply_error(ctx->rep, 409, "Role can no longer be changed");
        return;
    }
    if (u.is_teacher == is_teacher) {
        reply_role(ctx, &u);
        return;
    }
    rc = store_user_set_role_if_new(ctx->db, ctx->user_id, is_teacher, (int64_t)time(NULL),
                                    &u);
    if (rc == DB_ROW)
        reply_role(ctx, &u);
    else if (rc == DB_CONSTRAINT)
        reply_error(ctx->rep, 409, "Role can no longer be changed");
    else if (rc == DB_DONE)
        api_current_user(ctx, &u);
    else
        api_fail(ctx, "store_user_set_role_if_new");
}
