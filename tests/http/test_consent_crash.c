/* Consent withdrawal (API.md §13.3) survives kill -9: students withdraw at the same time,
 * the server is killed at a random moment, and after a restart every student is either
 * withdrawn with no face data left, or still consenting with all of it — never half. Run
 * on SQLite, where the crash hits the write-ahead log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "att_fixture.h"
#include "common/proc.h"
#include "fixture.h"

#define STUDENTS 8
#define IMAGES 25
#define ROUNDS 4

static void give_consent(const user *s)
{
    att_resp r = want_status(att_call("GET", "/api/face-data/consent", s->token, NULL), 200);
    char body[128];
    snprintf(body, sizeof body, "{\"accept\": true, \"version\": \"%s\"}",
             att_str(json_object_get(r.json, "consent"), "version"));
    att_resp_free(&r);
    r = want_status(att_call("POST", "/api/face-data/consent", s->token, body), 200);
    att_resp_free(&r);
}

/* IMAGES descriptors with 32 KiB thumbnails, so that a withdrawal has work to do; dated
 * now, so that the restart's retention sweep leaves them alone. */
static void fake_face_data(long long student)
{
    static unsigned char thumb[32 * 1024];
    db_conn *c = fx_db();
    db_stmt *s = db_prepare(c, "INSERT INTO face_data (user_id, upload_method, encoding_version,"
                               " created_at, updated_at) VALUES (?, 'multiple_images', 'v1', ?, ?)");
    db_bind_int64(s, 1, student);
    db_bind_int64(s, 2, (int64_t)time(NULL));
    db_bind_int64(s, 3, (int64_t)time(NULL));
    assert_int_equal(db_step(s), DB_DONE);
    db_finalize(s);
    for (int i = 0; i < IMAGES; i++) {
        s = db_prepare(c, "INSERT INTO face_descriptors (user_id, descriptor, source, face_size,"
                          " detection_score, thumbnail, created_at) VALUES (?, ?, 'multiple_images',"
                          " 100, 0.9, ?, ?)");
        db_bind_int64(s, 1, student);
        db_bind_int64(s, 4, (int64_t)time(NULL));
        db_bind_blob(s, 2, thumb, 512);
        db_bind_blob(s, 3, thumb, sizeof thumb);
        assert_int_equal(db_step(s), DB_DONE);
        db_finalize(s);
    }
    db_release(c);
}

static void *withdraw(void *arg)
{
    const user *s = arg;
    att_resp r = att_call("DELETE", "/api/face-data/consent", s->token, NULL);
    att_resp_free(&r);   /* killed mid-way: no reply, or any reply */
    return NULL;
}

static long long count(const char *fmt, long long id)
{
    char sql[256];
    snprintf(sql, sizeof sql, fmt, id);
    return fx_query_int(sql);
}

static void test_kill_during_withdrawal(void **state)
{
    int withdrawn_total = 0, kept_total = 0;
    srand((unsigned)time(NULL));
    for (int round = 0; round < ROUNDS; round++) {
        user st[STUDENTS];
        pthread_t th[STUDENTS];
        for (int i = 0; i < STUDENTS; i++) {
            new_user(&st[i], "student", "Crash", "Test");
            give_consent(&st[i]);
            fake_face_data(st[i].id);
        }
        for (int i = 0; i < STUDENTS; i++)
            pthread_create(&th[i], NULL, withdraw, &st[i]);
        test_sleep_ms(rand() % 40);
        assert_int_equal(fx_crash_restart(), 0);
        for (int i = 0; i < STUDENTS; i++)
            pthread_join(th[i], NULL);

        for (int i = 0; i < STUDENTS; i++) {
            long long id = st[i].id;
            long long withdrawn = count("SELECT COUNT(*) FROM face_consents WHERE user_id = %lld"
                                        " AND status = 'withdrawn'", id);
            long long images = count("SELECT COUNT(*) FROM face_descriptors WHERE user_id = %lld", id);
            long long summary = count("SELECT COUNT(*) FROM face_data WHERE user_id = %lld", id);
            long long history = count("SELECT COUNT(*) FROM face_consent_history WHERE user_id = %lld", id);
            long long event = count("SELECT COUNT(*) FROM audit_events WHERE subject_id = %lld AND"
                                    " action = 'consent.withdrawn'", id);
            if (withdrawn) {
                assert_int_equal(images, 0);
                assert_int_equal(summary, 0);
                assert_int_equal(history, 2);
                assert_int_equal(event, 1);
                withdrawn_total++;
            } else {
                assert_int_equal(images, IMAGES);
                assert_int_equal(summary, 1);
                assert_int_equal(history, 1);
                assert_int_equal(event, 0);
                kept_total++;
            }
        }
        /* The restarted server answers, and a kept consent can still be withdrawn. */
        att_resp r = att_call("DELETE", "/api/face-data/consent", st[0].token, NULL);
        assert_true(r.status == 200 || r.status == 409);
        att_resp_free(&r);
    }
    printf("after %d kills: %d withdrawals complete, %d untouched, none half-done\n", ROUNDS,
           withdrawn_total, kept_total);
}

int main(int argc, char **argv)
{
    static const char *const env[] = {"FACE_CONSENT_REQUIRED=1", NULL};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_withdrawal),
    };
    return att_run_group_env(argc, argv, tests, 1, env);
}
