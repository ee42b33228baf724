#ifndef ATTENDLY_CORE_JSONLOAD_H
#define ATTENDLY_CORE_JSONLOAD_H
/* Parsing request bodies so that a number out of range is a field error, not a syntax
 * error (API.md §1.3). jansson refuses an integer beyond int64 and a real beyond double
 * (json_error_numeric_overflow) and fails the whole text; here such a text is parsed
 * again with those numbers rewritten:
 *   - an integer beyond int64 becomes a real of its value (so "must be an integer" for an
 *     integer field, and still the right number for a number field);
 *   - a number beyond double (1e400, or an integer of 309+ digits) becomes the real
 *     +-1e308, which every number field's range check refuses.
 * Integers within int64 stay exact integers, and text that is not JSON stays an error. */
#include <jansson.h>
#include <stddef.h>

json_t *jsonload_tolerant(const char *buf, size_t len, size_t flags, json_error_t *err);

#endif
