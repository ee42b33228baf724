/* Fixture of the auth and class HTTP tests over the shared harness (common/server.h,
 * common/client.h). The SQLite file lives in a directory of its own, outside the
 * server's data directory, so that a restarted server finds the same database. */
#include "fixture.h"

#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>

#include "common/client.h"
#include "common/pgcluster.h"
#include "common/server.h"
#include "common/tmpdir.h"

#define MAX_ENV 30
/* Fixed so that tokens stay valid across a restart. */
#define TEST_SECRET_VAR "JWT_SECRET_KEY="
#define TEST_SECRET TEST_SECRET_VAR "auth-class-tests-secret-0123456789abcdef"

static struct {
    test_server srv;
    pgcluster pg;
    int use_pg;
    char dir[512];
    char url[1024];
    const char *env[MAX_ENV + 2];
    db *db;
} g;

static int start_server(void)
{
    char err[2048];

    if (test_server_start(&g.srv, g.url, g.env, err, sizeof err) < 0) {
        fprintf(stderr, "server: %s\n", err);
        return -1;
    }
    return 0;
}

static int open_database(void)
{
    char err[512];

    if (g.use_pg) {
        if (pgcluster_start(&g.pg, err, sizeof err) != 0) {
            fprintf(stderr, "pgcluster: %s\n", err);
            return -1;
        }
        snprintf(g.url, sizeof g.url, "%s", g.pg.url);
    } else {
        snprintf(g.url, sizeof g.url, "sqlite:///%s/attendly.db", g.dir);
    }
    return 0;
}

int fx_start(const char *backend, const char *const *extra_env)
{
    char err[512];
    int n = 0;

    memset(&g, 0, sizeof g);
    g.env[n++] = TEST_SECRET;
    for (; extra_env && *extra_env && n < MAX_ENV; extra_env++)
        g.env[n++] = *extra_env;
    g.env[n] = NULL;
    g.use_pg = backend && strcmp(backend, "pg") == 0;
    if (tmpdir_make("attendly-http", g.dir, sizeof g.dir) < 0 || open_database() < 0 ||
        start_server() < 0)
        return -1;
    /* The server has run the migrations: the tests' own connection may open now. */
    g.db = db_open(g.url, 2, err, sizeof err);
    if (!g.db)
        fprintf(stderr, "db_open: %s\n", err);
    return g.db ? 0 : -1;
}

/* Per thread, so that threads can talk to different servers at once. */
static _Thread_local const test_server *t_target;

void fx_use(const test_server *s)
{
    t_target = s;
}

const test_server *fx_server(void)
{
    return t_target ? t_target : &g.srv;
}

int fx_restart(void)
{
    if (test_server_stop(&g.srv) != 0)
        return -1;
    return start_server();
}

int fx_crash_restart(void)
{
    kill(g.srv.pid, SIGKILL);
    test_server_stop(&g.srv);   /* reaps it; its status says "killed", as intended */
    return start_server();
}

int fx_stop(void)
{
    int rc = test_server_stop(&g.srv);

    if (g.db)
        db_close(g.db);
    g.db = NULL;
    if (g.use_pg)
        pgcluster_stop(&g.pg);
    if (g.dir[0])
        tmpdir_remove(g.dir);
    return rc == 0 ? 0 : -1;
}

fx_resp fx_req_h(const char *method, const char *path, const char *token, const char *body,
                 const char *const *headers)
{
    http_opts o = {.headers = headers, .bearer = token};
    http_resp hr;
    fx_resp r = {0};

    if (http_call(fx_server(), method, path, body, body ? strlen(body) : 0, &o, &hr) != 0)
        return r;
    r.status = hr.status;
    r.json = hr.json;
    hr.json = NULL;
    if (!http_header(&hr, "Retry-After", r.retry_after, sizeof r.retry_after))
        r.retry_after[0] = '\0';
    http_resp_free(&hr);
    return r;
}

fx_resp fx_req(const char *method, const char *path, const char *token, const char *body)
{
    return fx_req_h(method, path, token, body, NULL);
}

void fx_free(fx_resp *r)
{
    json_decref(r->json);
    r->json = NULL;
}

char *fx_sign_token(const char *claims_json)
{
    const char *key = TEST_SECRET + strlen(TEST_SECRET_VAR);
    jwt_t *j = NULL;
    char *tok = NULL;

    if (jwt_new(&j) == 0 && jwt_add_grants_json(j, claims_json) == 0 &&
        jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)key, (int)strlen(key)) == 0)
        tok = jwt_encode_str(j);
    jwt_free(j);
    return tok;
}

db_conn *fx_db(void)
{
    return db_acquire(g.db, 5000);
}

int fx_exec(const char *sql)
{
    db_conn *c = fx_db();
    int rc;

    if (!c)
        return -1;
    rc = db_exec(c, sql);
    db_release(c);
    return rc == DB_OK ? 0 : -1;
}

int64_t fx_query_int(const char *sql)
{
    db_conn *c = fx_db();
    int64_t v = INT64_MIN;

    if (!c)
        return v;
    if (db_query_int64(c, sql, &v) != DB_ROW)
        v = INT64_MIN;
    db_release(c);
    return v;
}

const char *fx_cli_dir(void)
{
    return g.dir;
}

int fx_run_cli(const char *args, const char *stdin_text, char *out, size_t outlen)
{
    char in_path[600], cmd[4096];
    const char *bin = getenv("ATTENDLY_BIN");
    FILE *f;
    size_t n = 0;
    int status;

    if (!bin)
        return -1;
    snprintf(in_path, sizeof in_path, "%s/cli-stdin", g.dir);
    if (!(f = fopen(in_path, "w")))
        return -1;
    fputs(stdin_text ? stdin_text : "", f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && DATABASE_URL='%s' ATTENDLY_DATA_DIR='%s' ATTENDLY_PASSWORD_COST=1 "
             "'%s' %s < '%s'", g.dir, g.url, g.dir, bin, args, in_path);
    if (!(f = popen(cmd, "r")))
        return -1;
    while (outlen > 1 && n < outlen - 1 && fgets(out + n, (int)(outlen - n), f))
        n += strlen(out + n);
    if (outlen)
        out[n] = '\0';
    status = pclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
