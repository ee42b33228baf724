/* core/jsonload: numbers out of range become reals the field validators refuse, everything
 * else parses exactly as jansson alone would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/jsonload.h"
#include "core/jsonv.h"

static json_t *load(const char *text)
{
    return jsonload_tolerant(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

/* The value of key "v" in text, which must parse. */
static json_t *value_of(const char *text, json_t **root)
{
    *root = load(text);
    assert_non_null(*root);
    json_t *v = json_object_get(*root, "v");
    assert_non_null(v);
    return v;
}

static void test_in_range_exact(void **st)
{
    static const struct { const char *text; long long want; } ints[] = {
        {"{\"v\":9223372036854775807}", INT64_MAX},
        {"{\"v\":-9223372036854775808}", INT64_MIN},
        {"{\"v\":0}", 0},
        {"{\"v\":-1}", -1},
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        json_t *root, *v = value_of(ints[i].text, &root);
        assert_true(json_is_integer(v));
        assert_true(json_integer_value(v) == ints[i].want);
        json_decref(root);
    }
    /* In a body that also has an overflow, the other integers stay exact integers. */
    json_t *root = load("{\"a\":9223372036854775807,\"b\":18446744073709551616,\"c\":[1,-2]}");
    assert_non_null(root);
    assert_true(json_is_integer(json_object_get(root, "a")));
    assert_true(json_integer_value(json_object_get(root, "a")) == INT64_MAX);
    assert_true(json_is_real(json_object_get(root, "b")));
    assert_true(json_is_integer(json_array_get(json_object_get(root, "c"), 1)));
    assert_true(json_integer_value(json_array_get(json_object_get(root, "c"), 1)) == -2);
    json_decref(root);
}

static void test_out_of_range(void **st)
{
    static const struct { const char *text; double want; } cases[] = {
        {"{\"v\":18446744073709551616}", 18446744073709551616.0},
        {"{\"v\":9223372036854775808}", 9223372036854775808.0},
        {"{\"v\":-9223372036854775809}", -9223372036854775809.0},
        {"{\"v\":1e400}", 1e308},
        {"{\"v\":-1.5E+400}", -1e308},
        {"{ \"v\" : [ 99999999999999999999999 ] }", 0}, /* checked below */
    };
    for (size_t i = 0; i < 5; i++) {
        json_t *root, *v = value_of(cases[i].text, &root);
        assert_true(json_is_real(v));
        assert_true(json_real_value(v) == cases[i].want);
        /* what an integer field and a number field make of it */
        field_err err;
        long long n;
        double d;
        assert_int_equal(jv_int(root, "v", &n, &err), JV_ERR);
        assert_string_equal(err.msg, "v must be an integer");
        assert_int_equal(jv_number(root, "v", &d, &err), JV_OK);
        json_decref(root);
    }
    json_t *root, *v = value_of(cases[5].text, &root);
    assert_true(json_is_real(json_array_get(v, 0)));
    json_decref(root);
    /* An integer of 400 digits is beyond double as well. */
    char big[420] = "{\"v\":-";
    memset(big + 6, '7', 400);
    strcpy(big + 406, "}");
    v = value_of(big, &root);
    assert_true(json_is_real(v) && json_real_value(v) == -1e308);
    json_decref(root);
}

/* Strings are not touched, and text that is not JSON stays an error. */
static void test_strings_and_syntax(void **st)
{
    json_t *root, *v = value_of("{\"v\":\"18446744073709551616 \\\" 1e400\",\"w\":1e400}", &root);
    assert_string_equal(json_string_value(v), "18446744073709551616 \" 1e400");
    json_decref(root);
    static const char *bad[] = {
        "{\"v\":18446744073709551616,}",  "{\"v\":18446744073709551616",
        "{\"v\":018446744073709551616}",  "{\"v\":1e400 x}",
        "{\"v\":-}",                      "{\"v\":18446744073709551616 1}",
        "[1e400, tru]",                   "{\"v\":1.e400}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_error_t e;
        json_t *j = jsonload_tolerant(bad[i], strlen(bad[i]), JSON_DECODE_ANY, &e);
        if (j)
            fail_msg("accepted: %s", bad[i]);
    }
    /* a bare out-of-range number is still a value (the caller wants an object) */
    root = load("18446744073709551616");
    assert_true(json_is_real(root));
    json_decref(root);
    root = load("[true,false,null,1e400]");
    assert_true(json_is_true(json_array_get(root, 0)));
    assert_true(json_is_null(json_array_get(root, 2)));
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_range_exact),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_strings_and_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
