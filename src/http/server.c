/* The HTTP server on libmicrohttpd (thread per connection).
 *
 * libmicrohttpd is used directly rather than through ulfius: ulfius silently truncates a
 * body above its limit and gives no way to answer 413 from the headers alone, which
 * API.md §1.2 requires ("this check comes before every other check").
 *
 * Per request: size (413) -> CORS preflight (OPTIONS, any path) -> routing (404/405) ->
 * the application's dispatch (authentication, handler). Every reply gets X-Request-Id
 * and the CORS headers; one access-log line and the metrics are written when the
 * exchange completes. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/tls.h"
#include "http/cors.h"
#include "http/internal.h"
#include "http/metrics.h"
#include "http/router.h"

#define BODY_INITIAL_CAP (16 * 1024)
/* With TLS on, browsers are told to use HTTPS only for this host for a year. */
#define HSTS_VALUE "max-age=31536000"

struct http_server {
    struct MHD_Daemon *daemon;
    const config *cfg;
    const http_app *app;
    int port;
    atomic_int in_flight;
    tls_pem tls; /* cert and key given to the daemon; empty without TLS */
};

typedef struct exchange {
    http_request req;
    http_reply rep;
    struct timespec start;
    int answered;     /* a response was queued */
    int too_large;
} exchange;

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- request set-up ------------------------------------------------------------------ */

static int plausible_addr(const char *s, size_t n)
{
    return n > 0 && n < 64 && strspn(s, "0123456789abcdefABCDEF.:") >= n;
}

static void client_addr(const http_server *s, exchange *ex)
{
    http_request *r = &ex->req;
    snprintf(r->client_addr, sizeof r->client_addr, "unknown");
    if (s->cfg->trust_proxy) {
        const char *xff = req_header(r, "X-Forwarded-For");
        if (xff) {
            xff += strspn(xff, " \t");
            size_t n = strcspn(xff, ", \t");
            if (plausible_addr(xff, n)) {
                memcpy(r->client_addr, xff, n);
                r->client_addr[n] = '\0';
                return;
            }
        }
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ci->client_addr;
        inet_ntop(AF_INET, &sin->sin_addr, r->client_addr, sizeof r->client_addr);
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ci->client_addr;
        inet_ntop(AF_INET6, &sin6->sin6_addr, r->client_addr, sizeof r->client_addr);
    }
}

static exchange *exchange_new(http_server *s, struct MHD_Connection *conn, const char *url,
                              const char *method)
{
    exchange *ex = calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &ex->start);
    ex->req.conn = conn;
    snprintf(ex->req.method, sizeof ex->req.method, "%s", method);
    ex->req.path = strdup(url ? url : "/");
    if (!ex->req.path) {
        free(ex);
        return NULL;
    }
    http_request_id(req_header(&ex->req, "X-Request-Id"), ex->req.request_id);
    client_addr(s, ex);
    return ex;
}

/* Content-Length above the limit: refuse before reading a byte of the body. */
static int declared_too_large(const http_request *r, size_t max)
{
    const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return 0;
    unsigned long long n = 0;
    for (; *cl >= '0' && *cl <= '9'; cl++) {
        if (n > (1ULL << 60))
            return 1;
        n = n * 10 + (unsigned long long)(*cl - '0');
    }
    return n > max;
}

