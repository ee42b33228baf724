/* The database layer against a real database: `test_db sqlite` uses a fresh SQLite file,
 * `test_db pg` a throwaway PostgreSQL cluster. One body, both drivers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/pgcluster.h"
#include "common/tmpdir.h"
#include "core/embedded.h"
#include "store/db.h"

static enum db_kind g_kind;
static pgcluster g_pg;
static char g_tmp[256];
static char g_url[600];
static db *g_db;
static int g_dbs_made;

/* A URL for a fresh, empty database each call. */
static void fresh_url(char *out, size_t len)
{
    char name[64], err[256];
    snprintf(name, sizeof name, "extra_%d", ++g_dbs_made);
    if (g_kind == DB_SQLITE) {
        snprintf(out, len, "sqlite:///%s/%s.db", g_tmp, name);
        return;
    }
    if (pgcluster_create_database(&g_pg, name, out, len, err, sizeof err) != 0)
        fail_msg("create database: %s", err);
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static int64_t count_rows(db_conn *c, const char *table)
{
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    assert_int_equal(db_query_int64(c, sql, &n), DB_ROW);
    return n;
}

/* Inserts a user; returns the step result and the new id in *id. */
static int insert_user(db_conn *c, const char *email, int64_t *id)
{
    db_stmt *s = db_prepare(c, "INSERT INTO users (email, password_hash, first_name, last_name, "
                               "role, created_at, updated_at) VALUES (?, 'h', 'F', 'L', "
                               "'teacher', 1, 1) RETURNING id");
    assert_non_null(s);
    assert_int_equal(db_bind_text(s, 1, email), DB_OK);
    int rc = db_step(s);
    if (rc == DB_ROW && id)
        *id = db_col_int64(s, 0);
    db_finalize(s);
    return rc;
}

static int group_setup(void **state)
{
    char err[512];
    if (tmpdir_make("attendly-dbtest", g_tmp, sizeof g_tmp) != 0)
        return -1;
    if (g_kind == DB_SQLITE) {
        /* A nested, missing directory: the driver must create it. */
        snprintf(g_url, sizeof g_url, "sqlite:///%s/sub/dir/test.db", g_tmp);
    } else {
        if (pgcluster_start(&g_pg, err, sizeof err) != 0) {
            fprintf(stderr, "pgcluster_start: %s\n", err);
            return -1;
        }
        snprintf(g_url, sizeof g_url, "%s", g_pg.url);
    }
    g_db = db_open(g_url, 8, err, sizeof err);
    if (!g_db) {
        fprintf(stderr, "db_open: %s\n", err);
        return -1;
    }
    int n = db_migrate(g_db, err, sizeof err);
    if (n < 1) {
        fprintf(stderr, "db_migrate: %d %s\n", n, err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    db_close(g_db);
    if (g_kind == DB_POSTGRES)
        pgcluster_stop(&g_pg);
    tmpdir_remove(g_tmp);
    return 0;
}

static void test_migrate_idempotent(void **state)
{
    char err[256];
    size_t files = 0;
    for (const struct embedded_file *f = embedded_migrations; f->name; f++)
        files++;
    assert_int_equal(db_migrate(g_db, err, sizeof err), 0);

    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    assert_int_equal(count_rows(c, "schema_migrations"), (int64_t)files);
    int64_t one = 0;
    assert_int_equal(db_query_int64(c, "SELECT COUNT(*) FROM schema_migrations "
                                       "WHERE version = '001_init'", &one), DB_ROW);
    assert_int_equal(one, 1);
    db_release(c);
}

static void test_tables_exist(void **state)
{
    static const char *const tables[] = {
        "users", "classes", "join_codes", "enrollments", "revoked_tokens", "login_failures",
        "face_data", "face_descriptors", "attendance_sessions", "attendance_records"};
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        assert_true(count_rows(c, tables[i]) >= 0);
    int64_t n;
    assert_int_equal(db_query_int64(c, "SELECT COUNT(*) FROM no_such_table", &n), DB_ERR);
    assert_true(strlen(db_errmsg(c)) > 0);
    db_release(c);
}

static void test_insert_returning(void **state)
{
    int64_t a = 0, b = 0;
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    assert_int_equal(insert_user(c, "ret1@example.com", &a), DB_ROW);
    assert_int_equal(insert_user(c, "ret2@example.com", &b), DB_ROW);
    assert_true(a > 0);
    assert_true(b > a);
    db_release(c);
}

static void test_types_roundtrip(void **state)
{
    static const int64_t ints[] = {0, -1, 1, INT64_MAX, INT64_MIN, 9007199254740993LL};
    static const double dbls[] = {0.0, -1.5, 3.141592653589793, 1e300, -2.2250738585072014e-308, 0.1};
    static const char *const texts[] = {"", "plain", "quote ' and \"dq\" and ? and $1",
                                        "héllo wörld 日本語 🙂", "back\\slash\nnewline\ttab"};
    unsigned char blob[300];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 7);
    blob[0] = 0;
    blob[150] = 0;
    size_t blob_lens[] = {0, 1, sizeof blob};

    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    assert_int_equal(db_exec(c, g_kind == DB_SQLITE
        ? "CREATE TABLE t_types (k INTEGER, i BIGINT, d DOUBLE PRECISION, t TEXT, b BLOB)"
        : "CREATE TABLE t_types (k INTEGER, i BIGINT, d DOUBLE PRECISION, t TEXT, b BYTEA)"),
        DB_OK);
    db_stmt *ins = db_prepare(c, "INSERT INTO t_types (k, i, d, t, b) VALUES (?, ?, ?, ?, ?)");
    assert_non_null(ins);
    for (int k = 0; k < 6; k++) {
        assert_int_equal(db_bind_int64(ins, 1, k), DB_OK);
        assert_int_equal(db_bind_int64(ins, 2, ints[k]), DB_OK);
        assert_int_equal(db_bind_double(ins, 3, dbls[k]), DB_OK);
        assert_int_equal(db_bind_text(ins, 4, texts[k % 5]), DB_OK);
        assert_int_equal(db_bind_blob(ins, 5, blob, blob_lens[k % 3]), DB_OK);
        assert_int_equal(db_step(ins), DB_DONE);
        assert_int_equal(db_reset(ins), DB_OK);
    }
    /* A row of NULLs, bound both ways. */
    assert_int_equal(db_bind_int64(ins, 1, 99), DB_OK);
    assert_int_equal(db_bind_null(ins, 2), DB_OK);
    assert_int_equal(db_bind_null(ins, 3), DB_OK);
    assert_int_equal(db_bind_text(ins, 4, NULL), DB_OK);
    assert_int_equal(db_bind_null(ins, 5), DB_OK);
    assert_int_equal(db_step(ins), DB_DONE);
    db_finalize(ins);

    db_stmt *sel = db_prepare(c, "SELECT k, i, d, t, b FROM t_types ORDER BY k");
    assert_non_null(sel);
    for (int k = 0; k < 6; k++) {
        size_t len = 99;
        assert_int_equal(db_step(sel), DB_ROW);
        assert_int_equal(db_col_count(sel), 5);
        assert_int_equal(db_col_int64(sel, 0), k);
        assert_true(db_col_int64(sel, 1) == ints[k]);
        assert_true(db_col_double(sel, 2) == dbls[k]);
        assert_string_equal(db_col_text(sel, 3), texts[k % 5]);
        const void *b = db_col_blob(sel, 4, &len);
        assert_non_null(b);
        assert_int_equal(len, blob_lens[k % 3]);
        if (len)
            assert_memory_equal(b, blob, len);
        for (int col = 0; col < 5; col++)
            assert_false(db_col_is_null(sel, col));
    }
    assert_int_equal(db_step(sel), DB_ROW);
    assert_int_equal(db_col_int64(sel, 0), 99);
    for (int col = 1; col < 5; col++)
        assert_true(db_col_is_null(sel, col));
    size_t len = 5;
    assert_null(db_col_text(sel, 3));
    assert_null(db_col_blob(sel, 4, &len));
    assert_int_equal(len, 0);
    assert_int_equal(db_col_int64(sel, 1), 0);
    assert_int_equal(db_step(sel), DB_DONE);
    db_finalize(sel);
    assert_int_equal(db_exec(c, "DROP TABLE t_types"), DB_OK);
    db_release(c);
}

static void test_placeholder_in_literals(void **state)
{
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    db_stmt *s = db_prepare(c, "SELECT 'a?b''?', /* ? */ ?, \"x?\".v -- ?\n"
                               "FROM (SELECT 7 AS v) AS \"x?\" WHERE ? = 3");
    assert_non_null(s);
    assert_int_equal(db_bind_text(s, 1, "val"), DB_OK);
    assert_int_equal(db_bind_int64(s, 2, 3), DB_OK);
    assert_int_equal(db_step(s), DB_ROW);
    assert_string_equal(db_col_text(s, 0), "a?b'?");
    assert_string_equal(db_col_text(s, 1), "val");
    assert_int_equal(db_col_int64(s, 2), 7);
    assert_int_equal(db_step(s), DB_DONE);
    db_finalize(s);

    if (g_kind == DB_POSTGRES) {
        /* PostgreSQL-only quoting: escape strings and dollar quotes. */
        s = db_prepare(c, "SELECT E'\\'?', $q$ ? $q$, ? + 1");
        assert_non_null(s);
        assert_int_equal(db_bind_int64(s, 1, 41), DB_OK);
        assert_int_equal(db_step(s), DB_ROW);
        assert_string_equal(db_col_text(s, 0), "'?");
        assert_string_equal(db_col_text(s, 1), " ? ");
        assert_int_equal(db_col_int64(s, 2), 42);
        db_finalize(s);
    }
    db_release(c);
}

/* The per-connection statement cache must not show: a statement left in the middle of
 * its rows starts over at the next use, bindings do not carry over, the same SQL used
 * while an earlier use is open gets a statement of its own, and a parameter bound with
 * another type than before still works (PostgreSQL prepares cached statements). */
static void test_stmt_cache(void **state)
{
    (void)state;
    static const char *const rows =
        "SELECT v FROM (SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3) AS t "
        "WHERE v >= ? ORDER BY v";
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    for (int round = 0; round < 3; round++) {
        db_stmt *outer = db_prepare(c, rows);
        assert_non_null(outer);
        assert_int_equal(db_bind_int64(outer, 1, 1), DB_OK);
        assert_int_equal(db_step(outer), DB_ROW);
        assert_int_equal(db_col_int64(outer, 0), 1);

        db_stmt *inner = db_prepare(c, rows);
        assert_non_null(inner);
        assert_ptr_not_equal(inner, outer);
        assert_int_equal(db_bind_int64(inner, 1, 3), DB_OK);
        assert_int_equal(db_step(inner), DB_ROW);
        assert_int_equal(db_col_int64(inner, 0), 3);
        assert_int_equal(db_step(inner), DB_DONE);
        db_finalize(inner);

        assert_int_equal(db_step(outer), DB_ROW);
        assert_int_equal(db_col_int64(outer, 0), 2);
        db_finalize(outer); /* abandoned before its last row */
    }

    static const char *const coalesce = "SELECT COALESCE(?, -1)";
    db_stmt *s = db_prepare(c, coalesce);
    assert_non_null(s);
    assert_int_equal(db_bind_int64(s, 1, 5), DB_OK);
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_int64(s, 0), 5);
    db_finalize(s);
    s = db_prepare(c, coalesce); /* nothing bound this time: NULL */
    assert_non_null(s);
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_int64(s, 0), -1);
    db_finalize(s);
    s = db_prepare(c, coalesce);
    assert_non_null(s);
    assert_int_equal(db_bind_int64(s, 1, 7), DB_OK);
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_int64(s, 0), 7);
    db_finalize(s);
    db_release(c);
}

