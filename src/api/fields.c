/* String-field views with explicit lengths; see fields.h for why they exist. */
#include "api/fields.h"

#include "core/jsonv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

enum api_field api_field_text(const json_t *obj, const char *key, int trim, api_text *out)
{
    const json_t *v = json_object_get(obj, key);
    const char *p;
    size_t n;

    out->p = "";
    out->n = 0;
    if (!v)
        return AF_ABSENT;
    if (json_is_null(v))
        return AF_NULL;
    if (!json_is_string(v))
        return AF_NOT_STRING;
    p = json_string_value(v);
    n = json_string_length(v);
    if (trim) {
        while (n > 0 && is_space(*p)) {
            p++;
            n--;
        }
        while (n > 0 && is_space(p[n - 1]))
            n--;
    }
    out->p = p;
    out->n = n;
    return n == 0 ? AF_BLANK : AF_OK;
}

size_t api_text_chars(api_text t)
{
    return utf8_count(t.p, t.n);
}

int api_text_has_nul(api_text t)
{
    return memchr(t.p, '\0', t.n) != NULL;
}

int api_text_equals(api_text t, const char *s)
{
    size_t n = strlen(s);
    return n == t.n && memcmp(t.p, s, n) == 0;
}

char *api_text_dup(api_text t)
{
    char *s = malloc(t.n + 1);

    if (!s)
        return NULL;
    memcpy(s, t.p, t.n);
    s[t.n] = '\0';
    return s;
}

char *api_text_dup_lower(api_text t)
{
    char *s = api_text_dup(t);

    if (s)
        str_ascii_lower(s);
    return s;
}

int api_field_error(api_ctx *ctx, const char *fmt, const char *key)
{
    char msg[128];

    snprintf(msg, sizeof msg, fmt, key);
    reply_error(ctx->rep, 400, msg);
    return -1;
}

int api_text_rules(api_ctx *ctx, const char *key, api_text t, size_t max_chars)
{
    char msg[128];

    if (api_text_chars(t) > max_chars)
        snprintf(msg, sizeof msg, "%s must be at most %zu characters", key, max_chars);
    else if (api_text_has_nul(t))
        snprintf(msg, sizeof msg, "%s contains invalid characters", key);
    else
        return 0;
    reply_error(ctx->rep, 400, msg);
    return -1;
}

static int is_lower_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static int local_char(char ch)
{
    return is_lower_alnum(ch) || ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-';
}

static int domain_char(char ch)
{
    return is_lower_alnum(ch) || ch == '.' || ch == '-';
}

int api_email_valid(const char *s, size_t n)
{
    const char *at, *dot;
    size_t local_n, domain_n, tld_n;

    if (n == 0 || n > 254)
        return 0;
    at = memchr(s, '@', n);
    if (!at)
        return 0;
    local_n = (size_t)(at - s);
    domain_n = n - local_n - 1;
    if (local_n == 0 || domain_n == 0)
        return 0;
    for (size_t i = 0; i < local_n; i++)
        if (!local_char(s[i]))
            return 0;
    for (size_t i = 0; i < domain_n; i++)
        if (!domain_char(at[1 + i]))
            return 0;
    /* The regex's "[a-z0-9.-]+\.[a-z]{2,}$": the final label follows the last dot (it
     * cannot hold one), has two or more letters, and something precedes that dot. */
    dot = NULL;
    for (size_t i = 0; i < domain_n; i++)
        if (at[1 + i] == '.')
            dot = at + 1 + i;
    if (!dot || dot == at + 1)
        return 0;
    tld_n = (size_t)(s + n - dot - 1);
    if (tld_n < 2)
        return 0;
    for (size_t i = 0; i < tld_n; i++)
        if (dot[1 + i] < 'a' || dot[1 + i] > 'z')
            return 0;
    return 1;
}

int api_new_password_length(api_ctx *ctx, api_text next)
{
    size_t n = api_text_chars(next);

    if (n >= API_PASSWORD_MIN_CHARS && n <= API_PASSWORD_MAX_CHARS)
        return 0;
    reply_error(ctx->rep, 400, n < API_PASSWORD_MIN_CHARS
                ? "New password must be at least 8 characters long"
                : "New password must be at most 128 characters long");
    return -1;
}