static int body_append(http_request *r, const char *data, size_t n)
{
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : BODY_INITIAL_CAP;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *p = realloc(r->body, cap);
        if (!p)
            return -1;
        r->body = p;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

/* ---- the pipeline -------------------------------------------------------------------- */

static void run_route(http_server *s, exchange *ex, const router_match *m)
{
    memcpy(ex->req.ids, m->ids, sizeof m->ids);
    ex->req.n_ids = m->n_ids;
    s->app->dispatch(m->route, &ex->req, &ex->rep);
    if (ex->rep.status == 0)
        reply_internal_error(&ex->rep, &ex->req, "handler produced no reply");
}

static void run_pipeline(http_server *s, exchange *ex)
{
    http_request *r = &ex->req;
    router_match m;
    int rc = router_find(&s->app->routes, r->method, r->path, &m);
    r->route = m.route ? m.route->path : NULL; /* metrics/log label even for 405 */
    if (ex->too_large) {
        reply_error(&ex->rep, 413, "Request body too large");
        reply_header(&ex->rep, MHD_HTTP_HEADER_CONNECTION, "close");
        return;
    }
    if (strcmp(r->method, "OPTIONS") == 0) {
        cors_preflight(&ex->rep);
        return;
    }
    if (rc == ROUTER_NOT_FOUND) {
        reply_error(&ex->rep, 404, "Not found");
        return;
    }
    if (rc == ROUTER_BAD_METHOD) {
        reply_error(&ex->rep, 405, "Method not allowed");
        reply_header(&ex->rep, MHD_HTTP_HEADER_ALLOW, m.allow);
        return;
    }
    run_route(s, ex, &m);
}

static enum MHD_Result queue_reply(http_server *s, exchange *ex)
{
    http_reply *rep = &ex->rep;
    struct MHD_Response *resp =
        rep->static_body ? MHD_create_response_from_buffer(rep->len, (void *)rep->static_body,
                                                           MHD_RESPMEM_PERSISTENT)
        : rep->len ? MHD_create_response_from_buffer(rep->len, rep->body, MHD_RESPMEM_MUST_COPY)
                   : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (rep->content_type[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
    MHD_add_response_header(resp, "X-Request-Id", ex->req.request_id);
    if (s->tls.cert)
        MHD_add_response_header(resp, "Strict-Transport-Security", HSTS_VALUE);
    cors_headers(s->cfg, req_header(&ex->req, "Origin"), resp);
    for (int i = 0; i < rep->n_headers; i++)
        MHD_add_response_header(resp, rep->header_names[i], rep->header_values[i]);
    enum MHD_Result rc = MHD_queue_response(ex->req.conn, (unsigned)rep->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* Runs the pipeline and queues the reply. When libmicrohttpd refuses a response in the
 * middle of an upload (413 on a chunked body), the rest of the body is discarded and the
 * reply is queued once the upload ends. */
static enum MHD_Result respond(http_server *s, exchange *ex)
{
    http_reply_free(&ex->rep);
    memset(&ex->rep, 0, sizeof ex->rep);
    run_pipeline(s, ex);
    if (queue_reply(s, ex) == MHD_YES) {
        ex->answered = 1;
        /* Counted before the reply leaves: a client that reads /metrics right after a
         * response must already see it (the completion callback may run later). */
        metrics_http_observe(ex->req.method, ex->req.route ? ex->req.route : "unmatched",
                             ex->rep.status, elapsed_s(&ex->start));
        return MHD_YES;
    }
    return ex->too_large ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_server *s = cls;
    exchange *ex = *con_cls;
    if (!ex) {
        ex = exchange_new(s, conn, url, method);
        if (!ex)
            return MHD_NO;
        *con_cls = ex;
        atomic_fetch_add(&s->in_flight, 1);
        if (declared_too_large(&ex->req, s->cfg->max_body_bytes)) {
            ex->too_large = 1;
            return respond(s, ex);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (ex->answered || ex->too_large)
            return MHD_YES; /* discarding */
        if (ex->req.body_len + n > s->cfg->max_body_bytes) {
            ex->too_large = 1;
            free(ex->req.body);
            ex->req.body = NULL;
            ex->req.body_len = ex->req.body_cap = 0;
            return respond(s, ex);
        }
        return body_append(&ex->req, upload_data, n) == 0 ? MHD_YES : MHD_NO;
    }
    if (ex->answered)
        return MHD_YES;
    return respond(s, ex);
}

/* Log-safe copy of the path: printable ASCII only, bounded. */
static void log_path(const char *path, char *out, size_t size)
{
    size_t o = 0;
    for (; path && *path && o + 1 < size; path++)
        out[o++] = (*path > 0x20 && *path < 0x7f && *path != '"' && *path != '\\') ? *path : '?';
    out[o] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    exchange *ex = *con_cls;
    if (!ex)
        return;
    *con_cls = NULL;
    double secs = elapsed_s(&ex->start);
    const char *route = ex->req.route ? ex->req.route : "unmatched";
    char path[256];
    log_path(ex->req.path, path, sizeof path);
    log_info("request", "request_id=%s method=%s path=\"%s\" route=%s status=%d duration_ms=%.2f "
             "client=%s%s", ex->req.request_id, ex->req.method, path, route,
             ex->answered ? ex->rep.status : 0, secs * 1000.0, ex->req.client_addr,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    http_request_free(&ex->req);
    http_reply_free(&ex->rep);
    free(ex);
    atomic_fetch_sub(&s->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '"')
            *p = '\'';
    log_warn("http", "detail=\"%s\"", buf);
}

/* HTTPS when cfg names a certificate: the files are checked (core/tls.h) and kept in
 * s->tls for the daemon's lifetime. 0, or -1 with a reason. */
static int tls_setup(http_server *s, const config *cfg, char *err, size_t errlen)
{
    if (!cfg->tls_cert_file[0])
        return 0;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen, "TLS_CERT_FILE is set but this libmicrohttpd has no TLS support");
        return -1;
    }
    return tls_pem_load(cfg->tls_cert_file, cfg->tls_key_file, &s->tls, err, errlen);
}

http_server *http_server_start(const config *cfg, const http_app *app, char *err,
                               size_t errlen)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "HOST %s is not an IPv4 address", cfg->host);
        return NULL;
    }
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium initialisation failed");
        return NULL;
    }
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->app = app;
    atomic_init(&s->in_flight, 0);
    if (tls_setup(s, cfg, err, errlen) < 0) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls.cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls.key},
        {MHD_OPTION_END, 0, NULL}};
    if (s->tls.cert)
        flags |= MHD_USE_TLS;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_ARRAY, s->tls.cert ? tls_opts : &tls_opts[2],
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d", cfg->host, cfg->port);
        tls_pem_free(&s->tls);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : cfg->port;
    return s;
}

int http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s, int grace_ms)
{
    if (!s)
        return;
    MHD_socket ls = MHD_quiesce_daemon(s->daemon);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    for (int waited = 0; atomic_load(&s->in_flight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    tls_pem_free(&s->tls);
    free(s);
}
