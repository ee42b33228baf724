/* Range-tolerant JSON parsing (core/jsonload.h). The rewrite runs only after jansson has
 * reported a numeric overflow, so well-formed bodies cost one parse as before. */
#include "core/jsonload.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Chars that may make up a number token; a maximal run of them is one token in valid
 * JSON (numbers end at whitespace, ',', ']' or '}'). */
static int is_number_char(char c)
{
    return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* 1 when t[0..n) is a JSON number; *is_int when it has neither fraction nor exponent. */
static int number_grammar(const char *t, size_t n, int *is_int)
{
    size_t i = 0;
    if (i < n && t[i] == '-')
        i++;
    if (i < n && t[i] == '0')
        i++;
    else if (i < n && is_digit(t[i]))
        while (i < n && is_digit(t[i]))
            i++;
    else
        return 0;
    *is_int = i == n;
    if (i < n && t[i] == '.') {
        if (++i >= n || !is_digit(t[i]))
            return 0;
        while (i < n && is_digit(t[i]))
            i++;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        if (++i < n && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= n || !is_digit(t[i]))
            return 0;
        while (i < n && is_digit(t[i]))
            i++;
    }
    return i == n;
}

/* Whether the integer text t[0..n) (grammar already checked) fits int64. */
static int int_fits(const char *t, size_t n)
{
    int neg = t[0] == '-';
    const char *d = t + neg;
    size_t nd = n - (size_t)neg;
    const char *limit = neg ? "9223372036854775808" : "9223372036854775807";
    if (nd != 19)
        return nd < 19;
    return memcmp(d, limit, 19) <= 0;
}

/* Whether the number t[0..n) is beyond double. strtod needs a terminated copy. */
static int real_overflows(const char *t, size_t n, int *failed)
{
    char *s = malloc(n + 1);
    if (!s) {
        *failed = 1;
        return 0;
    }
    memcpy(s, t, n);
    s[n] = '\0';
    errno = 0;
    double v = strtod(s, NULL);
    free(s);
    return errno == ERANGE && isinf(v);
}

/* Appends the token t[0..n), rewritten as jsonload.h says. Never longer than the token
 * plus 2 bytes, and only for integers of 20+ chars: the output stays under len * 1.1. */
static int emit_number(const char *t, size_t n, char *out, size_t *o)
{
    int is_int = 0, failed = 0;
    if (!number_grammar(t, n, &is_int) || (is_int && int_fits(t, n))) {
        memcpy(out + *o, t, n);
        *o += n;
        return 0;
    }
    if (real_overflows(t, n, &failed)) {
        const char *cap = t[0] == '-' ? "-1e308" : "1e308";
        memcpy(out + *o, cap, strlen(cap));
        *o += strlen(cap);
        return 0;
    }
    memcpy(out + *o, t, n);
    *o += n;
    if (is_int) {
        memcpy(out + *o, "e0", 2);
        *o += 2;
    }
    return failed ? -1 : 0;
}

/* A copy of buf with its out-of-range numbers rewritten; strings are copied untouched. */
static char *rewrite_numbers(const char *buf, size_t len, size_t *out_len)
{
    char *out = malloc(len + len / 8 + 16);
    size_t i = 0, o = 0;
    int in_str = 0;
    if (!out)
        return NULL;
    while (i < len) {
        char c = buf[i];
        if (in_str || c == '"' || !is_number_char(c)) {
            out[o++] = c;
            i++;
            if (in_str && c == '\\' && i < len)
                out[o++] = buf[i++];
            else if (c == '"')
                in_str = !in_str;
            continue;
        }
        size_t j = i;
        while (j < len && is_number_char(buf[j]))
            j++;
        if (emit_number(buf + i, j - i, out, &o) < 0) {
            free(out);
            return NULL;
        }
        i = j;
    }
    *out_len = o;
    return out;
}

json_t *jsonload_tolerant(const char *buf, size_t len, size_t flags, json_error_t *err)
{
    json_error_t e;
    json_t *j = json_loadb(buf, len, flags, &e);
    if (j || json_error_code(&e) != json_error_numeric_overflow) {
        if (err)
            *err = e;
        return j;
    }
    size_t n = 0;
    char *fixed = rewrite_numbers(buf, len, &n);
    if (!fixed) {
        if (err)
            *err = e;
        return NULL;
    }
    j = json_loadb(fixed, n, flags, err);
    free(fixed);
    return j;
}
