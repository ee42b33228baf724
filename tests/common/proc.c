/* Process helpers of the test harness (proc.h). */
#include "common/proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void test_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void file_tail(const char *path, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > (long)outlen - 1 ? size - (long)outlen + 1 : 0;
    fseek(f, from, SEEK_SET);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    fclose(f);
}

int child_wait_ms(pid_t pid, long timeout_ms, int *status)
{
    int st = 0;
    for (long waited = 0;; waited += 20) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            if (status)
                *status = st;
            return 1;
        }
        if (waited >= timeout_ms)
            return 0;
        test_sleep_ms(20);
    }
}

int test_run(const char *const argv[], const char *const *env, const char *cwd, char *out,
             size_t outlen, long timeout_ms)
{
    const char *tmp = getenv("TMPDIR");
    char log[600];
    snprintf(log, sizeof log, "%s/attendly-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(log);
    out[0] = '\0';
    if (fd < 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (int i = 0; env && env[i]; i++) {
            const char *eq = strchr(env[i], '=');
            if (eq && !eq[1]) {
                char key[256];
                snprintf(key, sizeof key, "%.*s", (int)(eq - env[i]), env[i]);
                unsetenv(key);
            } else {
                putenv((char *)env[i]);
            }
        }
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (!cwd || chdir(cwd) == 0)
            execv(argv[0], (char *const *)argv);
        fprintf(stderr, "cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(fd);
    int status = 0, rc = -1;
    if (pid > 0 && !child_wait_ms(pid, timeout_ms, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    } else if (pid > 0 && WIFEXITED(status)) {
        rc = WEXITSTATUS(status);
    }
    FILE *f = fopen(log, "r");
    if (f) {
        size_t n = fread(out, 1, outlen - 1, f);
        out[n] = '\0';
        fclose(f);
    }
    unlink(log);
    return rc;
}