static void test_constraints(void **state)
{
    int64_t uid = 0;
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    assert_int_equal(insert_user(c, "dup@example.com", &uid), DB_ROW);
    assert_int_equal(insert_user(c, "dup@example.com", NULL), DB_CONSTRAINT);

    /* Foreign key: a class whose teacher does not exist. */
    db_stmt *s = db_prepare(c, "INSERT INTO classes (name, join_code, teacher_id, created_at, "
                               "updated_at) VALUES ('c', ?, ?, 1, 1)");
    assert_non_null(s);
    assert_int_equal(db_bind_text(s, 1, "FKFAIL"), DB_OK);
    assert_int_equal(db_bind_int64(s, 2, uid + 1000000), DB_OK);
    assert_int_equal(db_step(s), DB_CONSTRAINT);
    assert_int_equal(db_reset(s), DB_OK);
    assert_int_equal(db_bind_int64(s, 2, uid), DB_OK);
    assert_int_equal(db_step(s), DB_DONE);
    db_finalize(s);

    /* CHECK constraint, and NOT NULL on a text primary key (SQLite would allow it). */
    assert_int_equal(db_exec(c, "INSERT INTO users (email, password_hash, first_name, "
                                "last_name, role, created_at, updated_at) VALUES "
                                "('r@x', 'h', 'F', 'L', 'principal', 1, 1)"), DB_CONSTRAINT);
    assert_int_equal(db_exec(c, "INSERT INTO revoked_tokens (jti, user_id, expires_at) "
                                "VALUES (NULL, 1, 1)"), DB_CONSTRAINT);
    db_release(c);
}

