/* A teacher's classes: create, list, read, update, archive, new join code
 * (API.md §4.1, 4.2, 4.4-4.6, 4.9). */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api/access.h"
#include "api/fields.h"
#include "api/objects.h"
#include "api/pagination.h"
#include "store/classes.h"

#define CLASS_NOT_FOUND "Class not found"

typedef struct class_input {
    char *name;          /* NULL = absent (update keeps it) */
    char *description;   /* NULL = absent */
} class_input;

/* Length and U+0000 rules, then the trimmed copy. */
static int text_value(api_ctx *ctx, const char *key, api_text t, size_t max, char **out)
{
    if (api_text_rules(ctx, key, t, max) < 0)
        return -1;
    *out = api_text_dup(t);
    if (!*out) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return -1;
    }
    return 0;
}

/* `name`: on create a missing one is "Class name is required"; on update (missing_msg
 * NULL) absence keeps the name and null/blank is "name cannot be empty". */
static int read_name(api_ctx *ctx, const json_t *body, const char *missing_msg, char **out)
{
    api_text t;
    enum api_field r = api_field_text(body, "name", 1, &t);

    if (r == AF_ABSENT && !missing_msg)
        return 0;
    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "name");
    if (r != AF_OK) {
        reply_error(ctx->rep, 400, missing_msg ? missing_msg : "name cannot be empty");
        return -1;
    }
    return text_value(ctx, "name", t, API_CLASS_NAME_MAX_CHARS, out);
}

/* `description`: null means "", absence keeps it (update) or means "" (create). */
static int read_description(api_ctx *ctx, const json_t *body, char **out)
{
    api_text t;
    enum api_field r = api_field_text(body, "description", 1, &t);

    if (r == AF_ABSENT)
        return 0;
    if (r == AF_NOT_STRING)
        return api_field_error(ctx, "%s must be a string", "description");
    return text_value(ctx, "description", t, API_DESCRIPTION_MAX_CHARS, out);
}

static int read_class_input(api_ctx *ctx, const char *missing_name, class_input *in)
{
    json_t *body = req_json_body(ctx->req, ctx->rep);

    if (!body)
        return -1;
    if (read_name(ctx, body, missing_name, &in->name) < 0 ||
        read_description(ctx, body, &in->description) < 0)
        return -1;
    return 0;
}

static void class_input_free(class_input *in)
{
    free(in->name);
    free(in->description);
}

/* {message, class} with the given status. */
static void reply_class(api_ctx *ctx, int status, const char *message,
                        const store_class *cls)
{
    json_t *body = json_pack("{s:s, s:o}", "message", message, "class", api_class_json(cls));

    if (!body)
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
    else
        reply_json(ctx->rep, status, body);
}

void api_classes_create(api_ctx *ctx)
{
    class_input in = {0};
    store_class cls;
    db_conn *c;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can create classes") < 0 ||
        read_class_input(ctx, "Class name is required", &in) < 0 || !(c = api_db(ctx)))
        goto out;
    rc = store_class_create(c, ctx->user_id, in.name, in.description ? in.description : "",
                            (int64_t)time(NULL), &cls);
    if (rc != DB_ROW) {
        api_fail(ctx, "store_class_create");
        goto out;
    }
    reply_class(ctx, 201, "Class created successfully", &cls);
    store_class_clear(&cls);
out:
    class_input_free(&in);
}

/* ---- lists ----------------------------------------------------------------------- */

static int append_class(const store_class *cls, void *arg)
{
    json_t *item = api_class_json(cls);
    return !item || json_array_append_new((json_t *)arg, item) != 0;
}

