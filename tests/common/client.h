#ifndef ATTENDLY_TESTS_CLIENT_H
#define ATTENDLY_TESTS_CLIENT_H
/* HTTP client for tests (libcurl) plus small cmocka assertions on JSON replies. */
#include <jansson.h>
#include <stddef.h>

#include "common/server.h"

typedef struct http_resp {
    long status;
    char *body;          /* NUL-terminated, may hold NULs */
    size_t len;
    json_t *json;        /* parsed body when it is JSON, else NULL */
    char *headers;       /* raw header block of the final response */
    size_t headers_len;
} http_resp;

typedef struct http_opts {
    const char *const *headers; /* NULL-terminated "Name: value" lines */
    const char *bearer;         /* adds "Authorization: Bearer <bearer>" */
    int chunked;                /* send the body with Transfer-Encoding: chunked */
} http_opts;

/* One request; body may be NULL. Returns 0 when a response arrived, -1 otherwise. */
int http_call(const test_server *s, const char *method, const char *path, const char *body,
                 size_t body_len, const http_opts *o, http_resp *out);
/* Shorthands; bearer may be NULL. JSON bodies are sent as application/json. */
int http_get(const test_server *s, const char *path, const char *bearer, http_resp *out);
int http_post_json(const test_server *s, const char *path, const char *json, const char *bearer,
                   http_resp *out);
void http_resp_free(http_resp *r);

/* Value of a response header (case-insensitive name) copied into buf; NULL if absent. */
const char *http_header(const http_resp *r, const char *name, char *buf, size_t size);

/* Raw bytes on a new loopback connection; reads the reply until the server closes or
 * timeout_ms passes. *closed = 1 when the server closed the connection. Returns bytes read
 * or -1. */
long http_raw(int port, const char *req, size_t len, char *out, size_t outlen, int timeout_ms,
              int *closed);

/* cmocka assertions. */
void expect_status(const http_resp *r, long status);
/* status, Content-Type application/json, and "error" == msg. */
void expect_error(const http_resp *r, long status, const char *msg);
/* 401 with both "error" and "msg" == msg (API.md §1.6). */
void expect_token_error(const http_resp *r, const char *msg);
/* The string member key of o (fails when absent or not a string). */
const char *json_str(const json_t *o, const char *key);
/* The integer member key of o (fails when absent or not an integer). */
long long json_int(const json_t *o, const char *key);

#endif
