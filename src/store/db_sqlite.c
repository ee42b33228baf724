/* SQLite driver: one sqlite3 handle per pooled connection, in WAL mode so readers never
 * block the single writer. Write transactions start with BEGIN IMMEDIATE: taking the write
 * lock up front lets busy_timeout wait for it, whereas upgrading a read transaction fails
 * at once with SQLITE_BUSY in WAL mode. */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db_driver.h"

#define SQLITE_BUSY_TIMEOUT_MS 5000
#define SQLITE_SETUP_RETRY_MS 10

typedef struct sqlite_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
} sqlite_stmt;

static sqlite3 *H(db_conn *c) { return c->handle; }
static sqlite_stmt *S(db_stmt *s) { return (sqlite_stmt *)s; }

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: return DB_OK;
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_BUSY;
    default: return DB_ERR;
    }
}

/* Records the handle's message and maps the code. */
static int fail(db_conn *c, int rc)
{
    db_conn_seterr(c, "sqlite: %s (code %d)", sqlite3_errmsg(H(c)), rc);
    return map_rc(rc);
}

/* mkdir -p of the directory part of `path`. */
static int make_parent_dirs(db_conn *c, const char *path)
{
    char *p = strdup(path);
    int rc = DB_OK;
    if (!p)
        return DB_ERR;
    char *slash = strrchr(p, '/');
    if (!slash || slash == p)
        goto out;
    *slash = '\0';
    for (char *q = p + 1; ; q++) {
        int last = *q == '\0';
        if (*q != '/' && !last)
            continue;
        *q = '\0';
        if (mkdir(p, 0750) != 0 && errno != EEXIST) {
            db_conn_seterr(c, "sqlite: cannot create directory %s: %s", p, strerror(errno));
            rc = DB_ERR;
            goto out;
        }
        if (last)
            break;
        *q = '/';
    }
out:
    free(p);
    return rc;
}

/* SQLite's memory statistics put one process-wide mutex around every allocation it
 * makes, which serialises all connections (it showed as the top lock under load).
 * Nothing here reads those statistics. sqlite3_config must run before the library
 * initialises, hence once, ahead of the first open; if something initialised SQLite
 * earlier the call is refused and the default simply stays. */
static pthread_once_t sqlite_setup_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

