/* face_distance and face_assign: optimality against exhaustive search, rectangular
 * matrices, ineligible pairs, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"

#define T 0.6

static void test_distance(void **state)
{
    (void)state;
    float a[FACE_DESCRIPTOR_DIM], b[FACE_DESCRIPTOR_DIM];
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        a[i] = 0.01f * (float)i;
        b[i] = a[i];
    }
    assert_true(face_distance(a, b) == 0.0);
    b[5] += 3;
    b[7] -= 4;
    assert_true(fabs(face_distance(a, b) - 5.0) < 1e-6);
    /* Many tiny differences: accumulated in double. */
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        a[i] = 1.0f;
        b[i] = 1.0f + 1e-3f;
    }
    double want = sqrt(FACE_DESCRIPTOR_DIM * pow((double)(1.0f + 1e-3f) - 1.0, 2));
    assert_true(fabs(face_distance(a, b) - want) < 1e-12);
}

/* Greedy nearest-first takes (0,0) = 0.10 and leaves face 1 without a match; the optimum
 * pairs (0,1) and (1,0). */
static void test_greedy_loses(void **state)
{
    (void)state;
    const double d[4] = {0.10, 0.30,
                         0.20, 0.90};
    int f2c[2];
    assert_int_equal(face_assign(d, 2, 2, T, f2c), FACE_OK);
    assert_int_equal(f2c[0], 1);
    assert_int_equal(f2c[1], 0);
}

static void test_rectangular_and_ineligible(void **state)
{
    (void)state;
    /* 3 faces x 2 candidates: face 2 is nobody; face 0 and 1 compete for candidate 0. */
    const double d1[6] = {0.35, 0.55,
                          0.30, 0.95,
                          0.70, 0.80};
    int f2c[3];
    assert_int_equal(face_assign(d1, 3, 2, T, f2c), FACE_OK);
    /* (0,1)+(1,0): 0.05 + 0.30 = 0.35 beats (0,0) alone 0.25 and (1,0) alone 0.30. */
    assert_int_equal(f2c[0], 1);
    assert_int_equal(f2c[1], 0);
    assert_int_equal(f2c[2], -1);

    /* 2 faces x 4 candidates. */
    const double d2[8] = {0.50, 0.20, 0.59, 0.61,
                          0.40, 0.25, 0.90, 0.10};
    int g[2];
    assert_int_equal(face_assign(d2, 2, 4, T, g), FACE_OK);
    assert_int_equal(g[0], 1);
    assert_int_equal(g[1], 3);

    /* All ineligible (>= tolerance, NaN, infinite). */
    const double d3[4] = {0.6, 0.7, NAN, INFINITY};
    assert_int_equal(face_assign(d3, 2, 2, T, f2c), FACE_OK);
    assert_int_equal(f2c[0], -1);
    assert_int_equal(f2c[1], -1);

    /* Empty sides and bad arguments. */
    assert_int_equal(face_assign(NULL, 2, 0, T, f2c), FACE_OK);
    assert_int_equal(f2c[0], -1);
    assert_int_equal(face_assign(NULL, 0, 5, T, NULL), FACE_OK);
    assert_int_equal(face_assign(d3, -1, 2, T, f2c), FACE_ERR_ARG);
    assert_int_equal(face_assign(d1, 3, 2, 0.0, f2c), FACE_OK);
    assert_int_equal(f2c[0], -1);
}

/* Ties resolve the same way every time, and to a valid optimum. */
static void test_ties_deterministic(void **state)
{
    (void)state;
    const double d[9] = {0.3, 0.3, 0.3,
                         0.3, 0.3, 0.3,
                         0.3, 0.3, 0.3};
    int a[3], b[3];
    assert_int_equal(face_assign(d, 3, 3, T, a), FACE_OK);
    for (int r = 0; r < 5; r++) {
        assert_int_equal(face_assign(d, 3, 3, T, b), FACE_OK);
        assert_memory_equal(a, b, sizeof a);
    }
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        assert_true(a[i] >= 0);
        seen |= 1 << a[i];
    }
    assert_int_equal(seen, 7);
}

/* ---- exhaustive comparison on random matrices --------------------------------------- */

static double best_w;

static void brute(const double *d, int nf, int nc, int i, unsigned used, double w)
{
    if (i == nf) {
        if (w > best_w)
            best_w = w;
        return;
    }
    brute(d, nf, nc, i + 1, used, w);
    for (int j = 0; j < nc; j++) {
        double x = d[i * nc + j];
        if (!(used & (1u << j)) && x < T)
            brute(d, nf, nc, i + 1, used | (1u << j), w + (T - x));
    }
}

static void test_random_optimal(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int trial = 0; trial < 400; trial++) {
        int nf = 1 + trial % 7, nc = 1 + (trial / 7) % 7;
        double d[49];
        for (int k = 0; k < nf * nc; k++) {
            seed = seed * 1103515245u + 12345u;
            d[k] = 0.2 + 0.7 * ((seed >> 8) & 0xffff) / 65535.0;
        }
        int f2c[7];
        assert_int_equal(face_assign(d, nf, nc, T, f2c), FACE_OK);
        double w = 0;
        unsigned used = 0;
        for (int i = 0; i < nf; i++) {
            if (f2c[i] < 0)
                continue;
            assert_true(f2c[i] < nc);
            assert_false(used & (1u << f2c[i]));
            used |= 1u << f2c[i];
            assert_true(d[i * nc + f2c[i]] < T);
            w += T - d[i * nc + f2c[i]];
        }
        best_w = 0;
        brute(d, nf, nc, 0, 0, 0);
        assert_true(fabs(w - best_w) < 1e-9);
    }
}

/* A few hundred on each side stays fast and bounded. */
static void test_large(void **state)
{
    (void)state;
    const int nf = 300, nc = 400;
    double *d = malloc(sizeof(double) * nf * nc);
    int *f2c = malloc(sizeof(int) * nf);
    unsigned seed = 99;
    for (int k = 0; k < nf * nc; k++) {
        seed = seed * 1664525u + 1013904223u;
        d[k] = 0.3 + 0.9 * (seed >> 8) / 16777216.0;
    }
    /* Face i's own candidate (4i/3, all distinct) is close. */
    for (int i = 0; i < nf; i++)
        d[i * nc + i * 4 / 3] = 0.1;
    assert_int_equal(face_assign(d, nf, nc, T, f2c), FACE_OK);
    for (int i = 0; i < nf; i++)
        assert_int_equal(f2c[i], i * 4 / 3);
    free(d);
    free(f2c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_greedy_loses),
        cmocka_unit_test(test_rectangular_and_ineligible),
        cmocka_unit_test(test_ties_deterministic),
        cmocka_unit_test(test_random_optimal),
        cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
