/* In-memory Prometheus metrics. Series are few (routes x methods x statuses), so plain
 * arrays searched linearly under one mutex are simpler than a hash and fast enough. */
#include "http/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double BUCKETS[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define N_BUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])
#define MAX_SERIES 4096

typedef struct histogram {
    unsigned long long counts[N_BUCKETS]; /* per bucket, made cumulative when rendered */
    unsigned long long count;
    double sum;
} histogram;

typedef struct counter_series {
    char a[96], b[96];  /* first two label values */
    int status;
    unsigned long long value;
} counter_series;

typedef struct hist_series {
    char a[96], b[96];
    histogram h;
} hist_series;

typedef struct series_set {
    void *items;
    size_t n, cap, size;
} series_set;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static series_set g_http_requests = {.size = sizeof(counter_series)};
static series_set g_http_duration = {.size = sizeof(hist_series)};
static series_set g_rec_requests = {.size = sizeof(counter_series)};
static series_set g_rec_duration = {.size = sizeof(hist_series)};
static unsigned long long g_faces_detected;
static long long g_in_flight;
/* Part II: fixed label values, so fixed slots. */
static unsigned long long g_checkins[3], g_consent[2], g_swept[3];
static const char *const CHECKIN_OUTCOMES[] = {"ok", "wrong_code", "limited"};
static const char *const CONSENT_ACTIONS[] = {"given", "withdrawn"};
static const char *const SWEPT_KINDS[] = {"face_data", "face_images", "audit_events"};

/* The slot of value in names (n entries), or -1. */
static int slot_of(const char *const *names, int n, const char *value)
{
    for (int i = 0; i < n; i++)
        if (value && strcmp(names[i], value) == 0)
            return i;
    return -1;
}

void metrics_checkin(const char *outcome)
{
    int i = slot_of(CHECKIN_OUTCOMES, 3, outcome);
    pthread_mutex_lock(&g_lock);
    if (i >= 0)
        g_checkins[i]++;
    pthread_mutex_unlock(&g_lock);
}

void metrics_consent_change(const char *action)
{
    int i = slot_of(CONSENT_ACTIONS, 2, action);
    pthread_mutex_lock(&g_lock);
    if (i >= 0)
        g_consent[i]++;
    pthread_mutex_unlock(&g_lock);
}

void metrics_sweep_deleted(long long face_data, long long face_images, long long audit_events)
{
    pthread_mutex_lock(&g_lock);
    g_swept[0] += face_data > 0 ? (unsigned long long)face_data : 0;
    g_swept[1] += face_images > 0 ? (unsigned long long)face_images : 0;
    g_swept[2] += audit_events > 0 ? (unsigned long long)audit_events : 0;
    pthread_mutex_unlock(&g_lock);
}

static const char *norm_method(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
                                        "PATCH"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (m && strcmp(m, known[i]) == 0)
            return known[i];
    return "other";
}

/* Finds or appends the series with these labels (zero-initialised); NULL when full. */
static void *series_get(series_set *set, const char *a, const char *b, int status)
{
    for (size_t i = 0; i < set->n; i++) {
        char *it = (char *)set->items + i * set->size;
        counter_series *c = (counter_series *)it; /* a, b lead both layouts */
        int st = set->size == sizeof(counter_series) ? c->status : 0;
        if (strcmp(c->a, a) == 0 && strcmp(c->b, b) == 0 && st == status)
            return it;
    }
    if (set->n >= MAX_SERIES)
        return NULL;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 32;
        void *p = realloc(set->items, cap * set->size);
        if (!p)
            return NULL;
        set->items = p;
        set->cap = cap;
    }
    char *it = (char *)set->items + set->n * set->size;
    memset(it, 0, set->size);
    counter_series *c = (counter_series *)it;
    snprintf(c->a, sizeof c->a, "%s", a);
    snprintf(c->b, sizeof c->b, "%s", b);
    if (set->size == sizeof(counter_series))
        c->status = status;
    set->n++;
    return it;
}

static void hist_observe(histogram *h, double v)
{
    for (size_t i = 0; i < N_BUCKETS; i++)
        if (v <= BUCKETS[i]) {
            h->counts[i]++;
            break;
        }
    h->count++;
    h->sum += v;
}

void metrics_http_observe(const char *method, const char *route, int status, double seconds)
{
    const char *m = norm_method(method);
    pthread_mutex_lock(&g_lock);
    counter_series *c = series_get(&g_http_requests, m, route, status);
    if (c)
        c->value++;
    hist_series *h = series_get(&g_http_duration, m, route, 0);
    if (h)
        hist_observe(&h->h, seconds);
    pthread_mutex_unlock(&g_lock);
}

void metrics_recognition_observe(const char *endpoint, const char *outcome, double seconds,
                                 int faces)
{
    pthread_mutex_lock(&g_lock);
    counter_series *c = series_get(&g_rec_requests, endpoint, outcome, 0);
    if (c)
        c->value++;
    hist_series *h = series_get(&g_rec_duration, endpoint, "", 0);
    if (h)
        hist_observe(&h->h, seconds);
    if (faces > 0)
        g_faces_detected += (unsigned long long)faces;
    pthread_mutex_unlock(&g_lock);
}

