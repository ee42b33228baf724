#ifndef ATTENDLY_HTTP_INTERNAL_H
#define ATTENDLY_HTTP_INTERNAL_H
/* The HTTP layer's private view of a request and its reply (request.h is the public one). */
#include <jansson.h>
#include <stddef.h>

#include "http/request.h"

struct MHD_Connection;

#define HTTP_MAX_IDS 4
#define HTTP_MAX_EXTRA_HEADERS 16

struct http_request {
    struct MHD_Connection *conn;
    char method[16];
    char *path;                    /* decoded path, without the query string */
    const char *route;             /* matched template or NULL */
    long long ids[HTTP_MAX_IDS];
    int n_ids;
    char request_id[65];
    char client_addr[64];
    char *body;
    size_t body_len, body_cap;
    json_t *json;                  /* parsed body, owned here */
};

struct http_reply {
    int status;
    char *body;                    /* malloc'd */
    const void *static_body;       /* or data that outlives the server (reply_static) */
    size_t len;
    char content_type[96];
    int n_headers;
    char *header_names[HTTP_MAX_EXTRA_HEADERS];
    char *header_values[HTTP_MAX_EXTRA_HEADERS];
};

void http_request_free(http_request *r);
void http_reply_free(http_reply *rep);
/* Generates a request id (24 hex characters) or keeps a valid client-sent one. */
void http_request_id(const char *sent, char out[65]);

#endif
