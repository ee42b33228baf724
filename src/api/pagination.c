/* Pagination parameters shared by every list endpoint. */
#include "api/pagination.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Parses [+]digits into *out, saturating at INT64_MAX. -1 when not plain decimal.
 * A leading space is taken as the '+': form-style query decoding turns an unescaped
 * "?limit=+5" into " 5" before we see it. */
static int parse_decimal(const char *s, int64_t *out)
{
    int64_t v = 0;

    if (*s == '+' || *s == ' ')
        s++;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        int d;
        if (*s < '0' || *s > '9')
            return -1;
        d = *s - '0';
        v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d;
    }
    *out = v;
    return 0;
}

int api_page_parse_limit(const char *s, int64_t *out)
{
    int64_t v;

    if (!s) {
        *out = API_PAGE_DEFAULT_LIMIT;
        return 0;
    }
    if (parse_decimal(s, &v) < 0 || v < 1 || v > API_PAGE_MAX_LIMIT)
        return -1;
    *out = v;
    return 0;
}

int api_page_parse_offset(const char *s, int64_t *out)
{
    if (!s) {
        *out = 0;
        return 0;
    }
    return parse_decimal(s, out);
}

int api_page_from_request(api_ctx *ctx, api_page *out)
{
    if (api_page_parse_limit(req_query(ctx->req, "limit"), &out->limit) < 0) {
        reply_error(ctx->rep, 400, "limit must be an integer between 1 and 1000");
        return -1;
    }
    if (api_page_parse_offset(req_query(ctx->req, "offset"), &out->offset) < 0) {
        reply_error(ctx->rep, 400, "offset must be a non-negative integer");
        return -1;
    }
    return 0;
}

int api_query_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '\0')
        return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}
