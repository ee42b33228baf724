/* Running `attendly serve` for HTTP tests (server.h). */
#include "common/server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/proc.h"
#include "common/tmpdir.h"

#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 20000

/* The port of the "listening" line, 0 while it is not there yet; *tls = its tls=1. */
static int listening_port(const char *log_path, int *tls)
{
    FILE *f = fopen(log_path, "r");
    if (!f)
        return 0;
    char line[1024];
    int port = 0;
    while (!port && fgets(line, sizeof line, f)) {
        const char *p;
        if (strstr(line, "msg=\"listening\"") && (p = strstr(line, " port="))) {
            port = atoi(p + 6);
            *tls = strstr(line, " tls=1") != NULL;
        }
    }
    fclose(f);
    return port;
}

static void child_exec(const test_server *s, const char *bin, const char *db_url,
                       const char *const *extra_env)
{
    char url[1200];
    if (db_url)
        snprintf(url, sizeof url, "%s", db_url);
    else
        snprintf(url, sizeof url, "sqlite:///%s/attendly.db", s->dir);
    setenv("HOST", "127.0.0.1", 1);
    setenv("PORT", "0", 1);
    setenv("ATTENDLY_DATA_DIR", s->dir, 1);
    setenv("DATABASE_URL", url, 1);
    setenv("ATTENDLY_PASSWORD_COST", "1", 1);
    unsetenv("JWT_SECRET_KEY");
    unsetenv("METRICS_TOKEN");
    unsetenv("CORS_ORIGINS");
    unsetenv("MAX_BODY_MB");
    for (int i = 0; extra_env && extra_env[i]; i++)
        putenv((char *)extra_env[i]);
    int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    /* The data dir as working directory: no stray .env from the source tree. */
    if (chdir(s->dir) == 0)
        execl(bin, "attendly", "serve", (char *)NULL);
    fprintf(stderr, "exec %s failed: %s\n", bin, strerror(errno));
    _exit(127);
}

int test_server_spawn(test_server *s, const char *db_url, const char *const *extra_env,
                      char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const char *bin = getenv("ATTENDLY_BIN");
    if (!bin || !*bin) {
        snprintf(err, errlen, "ATTENDLY_BIN is not set");
        return -1;
    }
    if (tmpdir_make("attendly-http", s->dir, sizeof s->dir) < 0) {
        snprintf(err, errlen, "cannot create a temporary directory");
        return -1;
    }
    snprintf(s->log_path, sizeof s->log_path, "%s/server.log", s->dir);
    s->pid = fork();
    if (s->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        s->pid = 0;
        tmpdir_remove(s->dir);
        return -1;
    }
    if (s->pid == 0) {
        /* A test that dies must not leave its server holding ctest's output pipe open. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        child_exec(s, bin, db_url, extra_env);
    }
    return 0;
}

int test_server_wait(test_server *s, char *err, size_t errlen)
{
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
        int tls = 0;
        s->port = listening_port(s->log_path, &tls);
        if (s->port > 0) {
            snprintf(s->base_url, sizeof s->base_url, "%s://127.0.0.1:%d", tls ? "https" : "http",
                     s->port);
            return 0;
        }
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            char tail[1024];
            file_tail(s->log_path, tail, sizeof tail);
            snprintf(err, errlen, "server exited during start-up (status %d): %s",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, tail);
            s->pid = 0;
            tmpdir_remove(s->dir);
            s->dir[0] = '\0';
            return -1;
        }
        test_sleep_ms(20);
    }
    snprintf(err, errlen, "server did not start within %d ms", START_TIMEOUT_MS);
    test_server_stop(s);
    return -1;
}

int test_server_start(test_server *s, const char *db_url, const char *const *extra_env,
                      char *err, size_t errlen)
{
    if (test_server_spawn(s, db_url, extra_env, err, errlen) < 0)
        return -1;
    return test_server_wait(s, err, errlen);
}

int test_server_stop(test_server *s)
{
    int rc = -1;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int status = 0;
        if (!child_wait_ms(s->pid, STOP_TIMEOUT_MS, &status)) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            fprintf(stderr, "server did not stop on SIGTERM; killed\n");
        } else if (WIFEXITED(status)) {
            rc = WEXITSTATUS(status);
        }
        if (rc != 0) {
            char tail[2048];
            file_tail(s->log_path, tail, sizeof tail);
            fprintf(stderr, "server exit status %d; log tail:\n%s\n", rc, tail);
        }
        s->pid = 0;
    }
    if (s->dir[0])
        tmpdir_remove(s->dir);
    s->dir[0] = '\0';
    return rc;
}
