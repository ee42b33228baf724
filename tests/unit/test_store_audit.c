/* The audit log store against a real database: `test_store_audit sqlite|pg`. An event
 * appended in a transaction that rolls back is gone with it; lists are newest first
 * with ties broken by id, filtered and counted before the page is cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/storedb.h"
#include "store/audit.h"
#include "store/db.h"

static db *g_db;

static int64_t count_all(db_conn *c)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(c, "SELECT COUNT(*) FROM audit_events", &n), DB_ROW);
    return n;
}

static void test_append_is_transactional(void **st)
{
    db_conn *c = db_acquire(g_db, 5000);
    store_audit_new e = {.action = "face.enrolled", .subject_id = 7, .at = 100,
                         .details = "{\"images\":1}", .request_id = "req-1"};
    assert_non_null(c);
    int64_t before = count_all(c);
    assert_int_equal(db_begin_write(c), DB_OK);
    assert_int_equal(store_audit_append(c, &e), DB_OK);
    assert_int_equal(db_rollback(c), DB_OK);
    assert_int_equal(count_all(c), before);
    assert_int_equal(store_audit_append_tx(c, &e, 1), DB_OK);
    assert_int_equal(count_all(c), before + 1);

    char big[STORE_AUDIT_DETAILS_MAX + 8];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    store_audit_new huge = e;
    huge.details = big;
    assert_true(store_audit_append_tx(c, &huge, 1) < 0);
    assert_int_equal(count_all(c), before + 1);
    db_release(c);
}

static void test_list_order_and_filters(void **st)
{
    db_conn *c = db_acquire(g_db, 5000);
    store_audit_new ev[5] = {
        {.action = "x.a", .actor_id = 1, .subject_id = 50, .class_id = 9, .at = 1000},
        {.action = "x.b", .actor_id = 2, .subject_id = 50, .at = 1000},
        {.action = "x.a", .subject_id = 51, .at = 2000},
        {.action = "x.c", .actor_id = 1, .at = 500},
        {.action = "x.a", .actor_id = 1, .subject_id = 50, .class_id = 9, .at = 3000},
    };
    store_audit_event *rows = NULL;
    size_t n = 0;
    int64_t total = 0;

    assert_non_null(c);
    assert_int_equal(store_audit_append_tx(c, ev, 5), DB_OK);
    store_audit_filter f = {.subject_id = 50};
    assert_int_equal(store_audit_list(c, &f, 10, 0, &rows, &n, &total), DB_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].at, 3000);
    /* Two at 1000: the later id first. */
    assert_int_equal(rows[1].at, 1000);
    assert_string_equal(rows[1].action, "x.b");
    assert_string_equal(rows[2].action, "x.a");
    assert_int_equal(rows[2].class_id, 9);
    assert_int_equal(rows[1].class_id, 0);
    assert_string_equal(rows[1].details, "{}");
    assert_int_equal(rows[1].has_actor_name, 0);   /* no such user: no name */
    free(rows);

    store_audit_filter g = {.action = "x.a", .actor_id = 1, .has_since = 1, .since = 1000,
                            .has_until = 1, .until = 2999};
    assert_int_equal(store_audit_list(c, &g, 10, 0, &rows, &n, &total), DB_OK);
    assert_int_equal(total, 1);
    assert_int_equal(rows[0].at, 1000);
    free(rows);

    store_audit_filter h = {.action = "x.a"};
    assert_int_equal(store_audit_list(c, &h, 1, 1, &rows, &n, &total), DB_OK);
    assert_int_equal(total, 3);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].at, 2000);
    free(rows);
    assert_int_equal(store_audit_list(c, &h, 5, INT64_MAX, &rows, &n, &total), DB_OK);
    assert_int_equal(n, 0);
    free(rows);
    db_release(c);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_is_transactional),
        cmocka_unit_test(test_list_order_and_filters),
    };
    return STOREDB_RUN(argc, argv, "attendly-auditstore", tests, &g_db);
}
