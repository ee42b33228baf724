#ifndef ATTENDLY_API_OBJECTS_H
#define ATTENDLY_API_OBJECTS_H
/* JSON builders for the objects of API.md §2 that auth and classes own (User, Class).
 * Every other endpoint that returns one of these uses the builders here. All return a new
 * reference, or NULL when out of memory. */
#include <jansson.h>
#include <stdint.h>
#include "store/classes.h"
#include "store/db.h"
#include "store/users.h"

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) as a JSON string. */
json_t *api_time_json(int64_t unix_seconds);
/* "First Last" as a JSON string. */
json_t *api_full_name_json(const char *first_name, const char *last_name);

json_t *api_user_json(const store_user *u);
/* "admin", "teacher" or "student". */
const char *api_role_name(const store_user *u);
/* The Class object without `students`. */
json_t *api_class_json(const store_class *cls);
/* Adds the owner's `students` array (§4.4) to a Class object. DB_OK or an error. */
int api_class_add_students(db_conn *c, json_t *class_obj, int64_t class_id);

#endif
