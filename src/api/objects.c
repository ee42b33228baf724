/* User and Class objects (API.md §2). */
#include "api/objects.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/face/consent.h"

#include "core/timeutil.h"
#include "store/enrollments.h"

json_t *api_time_json(int64_t unix_seconds)
{
    char buf[TIME_ISO_LEN];

    time_format_utc((time_t)unix_seconds, buf);
    return json_string(buf);
}

json_t *api_full_name_json(const char *first_name, const char *last_name)
{
    char *s = NULL;
    json_t *j;

    if (asprintf(&s, "%s %s", first_name ? first_name : "", last_name ? last_name : "") < 0)
        return NULL;
    j = json_string(s);
    free(s);
    return j;
}

const char *api_role_name(const store_user *u)
{
    return u->is_admin ? "admin" : u->is_teacher ? "teacher" : "student";
}

json_t *api_user_json(const store_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:b, s:s}",
                     "id", (json_int_t)u->id,
                     "email", u->email,
                     "first_name", u->first_name,
                     "last_name", u->last_name,
                     "full_name", api_full_name_json(u->first_name, u->last_name),
                     "role", api_role_name(u),
                     "created_at", api_time_json(u->created_at),
                     "updated_at", api_time_json(u->updated_at),
                     "is_active", u->is_active,
                     "status", u->status[0] ? u->status : "active");
}

json_t *api_class_json(const store_class *cls)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:b, s:I, s:I}",
                     "id", (json_int_t)cls->id,
                     "name", cls->name,
                     "description", cls->description,
                     "join_code", cls->join_code,
                     "teacher_id", (json_int_t)cls->teacher_id,
                     "teacher_name", api_full_name_json(cls->teacher_first_name,
                                                        cls->teacher_last_name),
                     "created_at", api_time_json(cls->created_at),
                     "updated_at", api_time_json(cls->updated_at),
                     "is_active", cls->is_active,
                     "student_count", (json_int_t)cls->student_count,
                     "total_students", (json_int_t)cls->student_count);
}

static int append_student(const store_class_student *st, void *arg)
{
    json_t *item = json_pack("{s:I, s:o, s:s, s:o, s:b, s:s}",
                             "id", (json_int_t)st->id,
                             "name", api_full_name_json(st->first_name, st->last_name),
                             "email", st->email ? st->email : "",
                             "enrolled_at", api_time_json(st->enrolled_at),
                             "has_face_data", st->has_face_data,
                             "consent_status",
                             api_consent_status(st->has_consent_row, st->consent_withdrawn,
                                                st->consent_version));

    return !item || json_array_append_new((json_t *)arg, item) != 0;
}

int api_class_add_students(db_conn *c, json_t *class_obj, int64_t class_id)
{
    json_t *students = json_array();
    int rc;

    if (!students)
        return DB_ERR;
    rc = store_class_students(c, class_id, append_student, students);
    if (rc != DB_OK || json_object_set_new(class_obj, "students", students) != 0) {
        if (rc == DB_OK)
            rc = DB_ERR;
        else
            json_decref(students);
    }
    return rc;
}
