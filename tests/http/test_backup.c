/* `attendly backup` and `attendly restore` on SQLite with the real binary: a backup taken
 * while a writer keeps committing holds every write acknowledged before it started and
 * the token secret; restore refuses while a server runs, and refuses bad archives
 * (foreign paths, no manifest, unknown format, a damaged database) without changing
 * the target. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backup_support.h"
#include "common/client.h"
#include "common/proc.h"
#include "common/server.h"
#include "common/tmpdir.h"
#include "steps.h"

#define MAX_ACKS 100000
#define LOAD_MIN_ACKS 20
#define FILLER_ROWS 3000          /* ~12 MB: the copy takes many backup steps */
#define STR_(x) #x
#define STR(x) STR_(x)
#define IMAGE_REL "faces/5/1700000000-0badc0de.jpg"

static char g_work[512];

/* ---- the write load --------------------------------------------------------------- */

typedef struct ack {
    int64_t id;
    double at;    /* monotonic seconds when the 201 arrived */
} ack;

static struct {
    const test_server *srv;
    const char *token;
    volatile int stop;
    ack acks[MAX_ACKS];
    volatile int n;
    int failures;
} g_load;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Creates classes until told to stop, recording each acknowledged id. No cmocka here:
 * assertions belong to the main thread. */
static void *writer(void *arg)
{
    char body[64];
    for (int i = 0; !g_load.stop && g_load.n < MAX_ACKS; i++) {
        http_resp r;
        snprintf(body, sizeof body, "{\"name\":\"Load %d\"}", i);
        if (http_post_json(g_load.srv, "/api/classes/create", body, g_load.token, &r) != 0) {
            g_load.failures++;
            continue;
        }
        json_t *c = r.status == 201 ? json_object_get(r.json, "class") : NULL;
        json_t *id = json_object_get(c, "id");
        if (json_is_integer(id)) {
            g_load.acks[g_load.n].id = json_integer_value(id);
            g_load.acks[g_load.n].at = now_s();
            __atomic_store_n(&g_load.n, g_load.n + 1, __ATOMIC_RELEASE);
        } else {
            g_load.failures++;
        }
        http_resp_free(&r);
    }
    return NULL;
}

static int acks_now(void) { return __atomic_load_n(&g_load.n, __ATOMIC_ACQUIRE); }

static void wait_acks(int n)
{
    for (int waited = 0; acks_now() < n && waited < 60000; waited += 10)
        test_sleep_ms(10);
    assert_true(acks_now() >= n);
}

/* ---- helpers ----------------------------------------------------------------------- */

/* dir/rel in a rotating buffer of th_fmt: use at once, do not keep. */
static const char *path_in(const char *dir, const char *rel)
{
    return th_fmt("%s/%s", dir, rel);
}

static void write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(data, f);
    fclose(f);
}

static db *open_db(const char *dir)
{
    char err[256];
    db *d = db_open(th_fmt("sqlite:///%s/attendly.db", dir), 1, err, sizeof err);
    assert_non_null(d);
    return d;
}

static void expect_integrity_ok(db_conn *c)
{
    db_stmt *s = db_prepare(c, "PRAGMA integrity_check");
    assert_non_null(s);
    assert_int_equal(db_step(s), DB_ROW);
    assert_string_equal(db_col_text(s, 0), "ok");
    db_finalize(s);
}

static int64_t count_class(db_conn *c, int64_t id)
{
    db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM classes WHERE id = ?");
    int64_t n = -1;
    assert_non_null(s);
    assert_int_equal(db_bind_int64(s, 1, id), DB_OK);
    if (db_step(s) == DB_ROW)
        n = db_col_int64(s, 0);
    db_finalize(s);
    return n;
}

/* A few MB of rows, so that the copy runs over many steps while the writer commits. */
static void add_filler(const char *dir)
{
    db *d = open_db(dir);
    db_conn *c = db_acquire(d, 5000);
    assert_non_null(c);
    assert_int_equal(db_exec(c, "CREATE TABLE test_filler (x BLOB);"
                                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < " STR(FILLER_ROWS) ") "
                                "INSERT INTO test_filler SELECT randomblob(4000) FROM n;"), DB_OK);
    db_release(c);
    db_close(d);
}

