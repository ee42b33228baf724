#ifndef ATTENDLY_TESTS_NGINX_H
#define ATTENDLY_TESTS_NGINX_H
/* A throwaway nginx reverse proxy for tests: Debian's nginx (ATTENDLY_NGINX overrides the
 * binary) with a generated configuration in a fresh temporary directory: listen on a free
 * 127.0.0.1 port, round-robin `upstream` over the given loopback ports, every log, pid and
 * temporary path inside that directory, `daemon off` under a managed master process.
 * Each reply carries `X-Upstream: 127.0.0.1:<port>` naming the node that answered; nginx
 * passes its own $request_id (32 hex digits) to the nodes as X-Request-Id.
 *
 * nginx runs in a process group of its own and is asked to stop (SIGTERM) when the
 * process that started it dies; call nginx_proxy_start from the thread that lives as long
 * as the proxy (normally main). */
#include <stddef.h>
#include <sys/types.h>

#include "common/server.h"

#define NGINX_MAX_UPSTREAMS 8

typedef struct nginx_proxy {
    char dir[256];       /* temporary directory: nginx.conf, logs, temp paths */
    pid_t pid;           /* master process (and process group), 0 when not running */
    int port;
    test_server front;   /* base_url of the proxy, for common/client.h (pid 0) */
} nginx_proxy;

/* The nginx binary when it is installed, else NULL. */
const char *nginx_binary(void);

/* Starts nginx in front of ports[0..n-1] and waits until it accepts connections.
 * max_body_mb is client_max_body_size. 0, or -1 with a reason (nginx's error log tail). */
int nginx_proxy_start(nginx_proxy *p, const int *ports, int n, int max_body_mb, char *err,
                      size_t errlen);

/* Graceful stop (SIGQUIT; SIGTERM then SIGKILL of the group after bounded waits) and
 * removal of the directory. 0 when nginx exited by itself with status 0. Safe to call
 * more than once and after a failed start. */
int nginx_proxy_stop(nginx_proxy *p);

#endif