void api_classes_mine(api_ctx *ctx)
{
    api_page page;
    json_t *items;
    int64_t total = 0;
    db_conn *c;
    int rc;

    if (api_page_from_request(ctx, &page) < 0 || !(c = api_db(ctx)))
        return;
    items = json_array();
    if (!items) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    if (ctx->role == ROLE_TEACHER)
        rc = store_classes_of_teacher(c, ctx->user_id, page.limit, page.offset,
                                      append_class, items, &total);
    else
        rc = store_classes_of_student(c, ctx->user_id, page.limit, page.offset,
                                      append_class, items, &total);
    if (rc != DB_OK) {
        json_decref(items);
        api_fail(ctx, "list classes");
        return;
    }
    reply_json(ctx->rep, 200, json_pack("{s:o, s:I}", "classes", items,
                                        "total", (json_int_t)total));
}

/* ---- one class ------------------------------------------------------------------- */

void api_classes_get(api_ctx *ctx)
{
    store_class cls;
    int is_owner = 0;
    json_t *obj;

    if (api_visible_class(ctx, req_path_id(ctx->req, 0), CLASS_NOT_FOUND, &cls,
                          &is_owner) < 0)
        return;
    obj = api_class_json(&cls);
    store_class_clear(&cls);
    if (!obj) {
        reply_internal_error(ctx->rep, ctx->req, "out of memory");
        return;
    }
    /* Classmates are the owner's business only (clarification 3). */
    if (is_owner && api_class_add_students(ctx->db, obj, req_path_id(ctx->req, 0)) != DB_OK) {
        json_decref(obj);
        api_fail(ctx, "class students");
        return;
    }
    reply_json(ctx->rep, 200, json_pack("{s:o}", "class", obj));
}

void api_classes_update(api_ctx *ctx)
{
    int64_t id = req_path_id(ctx->req, 0);
    class_input in = {0};
    store_class cls;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can update classes") < 0 ||
        read_class_input(ctx, NULL, &in) < 0 ||
        api_owned_class(ctx, id, CLASS_NOT_FOUND, &cls) < 0)
        goto out;
    store_class_clear(&cls);
    rc = store_class_update(ctx->db, id, in.name, in.description, (int64_t)time(NULL));
    if (rc == DB_ROW)
        rc = store_class_get(ctx->db, id, &cls);
    if (rc == DB_ROW) {
        reply_class(ctx, 200, "Class updated successfully", &cls);
        store_class_clear(&cls);
    } else if (rc == DB_DONE) {
        reply_error(ctx->rep, 404, CLASS_NOT_FOUND);   /* archived meanwhile */
    } else {
        api_fail(ctx, "store_class_update");
    }
out:
    class_input_free(&in);
}

void api_classes_delete(api_ctx *ctx)
{
    int64_t id = req_path_id(ctx->req, 0);
    store_class cls;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can delete classes") < 0 ||
        api_owned_class(ctx, id, CLASS_NOT_FOUND, &cls) < 0)
        return;
    store_class_clear(&cls);
    rc = store_class_archive(ctx->db, id, (int64_t)time(NULL));
    if (rc == DB_ROW)
        reply_json(ctx->rep, 200, json_pack("{s:s, s:I}", "message",
                                            "Class deleted successfully",
                                            "class_id", (json_int_t)id));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, CLASS_NOT_FOUND);
    else
        api_fail(ctx, "store_class_archive");
}

void api_classes_regenerate_code(api_ctx *ctx)
{
    int64_t id = req_path_id(ctx->req, 0);
    char code[JOIN_CODE_LEN + 1];
    store_class cls;
    int rc;

    if (api_require_role(ctx, ROLE_TEACHER, "Only teachers can regenerate join codes") < 0 ||
        api_owned_class(ctx, id, CLASS_NOT_FOUND, &cls) < 0)
        return;
    store_class_clear(&cls);
    rc = store_class_regenerate_code(ctx->db, id, (int64_t)time(NULL), code);
    if (rc == DB_ROW)
        reply_json(ctx->rep, 200, json_pack("{s:s, s:s}", "message",
                                            "Join code regenerated successfully",
                                            "new_join_code", code));
    else if (rc == DB_DONE)
        reply_error(ctx->rep, 404, CLASS_NOT_FOUND);
    else
        api_fail(ctx, "store_class_regenerate_code");
}
