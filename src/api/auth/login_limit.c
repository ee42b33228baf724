/* Login throttling: per normalised email and per client address, sliding window. */
#include "api/auth/login_limit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>

#include "api/access.h"
#include "core/config.h"
#include "store/login_failures.h"

/* About one failure in PURGE_EVERY also deletes rows older than the window, which keeps
 * the table small without a background job. */
#define PURGE_EVERY 32

int64_t api_login_retry_after(int64_t oldest, int64_t window, int64_t now)
{
    int64_t wait = oldest + window - now;
    return wait < 1 ? 1 : wait;
}

static void reply_throttled(api_ctx *ctx, int64_t retry_after)
{
    char value[32];

    snprintf(value, sizeof value, "%" PRId64, retry_after);
    reply_error(ctx->rep, 429, "Too many login attempts. Try again later.");
    reply_header(ctx->rep, "Retry-After", value);
}

int api_login_allowed(api_ctx *ctx, db_conn *c, const char *email, const char *addr,
                      int64_t now)
{
    int64_t window = g_config.login_window_seconds;
    store_failure_window by_email, by_addr;
    int64_t retry = 0;

    if (store_login_failures_by_email(c, email, now - window, &by_email) != DB_OK ||
        store_login_failures_by_addr(c, addr, now - window, &by_addr) != DB_OK) {
        api_fail(ctx, "login failure count");
        return -1;
    }
    if (by_email.count >= g_config.login_max_failures)
        retry = api_login_retry_after(by_email.oldest, window, now);
    if (by_addr.count >= g_config.login_max_failures_per_ip) {
        int64_t r = api_login_retry_after(by_addr.oldest, window, now);
        retry = r > retry ? r : retry;
    }
    if (retry == 0)
        return 0;
    reply_throttled(ctx, retry);
    return -1;
}

int api_login_failed(api_ctx *ctx, db_conn *c, const char *email, const char *addr,
                     int64_t now)
{
    if (store_login_failure_add(c, email, addr, now) != DB_OK) {
        api_fail(ctx, "store_login_failure_add");
        return -1;
    }
    if (randombytes_uniform(PURGE_EVERY) == 0)
        (void)store_login_failures_purge(c, now - g_config.login_window_seconds);
    return 0;
}
