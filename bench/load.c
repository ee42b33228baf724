/* Latency samples and the load generator of the benchmarks (load.h). */
#include "load.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void add_sample(samples *s, double ms)
{
    if (s->n < MAX_SAMPLES)
        s->ms[s->n++] = ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double pct(const double *v, int n, double p)
{
    int k = (int)ceil(p / 100.0 * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

double sample_pct(samples *s, double p)
{
    if (s->n == 0)
        return 0;
    qsort(s->ms, (size_t)s->n, sizeof s->ms[0], cmp_double);
    return pct(s->ms, s->n, p);
}

void print_row(const char *label, samples *s, double wall_ms)
{
    if (s->n == 0) {
        printf("%-44s %5s\n", label, "0");
        return;
    }
    qsort(s->ms, (size_t)s->n, sizeof s->ms[0], cmp_double);
    printf("%-44s %5d %8.0f %8.0f %8.0f %8.0f", label, s->n, s->ms[0], pct(s->ms, s->n, 50),
           pct(s->ms, s->n, 99), s->ms[s->n - 1]);
    if (wall_ms > 0)
        printf(" %8.2f", s->n / (wall_ms / 1e3));
    printf("\n");
}

/* ---- the load generator ------------------------------------------------------------ */

typedef struct load {
    const char *url, *token, *body;
    int total;
    atomic_int next;
    atomic_int failures;
    atomic_long fail_status;  /* HTTP status of a failure, 0 = no response */
    pthread_mutex_t lock;
    samples *out;
} load;

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
    (void)p;
    (void)u;
    return sz * n;
}

static void *client(void *arg)
{
    load *l = arg;
    char auth[2200];
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    if (!c)
        return NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", l->token);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_URL, l->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, l->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(l->body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    while (atomic_fetch_add(&l->next, 1) < l->total) {
        long status = 0;
        double t0 = now_ms();
        CURLcode rc = curl_easy_perform(c);
        double ms = now_ms() - t0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK || status != 200) {
            atomic_fetch_add(&l->failures, 1);
            atomic_store(&l->fail_status, rc == CURLE_OK ? status : 0);
            continue;
        }
        pthread_mutex_lock(&l->lock);
        add_sample(l->out, ms);
        pthread_mutex_unlock(&l->lock);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

double run_load(const char *url, const char *token, const char *body, int conc, int total,
                samples *out, int *failures, long *fail_status)
{
    load l = {.url = url, .token = token, .body = body, .total = total, .out = out};
    pthread_t th[8];
    atomic_init(&l.next, 0);
    atomic_init(&l.failures, 0);
    atomic_init(&l.fail_status, 0);
    pthread_mutex_init(&l.lock, NULL);
    double t0 = now_ms();
    int started = 0;
    for (int i = 0; i < conc && i < 8; i++)
        started += pthread_create(&th[started], NULL, client, &l) == 0;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    double wall = now_ms() - t0;
    pthread_mutex_destroy(&l.lock);
    *failures = atomic_load(&l.failures);
    *fail_status = atomic_load(&l.fail_status);
    return wall;
}

