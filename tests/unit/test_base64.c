/* core/base64: both alphabets, optional padding, whitespace, errors, round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"

static void expect_decoded(const char *in, const void *want, size_t want_len)
{
    unsigned char *out = NULL;
    size_t n = 99;
    assert_int_equal(base64_decode(in, strlen(in), &out, &n), 0);
    assert_non_null(out);
    assert_int_equal(n, want_len);
    assert_memory_equal(out, want, want_len);
    free(out);
}

static void expect_invalid(const char *in)
{
    unsigned char *out = (unsigned char *)"x";
    size_t n = 99;
    assert_int_equal(base64_decode(in, strlen(in), &out, &n), -1);
    assert_null(out);
    assert_int_equal(n, 0);
}

static void test_standard_and_padding(void **st)
{
    expect_decoded("aGVsbG8=", "hello", 5);
    expect_decoded("aGVsbG8", "hello", 5);
    expect_decoded("aGk=", "hi", 2);
    expect_decoded("aGk", "hi", 2);
    expect_decoded("aA==", "h", 1);
    expect_decoded("aA", "h", 1);
    expect_decoded("", "", 0);
}

static void test_url_safe_and_mixed(void **st)
{
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    expect_decoded("+/+/", "\xfb\xff\xbf", 3);
    expect_decoded("-_-_", "\xfb\xff\xbf", 3);
    expect_decoded("+_-/", "\xfb\xff\xbf", 3);
    (void)bytes;
}

static void test_whitespace_ignored(void **st)
{
    expect_decoded(" aGVs\nbG8=\r\n", "hello", 5);
    expect_decoded("aG\tVs bG8\f\v", "hello", 5);
}

static void test_errors(void **st)
{
    expect_invalid("aGVsbG8*");    /* foreign character */
    expect_invalid("aGVs.bG8");
    expect_invalid("a");           /* 6 bits: no whole byte */
    expect_invalid("aGVsb");       /* 5 digits = 1 mod 4 */
    expect_invalid("aGk=aGk=");    /* data after padding */
    expect_invalid("aGk==");       /* too much padding */
    expect_invalid("aA=");         /* too little padding */
    expect_invalid("====");
    expect_invalid("aGVsbG8=\x01");
    expect_invalid("data:image/png;base64,aGk=");
}

static void test_round_trip(void **st)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= 64; len++) {
        for (int url = 0; url <= 1; url++) {
            char *enc = base64_encode(data, len, url);
            assert_non_null(enc);
            assert_int_equal(strlen(enc), url ? (len * 4 + 2) / 3 : (len + 2) / 3 * 4);
            if (url)
                assert_null(strpbrk(enc, "+/="));
            unsigned char *dec;
            size_t n;
            assert_int_equal(base64_decode(enc, strlen(enc), &dec, &n), 0);
            assert_int_equal(n, len);
            if (len)
                assert_memory_equal(dec, data, len);
            free(dec);
            free(enc);
        }
    }
    char *enc = base64_encode("hello", 5, 0);
    assert_string_equal(enc, "aGVsbG8=");
    free(enc);
}

static void test_data_url(void **st)
{
    const char *s = "data:image/jpeg;base64,QUJD";
    assert_string_equal(base64_strip_data_url(s), "QUJD");
    assert_string_equal(base64_strip_data_url("QUJD"), "QUJD");
    assert_null(base64_strip_data_url("data:nocomma"));
    assert_string_equal(base64_strip_data_url("data:,"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_and_padding), cmocka_unit_test(test_url_safe_and_mixed),
        cmocka_unit_test(test_whitespace_ignored),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_data_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
