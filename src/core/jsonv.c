/* Field validation with the messages of API.md §1.3 (see jsonv.h). */
#include "core/jsonv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int jv_fail(field_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return JV_ERR;
}

char *str_trim_dup(const char *s, size_t len)
{
    size_t a = 0, b = len;
    while (a < b && is_ascii_space((unsigned char)s[a]))
        a++;
    while (b > a && is_ascii_space((unsigned char)s[b - 1]))
        b--;
    char *out = malloc(b - a + 1);
    if (!out)
        return NULL;
    memcpy(out, s + a, b - a);
    out[b - a] = '\0';
    return out;
}

size_t utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

void str_ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Present and not null: the value; NULL otherwise. */
static json_t *field(const json_t *obj, const char *key)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    return (v && !json_is_null(v)) ? v : NULL;
}

static int string_value(const json_t *v, const char *key, field_err *err)
{
    if (!json_is_string(v))
        return jv_fail(err, "%s must be a string", key);
    if (memchr(json_string_value(v), '\0', json_string_length(v)))
        return jv_fail(err, "%s contains invalid characters", key);
    return JV_OK;
}

int jv_string(const json_t *obj, const char *key, char **out, field_err *err)
{
    *out = NULL;
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (string_value(v, key, err) != JV_OK)
        return JV_ERR;
    char *t = str_trim_dup(json_string_value(v), json_string_length(v));
    if (!t)
        return jv_fail(err, "Out of memory");
    if (!*t) {
        free(t);
        return JV_MISSING;
    }
    *out = t;
    return JV_OK;
}

int jv_string_raw(const json_t *obj, const char *key, char **out, field_err *err)
{
    *out = NULL;
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (string_value(v, key, err) != JV_OK)
        return JV_ERR;
    if (json_string_length(v) == 0)
        return JV_MISSING;
    *out = strdup(json_string_value(v));
    return *out ? JV_OK : jv_fail(err, "Out of memory");
}

int jv_int(const json_t *obj, const char *key, long long *out, field_err *err)
{
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    /* jansson types a number written with a fraction or exponent as real, so integer
     * here means exactly "digits only" (and within int64, or parsing already failed). */
    if (!json_is_integer(v))
        return jv_fail(err, "%s must be an integer", key);
    *out = json_integer_value(v);
    return JV_OK;
}

int jv_number(const json_t *obj, const char *key, double *out, field_err *err)
{
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (!json_is_number(v))
        return jv_fail(err, "%s must be a number", key);
    *out = json_number_value(v);
    return JV_OK;
}

int jv_bool(const json_t *obj, const char *key, int *out, field_err *err)
{
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (!json_is_boolean(v))
        return jv_fail(err, "%s must be a boolean", key);
    *out = json_is_true(v);
    return JV_OK;
}

int jv_array(const json_t *obj, const char *key, json_t **out, field_err *err)
{
    *out = NULL;
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (!json_is_array(v))
        return jv_fail(err, "%s must be an array", key);
    *out = v;
    return JV_OK;
}

int jv_object(const json_t *obj, const char *key, json_t **out, field_err *err)
{
    *out = NULL;
    json_t *v = field(obj, key);
    if (!v)
        return JV_MISSING;
    if (!json_is_object(v))
        return jv_fail(err, "%s must be an object", key);
    *out = v;
    return JV_OK;
}

int jv_max_chars(const char *s, const char *key, size_t max, field_err *err)
{
    if (utf8_count(s, strlen(s)) > max)
        return jv_fail(err, "%s must be at most %zu characters", key, max);
    return JV_OK;
}