static void test_transactions(void **state)
{
    db_conn *c = db_acquire(g_db, 1000);
    assert_non_null(c);
    int64_t before = count_rows(c, "users");

    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(insert_user(c, "rolled@example.com", NULL), DB_ROW);
    assert_int_equal(count_rows(c, "users"), before + 1);
    assert_int_equal(db_rollback(c), DB_OK);
    assert_int_equal(count_rows(c, "users"), before);

    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(insert_user(c, "kept@example.com", NULL), DB_ROW);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(count_rows(c, "users"), before + 1);

    /* Released with a transaction open: the pool rolls it back. */
    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(insert_user(c, "leaked@example.com", NULL), DB_ROW);
    db_release(c);
    c = db_acquire(g_db, 1000);
    assert_non_null(c);
    assert_int_equal(count_rows(c, "users"), before + 1);

    int64_t v = 5;
    assert_int_equal(db_query_int64(c, "SELECT id FROM users WHERE email = 'nobody'", &v), DB_DONE);
    assert_int_equal(v, 5);
    db_release(c);
}

#define N_THREADS 8
#define N_INSERTS 200

struct worker {
    db *d;
    int id;
    int failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < N_INSERTS; i++) {
        char email[64];
        snprintf(email, sizeof email, "w%d-%d@example.com", w->id, i);
        for (int attempt = 0;; attempt++) {
            db_conn *c = db_acquire(w->d, 10000);
            int ok = 0;
            if (c && db_begin_write(c) == DB_OK) {
                db_stmt *s = db_prepare(c, "INSERT INTO login_failures (email, client_addr, "
                                           "failed_at) VALUES (?, '127.0.0.1', ?)");
                ok = s && db_bind_text(s, 1, email) == DB_OK && db_bind_int64(s, 2, i) == DB_OK &&
                     db_step(s) == DB_DONE;
                db_finalize(s);
                ok = ok && db_commit(c) == DB_OK;
            }
            db_release(c);
            if (ok)
                break;
            if (attempt == 5) {
                w->failures++;
                break;
            }
        }
    }
    return NULL;
}

