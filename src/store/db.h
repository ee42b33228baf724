#ifndef ATTENDLY_STORE_DB_H
#define ATTENDLY_STORE_DB_H
/* The small driver interface every store_* function is written against. Two drivers:
 * db_sqlite.c (WAL, foreign keys, busy timeout) and db_pg.c (libpq). SQL is written once
 * with `?` placeholders (the PG driver rewrites them to $n); both accept ON CONFLICT and
 * RETURNING. Connections come from a fixed pool; one connection is used by one thread
 * at a time. SQL lives only under store/. */
#include <stddef.h>
#include <stdint.h>

typedef struct db db;             /* an open database: URL + connection pool */
typedef struct db_conn db_conn;   /* one pooled connection */
typedef struct db_stmt db_stmt;   /* one prepared statement on a connection */

enum db_kind { DB_SQLITE = 1, DB_POSTGRES = 2 };

/* Result codes of db_step and the other calls. */
enum db_rc {
    DB_OK = 0,
    DB_ROW = 1,          /* db_step: a row is available */
    DB_DONE = 2,         /* db_step: no (more) rows */
    DB_ERR = -1,         /* any failure; db_errmsg has details (for logs only) */
    DB_CONSTRAINT = -2,  /* unique / foreign-key violation */
    DB_BUSY = -3         /* lock timeout or serialization failure: caller may retry */
};

/* Opens `url` (sqlite:///path or postgresql://...). pool_size connections are opened
 * lazily. Returns NULL and a reason in err on failure (unknown scheme included). */
db *db_open(const char *url, int pool_size, char *err, size_t errlen);
/* The kind of database `url` names, without opening it: DB_SQLITE (then *target is the
 * file path, pointing into url) or DB_POSTGRES (*target is url); -1 with a reason. */
int db_url_kind(const char *url, const char **target, char *err, size_t errlen);

void db_close(db *d);   /* every connection must have been released */
enum db_kind db_kind_of(const db *d);

/* Takes a connection, waiting up to timeout_ms; NULL on timeout or connection failure.
 * A broken PG connection is reset on the next acquire. timeout_ms < 0 waits without limit.
 * db_release rolls back a transaction the caller left open. */
db_conn *db_acquire(db *d, int timeout_ms);
void db_release(db_conn *c);
/* Why the last connection attempt of db_acquire failed (for logs), "" if none did. */
void db_last_error(db *d, char *buf, size_t len);
enum db_kind db_conn_kind(const db_conn *c);
const char *db_errmsg(const db_conn *c);

/* Transactions. db_begin_write starts one that will write (SQLite: BEGIN IMMEDIATE). */
int db_begin(db_conn *c);
int db_begin_write(db_conn *c);
int db_commit(db_conn *c);
int db_rollback(db_conn *c);

/* A read scope around a request that only reads: one transaction (one snapshot) for all
 * of its queries, on drivers where that is cheaper (SQLite; elsewhere both are no-ops).
 * Inside it db_begin, db_commit and db_rollback only nest; db_begin_write ends the scope
 * first, so a write runs exactly as without one. db_read_scope_end commits what is open. */
int db_read_scope_begin(db_conn *c);
int db_read_scope_end(db_conn *c);

/* Runs SQL without parameters, possibly several statements (migrations). */
int db_exec(db_conn *c, const char *sql);

/* Prepared statements. Parameters are 1-based, columns 0-based. An error in the SQL shows
 * at db_prepare (SQLite) or at the first db_step (PostgreSQL): check both. db_col_count
 * is valid after the first db_step. Rebinding after a step needs db_reset first.
 * Statements are cached per connection: db_finalize hands the statement back reset and
 * unbound, and a later db_prepare of the same SQL on that connection reuses it (a new
 * one if it is still in use). Nothing of a finalized statement may be used any more. */
db_stmt *db_prepare(db_conn *c, const char *sql);
int db_bind_int64(db_stmt *s, int idx, int64_t v);
int db_bind_double(db_stmt *s, int idx, double v);
int db_bind_text(db_stmt *s, int idx, const char *v);        /* NULL binds SQL NULL */
int db_bind_blob(db_stmt *s, int idx, const void *v, size_t len);
int db_bind_null(db_stmt *s, int idx);
int db_step(db_stmt *s);                                       /* DB_ROW / DB_DONE / error */
int db_col_count(db_stmt *s);
int db_col_is_null(db_stmt *s, int col);
int64_t db_col_int64(db_stmt *s, int col);
double db_col_double(db_stmt *s, int col);
/* For SQL NULL: db_col_text returns NULL, db_col_blob NULL with *len 0, numbers 0. */
const char *db_col_text(db_stmt *s, int col);                  /* valid until next step */
const void *db_col_blob(db_stmt *s, int col, size_t *len);     /* valid until next step */
int db_reset(db_stmt *s);                                      /* rebind and run again */
void db_finalize(db_stmt *s);

/* Convenience: prepare + bind nothing + step once; returns the first column as int64
 * in *out (DB_ROW), DB_DONE when no row, or an error. */
int db_query_int64(db_conn *c, const char *sql, int64_t *out);

/* Migrations (store/migrations/NNN_name.sql, embedded): applies the pending ones in
 * order, each in its own transaction, recorded in schema_migrations. Returns the
 * number applied, or -1. */
int db_migrate(db *d, char *err, size_t errlen);

#endif
