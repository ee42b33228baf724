#ifndef ATTENDLY_CORE_BASE64_H
#define ATTENDLY_CORE_BASE64_H
/* Base64 (RFC 4648). Decoding accepts the standard and the URL-safe alphabet (even mixed),
 * optional padding and ignores ASCII whitespace; any other character is an error. */
#include <stddef.h>

/* Decodes in[0..len) into a malloc'd buffer (*out, *out_len; *out is never NULL on
 * success, even for an empty result). Returns 0, or -1 on a bad character or length. */
int base64_decode(const char *in, size_t len, unsigned char **out, size_t *out_len);

/* Encodes into a malloc'd NUL-terminated string; url_safe selects -_ and no padding. */
char *base64_encode(const void *data, size_t len, int url_safe);

/* For data URLs: when s starts with "data:", returns the part after the first ','
 * (or NULL when there is none); otherwise returns s. */
const char *base64_strip_data_url(const char *s);

#endif
