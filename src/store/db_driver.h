#ifndef ATTENDLY_STORE_DB_DRIVER_H
#define ATTENDLY_STORE_DB_DRIVER_H
/* Internal to store/: what db.c needs from a driver (db_sqlite.c, db_pg.c) and the
 * structures the pool and the drivers share. Not for use outside src/store. */
#include <stdarg.h>
#include "store/db.h"

#define DB_ERRMSG_MAX 512
/* Distinct SQL texts kept prepared per connection. The tree has fewer call sites than
 * this; a text beyond it is simply prepared and destroyed each time. */
#define DB_STMT_CACHE_MAX 96

struct db_driver;

/* A prepared statement kept on its connection for reuse (db.c). `busy` while some caller
 * holds it between db_prepare and db_finalize. */
struct db_cached_stmt {
    char *sql;
    size_t sql_len;
    db_stmt *stmt;
    int busy;
};

/* One pooled connection. `handle` is the driver's (sqlite3 *, PGconn *). */
struct db_conn {
    db *owner;
    const struct db_driver *drv;
    void *handle;
    int in_use;            /* guarded by the pool mutex */
    int broken;            /* the driver saw the link fail: reset before reuse */
    /* Bumped by a driver whenever it starts a new server session (open, reset): state
     * kept on the server, such as PG named statements, from older sessions is gone. */
    unsigned session;
    char err[DB_ERRMSG_MAX];
    /* Compiling SQL costs more than running these small queries, so statements are
     * kept per connection (used by one thread at a time: no locking). */
    struct db_cached_stmt cache[DB_STMT_CACHE_MAX];
    int n_cached;
    /* db_read_scope_begin: a read transaction is held for the request (scope), with this
     * many db_begin calls nested in it. */
    int scope;
    int scope_depth;
};

/* Drivers embed this as the first member of their statement structure. */
struct db_stmt {
    db_conn *conn;
    int cache_slot;        /* index in conn->cache, -1 when not cached (set by db.c) */
};

struct db_driver {
    enum db_kind kind;
    const char *begin_sql;        /* plain transaction */
    const char *begin_write_sql;  /* transaction that will write */
    int read_scopes;              /* db_read_scope_begin opens a transaction (else no-op) */

    /* Opens c->handle for `target` (file path or libpq URL); fills c->err on failure. */
    int (*open)(db_conn *c, const char *target);
    void (*close)(db_conn *c);
    /* Makes a possibly broken connection usable again (PG: PQreset). DB_OK or DB_ERR. */
    int (*revive)(db_conn *c);
    /* 1 when a transaction is open (or failed and not yet rolled back). */
    int (*in_txn)(db_conn *c);
    int (*exec)(db_conn *c, const char *sql);

    db_stmt *(*prepare)(db_conn *c, const char *sql);
    int (*bind_int64)(db_stmt *s, int idx, int64_t v);
    int (*bind_double)(db_stmt *s, int idx, double v);
    int (*bind_text)(db_stmt *s, int idx, const char *v);
    int (*bind_blob)(db_stmt *s, int idx, const void *v, size_t len);
    int (*bind_null)(db_stmt *s, int idx);
    int (*step)(db_stmt *s);
    int (*col_count)(db_stmt *s);
    int (*col_is_null)(db_stmt *s, int col);
    int64_t (*col_int64)(db_stmt *s, int col);
    double (*col_double)(db_stmt *s, int col);
    const char *(*col_text)(db_stmt *s, int col);
    const void *(*col_blob)(db_stmt *s, int col, size_t *len);
    int (*reset)(db_stmt *s);
    /* Makes a finished statement as good as freshly prepared (reset, bindings cleared)
     * so the cache can hand it out again. DB_OK, or an error and the caller finalizes. */
    int (*recycle)(db_stmt *s);
    void (*finalize)(db_stmt *s);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/* Formats a message into c->err (for logs; never shown to clients). */
void db_conn_seterr(db_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