void metrics_in_flight_add(int delta)
{
    pthread_mutex_lock(&g_lock);
    g_in_flight += delta;
    pthread_mutex_unlock(&g_lock);
}

/* ---- rendering ------------------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* Label values are escaped as the text format requires: backslash, quote, newline. */
static const char *esc(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    for (; *s && o + 3 < size; s++) {
        if (*s == '\\' || *s == '"') {
            buf[o++] = '\\';
            buf[o++] = *s;
        } else if (*s == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
    return buf;
}

static void render_hist(sbuf *b, const char *name, const char *labels, const histogram *h)
{
    unsigned long long cum = 0;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        cum += h->counts[i];
        sb_printf(b, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, BUCKETS[i], cum);
    }
    sb_printf(b, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, h->count);
    sb_printf(b, "%s_sum{%s} %.6f\n", name, labels, h->sum);
    sb_printf(b, "%s_count{%s} %llu\n", name, labels, h->count);
}

static void render_http(sbuf *b)
{
    char e1[200], e2[200], labels[512];
    sb_printf(b, "# HELP attendly_http_requests_total HTTP requests by method, route template "
                 "and status.\n# TYPE attendly_http_requests_total counter\n");
    for (size_t i = 0; i < g_http_requests.n; i++) {
        const counter_series *c = (counter_series *)g_http_requests.items + i;
        sb_printf(b, "attendly_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                  esc(c->a, e1, sizeof e1), esc(c->b, e2, sizeof e2), c->status, c->value);
    }
    sb_printf(b, "# HELP attendly_http_request_duration_seconds HTTP request duration.\n"
                 "# TYPE attendly_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < g_http_duration.n; i++) {
        const hist_series *h = (hist_series *)g_http_duration.items + i;
        snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\"", esc(h->a, e1, sizeof e1),
                 esc(h->b, e2, sizeof e2));
        render_hist(b, "attendly_http_request_duration_seconds", labels, &h->h);
    }
}

static void render_recognition(sbuf *b)
{
    char e1[200], e2[200], labels[512];
    sb_printf(b, "# HELP attendly_recognition_requests_total Face requests by endpoint and "
                 "outcome.\n# TYPE attendly_recognition_requests_total counter\n");
    for (size_t i = 0; i < g_rec_requests.n; i++) {
        const counter_series *c = (counter_series *)g_rec_requests.items + i;
        sb_printf(b, "attendly_recognition_requests_total{endpoint=\"%s\",outcome=\"%s\"} %llu\n",
                  esc(c->a, e1, sizeof e1), esc(c->b, e2, sizeof e2), c->value);
    }
    sb_printf(b, "# HELP attendly_recognition_duration_seconds Face request duration.\n"
                 "# TYPE attendly_recognition_duration_seconds histogram\n");
    for (size_t i = 0; i < g_rec_duration.n; i++) {
        const hist_series *h = (hist_series *)g_rec_duration.items + i;
        snprintf(labels, sizeof labels, "endpoint=\"%s\"", esc(h->a, e1, sizeof e1));
        render_hist(b, "attendly_recognition_duration_seconds", labels, &h->h);
    }
    sb_printf(b, "# HELP attendly_faces_detected_total Faces detected by face requests.\n"
                 "# TYPE attendly_faces_detected_total counter\n"
                 "attendly_faces_detected_total %llu\n", g_faces_detected);
    sb_printf(b, "# HELP attendly_recognition_in_flight Face requests running now.\n"
                 "# TYPE attendly_recognition_in_flight gauge\n"
                 "attendly_recognition_in_flight %lld\n", g_in_flight);
}

static void render_labelled(sbuf *b, const char *name, const char *help, const char *label,
                            const char *const *values, const unsigned long long *counts, int n)
{
    sb_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    for (int i = 0; i < n; i++)
        sb_printf(b, "%s{%s=\"%s\"} %llu\n", name, label, values[i], counts[i]);
}

static void render_school(sbuf *b)
{
    render_labelled(b, "attendly_checkins_total", "Check-in code attempts by outcome.", "outcome",
                    CHECKIN_OUTCOMES, g_checkins, 3);
    render_labelled(b, "attendly_consent_changes_total", "Biometric consents given and withdrawn.",
                    "action", CONSENT_ACTIONS, g_consent, 2);
    render_labelled(b, "attendly_retention_deleted_total",
                    "Rows deleted by the retention sweep, by kind.", "kind", SWEPT_KINDS,
                    g_swept, 3);
}

char *metrics_render(size_t *len)
{
    sbuf b = {.p = malloc(8192), .cap = 8192};
    if (!b.p)
        return NULL;
    pthread_mutex_lock(&g_lock);
    render_http(&b);
    render_recognition(&b);
    render_school(&b);
    pthread_mutex_unlock(&g_lock);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}
