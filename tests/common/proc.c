/* Process helpers of the test harness (proc.h). */
#include "common/proc.h"

#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

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
