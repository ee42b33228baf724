#ifndef ATTENDLY_HTTP_SERVER_H
#define ATTENDLY_HTTP_SERVER_H
/* The HTTP server: libmicrohttpd with one thread per connection, running the checks of
 * API.md §1.5 steps 1-3 (size, routing, authentication) before a route's handler. */
#include <stddef.h>

#include "core/config.h"
#include "http/request.h"
#include "http/router.h"

typedef struct http_server http_server;

/* The application behind the server: its routes, and the function that runs a matched
 * route (authentication, the handler, releasing what the handler took). `route` is the
 * matched entry of `routes`. A dispatch that leaves the reply unset gets a 500. */
typedef struct http_app {
    http_route_table routes;
    void (*dispatch)(const http_route *route, http_request *req, http_reply *rep);
} http_app;

/* Binds cfg->host:cfg->port (port 0 = any free port) and serves `app`, which must
 * outlive the server. With cfg->tls_cert_file set it speaks HTTPS only, with the
 * certificate and key of cfg->tls_cert_file / tls_key_file (checked first: a bad file is
 * refused with a reason in err), and every reply carries Strict-Transport-Security. */
http_server *http_server_start(const config *cfg, const http_app *app, char *err,
                               size_t errlen);
/* The bound port (useful with port 0). */
int http_server_port(const http_server *s);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. */
void http_server_stop(http_server *s, int grace_ms);

#endif
