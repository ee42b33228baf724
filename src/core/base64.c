/* Base64 encoding and tolerant-but-strict decoding (see base64.h). */
#include "core/base64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char STD[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int base64_decode(const char *in, size_t len, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    unsigned char *buf = malloc(len / 4 * 3 + 3);
    if (!buf)
        return -1;
    size_t n = 0, digits = 0, pad = 0;
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = sextet(c);
        if (v < 0 || pad > 0) /* data after padding is malformed */
            goto bad;
        acc = (acc << 6) | (uint32_t)v;
        if (++digits % 4 == 0) {
            buf[n++] = (unsigned char)(acc >> 16);
            buf[n++] = (unsigned char)(acc >> 8);
            buf[n++] = (unsigned char)acc;
            acc = 0;
        }
    }
    switch (digits % 4) {
    case 0:
        if (pad != 0)
            goto bad;
        break;
    case 1:
        goto bad; /* 6 bits cannot form a byte */
    case 2:
        if (pad != 0 && pad != 2)
            goto bad;
        buf[n++] = (unsigned char)(acc >> 4);
        break;
    case 3:
        if (pad != 0 && pad != 1)
            goto bad;
        buf[n++] = (unsigned char)(acc >> 10);
        buf[n++] = (unsigned char)(acc >> 2);
        break;
    }
    *out = buf;
    *out_len = n;
    return 0;
bad:
    free(buf);
    return -1;
}

char *base64_encode(const void *data, size_t len, int url_safe)
{
    const unsigned char *p = data;
    const char *alpha = url_safe ? URL : STD;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = alpha[(v >> 6) & 63];
        else if (!url_safe)
            out[o++] = '=';
        if (!url_safe)
            out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

const char *base64_strip_data_url(const char *s)
{
    if (strncmp(s, "data:", 5) != 0)
        return s;
    const char *comma = strchr(s, ',');
    return comma ? comma + 1 : NULL;
}
