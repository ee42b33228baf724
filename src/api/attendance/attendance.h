#ifndef ATTENDLY_API_ATTENDANCE_H
#define ATTENDLY_API_ATTENDANCE_H
/* Input checks shared by the attendance handlers (API.md §7); the handlers themselves are
 * declared in api/handlers.h. */
#include <jansson.h>
#include "api/handlers.h"

/* An optional enum field given as an exact lowercase string (§7.2 status and
 * recognition_method, §7.5 status). Missing or null gives dflt; anything that `parse`
 * refuses, non-strings included, gives -1. */
int api_att_enum_field(const json_t *body, const char *key, int dflt, int (*parse)(const char *));

#endif
