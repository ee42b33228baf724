/* The consent text and its version (see consent.h). Loaded once before the server
 * starts; until then (tools, tests) the built-in text is in force. */
#include "api/face/consent.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "store/consent.h"

static const char BUILTIN_TEXT[] =
    "I agree that this school may store a numerical description of my face, computed from "
    "photos I upload, and use it only to record my attendance in the classes I am enrolled "
    "in. My photos are not shared with anyone else. I can withdraw this consent at any "
    "time; my face data is then deleted at once, and I can still be marked present in "
    "other ways.\n";

static char *g_text;                       /* NULL: the built-in text */
static char g_version[STORE_CONSENT_VERSION_MAX];

static void set_version(const unsigned char *bytes, size_t n)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[crypto_hash_sha256_BYTES * 2 + 1];

    crypto_hash_sha256(h, bytes, n);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(g_version, sizeof g_version, "%.12s", hex);
}

static int fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "FACE_CONSENT_TEXT_FILE %s: %s", path, why);
    return -1;
}

int api_consent_load(const char *path, char *err, size_t errlen)
{
    char *buf;
    size_t n;
    FILE *f;

    if (!path || !*path) {
        free(g_text);
        g_text = NULL;
        set_version((const unsigned char *)BUILTIN_TEXT, strlen(BUILTIN_TEXT));
        return 0;
    }
    if (!(f = fopen(path, "rb")))
        return fail(err, errlen, path, "cannot be read");
    buf = malloc(API_CONSENT_TEXT_MAX + 2);
    n = buf ? fread(buf, 1, API_CONSENT_TEXT_MAX + 1, f) : 0;
    fclose(f);
    if (!buf)
        return fail(err, errlen, path, "out of memory");
    buf[n] = '\0';
    json_t *probe = json_stringn(buf, n);   /* jansson accepts valid UTF-8 only */
    const char *why = n > API_CONSENT_TEXT_MAX ? "larger than 64 KiB"
                      : n == 0                 ? "is empty"
                      : !probe                 ? "is not UTF-8 text"
                      : memchr(buf, '\0', n)   ? "contains a NUL byte"
                                               : NULL;
    json_decref(probe);
    if (why) {
        free(buf);
        return fail(err, errlen, path, why);
    }
    free(g_text);
    g_text = buf;
    set_version((const unsigned char *)buf, n);
    return 0;
}

const char *api_consent_text(void)
{
    return g_text ? g_text : BUILTIN_TEXT;
}

const char *api_consent_version(void)
{
    if (!g_version[0])
        set_version((const unsigned char *)BUILTIN_TEXT, strlen(BUILTIN_TEXT));
    return g_version;
}

const char *api_consent_required_version(void)
{
    return g_config.face_consent_required ? api_consent_version() : NULL;
}

const char *api_consent_status(int has_row, int withdrawn, const char *given_version)
{
    if (has_row && withdrawn)
        return "withdrawn";
    if (has_row && given_version && strcmp(given_version, api_consent_version()) == 0)
        return "given";
    return "none";
}
