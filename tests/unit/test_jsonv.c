/* core/jsonv: every getter, every message of API.md §1.3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonv.h"

static json_t *obj(const char *text)
{
    json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL);
    assert_non_null(j);
    return j;
}

static void test_string(void **st)
{
    json_t *o = obj("{\"a\":\"  Ann \\t\\n\",\"b\":\"   \",\"c\":null,\"d\":5,\"e\":\"x\\u0000y\","
                    "\"f\":\"\",\"g\":[\"x\"],\"h\":\"\\f\\u000bA\\r\"}");
    field_err e = {""};
    char *s = NULL;
    assert_int_equal(jv_string(o, "a", &s, &e), JV_OK);
    assert_string_equal(s, "Ann");
    free(s);
    assert_int_equal(jv_string(o, "h", &s, &e), JV_OK);
    assert_string_equal(s, "A");
    free(s);
    assert_int_equal(jv_string(o, "b", &s, &e), JV_MISSING);
    assert_null(s);
    assert_int_equal(jv_string(o, "c", &s, &e), JV_MISSING);
    assert_int_equal(jv_string(o, "f", &s, &e), JV_MISSING);
    assert_int_equal(jv_string(o, "zz", &s, &e), JV_MISSING);
    assert_int_equal(jv_string(o, "d", &s, &e), JV_ERR);
    assert_string_equal(e.msg, "d must be a string");
    assert_int_equal(jv_string(o, "g", &s, &e), JV_ERR);
    assert_string_equal(e.msg, "g must be a string");
    assert_int_equal(jv_string(o, "e", &s, &e), JV_ERR);
    assert_string_equal(e.msg, "e contains invalid characters");
    json_decref(o);
}

static void test_string_raw(void **st)
{
    json_t *o = obj("{\"p\":\"  pass  \",\"q\":\"\",\"r\":\"   \",\"t\":true,\"n\":null}");
    field_err e = {""};
    char *s = NULL;
    assert_int_equal(jv_string_raw(o, "p", &s, &e), JV_OK);
    assert_string_equal(s, "  pass  "); /* passwords are never trimmed */
    free(s);
    assert_int_equal(jv_string_raw(o, "r", &s, &e), JV_OK);
    assert_string_equal(s, "   ");
    free(s);
    assert_int_equal(jv_string_raw(o, "q", &s, &e), JV_MISSING);
    assert_int_equal(jv_string_raw(o, "n", &s, &e), JV_MISSING);
    assert_int_equal(jv_string_raw(o, "x", &s, &e), JV_MISSING);
    assert_int_equal(jv_string_raw(o, "t", &s, &e), JV_ERR);
    assert_string_equal(e.msg, "t must be a string");
    json_decref(o);
}

static void test_int(void **st)
{
    json_t *o = obj("{\"a\":42,\"b\":-9223372036854775808,\"c\":1.5,\"d\":1e3,\"e\":\"1\","
                    "\"f\":true,\"g\":null,\"h\":1.0}");
    field_err e = {""};
    long long v = 0;
    assert_int_equal(jv_int(o, "a", &v, &e), JV_OK);
    assert_int_equal(v, 42);
    assert_int_equal(jv_int(o, "b", &v, &e), JV_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(jv_int(o, "g", &v, &e), JV_MISSING);
    assert_int_equal(jv_int(o, "zz", &v, &e), JV_MISSING);
    const char *bad[] = {"c", "d", "e", "f", "h"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(jv_int(o, bad[i], &v, &e), JV_ERR);
        char want[64];
        snprintf(want, sizeof want, "%s must be an integer", bad[i]);
        assert_string_equal(e.msg, want);
    }
    json_decref(o);
}

static void test_number_bool(void **st)
{
    json_t *o = obj("{\"a\":0.55,\"b\":3,\"c\":\"0.5\",\"t\":true,\"f\":false,\"i\":1,\"n\":null}");
    field_err e = {""};
    double d = 0;
    int b = -1;
    assert_int_equal(jv_number(o, "a", &d, &e), JV_OK);
    assert_true(d == 0.55);
    assert_int_equal(jv_number(o, "b", &d, &e), JV_OK);
    assert_true(d == 3.0);
    assert_int_equal(jv_number(o, "c", &d, &e), JV_ERR);
    assert_string_equal(e.msg, "c must be a number");
    assert_int_equal(jv_number(o, "n", &d, &e), JV_MISSING);
    assert_int_equal(jv_bool(o, "t", &b, &e), JV_OK);
    assert_int_equal(b, 1);
    assert_int_equal(jv_bool(o, "f", &b, &e), JV_OK);
    assert_int_equal(b, 0);
    assert_int_equal(jv_bool(o, "i", &b, &e), JV_ERR);
    assert_string_equal(e.msg, "i must be a boolean");
    assert_int_equal(jv_bool(o, "zz", &b, &e), JV_MISSING);
    json_decref(o);
}

static void test_array_object(void **st)
{
    json_t *o = obj("{\"a\":[1],\"o\":{\"k\":1},\"s\":\"x\",\"n\":null}");
    field_err e = {""};
    json_t *v = NULL;
    assert_int_equal(jv_array(o, "a", &v, &e), JV_OK);
    assert_true(json_is_array(v));
    assert_int_equal(jv_array(o, "o", &v, &e), JV_ERR);
    assert_string_equal(e.msg, "o must be an array");
    assert_int_equal(jv_array(o, "n", &v, &e), JV_MISSING);
    assert_int_equal(jv_object(o, "o", &v, &e), JV_OK);
    assert_true(json_is_object(v));
    assert_int_equal(jv_object(o, "s", &v, &e), JV_ERR);
    assert_string_equal(e.msg, "s must be an object");
    assert_int_equal(jv_object(o, "zz", &v, &e), JV_MISSING);
    json_decref(o);
}

static void test_lengths_and_helpers(void **st)
{
    field_err e = {""};
    assert_int_equal(jv_max_chars("abc", "name", 3, &e), JV_OK);
    assert_int_equal(jv_max_chars("abcd", "name", 3, &e), JV_ERR);
    assert_string_equal(e.msg, "name must be at most 3 characters");
    /* "é" is two bytes but one code point; "😀" four bytes, one code point. */
    assert_int_equal(jv_max_chars("\xc3\xa9\xc3\xa9\xc3\xa9", "first_name", 3, &e), JV_OK);
    assert_int_equal(utf8_count("\xf0\x9f\x98\x80x", 5), 2);
    assert_int_equal(jv_fail(&e, "%s is required", "email"), JV_ERR);
    assert_string_equal(e.msg, "email is required");
    char *t = str_trim_dup(" \t a b \r\n", 9);
    assert_string_equal(t, "a b");
    free(t);
    char low[] = "MiXeD@Example.COM";
    str_ascii_lower(low);
    assert_string_equal(low, "mixed@example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string),       cmocka_unit_test(test_string_raw),
        cmocka_unit_test(test_int),          cmocka_unit_test(test_number_bool),
        cmocka_unit_test(test_array_object), cmocka_unit_test(test_lengths_and_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
