/* The interactive API reference (API.md §8.4): GET /api/docs is a page on which Redoc
 * renders GET /api/openapi.json; GET /api/docs/redoc.standalone.js is Redoc's bundle.
 * Both are embedded (core/embedded.h), so the page needs no other origin, and it has no
 * inline script, so the Content-Security-Policy below can forbid both. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "core/embedded.h"

/* style-src 'unsafe-inline': Redoc (styled-components) injects <style> elements.
 * worker-src blob: Redoc's search index runs in a Worker created from a Blob URL.
 * img-src data: Redoc's icons are data: URLs; so is the page's empty favicon. */
#define DOCS_CSP                                                                           \
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "            \
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; "         \
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/* The bundle's URL carries its content hash (?v=), so a browser may keep it for good;
 * any other URL of it gets a short max-age and is revalidated by ETag. */
#define CACHE_VERSIONED "public, max-age=31536000, immutable"
#define CACHE_UNVERSIONED "public, max-age=300"

#define PAGE_FMT                                                                           \
    "<!DOCTYPE html>\n"                                                                    \
    "<html lang=\"en\">\n"                                                                 \
    "<head>\n"                                                                             \
    "<meta charset=\"utf-8\">\n"                                                           \
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"           \
    "<title>Attendly API reference</title>\n"                                              \
    "<link rel=\"icon\" href=\"data:,\">\n"                                                \
    "</head>\n"                                                                            \
    "<body>\n"                                                                             \
    "<redoc spec-url=\"/api/openapi.json\"></redoc>\n"                                     \
    "<script src=\"/api/docs/redoc.standalone.js?v=%s\"></script>\n"                       \
    "</body>\n"                                                                            \
    "</html>\n"

#define HASH_HEX 16 /* the first 8 bytes of the bundle's SHA-256 */

static char g_hash[HASH_HEX + 1];
static char g_quoted[HASH_HEX + 3];
/* Weak: the gzip and identity representations share it (RFC 9110 §8.8.1). */
static char g_etag[HASH_HEX + 5];
static char g_page[sizeof PAGE_FMT + HASH_HEX];
static size_t g_page_len;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static const struct embedded_file *bundle(int gzip)
{
    return &embedded_docs[gzip ? 1 : 0];
}

static void init_once(void)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    const struct embedded_file *f = bundle(0);
    if (sodium_init() < 0 ||
        crypto_hash_sha256(h, (const unsigned char *)f->data, f->len) != 0)
        return;
    sodium_bin2hex(g_hash, sizeof g_hash, h, HASH_HEX / 2);
    snprintf(g_quoted, sizeof g_quoted, "\"%s\"", g_hash);
    snprintf(g_etag, sizeof g_etag, "W/%s", g_quoted);
    int n = snprintf(g_page, sizeof g_page, PAGE_FMT, g_hash);
    g_page_len = n > 0 && (size_t)n < sizeof g_page ? (size_t)n : 0;
}

static int ready(api_ctx *ctx)
{
    pthread_once(&g_once, init_once);
    if (g_page_len == 0) {
        reply_internal_error(ctx->rep, ctx->req, "API reference assets unavailable");
        return 0;
    }
    return 1;
}

static void security_headers(http_reply *rep)
{
    reply_header(rep, "Content-Security-Policy", DOCS_CSP);
    reply_header(rep, "X-Content-Type-Options", "nosniff");
    reply_header(rep, "Referrer-Policy", "no-referrer");
}

void api_docs_page(api_ctx *ctx)
{
    if (!ready(ctx))
        return;
    reply_static(ctx->rep, 200, "text/html; charset=utf-8", g_page, g_page_len);
    reply_header(ctx->rep, "Cache-Control", "no-cache");
    security_headers(ctx->rep);
}

/* An If-None-Match list ("a", W/"b" or *) naming our ETag (weak comparison). */
static int etag_matches(const char *inm)
{
    return inm && (strcmp(inm, "*") == 0 || strstr(inm, g_quoted) != NULL);
}

void api_docs_redoc(api_ctx *ctx)
{
    if (!ready(ctx))
        return;
    const char *v = req_query(ctx->req, "v");
    int versioned = v && strcmp(v, g_hash) == 0;
    if (etag_matches(req_header(ctx->req, "If-None-Match"))) {
        reply_static(ctx->rep, 304, NULL, NULL, 0);
    } else {
        int gzip = req_accepts_encoding(ctx->req, "gzip");
        const struct embedded_file *f = bundle(gzip);
        reply_static(ctx->rep, 200, "text/javascript; charset=utf-8", f->data, f->len);
        if (gzip)
            reply_header(ctx->rep, "Content-Encoding", "gzip");
    }
    reply_header(ctx->rep, "ETag", g_etag);
    reply_header(ctx->rep, "Vary", "Accept-Encoding");
    reply_header(ctx->rep, "Cache-Control", versioned ? CACHE_VERSIONED : CACHE_UNVERSIONED);
    security_headers(ctx->rep);
}
