#ifndef ATTENDLY_TESTS_SERVER_H
#define ATTENDLY_TESTS_SERVER_H
/* A real `attendly serve` for HTTP tests: $ATTENDLY_BIN on a free loopback port (PORT=0,
 * the bound port is read from the "listening" log line), a fresh temporary data dir,
 * ATTENDLY_PASSWORD_COST=1, and either a SQLite file in that dir or a given PostgreSQL
 * URL. The server's log goes to <data dir>/server.log. */
#include <stddef.h>
#include <sys/types.h>

typedef struct test_server {
    pid_t pid;
    int port;
    char dir[512];        /* temporary data directory */
    char log_path[600];
    char base_url[64];    /* http://127.0.0.1:<port>, https:// when the server logs tls=1 */
    char ca_file[600];    /* https: the PEM certificate(s) requests trust; set by the caller
                             after start ("" = the system's CAs) */
} test_server;

/* db_url: NULL for SQLite in the data dir. extra_env: NULL-terminated "KEY=VALUE" list
 * (may be NULL), applied after the defaults so it can override them.
 * 0, or -1 with a reason (including the log's tail) in err. */
int test_server_start(test_server *s, const char *db_url, const char *const *extra_env,
                      char *err, size_t errlen);

/* test_server_start in two steps, so that several servers can start at the same moment:
 * spawn forks and execs without waiting (call it from the thread that outlives the
 * server: the server dies with it); wait waits for the "listening" line. Each returns 0
 * or -1 with a reason in err; a failed wait leaves nothing running. */
int test_server_spawn(test_server *s, const char *db_url, const char *const *extra_env,
                      char *err, size_t errlen);
int test_server_wait(test_server *s, char *err, size_t errlen);

/* SIGTERM and wait (up to 20 s, then SIGKILL). Returns the exit status (0 = clean), or -1
 * when the server had to be killed or died of a signal. Removes the data directory. */
int test_server_stop(test_server *s);

#endif
