/* HTTP client for tests (client.h). */
#include "common/client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

typedef struct buf {
    char *p;
    size_t len;
} buf;

typedef struct upload {
    const char *p;
    size_t len, off;
} upload;

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    char *p = realloc(b->p, b->len + add + 1);
    if (!p)
        return 0;
    memcpy(p + b->len, ptr, add);
    b->p = p;
    b->len += add;
    b->p[b->len] = '\0';
    return add;
}

/* Keeps only the last header block (after a 100 Continue there are two). */
static size_t on_header(char *ptr, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    if (n * size > 5 && strncmp(ptr, "HTTP/", 5) == 0)
        b->len = 0;
    return on_data(ptr, size, n, ud);
}

static size_t on_read(char *ptr, size_t size, size_t n, void *ud)
{
    upload *u = ud;
    size_t want = size * n, left = u->len - u->off;
    if (want > left)
        want = left;
    if (want > 65536)
        want = 65536; /* several chunks */
    memcpy(ptr, u->p + u->off, want);
    u->off += want;
    return want;
}

int http_call(const test_server *s, const char *method, const char *path, const char *body,
                 size_t body_len, const http_opts *o, http_resp *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[2048], auth[4096];
    snprintf(url, sizeof url, "%s%s", s->base_url, path);
    buf bbody = {0}, bhdr = {0};
    upload up = {body, body_len, 0};
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    if (o && o->headers)
        for (int i = 0; o->headers[i]; i++)
            hl = curl_slist_append(hl, o->headers[i]);
    if (o && o->bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->bearer);
        hl = curl_slist_append(hl, auth);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bbody);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &bhdr);
    if (s->ca_file[0]) /* verification stays on: only the trusted certificate changes */
        curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (o && o->chunked) {
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else {
        if (body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        }
        if (strcmp(method, "GET") != 0 || body)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    /* A server that answers early (413) and closes may make the upload fail after the
     * response arrived; the response is what the test wants. */
    if (rc != CURLE_OK && out->status == 0) {
        free(bbody.p);
        free(bhdr.p);
        return -1;
    }
    out->body = bbody.p ? bbody.p : calloc(1, 1);
    out->len = bbody.len;
    out->headers = bhdr.p ? bhdr.p : calloc(1, 1);
    out->headers_len = bhdr.len;
    out->json = out->len ? json_loadb(out->body, out->len, JSON_DECODE_ANY, NULL) : NULL;
    return 0;
}

int http_get(const test_server *s, const char *path, const char *bearer, http_resp *out)
{
    http_opts o = {.bearer = bearer};
    return http_call(s, "GET", path, NULL, 0, &o, out);
}

int http_post_json(const test_server *s, const char *path, const char *json, const char *bearer,
                   http_resp *out)
{
    static const char *const hdrs[] = {"Content-Type: application/json", NULL};
    http_opts o = {.headers = hdrs, .bearer = bearer};
    return http_call(s, "POST", path, json, json ? strlen(json) : 0, &o, out);
}

void http_resp_free(http_resp *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

const char *http_header(const http_resp *r, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    const char *p = r->headers;
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        if (linelen > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vl = linelen - (size_t)(v - p);
            if (vl >= size)
                vl = size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return out;
        }
        p = eol ? eol + 2 : NULL;
    }
    return NULL;
}

long http_raw(int port, const char *req, size_t len, char *out, size_t outlen, int timeout_ms,
              int *closed)
{
    *closed = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left = timeout_ms - ((t1.tv_sec - t0.tv_sec) * 1000 +
                                  (t1.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        ssize_t n = recv(fd, out + got, outlen - 1 - got, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            *closed = 1;
            break;
        }
        if (n < 0)
            break;
        got += (size_t)n;
        if (got >= outlen - 1)
            break;
    }
    out[got] = '\0';
    close(fd);
    return (long)got;
}

void expect_status(const http_resp *r, long status)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld; body: %.300s", r->status, status,
                 r->body ? r->body : "");
}

void expect_error(const http_resp *r, long status, const char *msg)
{
    char ct[128];
    expect_status(r, status);
    if (!http_header(r, "Content-Type", ct, sizeof ct) || strncmp(ct, "application/json", 16))
        fail_msg("Content-Type of a %ld reply is not JSON", status);
    if (!json_is_object(r->json))
        fail_msg("body is not a JSON object: %.300s", r->body);
    assert_string_equal(json_str(r->json, "error"), msg);
}

void expect_token_error(const http_resp *r, const char *msg)
{
    expect_error(r, 401, msg);
    assert_string_equal(json_str(r->json, "msg"), msg);
}

const char *json_str(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("\"%s\" is not a string", key);
    return json_string_value(v);
}

long long json_int(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("\"%s\" is not an integer", key);
    return json_integer_value(v);
}
