/* Backups on PostgreSQL: the commands of docs/operations.md ("Backups", PostgreSQL) run
 * for real against a database a server has written to: pg_dump -Fc while it serves,
 * then, with the server stopped, pg_restore --clean --if-exists, and a server on the
 * restored database serves the dumped data (and not what came after the dump).
 * `attendly backup` and `attendly restore` refuse a postgresql:// URL and name the tools. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backup_support.h"
#include "common/pgcluster.h"
#include "common/proc.h"
#include "common/server.h"
#include "common/tmpdir.h"
#include "steps.h"

#define TEST_SECRET "JWT_SECRET_KEY=backup-pg-test-secret-0123456789abcdef"
#define PG_TOOL_TIMEOUT_MS 120000

static pgcluster g_pg;
static char g_work[512];

static void start_server(test_server *s)
{
    char err[2048];
    static const char *const env[] = {TEST_SECRET, NULL};
    if (test_server_start(s, g_pg.url, env, err, sizeof err) != 0)
        fail_msg("server: %s", err);
    fx_use(s);
}

/* <bindir>/<tool> args... as in the documentation. */
static void run_tool(const char *tool, const char *const *args)
{
    char exe[400], out[BK_OUT_MAX];
    const char *argv[12];
    int n = 0;
    snprintf(exe, sizeof exe, "%s/%s", g_pg.bindir, tool);
    argv[n++] = exe;
    for (; *args && n < 11; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    int rc = test_run(argv, NULL, g_work, out, sizeof out, PG_TOOL_TIMEOUT_MS);
    if (rc != 0)
        fail_msg("%s exit %d: %s", tool, rc, out);
}

static void test_pg_dump_and_restore(void **state)
{
    test_server srv;
    tuser teacher;
    char dump[600];
    snprintf(dump, sizeof dump, "%s/attendly.dump", g_work);

    start_server(&srv);
    th_signup(&teacher, "teacher");
    int64_t kept = th_create_class(&teacher, "Dumped", NULL);

    const char *dump_args[] = {"-Fc", "-d", g_pg.url, "-f", dump, NULL};
    run_tool("pg_dump", dump_args);             /* while the server runs */
    int64_t lost = th_create_class(&teacher, "After the dump", NULL);
    assert_int_equal(test_server_stop(&srv), 0);

    const char *restore_args[] = {"--clean", "--if-exists", "-d", g_pg.url, dump, NULL};
    run_tool("pg_restore", restore_args);

    start_server(&srv);
    fx_resp r = fx_req("GET", th_class_path(kept, NULL), teacher.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    r = fx_req("GET", th_class_path(lost, NULL), teacher.access, NULL);
    assert_int_equal(r.status, 404);
    fx_free(&r);
    th_login(&teacher);
    assert_int_equal(test_server_stop(&srv), 0);
    fx_use(NULL);
}

static void test_attendly_backup_refuses_pg(void **state)
{
    char out[BK_OUT_MAX], dir[512];
    struct stat st;
    const char *file = th_fmt("%s/pg.tar", g_work);
    assert_int_equal(tmpdir_make_in(g_work, "data", dir, sizeof dir), 0);

    const char *backup[] = {"backup", file, NULL};
    assert_int_equal(bk_attendly(dir, g_pg.url, backup, out, sizeof out), 2);
    assert_non_null(strstr(out, "backup works on SQLite only; for PostgreSQL use pg_dump"));
    assert_non_null(strstr(out, "pg_dump -Fc -d \"$DATABASE_URL\" -f attendly.dump"));
    assert_int_equal(stat(file, &st), -1);

    const char *restore[] = {"restore", file, NULL};
    assert_int_equal(bk_attendly(dir, g_pg.url, restore, out, sizeof out), 2);
    assert_non_null(strstr(out, "pg_restore --clean --if-exists -d \"$DATABASE_URL\""));
}

int main(void)
{
    char err[2048];
    if (tmpdir_make("attendly-backup-pg", g_work, sizeof g_work) < 0)
        return 1;
    if (pgcluster_start(&g_pg, err, sizeof err) != 0) {
        fprintf(stderr, "pgcluster: %s\n", err);
        tmpdir_remove(g_work);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_dump_and_restore),
        cmocka_unit_test(test_attendly_backup_refuses_pg),
    };
    int failed = cmocka_run_group_tests_name("pg", tests, NULL, NULL);
    pgcluster_stop(&g_pg);
    tmpdir_remove(g_work);
    return failed;
}
