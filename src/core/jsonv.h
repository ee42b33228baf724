#ifndef ATTENDLY_CORE_JSONV_H
#define ATTENDLY_CORE_JSONV_H
/* Request-field validation over jansson objects, with the exact messages of API.md §1.3.
 *
 * Every getter returns JV_OK (value stored), JV_MISSING (key absent or JSON null; for
 * jv_string also a string that is blank after trimming) or JV_ERR (err->msg holds the
 * 400 message, e.g. "name must be a string"). Callers decide what JV_MISSING means,
 * because each endpoint words its own "is required" text. */
#include <jansson.h>
#include <stddef.h>

enum { JV_OK = 0, JV_MISSING = 1, JV_ERR = -1 };

typedef struct field_err {
    char msg[320];
} field_err;

/* Trimmed string (ASCII whitespace per API.md §1.3) as a malloc'd copy in *out.
 * Errors: "<key> must be a string", "<key> contains invalid characters" (U+0000). */
int jv_string(const json_t *obj, const char *key, char **out, field_err *err);
/* Untrimmed string (passwords); JV_MISSING only for absent, null or "". */
int jv_string_raw(const json_t *obj, const char *key, char **out, field_err *err);
/* JSON integer without fraction/exponent. Error: "<key> must be an integer". */
int jv_int(const json_t *obj, const char *key, long long *out, field_err *err);
/* Any JSON number. Error: "<key> must be a number". */
int jv_number(const json_t *obj, const char *key, double *out, field_err *err);
/* true/false. Error: "<key> must be a boolean". */
int jv_bool(const json_t *obj, const char *key, int *out, field_err *err);
/* Borrowed reference to an array / object. Errors: "<key> must be an array|object". */
int jv_array(const json_t *obj, const char *key, json_t **out, field_err *err);
int jv_object(const json_t *obj, const char *key, json_t **out, field_err *err);

/* Length rule: "<key> must be at most <max> characters" when s has more code points. */
int jv_max_chars(const char *s, const char *key, size_t max, field_err *err);
/* Sets err->msg with printf formatting and returns JV_ERR. */
int jv_fail(field_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Helpers shared by the validators and the API layer. */
char *str_trim_dup(const char *s, size_t len);         /* ASCII-whitespace trim, malloc'd */
size_t utf8_count(const char *s, size_t len);          /* code points of valid UTF-8 */
void str_ascii_lower(char *s);

#endif
