#ifndef ATTENDLY_API_FIELDS_H
#define ATTENDLY_API_FIELDS_H
/* Reading string fields when an endpoint's documented check order differs from the
 * generic jv_* getters (core/jsonv.h), e.g. signup checks every field's presence before
 * any format rule, and length before U+0000. A field is read into a view of the jansson
 * string (with its length, since JSON strings may hold U+0000), then the endpoint applies
 * its rules in its own order. */
#include <jansson.h>
#include <stddef.h>

#include "api/api.h"

/* Limits of API.md §1.3, in code points. */
#define API_NAME_MAX_CHARS 80
#define API_PASSWORD_MIN_CHARS 8
#define API_PASSWORD_MAX_CHARS 128
#define API_CLASS_NAME_MAX_CHARS 200
#define API_DESCRIPTION_MAX_CHARS 2000

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

/* Replies 400 with fmt (one %s, the field name) and returns -1. */
int api_field_error(api_ctx *ctx, const char *fmt, const char *key);

/* The generic string rules, in the order §3.1 and §3.7 give them: over max_chars →
 * 400 "<key> must be at most <max> characters", then U+0000 → 400 "<key> contains
 * invalid characters". 0, or -1 with the reply set. */
int api_text_rules(api_ctx *ctx, const char *key, api_text t, size_t max_chars);

/* The length rule of §3.8's new_password (also §12.3 reset-password): 0, or -1 with the
 * 400 reply set. */
int api_new_password_length(api_ctx *ctx, api_text next);

/* The signup email rule (§3.1) on an already trimmed, lowercased value:
 * ^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$ and at most 254 characters. */
int api_email_valid(const char *s, size_t n);

#endif
