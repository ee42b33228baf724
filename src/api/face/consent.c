/* GET/POST/DELETE /api/face-data/consent (API.md §13.1-13.3), and the enrolment gate. */
#include "api/face/consent.h"

#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/face/common.h"
#include "api/fields.h"
#include "api/handlers.h"
#include "api/objects.h"
#include "core/jsonv.h"
#include "http/metrics.h"
#include "store/consent.h"
#include "store/faces.h"

static const char ROLE_MESSAGE[] = "Only students can manage consent";

static json_t *time_or_null(int64_t t)
{
    return t ? api_time_json(t) : json_null();
}

static json_t *consent_json(const store_consent *st)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}",
                     "status", api_consent_status(st->has_row, st->withdrawn, st->given_version),
                     "version", api_consent_version(), "text", api_consent_text(),
                     "given_version", st->given_version[0] ? json_string(st->given_version)
                                                           : json_null(),
                     "given_at", time_or_null(st->given_at),
                     "withdrawn_at", time_or_null(st->withdrawn_at));
}

static void reply_consent(api_ctx *ctx, int status, const char *message,
                          const store_consent *st)
{
    json_t *body = message ? json_pack("{s:s, s:o}", "message", message, "consent",
                                       consent_json(st))
                           : json_pack("{s:o}", "consent", consent_json(st));
    if (body)
        reply_json(ctx->rep, status, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

void api_face_consent_get(api_ctx *ctx)
{
    store_consent st;

    if (api_require_role(ctx, ROLE_STUDENT, ROLE_MESSAGE) < 0 || !api_db(ctx))
        return;
    if (store_consent_get(ctx->db, ctx->user_id, &st) != DB_OK) {
        api_fail(ctx, "store_consent_get");
        return;
    }
    reply_consent(ctx, 200, NULL, &st);
}

/* §13.2 checks in order; 0, or -1 with the reply set. */
static int consent_fields(api_ctx *ctx, const json_t *body)
{
    const json_t *accept = json_object_get(body, "accept");
    const json_t *version = json_object_get(body, "version");

    if (!accept || json_is_null(accept))
        return api_field_error(ctx, "%s is required", "accept");
    if (!json_is_boolean(accept))
        return api_field_error(ctx, "%s must be a boolean", "accept");
    if (json_is_false(accept)) {
        reply_error(ctx->rep, 400, "Consent must be accepted explicitly");
        return -1;
    }
    if (!version || json_is_null(version))
        return api_field_error(ctx, "%s is required", "version");
    if (!json_is_string(version))
        return api_field_error(ctx, "%s must be a string", "version");
    if (strcmp(json_string_value(version), api_consent_version()) != 0 ||
        json_string_length(version) != strlen(api_consent_version())) {
        reply_error(ctx->rep, 409, "Consent text has changed; read it again");
        return -1;
    }
    return 0;
}

void api_face_consent_give(api_ctx *ctx)
{
    char details[STORE_AUDIT_DETAILS_MAX];
    store_audit_new ev;
    store_consent st;
    json_t *body;

    if (api_require_role(ctx, ROLE_STUDENT, ROLE_MESSAGE) < 0 ||
        !(body = req_json_body(ctx->req, ctx->rep)) || consent_fields(ctx, body) < 0 ||
        !api_db(ctx))
        return;
    api_audit_init(ctx, &ev, "consent.given");
    ev.subject_id = ctx->user_id;
    api_audit_details(&ev, json_pack("{s:s}", "version", api_consent_version()), details);
    if (store_consent_give(ctx->db, ctx->user_id, api_consent_version(), ev.at, &ev, &st) !=
        DB_OK) {
        api_fail(ctx, "store_consent_give");
        return;
    }
    metrics_consent_change("given");
    reply_consent(ctx, 200, "Consent recorded", &st);
}

void api_face_consent_withdraw(api_ctx *ctx)
{
    store_audit_new ev;
    int64_t deleted = 0;
    char **paths = NULL;
    size_t n_paths = 0;
    int rc;

    if (api_require_role(ctx, ROLE_STUDENT, ROLE_MESSAGE) < 0 || !api_db(ctx))
        return;
    api_audit_init(ctx, &ev, "consent.withdrawn");
    ev.subject_id = ctx->user_id;
    rc = store_consent_withdraw(ctx->db, ctx->user_id, ev.at, &ev, &deleted, &paths, &n_paths);
    if (rc == DB_DONE) {
        reply_error(ctx->rep, 409, "No consent to withdraw");
        return;
    }
    if (rc != DB_OK) {
        api_fail(ctx, "store_consent_withdraw");
        return;
    }
    api_face_unlink_raw(paths, n_paths);
    store_face_paths_free(paths, n_paths);
    metrics_consent_change("withdrawn");
    json_t *body = json_pack("{s:s, s:I}", "message", "Consent withdrawn and face data deleted",
                             "deleted_images", (json_int_t)deleted);
    if (body)
        reply_json(ctx->rep, 200, body);
    else
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
}

int api_consent_require(api_ctx *ctx)
{
    const char *version = api_consent_required_version();
    store_consent st;

    if (!version)
        return 0;
    if (!api_db(ctx))
        return -1;
    if (store_consent_get(ctx->db, ctx->user_id, &st) != DB_OK) {
        api_fail(ctx, "store_consent_get");
        return -1;
    }
    if (strcmp(api_consent_status(st.has_row, st.withdrawn, st.given_version), "given") == 0)
        return 0;
    reply_error(ctx->rep, 403, "Biometric consent required");
    return -1;
}