static int sq_open(db_conn *c, const char *path)
{
    pthread_once(&sqlite_setup_once, sqlite_setup);
    static const char *const pragmas =
        "PRAGMA journal_mode=WAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA synchronous=NORMAL;";
    sqlite3 *h = NULL;
    int rc;

    if (make_parent_dirs(c, path) != DB_OK)
        return DB_ERR;
    /* NOMUTEX: the pool guarantees one thread per connection at a time. */
    rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        db_conn_seterr(c, "sqlite: cannot open %s: %s", path,
                       h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(h, 1);
    /* Before the pragmas: switching to WAL needs a lock another opener may hold. */
    sqlite3_busy_timeout(h, SQLITE_BUSY_TIMEOUT_MS);
    /* Switching to WAL reads under a shared lock and then needs an exclusive one; SQLite
     * answers SQLITE_BUSY to such an upgrade at once instead of waiting (waiting could
     * deadlock), so openers racing on a new database retry here for as long as the busy
     * timeout would have waited. */
    for (int waited = 0;; waited += SQLITE_SETUP_RETRY_MS) {
        rc = sqlite3_exec(h, pragmas, NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= SQLITE_BUSY_TIMEOUT_MS)
            break;
        sqlite3_sleep(SQLITE_SETUP_RETRY_MS);
    }
    if (rc != SQLITE_OK) {
        db_conn_seterr(c, "sqlite: set-up of %s failed: %s", path, sqlite3_errmsg(h));
        goto fail;
    }
    c->handle = h;
    return DB_OK;
fail:
    sqlite3_close_v2(h);
    return DB_ERR;
}

static void sq_close(db_conn *c)
{
    sqlite3_close_v2(H(c));
    c->handle = NULL;
}

static int sq_revive(db_conn *c) { return DB_OK; }
static int sq_in_txn(db_conn *c) { return !sqlite3_get_autocommit(H(c)); }

static int sq_exec(db_conn *c, const char *sql)
{
    int rc = sqlite3_exec(H(c), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : fail(c, rc);
}

static db_stmt *sq_prepare(db_conn *c, const char *sql)
{
    sqlite_stmt *s = calloc(1, sizeof *s);
    if (!s) {
        db_conn_seterr(c, "sqlite: out of memory");
        return NULL;
    }
    int rc = sqlite3_prepare_v2(H(c), sql, -1, &s->st, NULL);
    if (rc != SQLITE_OK || !s->st) {
        if (rc == SQLITE_OK)
            db_conn_seterr(c, "sqlite: empty statement");
        else
            fail(c, rc);
        sqlite3_finalize(s->st);
        free(s);
        return NULL;
    }
    s->base.conn = c;
    return &s->base;
}

static int bind_rc(db_stmt *s, int rc) { return rc == SQLITE_OK ? DB_OK : fail(s->conn, rc); }

static int sq_bind_int64(db_stmt *s, int idx, int64_t v)
{
    return bind_rc(s, sqlite3_bind_int64(S(s)->st, idx, v));
}

static int sq_bind_double(db_stmt *s, int idx, double v)
{
    return bind_rc(s, sqlite3_bind_double(S(s)->st, idx, v));
}

static int sq_bind_text(db_stmt *s, int idx, const char *v)
{
    return bind_rc(s, sqlite3_bind_text(S(s)->st, idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    /* A NULL pointer would bind SQL NULL; an empty blob is still a value. */
    if (len == 0)
        return bind_rc(s, sqlite3_bind_zeroblob(S(s)->st, idx, 0));
    return bind_rc(s, sqlite3_bind_blob64(S(s)->st, idx, v, len, SQLITE_TRANSIENT));
}

static int sq_bind_null(db_stmt *s, int idx)
{
    return bind_rc(s, sqlite3_bind_null(S(s)->st, idx));
}

static int sq_step(db_stmt *s)
{
    int rc = sqlite3_step(S(s)->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return fail(s->conn, rc);
}

static int sq_col_count(db_stmt *s) { return sqlite3_column_count(S(s)->st); }

static int sq_col_is_null(db_stmt *s, int col)
{
    return sqlite3_column_type(S(s)->st, col) == SQLITE_NULL;
}

static int64_t sq_col_int64(db_stmt *s, int col) { return sqlite3_column_int64(S(s)->st, col); }
static double sq_col_double(db_stmt *s, int col) { return sqlite3_column_double(S(s)->st, col); }

static const char *sq_col_text(db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(S(s)->st, col);
}

static const void *sq_col_blob(db_stmt *s, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(S(s)->st, col);
    *len = (size_t)sqlite3_column_bytes(S(s)->st, col);
    /* SQLite returns NULL for an empty blob too; callers tell them apart by pointer. */
    if (!p && sqlite3_column_type(S(s)->st, col) != SQLITE_NULL)
        return "";
    return p;
}

static int sq_reset(db_stmt *s)
{
    /* sqlite3_reset repeats the last step's error; the statement is reusable anyway. */
    sqlite3_reset(S(s)->st);
    return DB_OK;
}

static int sq_recycle(db_stmt *s)
{
    /* The reset also ends the read transaction a half-read statement would hold. */
    sqlite3_reset(S(s)->st);
    sqlite3_clear_bindings(S(s)->st);
    return DB_OK;
}

static void sq_finalize(db_stmt *s)
{
    sqlite3_finalize(S(s)->st);
    free(s);
}

const struct db_driver db_sqlite_driver = {
    .kind = DB_SQLITE,
    .begin_sql = "BEGIN",
    .begin_write_sql = "BEGIN IMMEDIATE",
    /* Every read transaction takes and drops file locks (fcntl, a process-wide mutex):
     * one per request instead of one per query is the cheaper way. */
    .read_scopes = 1,
    .open = sq_open,
    .close = sq_close,
    .revive = sq_revive,
    .in_txn = sq_in_txn,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .reset = sq_reset,
    .recycle = sq_recycle,
    .finalize = sq_finalize,
};
