/* Students in classes: join, leave, removal by the teacher (API.md §4.7, 4.8, 4.10). */
#include <time.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/fields.h"
#include "api/objects.h"
#include "store/classes.h"
#include "store/enrollments.h"
#include "store/join_code.h"

/* Steps 2-3 of join: the active class named by the body's join_code. */
static int class_for_code(api_ctx *ctx, store_class *cls)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);
    char code[JOIN_CODE_LEN + 1];
    api_text t;
    enum api_field r;
    db_conn *c;
    int rc;

    if (!body)
        return -1;
    r = api_field_text(body, "join_code", 1, &t);
    if (r != AF_OK) {
        reply_error(ctx->rep, 400, r == AF_NOT_STRING ? "join_code must be a string"
                                                      : "Join code is required");
        return -1;
    }
    if (!(c = api_db(ctx)))
        return -1;
    /* Text that cannot be a code names no class: no query needed. */
    rc = store_join_code_normalize(t.p, t.n, code) < 0 ? DB_DONE
                                                      : store_class_by_join_code(c, code, cls);
    if (rc == DB_ROW)
        return 0;
    if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "Invalid join code");
    else
        api_fail(ctx, "store_class_by_join_code");
    return -1;
}

static void reply_joined(api_ctx *ctx, int64_t class_id, int result)
{
    const char *message = result == STORE_JOIN_REACTIVATED ? "Successfully rejoined the class"
                                                           : "Successfully joined the class";
    store_class cls;
    json_t *body;
    int rc = store_class_get(ctx->db, class_id, &cls);   /* again: the count changed */

    if (rc != DB_ROW) {
        api_fail(ctx, "store_class_get");
        return;
    }
    body = json_pack("{s:s, s:o}", "message", message, "class", api_class_json(&cls));
    store_class_clear(&cls);
    if (!body)
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
    else
        reply_json(ctx->rep, 200, body);
}

void api_classes_join(api_ctx *ctx)
{
    store_class cls;
    int64_t class_id;
    int rc;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can join classes") < 0 ||
        class_for_code(ctx, &cls) < 0)
        return;
    class_id = cls.id;
    store_class_clear(&cls);
    rc = store_enrollment_join(ctx->db, class_id, ctx->user_id, (int64_t)time(NULL));
    if (rc == STORE_JOIN_NEW || rc == STORE_JOIN_REACTIVATED)
        reply_joined(ctx, class_id, rc);
    else if (rc == STORE_JOIN_ALREADY)
        reply_error(ctx->rep, 409, "Already enrolled in this class");
    else
        api_fail(ctx, "store_enrollment_join");
}

void api_classes_leave(api_ctx *ctx)
{
    static const char not_enrolled[] = "Not enrolled in this class";
    int64_t id = req_path_id(ctx->req, 0);
    store_class cls;
    int rc;

    if (api_require_role(ctx, ROLE_STUDENT, "Only students can leave classes") < 0 ||
        api_enrolled_class(ctx, id, not_enrolled, &cls) < 0)
        return;
    rc = store_enrollment_deactivate(ctx->db, id, ctx->user_id, (int64_t)time(NULL));
    if (rc == DB_ROW)
        reply_json(ctx->rep, 200, json_pack("{s:s, s:I, s:s}",
                                            "message", "Successfully left the class",
                                            "class_id", (json_int_t)id,
                                            "class_name", cls.name));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, not_enrolled);   /* left meanwhile */
    else
        api_fail(ctx, "store_enrollment_deactivate");
    store_class_clear(&cls);
}

void api_classes_remove_student(api_ctx *ctx)
{
    int64_t id = req_path_id(ctx->req, 0);
    int64_t student_id = req_path_id(ctx->req, 1);
    store_class cls;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can remove students") < 0 ||
        api_owned_class(ctx, id, "Class not found", &cls) < 0)
        return;
    store_class_clear(&cls);
    rc = store_enrollment_deactivate(ctx->db, id, student_id, (int64_t)time(NULL));
    if (rc == DB_ROW)
        reply_json(ctx->rep, 200, json_pack("{s:s, s:I, s:I}",
                                            "message", "Student removed from class",
                                            "class_id", (json_int_t)id,
                                            "student_id", (json_int_t)student_id));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, "Student not enrolled in this class");
    else
        api_fail(ctx, "store_enrollment_deactivate");
}
