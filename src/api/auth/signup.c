/* POST /api/auth/signup (API.md §3.1) under the sign-up policy of §12.2, and the body
 * checks it shares with the admin's account creation (signup.h). */
#include "api/auth/signup.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/auth/tokens.h"
#include "api/handlers.h"
#include "core/config.h"
#include "core/password.h"

/* Step 1: presence and type of every field, in the documented order. */
static int signup_presence(api_ctx *ctx, const json_t *body, signup_input *in)
{
    static const char *const keys[SIGNUP_FIELDS] = {"email", "password", "first_name",
                                                    "last_name", "role"};

    for (int i = 0; i < SIGNUP_FIELDS; i++) {
        enum api_field r = api_field_text(body, keys[i], i != SIGNUP_PASSWORD, &in->f[i]);

        if (r != AF_OK)
            return api_field_error(ctx, r == AF_NOT_STRING ? "%s must be a string"
                                                           : "%s is required", keys[i]);
    }
    return 0;
}

/* Steps 2-5. */
static int signup_rules(api_ctx *ctx, signup_input *in)
{
    size_t pw_chars = api_text_chars(in->f[SIGNUP_PASSWORD]);
    api_text role = in->f[SIGNUP_ROLE];

    in->email = api_text_dup_lower(in->f[SIGNUP_EMAIL]);
    if (!in->email) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    if (!api_email_valid(in->email, in->f[SIGNUP_EMAIL].n)) {
        reply_error(ctx->rep, 400, "Invalid email format");
        return -1;
    }
    if (pw_chars < API_PASSWORD_MIN_CHARS || pw_chars > API_PASSWORD_MAX_CHARS) {
        reply_error(ctx->rep, 400, pw_chars < API_PASSWORD_MIN_CHARS
                    ? "Password must be at least 8 characters long"
                    : "Password must be at most 128 characters long");
        return -1;
    }
    if (api_text_rules(ctx, "first_name", in->f[SIGNUP_FIRST], API_NAME_MAX_CHARS) < 0 ||
        api_text_rules(ctx, "last_name", in->f[SIGNUP_LAST], API_NAME_MAX_CHARS) < 0)
        return -1;
    if (!api_text_equals(role, "teacher") && !api_text_equals(role, "student")) {
        reply_error(ctx->rep, 400, "Role must be either teacher or student");
        return -1;
    }
    in->is_teacher = api_text_equals(role, "teacher");
    return 0;
}

int api_signup_read(api_ctx *ctx, const json_t *body, signup_input *in)
{
    memset(in, 0, sizeof *in);
    return signup_presence(ctx, body, in) == 0 && signup_rules(ctx, in) == 0 ? 0 : -1;
}

void api_signup_free(signup_input *in)
{
    free(in->email);
    in->email = NULL;
}

int api_signup_insert(api_ctx *ctx, const signup_input *in, const char *status,
                      int64_t actor_id, store_user *u)
{
    char hash[PASSWORD_HASH_MAX];
    char *first = api_text_dup(in->f[SIGNUP_FIRST]);
    char *last = api_text_dup(in->f[SIGNUP_LAST]);
    db_conn *c = api_db(ctx);
    store_audit_new ev;
    int rc = DB_ERR;

    api_audit_init(ctx, &ev, "account.created");
    ev.actor_id = actor_id;
    /* The early lookup spares an Argon2 hash for a taken email; the unique index still
     * decides when two sign-ups race. */
    if (c && (rc = store_user_by_email(c, in->email, u)) == DB_ROW)
        rc = DB_CONSTRAINT;
    else if (c && rc == DB_DONE) {
        rc = DB_ERR;
        if (first && last &&
            password_hash(in->f[SIGNUP_PASSWORD].p, in->f[SIGNUP_PASSWORD].n, hash) == 0) {
            store_user_new nu = {.email = in->email, .password_hash = hash,
                                 .first_name = first, .last_name = last,
                                 .is_teacher = in->is_teacher, .status = status,
                                 .now = (int64_t)time(NULL), .audit = &ev};
            rc = store_user_create(c, &nu, u);
        }
    }
    free(first);
    free(last);
    return rc;
}

/* §12.2: 1 when the email's domain is allowed (an empty list allows any). */
static int domain_allowed(const char *email)
{
    const char *at = strrchr(email, '@');

    if (g_config.n_signup_domains == 0)
        return 1;
    for (int i = 0; at && i < g_config.n_signup_domains; i++)
        if (strcasecmp(at + 1, g_config.signup_domains[i]) == 0)
            return 1;
    return 0;
}

void api_auth_signup(api_ctx *ctx)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    const char *status = NULL;
    signup_input in = {0};
    store_user u;
    int rc;

    if (!body || api_signup_read(ctx, body, &in) < 0)
        goto out;
    if (!domain_allowed(in.email)) {
        reply_error(ctx->rep, 403, "Sign-up is restricted to approved email domains");
        goto out;
    }
    if (in.is_teacher && g_config.teacher_signup == CONFIG_SIGNUP_CLOSED) {
        reply_error(ctx->rep, 403, "Teacher sign-up is disabled");
        goto out;
    }
    if (in.is_teacher && g_config.teacher_signup == CONFIG_SIGNUP_APPROVAL)
        status = "pending";
    rc = api_signup_insert(ctx, &in, status, STORE_USER_ACTOR_SELF, &u);
    if (rc == DB_ROW)
        api_reply_user_tokens(ctx, 201, "User created successfully", &u);
    else if (rc == DB_CONSTRAINT)
        reply_error(ctx->rep, 409, "User with this email already exists");
    else if (reply_status(ctx->rep) != 500)
        api_fail(ctx, "signup");
out:
    api_signup_free(&in);
}
