#ifndef ATTENDLY_HTTP_REQUEST_H
#define ATTENDLY_HTTP_REQUEST_H
/* What a route handler sees of the HTTP exchange. The server fills an http_request,
 * the handler fills an http_reply; neither exposes libmicrohttpd. */
#include <jansson.h>
#include <stddef.h>

typedef struct http_request http_request;
typedef struct http_reply http_reply;

const char *req_method(const http_request *r);      /* as sent; HEAD is routed as GET */
const char *req_path(const http_request *r);
const char *req_route(const http_request *r);       /* matched template, e.g. /api/classes/{id} */
const char *req_request_id(const http_request *r);
const char *req_client_addr(const http_request *r); /* TCP peer, or X-Forwarded-For[0] with TRUST_PROXY */
const char *req_header(const http_request *r, const char *name);  /* case-insensitive; NULL if absent */
/* 1 when the client's Accept-Encoding allows `coding` (e.g. "gzip") with a weight above 0. */
int req_accepts_encoding(const http_request *r, const char *coding);
/* Query parameter value; NULL when absent ("" when present but empty). */
const char *req_query(const http_request *r, const char *name);
/* The n-th {id} path parameter (0-based), already checked to be 1..18 digits. */
long long req_path_id(const http_request *r, int n);
const char *req_body(const http_request *r, size_t *len);  /* raw bytes (may be NULL, len 0) */

/* Parses the body per API.md §1.2: empty → {}, invalid JSON/UTF-8 → 400 "Invalid JSON body",
 * non-object → 400 "Request body must be a JSON object" (reply already set, returns NULL).
 * The returned object is owned by the request (freed after the handler). */
json_t *req_json_body(http_request *r, http_reply *rep);

/* Replies. The last call wins. Bodies passed in are taken over (freed by the server). */
void reply_json(http_reply *rep, int status, json_t *body);          /* steals body */
void reply_error(http_reply *rep, int status, const char *message);  /* {"error": message} */
/* 500 {"error":"Internal server error","request_id":...}; `details` added only with
 * ATTENDLY_DEBUG=1 and logged at error level otherwise (never sent). */
void reply_internal_error(http_reply *rep, const http_request *r, const char *details);
void reply_bytes(http_reply *rep, int status, const char *content_type, void *data, size_t len); /* steals malloc'd data */
/* Like reply_bytes for data that lives as long as the process (embedded files): sent
 * without a copy. */
void reply_static(http_reply *rep, int status, const char *content_type, const void *data,
                  size_t len);
void reply_header(http_reply *rep, const char *name, const char *value); /* extra header, copied */
int reply_status(const http_reply *rep);

#endif
