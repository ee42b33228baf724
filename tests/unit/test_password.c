/* core/password: Argon2id hashes, verification, malformed hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/password.h"

static void test_hash_verify(void **st)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", 13, h), 0);
    assert_true(strncmp(h, "$argon2id$", 10) == 0);
    assert_non_null(strstr(h, "m=19456,t=2")); /* cost 1: 19 MiB, 2 passes */
    assert_int_equal(password_verify(h, "correct horse", 13), 1);
    assert_int_equal(password_verify(h, "correct horsE", 13), 0);
    assert_int_equal(password_verify(h, "correct hors", 12), 0);
    assert_int_equal(password_verify(h, "", 0), 0);

    char h2[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse", 13, h2), 0);
    assert_string_not_equal(h, h2); /* salted */
}

static void test_embedded_nul_and_length(void **st)
{
    char h[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("ab\0cd", 5, h), 0);
    assert_int_equal(password_verify(h, "ab\0cd", 5), 1);
    assert_int_equal(password_verify(h, "ab", 2), 0);
}

static void test_malformed_hash(void **st)
{
    assert_int_equal(password_verify(NULL, "x", 1), 0);
    assert_int_equal(password_verify("", "x", 1), 0);
    assert_int_equal(password_verify("plaintext", "plaintext", 9), 0);
    assert_int_equal(password_verify("$argon2id$v=19$m=19456,t=2,p=1$garbage", "x", 1), 0);
    assert_int_equal(password_verify("$pbkdf2-sha256$29000$abc$def", "x", 1), 0);
    char longh[400];
    memset(longh, 'a', sizeof longh - 1);
    longh[sizeof longh - 1] = '\0';
    memcpy(longh, "$argon2id$", 10);
    assert_int_equal(password_verify(longh, "x", 1), 0);
    password_dummy_verify("whatever", 8); /* must simply return */
}

int main(void)
{
    password_init(1, 2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_verify),
        cmocka_unit_test(test_embedded_nul_and_length),
        cmocka_unit_test(test_malformed_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
