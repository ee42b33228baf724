/* One-line structured logs on stderr (see log.h). Each line is formatted in the calling
 * thread and handed to the kernel in one write(2): the mutex that keeps lines from
 * interleaving then covers only that call, not the formatting (the access log writes a
 * line per request from every connection thread). */
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static enum log_level g_level = LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *level_name(enum log_level l)
{
    switch (l) {
    case LOG_DEBUG: return "debug";
    case LOG_INFO: return "info";
    case LOG_WARN: return "warn";
    default: return "error";
    }
}

void log_set_level(enum log_level level)
{
    g_level = level;
}

void log_msg(enum log_level level, const char *msg, const char *fmt, ...)
{
    if (level < g_level)
        return;
    char tail[2048] = "";
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tail, sizeof tail, fmt, ap);
        va_end(ap);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);

    char line[sizeof tail + 512];
    int n = snprintf(line, sizeof line, "ts=%s.%03ldZ level=%s msg=\"%s\"%s%s\n", when,
                     ts.tv_nsec / 1000000L, level_name(level), msg, tail[0] ? " " : "", tail);
    if (n < 0)
        return;
    size_t len = (size_t)n;
    if (len >= sizeof line) { /* cut, but still one whole line */
        len = sizeof line - 1;
        line[len - 1] = '\n';
    }
    pthread_mutex_lock(&g_lock);
    fflush(stderr); /* anything written through stdio goes first */
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* nowhere to report a failing log */
        off += (size_t)w;
    }
    pthread_mutex_unlock(&g_lock);
}