/* DB_BUSY: SQLite refuses to upgrade a read snapshot that another writer made stale;
 * PostgreSQL reports lock_not_available when lock_timeout expires. */
/* A read scope: nested transactions stay inside it and see one snapshot (SQLite), a write
 * transaction ends it first and commits on its own; on PostgreSQL it changes nothing. */
static void test_read_scope(void **state)
{
    db_conn *c = db_acquire(g_db, 1000), *w = db_acquire(g_db, 1000);
    assert_true(c && w);
    int64_t before = count_rows(c, "users");

    assert_int_equal(db_read_scope_begin(c), DB_OK);
    assert_int_equal(count_rows(c, "users"), before);
    assert_int_equal(insert_user(w, "scope-other@example.com", NULL), DB_ROW);
    assert_int_equal(db_begin(c), DB_OK);
    int64_t seen = count_rows(c, "users");
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(db_begin(c), DB_OK);
    assert_int_equal(db_rollback(c), DB_OK);
    if (db_conn_kind(c) == DB_SQLITE)
        assert_int_equal(seen, before); /* still the scope's snapshot */
    else
        assert_int_equal(seen, before + 1);
    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(insert_user(c, "scope-write@example.com", NULL), DB_ROW);
    assert_int_equal(db_commit(c), DB_OK);
    assert_int_equal(db_read_scope_end(c), DB_OK);
    assert_int_equal(count_rows(w, "users"), before + 2);

    /* Ended with nothing nested, or released while open: nothing is left behind. */
    assert_int_equal(db_read_scope_begin(c), DB_OK);
    assert_int_equal(count_rows(c, "users"), before + 2);
    assert_int_equal(db_read_scope_end(c), DB_OK);
    assert_int_equal(db_read_scope_begin(c), DB_OK);
    db_release(c);
    c = db_acquire(g_db, 1000);
    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(db_rollback(c), DB_OK);
    db_release(c);
    db_release(w);
}

