/* Recognition throughput through nginx in front of 1 and of 2 `attendly serve` nodes on
 * one PostgreSQL (tests/common/cluster.h), all on 127.0.0.1: POST
 * /api/attendance/recognize-faces with one demo group photo (models/demo/sample5.jpg,
 * 1920x1398) for a class of two enrolled students, BENCH_MULTINODE_N requests (default
 * 40) at concurrency 4, for RECOGNITION_WORKERS=1 and =2 per node. Prints req/s and
 * latency per configuration, the nodes' CPU time per request (from /proc: what a request
 * costs whatever else runs) and the load average after the run. Every node runs on this
 * machine: the nodes share its cores.
 * Environment: ATTENDLY_BIN, ATTENDLY_MODELS_DIR (as for the tests), BENCH_MULTINODE_N.
 * Without the models it is skipped (exit 0, says so). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cluster.h"
#include "http/face_fixture.h"
#include "http/fixture.h"
#include "load.h"

#define CONCURRENCY 4

static cluster g_c;

static void stop_everything(void)
{
    cluster_stop(&g_c);
}

static int requests(void)
{
    const char *e = getenv("BENCH_MULTINODE_N");
    int n = e && *e ? atoi(e) : 40;
    return n < 1 ? 1 : n > MAX_SAMPLES ? MAX_SAMPLES : n;
}

/* A teacher, a class, two students enrolled from the face tests' portraits; returns the
 * recognize-faces body (malloc'd) and the teacher's token. */
static char *set_up(user *teacher)
{
    klass k;
    user st[2];
    new_user(teacher, "teacher", "Bench", "Teacher");
    new_class(teacher, "Bench class", &k);
    ff_people_init(teacher);
    for (int i = 0; i < 2; i++) {
        char *a = ff_portrait(i, 0), *b = ff_portrait(i, 1);
        const char *two[2] = {a, b};
        new_user(&st[i], "student", i ? "Ben" : "Ada", "Student");
        join(&st[i], &k);
        att_resp r = ff_multi(&st[i], two, 2);
        if (r.status != 201)
            printf("  enrolment of student %d: %ld\n", i, r.status);
        att_resp_free(&r);
        free(a);
        free(b);
    }
    char *b64 = ff_b64_file(ff_demo_path("sample5.jpg"));
    json_t *body = json_pack("{s:I, s:[s]}", "class_id", (json_int_t)k.id, "images", b64);
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    free(b64);
    return s;
}

/* CPU time (user + system, ms) the running nodes have used so far, from /proc. */
static double nodes_cpu_ms(void)
{
    double ms = 0;
    long tick = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < g_c.n_nodes; i++) {
        char path[64], buf[1024];
        unsigned long ut = 0, st = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)g_c.node[i].pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* fields after the command's closing parenthesis: state is field 3, utime 14 */
        const char *p = strrchr(buf, ')');
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                        &st) == 2)
            ms += (double)(ut + st) * 1000.0 / (double)tick;
    }
    return ms;
}

/* One configuration: `nodes` nodes with `workers` workers each behind nginx. */
static int measure(int nodes, int workers, user *teacher, char **body)
{
    char workers_env[64], url[128];
    static char models_env[1100];
    samples warm = {0}, s = {0};
    int failures = 0;
    long fail_status = 0;

    snprintf(models_env, sizeof models_env, "FACE_MODELS_DIR=%s", ff_models_dir());
    snprintf(workers_env, sizeof workers_env, "RECOGNITION_WORKERS=%d", workers);
    const char *env[] = {models_env, workers_env, "RECOGNITION_QUEUE_TIMEOUT_MS=120000", NULL};
    if (cluster_start_nodes(&g_c, nodes, env) != 0 || cluster_start_proxy(&g_c) != 0)
        return -1;
    fx_use(&g_c.proxy.front);
    if (!*body)
        *body = set_up(teacher);
    snprintf(url, sizeof url, "%s/api/attendance/recognize-faces", g_c.proxy.front.base_url);
    /* warm-up: every node and worker has run the networks once */
    run_load(url, teacher->token, *body, CONCURRENCY, 2 * nodes * workers, &warm, &failures,
             &fail_status);
    failures = 0;
    double la[3] = {0}, cpu0 = nodes_cpu_ms();
    double wall = run_load(url, teacher->token, *body, CONCURRENCY, requests(), &s, &failures,
                           &fail_status);
    double cpu = nodes_cpu_ms() - cpu0;
    getloadavg(la, 3);
    printf("| %d | %d | %d | %d | %.2f | %.0f | %.0f | %.0f | %.2f |\n", nodes, workers, s.n,
           failures, s.n / (wall / 1e3), sample_pct(&s, 50), sample_pct(&s, 99),
           s.n ? cpu / s.n : 0, la[0]);
    if (failures)
        printf("  (%d failed; one had status %ld)\n", failures, fail_status);
    return cluster_stop_front(&g_c);
}

int main(void)
{
    static const int configs[][2] = {{1, 1}, {2, 1}, {1, 2}, {2, 2}};
    user teacher;
    char *body = NULL;
    double la[3] = {0};
    int rc = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!ff_models_dir()) {
        printf("SKIP multi-node recognition throughput: face models not found "
               "(bash scripts/models.sh)\n");
        return 0;
    }
    if (!nginx_binary()) {
        fprintf(stderr, "nginx is not installed (scripts/deps.sh installs it)\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atexit(stop_everything);
    if (cluster_start_db(&g_c) != 0)
        return 1;
    if (getloadavg(la, 3) < 1)
        la[0] = -1;
    printf("recognize-faces, 1 photo 1920x1398 (sample5.jpg), %d requests at concurrency %d "
           "through nginx; %ld cores online, load average %.2f\n\n", requests(), CONCURRENCY,
           sysconf(_SC_NPROCESSORS_ONLN), la[0]);
    printf("| nodes | workers per node | ok | failed | req/s | p50 ms | p99 ms "
           "| node CPU ms/req | load avg |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof configs / sizeof *configs && rc == 0; i++)
        rc = measure(configs[i][0], configs[i][1], &teacher, &body);
    free(body);
    rc |= cluster_stop(&g_c);
    curl_global_cleanup();
    return rc ? 1 : 0;
}
