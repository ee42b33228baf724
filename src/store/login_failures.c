/* login_failures table. */
#include "store/login_failures.h"

static int count_window(db_conn *c, const char *sql, const char *key, int64_t since,
                        store_failure_window *out)
{
    db_stmt *s = db_prepare(c, sql);
    int rc;

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, key);
    db_bind_int64(s, 2, since);
    rc = db_step(s);
    if (rc == DB_ROW) {
        out->count = db_col_int64(s, 0);
        out->oldest = db_col_is_null(s, 1) ? 0 : db_col_int64(s, 1);
        rc = DB_OK;
    } else {
        rc = DB_ERR;
    }
    db_finalize(s);
    return rc;
}

int store_login_failures_by_email(db_conn *c, const char *email, int64_t since,
                                  store_failure_window *out)
{
    return count_window(c, "SELECT COUNT(*), MIN(failed_at) FROM login_failures "
                           "WHERE email = ? AND failed_at > ?", email, since, out);
}

int store_login_failures_by_addr(db_conn *c, const char *addr, int64_t since,
                                 store_failure_window *out)
{
    return count_window(c, "SELECT COUNT(*), MIN(failed_at) FROM login_failures "
                           "WHERE client_addr = ? AND failed_at > ?", addr, since, out);
}

/* Runs a statement that returns no rows. */
static int run(db_stmt *s)
{
    int rc = db_step(s);

    db_finalize(s);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

int store_login_failure_add(db_conn *c, const char *email, const char *addr, int64_t now)
{
    db_stmt *s = db_prepare(c, "INSERT INTO login_failures (email, client_addr, failed_at) "
                               "VALUES (?, ?, ?)");
    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, email);
    db_bind_text(s, 2, addr);
    db_bind_int64(s, 3, now);
    return run(s);
}

int store_login_failures_clear(db_conn *c, const char *email)
{
    db_stmt *s = db_prepare(c, "DELETE FROM login_failures WHERE email = ?");

    if (!s)
        return DB_ERR;
    db_bind_text(s, 1, email);
    return run(s);
}

int store_login_failures_purge(db_conn *c, int64_t before)
{
    db_stmt *s = db_prepare(c, "DELETE FROM login_failures WHERE failed_at <= ?");

    if (!s)
        return DB_ERR;
    db_bind_int64(s, 1, before);
    return run(s);
}