static void test_busy(void **state)
{
    db_conn *a = db_acquire(g_db, 1000), *b = db_acquire(g_db, 1000);
    assert_non_null(a);
    assert_non_null(b);
    int64_t id = 0;
    assert_int_equal(insert_user(a, "busy@example.com", &id), DB_ROW);
    if (g_kind == DB_SQLITE) {
        assert_int_equal(db_begin(a), DB_OK);
        assert_true(count_rows(a, "users") > 0);
        assert_int_equal(insert_user(b, "busy2@example.com", NULL), DB_ROW);
        assert_int_equal(insert_user(a, "busy3@example.com", NULL), DB_BUSY);
    } else {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE users SET updated_at = 2 WHERE id = %lld", (long long)id);
        assert_int_equal(db_begin_write(a), DB_OK);
        assert_int_equal(db_exec(a, sql), DB_OK);
        assert_int_equal(db_begin_write(b), DB_OK);
        assert_int_equal(db_exec(b, "SET LOCAL lock_timeout = '100ms'"), DB_OK);
        assert_int_equal(db_exec(b, sql), DB_BUSY);
        assert_int_equal(db_rollback(b), DB_OK);
    }
    assert_int_equal(db_rollback(a), DB_OK);
    db_release(a);
    db_release(b);
}

static void test_pool_threads(void **state)
{
    struct timespec t0;
    char err[256];
    db *d = db_open(g_url, 4, err, sizeof err);
    assert_non_null(d);
    db_conn *c = db_acquire(d, 1000);
    assert_non_null(c);
    int64_t before = count_rows(c, "login_failures");
    db_release(c);

    pthread_t th[N_THREADS];
    struct worker w[N_THREADS];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (struct worker){.d = d, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    print_message("%d write transactions by %d threads on 4 connections: %ld ms\n",
                  N_THREADS * N_INSERTS, N_THREADS, elapsed_ms(&t0));
    c = db_acquire(d, 1000);
    assert_non_null(c);
    assert_int_equal(count_rows(c, "login_failures"), before + N_THREADS * N_INSERTS);
    db_release(c);
    db_close(d);
}

static void test_acquire_timeout(void **state)
{
    char err[256];
    struct timespec t0;
    db *d = db_open(g_url, 2, err, sizeof err);
    assert_non_null(d);
    db_conn *a = db_acquire(d, 1000), *b = db_acquire(d, 1000);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(db_acquire(d, 150));
    long waited = elapsed_ms(&t0);
    assert_true(waited >= 140);
    assert_true(waited < 2000);
    assert_null(db_acquire(d, 0));

    db_release(a);
    db_conn *again = db_acquire(d, 0);
    assert_ptr_equal(again, a);
    db_release(again);
    db_release(b);
    db_close(d);
}

static void test_bad_urls(void **state)
{
    static const char *const bad[] = {"mysql://u@h/db", "", "sqlite:", "sqlite://rel.db",
                                      "sqlite:///", "sqlite:///:memory:", "file:///tmp/x.db",
                                      "postgresq://h/db"};
    char err[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_null(db_open(bad[i], 4, err, sizeof err));
        assert_true(strlen(err) > 0);
    }
    assert_null(db_open("mysql://user:secret@h/db", 4, err, sizeof err));
    assert_non_null(strstr(err, "scheme"));
    assert_null(strstr(err, "secret"));
    assert_null(db_open(g_url, 0, err, sizeof err));
}

static void test_pg_unreachable(void **state)
{
    char err[256], why[512];
    /* Port 1 on loopback: nothing listens there. */
    db *d = db_open("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2", 2, err, sizeof err);
    assert_non_null(d);
    assert_null(db_acquire(d, 500));
    db_last_error(d, why, sizeof why);
    assert_true(strlen(why) > 0);
    /* The failed slot went back to the pool: the next attempt fails the same way. */
    assert_null(db_acquire(d, 500));
    assert_null(db_acquire(d, 500));
    assert_int_equal(db_migrate(d, err, sizeof err), -1);
    db_close(d);
}

/* PostgreSQL: a connection killed by the server is reset on the next acquire. */
static void test_pg_reset_broken(void **state)
{
    char err[256];
    db *d = db_open(g_url, 2, err, sizeof err);
    assert_non_null(d);
    db_conn *victim = db_acquire(d, 1000), *killer = db_acquire(d, 1000);
    assert_non_null(victim);
    assert_non_null(killer);
    int64_t pid = 0, ok = 0;
    assert_int_equal(db_query_int64(victim, "SELECT pg_backend_pid()", &pid), DB_ROW);
    db_stmt *s = db_prepare(killer, "SELECT pg_terminate_backend(CAST(? AS INTEGER))");
    assert_non_null(s);
    assert_int_equal(db_bind_int64(s, 1, pid), DB_OK);
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_int64(s, 0), 1);
    db_finalize(s);
    db_release(killer);

    assert_int_equal(db_query_int64(victim, "SELECT 1", &ok), DB_ERR);
    db_release(victim);
    db_conn *x = db_acquire(d, 1000), *y = db_acquire(d, 1000);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(db_query_int64(x, "SELECT 1", &ok), DB_ROW);
    assert_int_equal(db_query_int64(y, "SELECT 2", &ok), DB_ROW);
    assert_int_equal(ok, 2);
    db_release(x);
    db_release(y);
    db_close(d);
}

