/* Pure request-parsing functions of the auth and class endpoints: pagination parameters
 * (API.md §1.8, clarification 10), the signup email rule (§3.1), string-field views and
 * the login Retry-After arithmetic (§3.10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "api/auth/login_limit.h"
#include "api/pagination.h"

static void test_limit(void **state)
{
    (void)state;
    int64_t v = -1;

    assert_int_equal(api_page_parse_limit(NULL, &v), 0);
    assert_int_equal(v, 200);
    assert_int_equal(api_page_parse_limit("1", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(api_page_parse_limit("1000", &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(api_page_parse_limit("007", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(api_page_parse_limit("+5", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(api_page_parse_limit("0001000", &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(api_page_parse_limit(" 5", &v), 0);   /* "+5" after query decoding */
    assert_int_equal(v, 5);

    const char *bad[] = {"", "0", "1001", "-1", "+", "1.5", "1e3", "  5", "+ 5", "5 ", "abc",
                         "0x10", "99999999999999999999999", "++1", "-0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(api_page_parse_limit(bad[i], &v), -1);
}

static void test_offset(void **state)
{
    (void)state;
    int64_t v = -1;

    assert_int_equal(api_page_parse_offset(NULL, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(api_page_parse_offset("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(api_page_parse_offset("+00", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(api_page_parse_offset("12345", &v), 0);
    assert_int_equal(v, 12345);
    /* Beyond 64 bits: still a non-negative integer, clamped (selects nothing). */
    assert_int_equal(api_page_parse_offset("99999999999999999999999", &v), 0);
    assert_int_equal(v, INT64_MAX);

    const char *bad[] = {"", "-1", "-0", "1.0", "1e2", "  1", "1 ", "x", "+", " "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(api_page_parse_offset(bad[i], &v), -1);
}

static int email_ok(const char *s)
{
    return api_email_valid(s, strlen(s));
}

static void test_email(void **state)
{
    (void)state;
    assert_true(email_ok("ann@example.com"));
    assert_true(email_ok("a.b_c%d+e-f@sub.example.co"));
    assert_true(email_ok("x@a.b.cd"));
    assert_true(email_ok("x@a-b.io"));
    assert_true(email_ok("x@1.io"));
    assert_true(email_ok("x@..io"));           /* the regex allows it: dots in [a-z0-9.-] */

    assert_false(email_ok(""));
    assert_false(email_ok("ann"));
    assert_false(email_ok("@example.com"));
    assert_false(email_ok("ann@"));
    assert_false(email_ok("ann@example"));
    assert_false(email_ok("ann@example.c"));
    assert_false(email_ok("ann@.com"));        /* nothing before the last dot */
    assert_false(email_ok("ann@example.c0m"));
    assert_false(email_ok("Ann@example.com")); /* the rule is applied after lowercasing */
    assert_false(email_ok("an n@example.com"));
    assert_false(email_ok("ann@@example.com"));
    assert_false(email_ok("a@b@example.com"));
    assert_false(email_ok("ann@exa_mple.com"));
    assert_false(email_ok("ann@example.com."));
    assert_false(email_ok("ann\xc3\xa9@example.com"));
    assert_false(api_email_valid("ann@example.com\0x", 17));

    /* 254 characters pass, 255 fail. */
    char buf[300];
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 254 - 7, "@ab.com", 7);
    assert_true(api_email_valid(buf, 254));
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 255 - 7, "@ab.com", 7);
    assert_false(api_email_valid(buf, 255));
}

static void test_text_fields(void **state)
{
    (void)state;
    json_t *o = json_loads("{\"a\":\"  hi \\u00e9 \\t\",\"b\":null,\"c\":\" \\n \",\"d\":5,"
                           "\"e\":\"x\\u0000y\",\"f\":\"\",\"g\":\" pw \"}",
                           JSON_ALLOW_NUL, NULL);
    api_text t;

    assert_non_null(o);
    assert_int_equal(api_field_text(o, "a", 1, &t), AF_OK);
    assert_int_equal(t.n, 5);
    assert_memory_equal(t.p, "hi \xc3\xa9", 5);
    assert_int_equal(api_text_chars(t), 4);
    assert_int_equal(api_field_text(o, "b", 1, &t), AF_NULL);
    assert_int_equal(api_field_text(o, "c", 1, &t), AF_BLANK);
    assert_int_equal(api_field_text(o, "c", 0, &t), AF_OK);   /* passwords: untrimmed */
    assert_int_equal(api_field_text(o, "d", 1, &t), AF_NOT_STRING);
    assert_int_equal(api_field_text(o, "missing", 1, &t), AF_ABSENT);
    assert_int_equal(api_field_text(o, "f", 0, &t), AF_BLANK);
    assert_int_equal(api_field_text(o, "e", 1, &t), AF_OK);
    assert_int_equal(t.n, 3);
    assert_true(api_text_has_nul(t));
    assert_int_equal(api_field_text(o, "g", 0, &t), AF_OK);
    assert_int_equal(t.n, 4);
    assert_true(api_text_equals(t, " pw "));
    assert_false(api_text_equals(t, "pw"));

    assert_int_equal(api_field_text(o, "a", 1, &t), AF_OK);
    char *s = api_text_dup(t);
    assert_string_equal(s, "hi \xc3\xa9");
    free(s);
    json_t *m = json_pack("{s:s}", "email", "  Ann@Example.COM ");
    assert_int_equal(api_field_text(m, "email", 1, &t), AF_OK);
    s = api_text_dup_lower(t);
    assert_string_equal(s, "ann@example.com");
    free(s);
    json_decref(m);
    json_decref(o);
}

static void test_retry_after(void **state)
{
    (void)state;
    assert_int_equal(api_login_retry_after(1000, 900, 1000), 900);
    assert_int_equal(api_login_retry_after(1000, 900, 1899), 1);
    assert_int_equal(api_login_retry_after(1000, 900, 1900), 1);  /* never below 1 */
    assert_int_equal(api_login_retry_after(1000, 900, 1500), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_offset),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_text_fields),
        cmocka_unit_test(test_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
