/* Database URL parsing, the fixed-size connection pool and dispatch to the two drivers.
 *
 * URLs:
 *   sqlite:///<path>     <path> is everything after the third slash, taken verbatim:
 *                        sqlite:///./data/a.db and sqlite:///data/a.db are relative to the
 *                        working directory, sqlite:////var/lib/a.db is absolute.
 *   postgresql://...     handed to libpq unchanged (postgres:// is accepted too).
 * Anything else is refused.
 *
 * The pool holds pool_size slots; a slot's connection is opened the first time it is
 * handed out and then kept. A connection that a driver saw fail is revived (PG: reset,
 * else reopened) before it is handed out again, so one dropped link costs one request.
 *
 * Each connection keeps the statements it prepared (see "statement cache" below): the
 * small queries of a request run in a fraction of the time SQLite or PostgreSQL needs to
 * compile them. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db_driver.h"

#define DB_POOL_MAX 1024

struct db {
    const struct db_driver *drv;
    char *target;                 /* file path (SQLite) or libpq URL */
    int size;
    db_conn *conns;
    pthread_mutex_t mu;
    pthread_cond_t freed;         /* signalled whenever a slot becomes free */
    char last_err[DB_ERRMSG_MAX]; /* why the last connection attempt failed */
};

void db_conn_seterr(db_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Chooses the driver and the target it is given; 0 or -1 with a reason (never the URL
 * itself, which may hold a password). */
static int parse_url(const char *url, const struct db_driver **drv, const char **target,
                     char *err, size_t errlen)
{
    if (starts_with(url, "sqlite:///")) {
        *target = url + strlen("sqlite:///");
        if (**target == '\0') {
            snprintf(err, errlen, "sqlite URL has no file path (use sqlite:///relative/path "
                                  "or sqlite:////absolute/path)");
            return -1;
        }
        if (strcmp(*target, ":memory:") == 0) {
            /* Each pooled connection would get its own empty database. */
            snprintf(err, errlen, "sqlite in-memory databases are not supported; use a file");
            return -1;
        }
        *drv = &db_sqlite_driver;
        return 0;
    }
    if (starts_with(url, "sqlite:")) {
        snprintf(err, errlen, "malformed sqlite URL (use sqlite:///relative/path or "
                              "sqlite:////absolute/path)");
        return -1;
    }
    if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
        *target = url;
        *drv = &db_pg_driver;
        return 0;
    }
    const char *colon = strchr(url, ':');
    int shown = colon && colon - url < 32 ? (int)(colon - url) : 0;
    snprintf(err, errlen, "unsupported database URL scheme '%.*s' (expected sqlite:/// or "
                          "postgresql://)", shown, url);
    return -1;
}

int db_url_kind(const char *url, const char **target, char *err, size_t errlen)
{
    const struct db_driver *drv = NULL;
    if (!url || !*url) {
        snprintf(err, errlen, "database URL is empty");
        return -1;
    }
    if (parse_url(url, &drv, target, err, errlen) != 0)
        return -1;
    return (int)drv->kind;
}

db *db_open(const char *url, int pool_size, char *err, size_t errlen)
{
    const struct db_driver *drv = NULL;
    const char *target = NULL;
    db *d = NULL;

    if (!url || !*url) {
        snprintf(err, errlen, "database URL is empty");
        return NULL;
    }
    if (pool_size < 1 || pool_size > DB_POOL_MAX) {
        snprintf(err, errlen, "database pool size must be 1..%d", DB_POOL_MAX);
        return NULL;
    }
    if (parse_url(url, &drv, &target, err, errlen) != 0)
        return NULL;

    d = calloc(1, sizeof *d);
    if (!d)
        goto nomem;
    d->drv = drv;
    d->size = pool_size;
    d->target = strdup(target);
    d->conns = calloc((size_t)pool_size, sizeof *d->conns);
    if (!d->target || !d->conns)
        goto nomem;
    for (int i = 0; i < pool_size; i++) {
        d->conns[i].owner = d;
        d->conns[i].drv = drv;
    }

    /* Timed waits use the monotonic clock so that wall-clock jumps don't stretch them. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->freed, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->mu, NULL);
    return d;

nomem:
    snprintf(err, errlen, "out of memory");
    if (d) {
        free(d->target);
        free(d->conns);
        free(d);
    }
    return NULL;
}

#define STMT_DRV(s) ((s)->conn->drv)

/* ---- statement cache ----------------------------------------------------------------
 * db_prepare looks the SQL text up among the connection's idle cached statements;
 * db_finalize returns a cached statement reset and with its bindings cleared instead of
 * destroying it. A statement is handed to one caller at a time: when the cached one is
 * busy (the same SQL used while an earlier use is still open), a fresh one is prepared
 * and destroyed at db_finalize as before. Entries live as long as the connection's
 * handle. No locking: a connection is used by one thread at a time. */

/* Finalizes every cached statement; before the handle they belong to goes away. */
static void cache_drop(db_conn *c)
{
    for (int i = 0; i < c->n_cached; i++) {
        c->drv->finalize(c->cache[i].stmt);
        free(c->cache[i].sql);
    }
    memset(c->cache, 0, sizeof c->cache);
    c->n_cached = 0;
}

/* Removes entry i (its statement is finalized by the caller), keeping the array dense. */
static void cache_remove(db_conn *c, int i)
{
    free(c->cache[i].sql);
    c->n_cached--;
    if (i != c->n_cached) {
        c->cache[i] = c->cache[c->n_cached];
        c->cache[i].stmt->cache_slot = i;
    }
    memset(&c->cache[c->n_cached], 0, sizeof c->cache[c->n_cached]);
}

/* Keeps a freshly prepared statement (already handed out: busy). Without room or
 * memory it simply stays uncached. */
static void cache_add(db_conn *c, db_stmt *s, const char *sql, size_t len)
{
    if (c->n_cached >= DB_STMT_CACHE_MAX)
        return;
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, sql, len + 1);
    int i = c->n_cached++;
    c->cache[i] = (struct db_cached_stmt){.sql = copy, .sql_len = len, .stmt = s, .busy = 1};
    s->cache_slot = i;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->size; i++) {
        cache_drop(&d->conns[i]);
        if (d->conns[i].handle)
            d->drv->close(&d->conns[i]);
    }
    pthread_cond_destroy(&d->freed);
    pthread_mutex_destroy(&d->mu);
    free(d->conns);
    free(d->target);
    free(d);
}

