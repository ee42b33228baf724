#ifndef ATTENDLY_HTTP_SERVER_H
#define ATTENDLY_HTTP_SERVER_H
/* The HTTP server: libmicrohttpd with one thread per connection, running the checks of
 * API.md §1.5 steps 1-3 (size, routing, authentication) before a route's handler. */
#include <stddef.h>

#include "core/config.h"

typedef struct http_server http_server;

/* Binds cfg->host:cfg->port (port 0 = any free port) and starts serving. */
http_server *http_server_start(const config *cfg, char *err, size_t errlen);
/* The bound port (useful with port 0). */
int http_server_port(const http_server *s);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then stops. */
void http_server_stop(http_server *s, int grace_ms);

#endif
