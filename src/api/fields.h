#ifndef ATTENDLY_API_FIELDS_H
#define ATTENDLY_API_FIELDS_H
/* Reading string fields when an endpoint's documented check order differs from the
 * generic jv_* getters (core/jsonv.h), e.g. signup checks every field's presence before
 * any format rule, and length before U+0000. A field is read into a view of the jansson
 * string (with its length, since JSON strings may hold U+0000), then the endpoint applies
 * its rules in its own order. */
#include <jansson.h>
#include <stddef.h>

typedef struct api_text {
    const char *p;   /* borrowed from the JSON value; not NUL-terminated when trimmed */
    size_t n;        /* bytes */
} api_text;

enum api_field {
    AF_OK = 0,
    AF_ABSENT,       /* key not in the object */
    AF_NULL,         /* JSON null */
    AF_BLANK,        /* "" (or blank after trimming, when trimming) */
    AF_NOT_STRING    /* another JSON type */
};

/* Reads obj[key]; with trim, ASCII whitespace is removed from both ends (API.md §1.3). */
enum api_field api_field_text(const json_t *obj, const char *key, int trim, api_text *out);

size_t api_text_chars(api_text t);          /* Unicode code points */
int api_text_has_nul(api_text t);           /* 1 when it contains U+0000 */
int api_text_equals(api_text t, const char *s);
char *api_text_dup(api_text t);             /* malloc'd, NUL-terminated; NULL on OOM */
/* Trimmed, ASCII-lowercased copy (emails). */
char *api_text_dup_lower(api_text t);

/* The signup email rule (§3.1) on an already trimmed, lowercased value:
 * ^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$ and at most 254 characters. */
int api_email_valid(const char *s, size_t n);

#endif
