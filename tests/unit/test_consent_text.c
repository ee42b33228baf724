/* api/face/consent_text.c: the built-in text, FACE_CONSENT_TEXT_FILE's rules and the
 * version (first 12 hex digits of the SHA-256 of the file's bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/face/consent.h"
#include "common/tmpdir.h"

static char g_dir[256];

static const char *write_file(const char *name, const void *data, size_t n)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

static void test_builtin_and_file(void **st)
{
    char err[256];
    assert_int_equal(api_consent_load(NULL, err, sizeof err), 0);
    const char *v = api_consent_version();
    assert_int_equal(strlen(v), 12);
    for (const char *p = v; *p; p++)
        assert_non_null(strchr("0123456789abcdef", *p));
    assert_true(strlen(api_consent_text()) > 40);

    /* sha256("abc") = ba7816bf8f01cfea414140de5dae2223... */
    assert_int_equal(api_consent_load(write_file("abc.txt", "abc", 3), err, sizeof err), 0);
    assert_string_equal(api_consent_version(), "ba7816bf8f01");
    assert_string_equal(api_consent_text(), "abc");
    assert_string_equal(api_consent_status(1, 0, "ba7816bf8f01"), "given");
    assert_string_equal(api_consent_status(1, 0, "000000000000"), "none");
    assert_string_equal(api_consent_status(1, 1, "ba7816bf8f01"), "withdrawn");
    assert_string_equal(api_consent_status(0, 0, NULL), "none");

    /* Refusals keep the text in force. */
    assert_int_equal(api_consent_load(write_file("bad.txt", "\xff\xfe", 2), err, sizeof err), -1);
    assert_non_null(strstr(err, "UTF-8"));
    assert_int_equal(api_consent_load(write_file("empty.txt", "", 0), err, sizeof err), -1);
    assert_int_equal(api_consent_load(write_file("nul.txt", "a\0b", 3), err, sizeof err), -1);
    char path[400];
    snprintf(path, sizeof path, "%s/missing.txt", g_dir);
    assert_int_equal(api_consent_load(path, err, sizeof err), -1);
    static char big[API_CONSENT_TEXT_MAX + 1];
    memset(big, 'a', sizeof big);
    assert_int_equal(api_consent_load(write_file("big.txt", big, sizeof big), err, sizeof err), -1);
    assert_string_equal(api_consent_version(), "ba7816bf8f01");
    assert_string_equal(api_consent_text(), "abc");
}

int main(void)
{
    if (sodium_init() < 0 || tmpdir_make("attendly-consent-text", g_dir, sizeof g_dir) != 0)
        return 1;
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_builtin_and_file)};
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tmpdir_remove(g_dir);
    return failed;
}