enum db_kind db_kind_of(const db *d) { return d->drv->kind; }
enum db_kind db_conn_kind(const db_conn *c) { return c->drv->kind; }
const char *db_errmsg(const db_conn *c) { return c ? c->err : "no connection"; }

void db_last_error(db *d, char *buf, size_t len)
{
    pthread_mutex_lock(&d->mu);
    snprintf(buf, len, "%s", d->last_err);
    pthread_mutex_unlock(&d->mu);
}

/* A free slot, preferring one whose connection is already open. Caller holds d->mu. */
static db_conn *pool_pick(db *d)
{
    db_conn *closed = NULL;
    for (int i = 0; i < d->size; i++) {
        db_conn *c = &d->conns[i];
        if (c->in_use)
            continue;
        if (c->handle)
            return c;
        if (!closed)
            closed = c;
    }
    return closed;
}

/* Opens or revives the slot's connection; runs without the pool lock held because
 * connecting to a server can take a while. */
static int conn_ready(db *d, db_conn *c)
{
    c->err[0] = '\0';
    if (c->handle && d->drv->revive(c) == DB_OK) {
        c->broken = 0;
        return DB_OK;
    }
    if (c->handle) {
        cache_drop(c);
        d->drv->close(c);
        c->handle = NULL;
    }
    c->broken = 0;
    return d->drv->open(c, d->target);
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* timeout_ms < 0 waits without limit; 0 only takes a slot that is free right now. */
db_conn *db_acquire(db *d, int timeout_ms)
{
    struct timespec deadline;
    db_conn *c = NULL;

    if (!d)
        return NULL;
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);

    pthread_mutex_lock(&d->mu);
    while (!(c = pool_pick(d))) {
        int rc = 0;
        if (timeout_ms == 0)
            break;
        if (timeout_ms < 0)
            rc = pthread_cond_wait(&d->freed, &d->mu);
        else
            rc = pthread_cond_timedwait(&d->freed, &d->mu, &deadline);
        if (rc == ETIMEDOUT) {
            c = pool_pick(d);
            break;
        }
    }
    if (c)
        c->in_use = 1;
    pthread_mutex_unlock(&d->mu);
    if (!c)
        return NULL;

    if (conn_ready(d, c) == DB_OK)
        return c;

    pthread_mutex_lock(&d->mu);
    snprintf(d->last_err, sizeof d->last_err, "%s", c->err);
    c->in_use = 0;
    pthread_cond_signal(&d->freed);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

void db_release(db_conn *c)
{
    if (!c)
        return;
    db *d = c->owner;
    /* A transaction left open by an error path must not leak into the next user. */
    if (c->handle && !c->broken && d->drv->in_txn(c) && d->drv->exec(c, "ROLLBACK") != DB_OK)
        c->broken = 1;
    c->scope = c->scope_depth = 0;
    pthread_mutex_lock(&d->mu);
    c->in_use = 0;
    pthread_cond_signal(&d->freed);
    pthread_mutex_unlock(&d->mu);
}

/* Transaction control runs on every read of a page plus total, so it goes through the
 * statement cache too instead of being compiled by the driver's exec each time. */
static int exec_one(db_conn *c, const char *sql)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return DB_ERR;
    int rc = db_step(s);
    db_finalize(s);
    return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

int db_read_scope_begin(db_conn *c)
{
    if (!c->drv->read_scopes || c->scope || c->drv->in_txn(c))
        return DB_OK;
    int rc = exec_one(c, c->drv->begin_sql);
    if (rc == DB_OK) {
        c->scope = 1;
        c->scope_depth = 0;
    }
    return rc;
}

int db_read_scope_end(db_conn *c)
{
    if (!c->scope)
        return DB_OK;
    c->scope = 0;
    c->scope_depth = 0;
    return c->drv->in_txn(c) ? exec_one(c, "COMMIT") : DB_OK;
}

int db_begin(db_conn *c)
{
    if (c->scope && c->drv->in_txn(c)) {
        c->scope_depth++;
        return DB_OK;
    }
    return exec_one(c, c->drv->begin_sql);
}

int db_begin_write(db_conn *c)
{
    if (c->scope && db_read_scope_end(c) != DB_OK)
        return DB_ERR;
    return exec_one(c, c->drv->begin_write_sql);
}

/* Inside a scope the reads of a nested "transaction" stay in the scope's one. */
static int scope_nested_end(db_conn *c)
{
    if (!c->scope || c->scope_depth == 0)
        return 0;
    c->scope_depth--;
    return 1;
}

int db_commit(db_conn *c) { return scope_nested_end(c) ? DB_OK : exec_one(c, "COMMIT"); }
int db_rollback(db_conn *c) { return scope_nested_end(c) ? DB_OK : exec_one(c, "ROLLBACK"); }
int db_exec(db_conn *c, const char *sql) { return c->drv->exec(c, sql); }

db_stmt *db_prepare(db_conn *c, const char *sql)
{
    if (!c || !sql)
        return NULL;
    /* Lengths rarely collide among a few dozen texts, so a length check and memcmp beat
     * hashing every byte. */
    size_t len = strlen(sql);
    int known = 0;
    for (int i = 0; i < c->n_cached; i++) {
        struct db_cached_stmt *e = &c->cache[i];
        if (e->sql_len != len || memcmp(e->sql, sql, len) != 0)
            continue;
        if (!e->busy) {
            e->busy = 1;
            return e->stmt;
        }
        known = 1; /* in use further up the stack: this use gets its own statement */
    }
    db_stmt *s = c->drv->prepare(c, sql);
    if (!s)
        return NULL;
    s->cache_slot = -1;
    if (!known)
        cache_add(c, s, sql, len);
    return s;
}


int db_bind_int64(db_stmt *s, int idx, int64_t v) { return STMT_DRV(s)->bind_int64(s, idx, v); }
int db_bind_double(db_stmt *s, int idx, double v) { return STMT_DRV(s)->bind_double(s, idx, v); }
int db_bind_null(db_stmt *s, int idx) { return STMT_DRV(s)->bind_null(s, idx); }

int db_bind_text(db_stmt *s, int idx, const char *v)
{
    return v ? STMT_DRV(s)->bind_text(s, idx, v) : STMT_DRV(s)->bind_null(s, idx);
}

int db_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    if (!v && len > 0)
        return DB_ERR;
    return STMT_DRV(s)->bind_blob(s, idx, v, len);
}

