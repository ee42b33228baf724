#ifndef ATTENDLY_TESTS_HTTP_FIXTURE_H
#define ATTENDLY_TESTS_HTTP_FIXTURE_H
/* The one server fixture of the HTTP tests: start `attendly serve` on a backend ("sqlite"
 * or "pg"), send requests, read the database directly (to set up rows and check stored
 * state). att_fixture.h builds on it with richer replies and API-level set-up steps. */
#include <jansson.h>
#include "store/db.h"

typedef struct fx_resp {
    long status;
    json_t *json;            /* parsed body, NULL when not JSON */
    char retry_after[32];    /* Retry-After header, "" when absent */
} fx_resp;

/* Starts `attendly serve` on a fresh database. extra_env: NULL-terminated "K=V" list. */
int fx_start(const char *backend, const char *const *extra_env);
/* Stops the server and removes its data; -1 when the server did not exit cleanly
 * (a crash or a sanitizer report, whose log is printed). */
int fx_stop(void);
/* Stops and starts the same server again on the same database. */
int fx_restart(void);
/* Kills the server with SIGKILL (no clean shutdown, a transaction may be cut short) and
 * starts it again on the same database. 0, or -1 when it does not come back. */
int fx_crash_restart(void);
/* The server this thread's requests go to (for raw requests through common/client.h). */
struct test_server;
const struct test_server *fx_server(void);
/* Sends this thread's requests (fx_req, att_call and everything built on them) to s
 * instead, e.g. one of several servers started by the caller; NULL: back to the
 * fixture's own server. */
void fx_use(const struct test_server *s);

/* A request with an optional bearer token and optional raw body. */
fx_resp fx_req(const char *method, const char *path, const char *token, const char *body);
/* The same with extra request headers ("Name: value", NULL-terminated). */
fx_resp fx_req_h(const char *method, const char *path, const char *token, const char *body,
                 const char *const *headers);
void fx_free(fx_resp *r);

/* An HS256 token over the given claims JSON, signed with the server's JWT_SECRET_KEY
 * (for tokens the server would not issue itself); malloc'd, NULL on failure. */
char *fx_sign_token(const char *claims_json);
/* The directory fx_run_cli uses as ATTENDLY_DATA_DIR (and its working directory). */
const char *fx_cli_dir(void);
/* Runs `$ATTENDLY_BIN <args>` (a shell-quoted argument string, e.g. "admin promote 'a@b.c'")
 * against the server's database with stdin_text (may be NULL) on standard input; its
 * standard output goes to out. Returns the exit status, or -1 when it could not run. */
int fx_run_cli(const char *args, const char *stdin_text, char *out, size_t outlen);

/* A connection to the server's database (for setup and checks); release with
 * db_release. */
db_conn *fx_db(void);
/* Runs SQL with no result on the server's database; 0 or -1. */
int fx_exec(const char *sql);
/* The first column of the first row as an integer, or INT64_MIN. */
int64_t fx_query_int(const char *sql);

#endif
