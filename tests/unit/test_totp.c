/* core/totp: RFC 6238's published HMAC-SHA256 test vectors (Appendix B, 32-byte ASCII
 * key "12345678901234567890123456789012", X = 30, T0 = 0, 8 digits), their 6-digit
 * forms, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/totp.h"

static const uint8_t KEY[] = "12345678901234567890123456789012";

static void test_rfc6238_sha256(void **st)
{
    static const struct {
        uint64_t t;
        const char *code;
    } v[] = {
        {59, "46119246"},         {1111111109, "68084774"}, {1111111111, "67062674"},
        {1234567890, "91819424"}, {2000000000, "90698825"}, {20000000000ULL, "77737706"},
    };
    char out[TOTP_MAX_DIGITS + 1];
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        assert_int_equal(totp_code(KEY, 32, v[i].t / 30, 8, out), 0);
        assert_string_equal(out, v[i].code);
        /* Six digits are the last six of the eight (the same truncated number). */
        assert_int_equal(totp_code(KEY, 32, v[i].t / 30, 6, out), 0);
        assert_string_equal(out, v[i].code + 2);
    }
}

static void test_bad_input(void **st)
{
    char out[TOTP_MAX_DIGITS + 1];
    assert_int_equal(totp_code(KEY, 32, 1, 0, out), -1);
    assert_int_equal(totp_code(KEY, 32, 1, 10, out), -1);
    assert_int_equal(totp_code(NULL, 32, 1, 6, out), -1);
    assert_int_equal(totp_code(KEY, 32, 1, 6, NULL), -1);
    /* Zero padding keeps the width. */
    int padded = 0;
    for (uint64_t c = 0; c < 2000 && !padded; c++) {
        assert_int_equal(totp_code(KEY, 32, c, 6, out), 0);
        assert_int_equal(strlen(out), 6);
        padded = out[0] == '0';
    }
    assert_true(padded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_sha256),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
