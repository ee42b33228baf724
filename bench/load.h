#ifndef ATTENDLY_BENCH_LOAD_H
#define ATTENDLY_BENCH_LOAD_H
/* Latency samples and a closed-loop HTTP load generator for the benchmarks: `conc`
 * threads, one keep-alive curl handle each, send the same POST until `total` requests
 * have been sent. */

#define MAX_SAMPLES 256

typedef struct samples {
    double ms[MAX_SAMPLES];
    int n;
} samples;

double now_ms(void);   /* CLOCK_MONOTONIC */
void add_sample(samples *s, double ms);
/* Nearest-rank percentile p (0-100) of the samples; sorts them. 0 when there are none. */
double sample_pct(samples *s, double p);
/* One table row: label, n, min, p50, p99, max and, when wall_ms > 0, req/s. Sorts s. */
void print_row(const char *label, samples *s, double wall_ms);

/* POSTs the JSON body to url with a bearer token: total requests over conc (<= 8) clients.
 * Successful (200) replies' latencies go to out; *failures counts the rest and
 * *fail_status is the HTTP status of one of them (0 = no response). Returns the wall
 * time in ms. */
double run_load(const char *url, const char *token, const char *body, int conc, int total,
                samples *out, int *failures, long *fail_status);

#endif
