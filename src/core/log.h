#ifndef ATTENDLY_CORE_LOG_H
#define ATTENDLY_CORE_LOG_H
/* One-line structured logs on stderr: `ts=... level=info msg="..." key=value ...`.
 * Never log passwords, hashes, tokens, images or descriptors. Thread-safe. */

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* fmt produces the whole key=value tail, e.g. log_msg(LOG_INFO, "start", "port=%d", 5000). */
void log_msg(enum log_level level, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(msg, ...)  log_msg(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...)  log_msg(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_msg(LOG_ERROR, msg, __VA_ARGS__)

#endif
