/* The retention sweep's one-process-at-a-time rule on both drivers: while another holder
 * has the sweep (PostgreSQL advisory lock / SQLite lease), a sweep does nothing and says
 * DB_BUSY; once released, or once a lease has run out, it runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "common/storedb.h"
#include "store/faces.h"
#include "store/sweep.h"

static db *g_db;

static void test_one_at_a_time(void **st)
{
    db_conn *a = db_acquire(g_db, 5000), *b = db_acquire(g_db, 5000);
    store_sweep_policy p = {.now = 1000000, .face_data_days = 365, .face_image_days = 30,
                            .audit_days = 730, .login_window_seconds = 900, .holder = "me"};
    store_sweep_result r;
    int64_t ignored;
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(db_exec(a, "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES"
                                " ('gone', 1, 5)"), DB_OK);
    if (db_conn_kind(a) == DB_POSTGRES) {
        assert_int_equal(db_query_int64(b, "SELECT CASE WHEN pg_try_advisory_lock(7312946012)"
                                           " THEN 1 ELSE 0 END", &ignored), DB_ROW);
        assert_int_equal(ignored, 1);
        assert_int_equal(store_sweep_run(a, &p, &r), DB_BUSY);
        assert_int_equal(db_query_int64(b, "SELECT CASE WHEN pg_advisory_unlock(7312946012)"
                                           " THEN 1 ELSE 0 END", &ignored), DB_ROW);
    } else {
        assert_int_equal(db_exec(b, "UPDATE sweep_lease SET holder = 'other', until = 1000500"),
                         DB_OK);
        assert_int_equal(store_sweep_run(a, &p, &r), DB_BUSY);
        p.now = 1000501;   /* the other holder's lease ran out (it died mid-sweep) */
    }
    assert_int_equal(store_sweep_run(a, &p, &r), DB_OK);
    assert_int_equal(r.revoked_tokens, 1);
    store_face_paths_free(r.paths, r.n_paths);
    /* Released: a second sweep right away runs too (and finds nothing). */
    assert_int_equal(store_sweep_run(b, &p, &r), DB_OK);
    assert_int_equal(r.revoked_tokens, 0);
    store_face_paths_free(r.paths, r.n_paths);
    db_release(a);
    db_release(b);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one_at_a_time)};
    return STOREDB_RUN(argc, argv, "attendly-sweepstore", tests, &g_db);
}