static void start_server(test_server *s, const char *data_dir)
{
    char err[2048];
    const char *env[3] = {NULL, NULL, NULL};
    if (data_dir) {
        env[0] = th_fmt("ATTENDLY_DATA_DIR=%s", data_dir);
        env[1] = th_fmt("DATABASE_URL=sqlite:///%s/attendly.db", data_dir);
    }
    if (test_server_start(s, NULL, env, err, sizeof err) != 0)
        fail_msg("server: %s", err);
    fx_use(s);
}

/* ---- tests --------------------------------------------------------------------------- */

/* Backup in the middle of a write load, restore into a fresh data dir, serve from it. */
static void test_backup_under_load(void **state)
{
    char out[BK_OUT_MAX];
    test_server srv, back;
    tuser teacher;
    pthread_t th;
    char archive[600];
    snprintf(archive, sizeof archive, "%s/load.tar.gz", g_work);

    start_server(&srv, NULL);
    th_signup(&teacher, "teacher");
    assert_int_equal(mkdir(path_in(srv.dir, "faces"), 0700), 0);
    assert_int_equal(mkdir(path_in(srv.dir, "faces/5"), 0700), 0);
    write_file(path_in(srv.dir, IMAGE_REL), "not really a jpeg");
    add_filler(srv.dir);

    g_load.srv = &srv;
    g_load.token = teacher.access;
    assert_int_equal(pthread_create(&th, NULL, writer, NULL), 0);
    wait_acks(LOAD_MIN_ACKS);
    double started = now_s();
    const char *args[] = {"backup", archive, NULL};
    int rc = bk_attendly(srv.dir, NULL, args, out, sizeof out);
    double finished = now_s();
    int at_end = acks_now();
    wait_acks(at_end + LOAD_MIN_ACKS);
    g_load.stop = 1;
    pthread_join(th, NULL);
    if (rc != 0)
        fail_msg("backup exit %d: %s", rc, out);
    assert_non_null(strstr(out, "backup written to"));
    assert_int_equal(g_load.failures, 0);

    struct stat st;
    assert_int_equal(stat(archive, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(th_fmt("%s.tmp", archive), &st), -1);
    char *secret = NULL;
    size_t secret_len = 0;
    assert_int_equal(bk_read_file(path_in(srv.dir, "jwt_secret"), &secret, &secret_len), 0);
    assert_int_equal(test_server_stop(&srv), 0);

    /* A fresh data dir: restore needs no --force. */
    char fresh[512];
    assert_int_equal(tmpdir_make_in(g_work, "restored", fresh, sizeof fresh), 0);
    const char *rargs[] = {"restore", archive, NULL};
    rc = bk_attendly(fresh, NULL, rargs, out, sizeof out);
    if (rc != 0)
        fail_msg("restore exit %d: %s", rc, out);
    assert_non_null(strstr(out, "1 stored image"));

    char *got = NULL;
    size_t got_len = 0;
    assert_int_equal(bk_read_file(path_in(fresh, "jwt_secret"), &got, &got_len), 0);
    assert_int_equal(got_len, secret_len);
    assert_memory_equal(got, secret, secret_len);
    free(got);
    free(secret);
    assert_int_equal(stat(path_in(fresh, "jwt_secret"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(bk_read_file(path_in(fresh, IMAGE_REL), &got, &got_len), 0);
    assert_string_equal(got, "not really a jpeg");
    free(got);

    /* Every write acknowledged before the backup started is in the copy. */
    db *d = open_db(fresh);
    db_conn *c = db_acquire(d, 5000);
    assert_non_null(c);
    expect_integrity_ok(c);
    int before = 0, after = 0;
    for (int i = 0; i < g_load.n; i++) {
        if (g_load.acks[i].at < started) {
            before++;
            if (count_class(c, g_load.acks[i].id) != 1)
                fail_msg("class %lld acknowledged before the backup is missing",
                         (long long)g_load.acks[i].id);
        } else if (g_load.acks[i].at > finished) {
            after++;
        }
    }
    db_release(c);
    db_close(d);
    printf("load: %d classes acknowledged before, %d during, %d after the backup (%.0f ms)\n",
           before, g_load.n - before - after, after, (finished - started) * 1000);
    /* The load really ran on both sides of the backup. */
    assert_true(before >= LOAD_MIN_ACKS);
    assert_true(after >= LOAD_MIN_ACKS);

    /* A server on the restored data: the old token still verifies (the secret came back),
     * and the data is served. */
    start_server(&back, fresh);
    fx_resp r = fx_req("GET", "/api/auth/verify-token", teacher.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    r = fx_req("GET", th_class_path(g_load.acks[0].id, NULL), teacher.access, NULL);
    assert_int_equal(r.status, 200);
    fx_free(&r);
    assert_int_equal(test_server_stop(&back), 0);
    fx_use(NULL);
}

/* A running server holds the database: restore refuses, even with --force. */
static void test_restore_refused_while_serving(void **state)
{
    char out[BK_OUT_MAX];
    test_server srv;
    tuser u;
    char archive[600];
    snprintf(archive, sizeof archive, "%s/serving.tar", g_work);

    start_server(&srv, NULL);
    th_signup(&u, "student");
    const char *args[] = {"backup", archive, NULL};
    assert_int_equal(bk_attendly(srv.dir, NULL, args, out, sizeof out), 0);
    th_signup(&u, "student");   /* after the backup: a restore would lose it */

    char *before = bk_snapshot(srv.dir, "/server.log");
    const char *rargs[] = {"restore", "--force", archive, NULL};
    assert_int_equal(bk_attendly(srv.dir, NULL, rargs, out, sizeof out), 1);
    assert_non_null(strstr(out, "restore refused: a server is running on"));
    assert_non_null(strstr(out, "stop it first"));
    char *after = bk_snapshot(srv.dir, "/server.log");
    assert_non_null(before);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
    th_login(&u);   /* the newest account is still there */
    assert_int_equal(test_server_stop(&srv), 0);
    fx_use(NULL);
}

/* One bad archive: restore --force refuses it with `msg` and leaves `target` as it was. */
static void expect_refused(const char *target, const char *archive, const char *msg)
{
    char out[BK_OUT_MAX];
    /* The lock file (created by the first restore) is the only thing allowed to appear. */
    char *before = bk_snapshot(target, "/attendly.db.lock");
    const char *args[] = {"restore", "--force", archive, NULL};
    int rc = bk_attendly(target, NULL, args, out, sizeof out);
    char *after = bk_snapshot(target, "/attendly.db.lock");
    if (rc != 1 || !strstr(out, msg) || !strstr(out, "nothing was changed"))
        fail_msg("%s: exit %d, expected \"%s\": %s", archive, rc, msg, out);
    assert_non_null(before);
    assert_non_null(after);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

#define ENTRY(n, d, l) {.name = (n), .data = (d), .len = (l)}

static const char *manifest(char *buf, size_t len, int version)
{
    snprintf(buf, len, "{\"format\":\"attendly-backup\",\"format_version\":%d}", version);
    return buf;
}

static void test_restore_refuses_bad_archives(void **state)
{
    char out[BK_OUT_MAX], target[512];
    char *dbdata = NULL;
    size_t dblen = 0;
    char good[600];
    snprintf(good, sizeof good, "%s/good.tar", g_work);

    /* The target: a migrated database, a secret and one image. */
    assert_int_equal(tmpdir_make_in(g_work, "target", target, sizeof target), 0);
    const char *migrate[] = {"migrate", NULL};
    assert_int_equal(bk_attendly(target, NULL, migrate, out, sizeof out), 0);
    write_file(path_in(target, "jwt_secret"), "0123456789abcdef0123456789abcdef0123\n");
    const char *args[] = {"backup", good, NULL};
    assert_int_equal(bk_attendly(target, NULL, args, out, sizeof out), 0);
    assert_int_equal(bk_archive_entry(good, "attendly.db", &dbdata, &dblen), 0);
    char m1buf[96], m99buf[96];
    const char *m1 = manifest(m1buf, sizeof m1buf, 1);

    const bk_entry evil[] = {ENTRY("attendly-backup.json", m1, strlen(m1)),
                             ENTRY("attendly.db", dbdata, dblen),
                             ENTRY("../evil", "x", 1)};
    const char *a = path_in(g_work, "evil.tar");
    assert_int_equal(bk_write_archive(a, evil, 3), 0);
    expect_refused(target, a, "unexpected entry \"../evil\"");

    const bk_entry abs[] = {ENTRY("attendly-backup.json", m1, strlen(m1)),
                            ENTRY("/tmp/evil", "x", 1)};
    a = path_in(g_work, "abs.tar.gz");
    assert_int_equal(bk_write_archive(a, abs, 2), 0);
    expect_refused(target, a, "unexpected entry \"/tmp/evil\"");

    const bk_entry link[] = {ENTRY("attendly-backup.json", m1, strlen(m1)),
                             {.name = "jwt_secret", .symlink = "/etc/passwd"}};
    a = path_in(g_work, "link.tar");
    assert_int_equal(bk_write_archive(a, link, 2), 0);
    expect_refused(target, a, "unexpected entry \"jwt_secret\"");

    const bk_entry deep[] = {ENTRY("faces/5/x/y.jpg", "x", 1)};
    a = path_in(g_work, "deep.tar");
    assert_int_equal(bk_write_archive(a, deep, 1), 0);
    expect_refused(target, a, "unexpected entry \"faces/5/x/y.jpg\"");

    const bk_entry nomanifest[] = {ENTRY("attendly.db", dbdata, dblen),
                                   {.name = "faces/", .is_dir = 1}};
    a = path_in(g_work, "nomanifest.tar");
    assert_int_equal(bk_write_archive(a, nomanifest, 2), 0);
    expect_refused(target, a, "no attendly-backup.json");

    const char *m99 = manifest(m99buf, sizeof m99buf, 99);
    const bk_entry future[] = {ENTRY("attendly-backup.json", m99, strlen(m99)),
                               ENTRY("attendly.db", dbdata, dblen)};
    a = path_in(g_work, "future.tar");
    assert_int_equal(bk_write_archive(a, future, 2), 0);
    expect_refused(target, a, "format version 99 is not known");

    const bk_entry nodb[] = {ENTRY("attendly-backup.json", m1, strlen(m1))};
    a = path_in(g_work, "nodb.tar");
    assert_int_equal(bk_write_archive(a, nodb, 1), 0);
    expect_refused(target, a, "holds no database");

    /* A damaged page in the middle of the database. */
    size_t page = ((size_t)(unsigned char)dbdata[16] << 8) | (unsigned char)dbdata[17];
    assert_true(page >= 512 && dblen >= 4 * page);
    memset(dbdata + page, 0xA5, page);
    const bk_entry corrupt[] = {ENTRY("attendly-backup.json", m1, strlen(m1)),
                                ENTRY("attendly.db", dbdata, dblen)};
    a = path_in(g_work, "corrupt.tar");
    assert_int_equal(bk_write_archive(a, corrupt, 2), 0);
    expect_refused(target, a, "the database in the archive is damaged");

    a = path_in(g_work, "garbage.tar");
    write_file(a, "this is not a tar file at all");
    expect_refused(target, a, "not a readable tar archive");
    free(dbdata);

    /* Without --force an existing database is never replaced; with it, the good archive
     * goes in and the old files are kept aside. */
    const char *plain[] = {"restore", good, NULL};
    assert_int_equal(bk_attendly(target, NULL, plain, out, sizeof out), 1);
    assert_non_null(strstr(out, "already exists; use --force"));
    const char *forced[] = {"restore", "--force", good, NULL};
    if (bk_attendly(target, NULL, forced, out, sizeof out) != 0)
        fail_msg("restore --force: %s", out);
    assert_non_null(strstr(out, "kept with the suffix .before-restore-"));
}

int main(void)
{
    if (tmpdir_make("attendly-backup", g_work, sizeof g_work) < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_under_load),
        cmocka_unit_test(test_restore_refused_while_serving),
        cmocka_unit_test(test_restore_refuses_bad_archives),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    tmpdir_remove(g_work);
    return failed;
}
