#ifndef ATTENDLY_API_PAGINATION_H
#define ATTENDLY_API_PAGINATION_H
/* ?limit= and ?offset= of list endpoints (API.md §1.8, clarification 10). */
#include <stdint.h>
#include "api/api.h"

#define API_PAGE_DEFAULT_LIMIT 200
#define API_PAGE_MAX_LIMIT 1000

typedef struct api_page {
    int64_t limit;
    int64_t offset;
} api_page;

/* Pure parsers; `s` is the raw query value (NULL = absent, giving the default).
 * Plain decimal with an optional leading '+'; leading zeros allowed. Return 0 or -1. */
int api_page_parse_limit(const char *s, int64_t *out);
/* Offsets too large for 64 bits are clamped (they select nothing anyway). */
int api_page_parse_offset(const char *s, int64_t *out);

/* Any other integer query parameter: an optional sign, then decimal digits, within 64
 * bits (API.md §1.3 "integer"). 0, or -1 when s is not one. */
int api_query_int(const char *s, int64_t *out);

/* Reads both from the request; on a bad value replies 400 with the §1.8 message and
 * returns -1. `limit` is checked before `offset`. */
int api_page_from_request(api_ctx *ctx, api_page *out);

#endif
