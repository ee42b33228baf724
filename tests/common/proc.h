#ifndef ATTENDLY_TESTS_PROC_H
#define ATTENDLY_TESTS_PROC_H
/* Small process helpers shared by the test harness (servers, PostgreSQL, nginx). */
#include <stddef.h>
#include <sys/types.h>

void test_sleep_ms(long ms);

/* The last outlen-1 bytes of a file into out ("" when it cannot be read). */
void file_tail(const char *path, char *out, size_t outlen);

/* Waits up to timeout_ms for the child `pid` to exit and reaps it: 1 with its wait
 * status in *status (may be NULL), 0 when it is still running. */
int child_wait_ms(pid_t pid, long timeout_ms, int *status);

/* Runs argv[0] (a path) with argv in directory cwd, the environment plus env
 * ("KEY=VALUE", NULL-terminated, may be NULL; "KEY=" alone unsets KEY), stdout and stderr
 * together into out (truncated, NUL-terminated), for up to timeout_ms (then killed).
 * Returns the exit status, or -1 when it could not run or died of a signal. */
int test_run(const char *const argv[], const char *const *env, const char *cwd, char *out,
             size_t outlen, long timeout_ms);

#endif
