/* Test fixture: one `attendly serve` child on a loopback port, with SQLite in a temporary
 * directory or a throwaway PostgreSQL cluster; libcurl for requests. */
#include "fixture.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/pgcluster.h"
#include "common/tmpdir.h"

#define MAX_ENV 32

static struct {
    char dir[512];
    char url[1024];
    int port;
    pid_t pid;
    pgcluster pg;
    int use_pg;
    db *db;
    const char *env[MAX_ENV];
    int n_env;
} g;

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void child_exec(void)
{
    const char *bin = getenv("ATTENDLY_BIN");
    char port[16];

    /* A crashed test must not leave its server behind. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    snprintf(port, sizeof port, "%d", g.port);
    setenv("PORT", port, 1);
    setenv("HOST", "127.0.0.1", 1);
    setenv("ATTENDLY_DATA_DIR", g.dir, 1);
    setenv("DATABASE_URL", g.url, 1);
    setenv("ATTENDLY_PASSWORD_COST", "1", 1);
    setenv("JWT_SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789", 1);
    setenv("FACE_MODELS_DIR", "/nonexistent", 1);
    for (int i = 0; i < g.n_env; i++)
        putenv((char *)g.env[i]);
    /* The server's log (and any sanitizer report) goes to a file, shown on failure. */
    char log[600];
    snprintf(log, sizeof log, "%s/server.log", g.dir);
    if (!freopen(log, "a", stderr))
        _exit(126);
    execl(bin ? bin : "./attendly", "attendly", "serve", (char *)NULL);
    _exit(127);
}

static int wait_ready(void)
{
    for (int i = 0; i < 200; i++) {
        fx_resp r = fx_req("GET", "/health", NULL, NULL);
        long st = r.status;
        fx_free(&r);
        if (st == 200 || st == 503)
            return 0;
        usleep(50 * 1000);
    }
    return -1;
}

static int spawn(void)
{
    g.port = free_port();
    if (g.port <= 0)
        return -1;
    g.pid = fork();
    if (g.pid < 0)
        return -1;
    if (g.pid == 0)
        child_exec();
    return wait_ready();
}

static void show_log(void)
{
    char path[600], line[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/server.log", g.dir);
    f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "---- server log ----\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fclose(f);
}

/* Stops the server; -1 when it did not exit cleanly (crash, sanitizer report). */
static int kill_server(void)
{
    int st = 0;

    if (g.pid <= 0)
        return 0;
    kill(g.pid, SIGTERM);
    waitpid(g.pid, &st, 0);
    g.pid = 0;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    fprintf(stderr, "server exited abnormally (status 0x%x)\n", st);
    show_log();
    return -1;
}

int fx_start(const char *backend, const char *const *extra_env)
{
    char err[512];

    curl_global_init(CURL_GLOBAL_ALL);
    memset(&g, 0, sizeof g);
    for (; extra_env && *extra_env && g.n_env < MAX_ENV; extra_env++)
        g.env[g.n_env++] = *extra_env;
    if (tmpdir_make("attendly-http", g.dir, sizeof g.dir) < 0)
        return -1;
    g.use_pg = backend && strcmp(backend, "pg") == 0;
    if (g.use_pg) {
        if (pgcluster_start(&g.pg, err, sizeof err) != 0) {
            fprintf(stderr, "pgcluster_start: %s\n", err);
            return -1;
        }
        snprintf(g.url, sizeof g.url, "%s", g.pg.url);
    } else {
        snprintf(g.url, sizeof g.url, "sqlite:///%s/attendly.db", g.dir);
    }
    if (spawn() < 0) {
        show_log();
        return -1;
    }
    g.db = db_open(g.url, 2, err, sizeof err);
    return g.db ? 0 : -1;
}

int fx_restart(void)
{
    if (kill_server() < 0)
        return -1;
    return spawn();
}

int fx_stop(void)
{
    int rc = kill_server();

    if (g.db)
        db_close(g.db);
    g.db = NULL;
    if (g.use_pg)
        pgcluster_stop(&g.pg);
    if (g.dir[0])
        tmpdir_remove(g.dir);
    curl_global_cleanup();
    return rc;
}

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    buf *b = arg;
    size_t add = size * nmemb;
    char *p = realloc(b->p, b->n + add + 1);

    if (!p)
        return 0;
    memcpy(p + b->n, data, add);
    b->p = p;
    b->n += add;
    p[b->n] = '\0';
    return add;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
    fx_resp *r = arg;
    size_t n = size * nmemb;

    if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
        size_t i = 12, k = 0;
        while (i < n && data[i] == ' ')
            i++;
        while (i < n && data[i] != '\r' && data[i] != '\n' && k + 1 < sizeof r->retry_after)
            r->retry_after[k++] = data[i++];
        r->retry_after[k] = '\0';
    }
    return n;
}

fx_resp fx_req_h(const char *method, const char *path, const char *token, const char *body,
                 const char *const *headers)
{
    fx_resp r = {0};
    buf b = {0};
    char url[2048], auth[4096];
    struct curl_slist *hl = NULL;
    CURL *c = curl_easy_init();

    if (!c)
        return r;
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g.port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, auth);
    }
    for (; headers && *headers; headers++)
        hl = curl_slist_append(hl, *headers);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    if (b.p)
        r.json = json_loads(b.p, JSON_DECODE_ANY, NULL);
    free(b.p);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
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
