/* Join codes: alphabet, length, uniformity of the CSPRNG draw, normalisation of input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "store/join_code.h"

#define ALPHABET_N 36

static void test_shape(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++) {
        char code[JOIN_CODE_LEN + 1];
        memset(code, 'x', sizeof code);
        assert_int_equal(store_join_code_generate(code), 0);
        assert_int_equal(strlen(code), JOIN_CODE_LEN);
        for (int k = 0; k < JOIN_CODE_LEN; k++)
            assert_non_null(strchr(JOIN_CODE_ALPHABET, code[k]));
    }
}

/* Chi-square over the 36 symbols of 36,000 drawn characters: with 35 degrees
 * of freedom the 99.99th percentile is about 77, so a correct generator fails this about
 * once in ten thousand runs, while a biased one (e.g. `% 36` of a byte, or a missing
 * letter) fails every time. */
static void test_uniform(void **state)
{
    (void)state;
    long counts[ALPHABET_N] = {0};
    const int codes = 6000;   /* 36,000 characters: 1000 expected per symbol */

    for (int i = 0; i < codes; i++) {
        char code[JOIN_CODE_LEN + 1];
        assert_int_equal(store_join_code_generate(code), 0);
        for (int k = 0; k < JOIN_CODE_LEN; k++)
            counts[strchr(JOIN_CODE_ALPHABET, code[k]) - JOIN_CODE_ALPHABET]++;
    }
    double expected = codes * JOIN_CODE_LEN / (double)ALPHABET_N, chi2 = 0;
    for (int s = 0; s < ALPHABET_N; s++) {
        assert_true(counts[s] > 0);
        chi2 += (counts[s] - expected) * (counts[s] - expected) / expected;
    }
    assert_true(chi2 < 77.0);
}

/* Each position is drawn independently: the first character must not predict the
 * second (e.g. a generator reusing one random value for the whole code). */
static void test_positions_independent(void **state)
{
    (void)state;
    int same = 0;
    const int codes = 20000;

    for (int i = 0; i < codes; i++) {
        char code[JOIN_CODE_LEN + 1];
        assert_int_equal(store_join_code_generate(code), 0);
        same += code[0] == code[1];
    }
    /* Expected codes/36 ≈ 556, sd ≈ 23: allow ±8 sd. */
    assert_in_range(same, 556 - 184, 556 + 184);
}

static void test_codes_differ(void **state)
{
    (void)state;
    char a[JOIN_CODE_LEN + 1], b[JOIN_CODE_LEN + 1];
    int equal = 0;

    for (int i = 0; i < 100; i++) {
        assert_int_equal(store_join_code_generate(a), 0);
        assert_int_equal(store_join_code_generate(b), 0);
        equal += strcmp(a, b) == 0;
    }
    assert_int_equal(equal, 0);
}

static void expect_norm(const char *in, const char *want)
{
    char out[JOIN_CODE_LEN + 1];
    int rc = store_join_code_normalize(in, strlen(in), out);

    if (!want) {
        assert_int_equal(rc, -1);
        return;
    }
    assert_int_equal(rc, 0);
    assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
    (void)state;
    expect_norm("K7Q2ZD", "K7Q2ZD");
    expect_norm("k7q2zd", "K7Q2ZD");
    expect_norm("  k7Q2zd\t\n", "K7Q2ZD");
    expect_norm("K7Q2Z", NULL);          /* too short */
    expect_norm("K7Q2ZDX", NULL);        /* too long */
    expect_norm("K7 Q2ZD", NULL);        /* inner space */
    expect_norm("K7Q2Z-", NULL);         /* outside the alphabet */
    expect_norm("", NULL);
    expect_norm("      ", NULL);
    expect_norm("K7Q2Z\xc3\xa9", NULL);  /* non-ASCII */

    char out[JOIN_CODE_LEN + 1];
    assert_int_equal(store_join_code_normalize("K7Q\0ZD", 6, out), -1);  /* U+0000 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_positions_independent),
        cmocka_unit_test(test_codes_differ),
        cmocka_unit_test(test_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