int db_step(db_stmt *s) { return STMT_DRV(s)->step(s); }
int db_col_count(db_stmt *s) { return STMT_DRV(s)->col_count(s); }
int db_col_is_null(db_stmt *s, int col) { return STMT_DRV(s)->col_is_null(s, col); }
int64_t db_col_int64(db_stmt *s, int col) { return STMT_DRV(s)->col_int64(s, col); }
double db_col_double(db_stmt *s, int col) { return STMT_DRV(s)->col_double(s, col); }
const char *db_col_text(db_stmt *s, int col) { return STMT_DRV(s)->col_text(s, col); }

const void *db_col_blob(db_stmt *s, int col, size_t *len)
{
    return STMT_DRV(s)->col_blob(s, col, len);
}

int db_reset(db_stmt *s) { return STMT_DRV(s)->reset(s); }

void db_finalize(db_stmt *s)
{
    if (!s)
        return;
    db_conn *c = s->conn;
    if (s->cache_slot >= 0) {
        int i = s->cache_slot;
        if (c->drv->recycle(s) == DB_OK) {
            c->cache[i].busy = 0;
            return;
        }
        cache_remove(c, i);
    }
    c->drv->finalize(s);
}

int db_query_int64(db_conn *c, const char *sql, int64_t *out)
{
    db_stmt *s = db_prepare(c, sql);
    if (!s)
        return DB_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *out = db_col_int64(s, 0);
    db_finalize(s);
    return rc;
}