struct migrator {
    char url[600];
    int applied;
    char err[256];
};

static void *migrator_main(void *arg)
{
    struct migrator *m = arg;
    db *d = db_open(m->url, 2, m->err, sizeof m->err);
    m->applied = d ? db_migrate(d, m->err, sizeof m->err) : -1;
    db_close(d);
    return NULL;
}

/* Servers starting together on an empty database: each migration applied exactly once. */
static void test_concurrent_migrate(void **state)
{
    enum { N = 4 };
    struct migrator m[N];
    pthread_t th[N];
    char url[600];
    int files = 0, total = 0;
    for (const struct embedded_file *f = embedded_migrations; f->name; f++)
        files++;
    fresh_url(url, sizeof url);
    for (int i = 0; i < N; i++) {
        memset(&m[i], 0, sizeof m[i]);
        snprintf(m[i].url, sizeof m[i].url, "%s", url);
        assert_int_equal(pthread_create(&th[i], NULL, migrator_main, &m[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        if (m[i].applied < 0)
            fail_msg("migrator %d: %s", i, m[i].err);
        total += m[i].applied;
    }
    assert_int_equal(total, files);

    char err[256];
    db *d = db_open(url, 1, err, sizeof err);
    assert_non_null(d);
    db_conn *c = db_acquire(d, 1000);
    assert_non_null(c);
    assert_int_equal(count_rows(c, "schema_migrations"), files);
    assert_int_equal(count_rows(c, "users"), 0);
    db_release(c);
    db_close(d);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_idempotent),
        cmocka_unit_test(test_tables_exist),
        cmocka_unit_test(test_insert_returning),
        cmocka_unit_test(test_stmt_cache),
        cmocka_unit_test(test_types_roundtrip),
        cmocka_unit_test(test_placeholder_in_literals),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_read_scope),
        cmocka_unit_test(test_busy),
        cmocka_unit_test(test_pool_threads),
        cmocka_unit_test(test_acquire_timeout),
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_pg_unreachable),
        cmocka_unit_test(test_concurrent_migrate),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_pg_reset_broken),
    };
    if (argc != 2 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
        fprintf(stderr, "usage: %s sqlite|pg\n", argv[0]);
        return 2;
    }
    g_kind = strcmp(argv[1], "pg") == 0 ? DB_POSTGRES : DB_SQLITE;
    if (group_setup(NULL) != 0) {
        group_teardown(NULL);
        return 1;
    }
    int failed = _cmocka_run_group_tests(g_kind == DB_POSTGRES ? "db-pg" : "db-sqlite", tests,
                                         sizeof tests / sizeof tests[0], NULL, NULL);
    if (g_kind == DB_POSTGRES)
        failed += cmocka_run_group_tests_name("db-pg-only", pg_tests, NULL, NULL);
    group_teardown(NULL);
    return failed ? 1 : 0;
}
