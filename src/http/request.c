/* Accessors for handlers (request.h) and reply construction. */
#include "http/internal.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/jsonload.h"
#include "core/log.h"

/* Numbers are written with 15 significant digits so that a value rounded to 2 or 4
 * decimals prints as such (66.67, not 66.670000000000002). */
#define JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

const char *req_method(const http_request *r) { return r->method; }
const char *req_path(const http_request *r) { return r->path; }
const char *req_route(const http_request *r) { return r->route ? r->route : "unmatched"; }
const char *req_request_id(const http_request *r) { return r->request_id; }
const char *req_client_addr(const http_request *r) { return r->client_addr; }

const char *req_header(const http_request *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

/* Accept-Encoding (RFC 9110 §12.5.3): a comma-separated list of codings, each with an
 * optional ";q=" weight; q=0 refuses. An explicit entry wins over "*". */
int req_accepts_encoding(const http_request *r, const char *coding)
{
    const char *h = req_header(r, "Accept-Encoding");
    int star = 0;
    size_t clen = strlen(coding);
    while (h && *h) {
        h += strspn(h, " \t,");
        size_t n = strcspn(h, ";, \t");
        const char *end = h + strcspn(h, ",");
        const char *q = memchr(h, ';', (size_t)(end - h));
        double weight = 1.0;
        for (; q && q < end; q = memchr(q + 1, ';', (size_t)(end - q - 1))) {
            const char *p = q + 1 + strspn(q + 1, " \t");
            if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
                weight = strtod(p + 2, NULL);
        }
        if (n == clen && strncasecmp(h, coding, n) == 0)
            return weight > 0;
        if (n == 1 && h[0] == '*')
            star = weight > 0;
        h = end;
    }
    return star;
}

const char *req_query(const http_request *r, const char *name)
{
    const char *v = NULL;
    size_t vlen = 0;
    if (!r->conn || MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name,
                                                  strlen(name), &v, &vlen) != MHD_YES)
        return NULL;
    return v ? v : ""; /* "?limit" without '=' counts as present and empty */
}

long long req_path_id(const http_request *r, int n)
{
    return n >= 0 && n < r->n_ids ? r->ids[n] : -1;
}

const char *req_body(const http_request *r, size_t *len)
{
    *len = r->body_len;
    return r->body;
}

json_t *req_json_body(http_request *r, http_reply *rep)
{
    if (r->json)
        return r->json;
    if (r->body_len == 0) {
        r->json = json_object();
        return r->json;
    }
    /* JSON_ALLOW_NUL: a string holding U+0000 is valid JSON; the field validators answer
     * "<field> contains invalid characters" for it. jansson checks UTF-8 itself. A number
     * out of range is left to the field validators too (core/jsonload.h). */
    json_t *j = jsonload_tolerant(r->body, r->body_len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!j) {
        reply_error(rep, 400, "Invalid JSON body");
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(rep, 400, "Request body must be a JSON object");
        return NULL;
    }
    r->json = j;
    return j;
}

static void reply_set(http_reply *rep, int status, const char *ctype, char *body, size_t len)
{
    free(rep->body);
    rep->status = status;
    rep->body = body;
    rep->static_body = NULL;
    rep->len = len;
    snprintf(rep->content_type, sizeof rep->content_type, "%s", ctype ? ctype : "");
}

void reply_json(http_reply *rep, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_DUMP_FLAGS) : NULL;
    json_decref(body);
    if (!s) {
        reply_set(rep, 500, "application/json", strdup("{\"error\":\"Internal server error\"}"),
                  33);
        return;
    }
    reply_set(rep, status, "application/json", s, strlen(s));
}

void reply_error(http_reply *rep, int status, const char *message)
{
    reply_json(rep, status, json_pack("{s:s}", "error", message));
}

void reply_internal_error(http_reply *rep, const http_request *r, const char *details)
{
    json_t *b = json_pack("{s:s, s:s}", "error", "Internal server error", "request_id",
                          r->request_id);
    if (details && g_config.debug)
        json_object_set_new(b, "details", json_string(details));
    log_error("internal error", "request_id=%s route=%s details=\"%s\"", r->request_id,
              req_route(r), details ? details : "");
    reply_json(rep, 500, b);
}

void reply_bytes(http_reply *rep, int status, const char *content_type, void *data, size_t len)
{
    reply_set(rep, status, content_type, data, len);
}

void reply_static(http_reply *rep, int status, const char *content_type, const void *data,
                  size_t len)
{
    reply_set(rep, status, content_type, NULL, len);
    rep->static_body = data;
}

void reply_header(http_reply *rep, const char *name, const char *value)
{
    for (int i = 0; i < rep->n_headers; i++) {
        if (strcasecmp(rep->header_names[i], name) == 0) {
            char *v = strdup(value);
            if (v) {
                free(rep->header_values[i]);
                rep->header_values[i] = v;
            }
            return;
        }
    }
    if (rep->n_headers >= HTTP_MAX_EXTRA_HEADERS)
        return;
    char *n = strdup(name), *v = strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return;
    }
    rep->header_names[rep->n_headers] = n;
    rep->header_values[rep->n_headers] = v;
    rep->n_headers++;
}

int reply_status(const http_reply *rep)
{
    return rep->status;
}

void http_request_free(http_request *r)
{
    free(r->path);
    free(r->body);
    json_decref(r->json);
    r->path = r->body = NULL;
    r->json = NULL;
}

void http_reply_free(http_reply *rep)
{
    free(rep->body);
    for (int i = 0; i < rep->n_headers; i++) {
        free(rep->header_names[i]);
        free(rep->header_values[i]);
    }
    rep->body = NULL;
    rep->static_body = NULL;
    rep->n_headers = 0;
}

static int request_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

void http_request_id(const char *sent, char out[65])
{
    if (sent && request_id_ok(sent)) {
        memcpy(out, sent, strlen(sent) + 1);
        return;
    }
    /* 8 random bytes per thread and a 4-byte counter: unique without a getrandom(2) call
     * per request (a connection's thread serves all of its requests). A wrapped counter
     * draws a new prefix. */
    static _Thread_local unsigned char raw[12];
    static _Thread_local uint32_t seq;
    if (seq == 0)
        randombytes_buf(raw, 8);
    seq++;
    for (int i = 0; i < 4; i++)
        raw[8 + i] = (unsigned char)(seq >> (24 - 8 * i));
    sodium_bin2hex(out, 65, raw, sizeof raw);
}
