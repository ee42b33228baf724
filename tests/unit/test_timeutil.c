/* core/timeutil: UTC formatting, strict dates, date arithmetic, "today" in a zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/timeutil.h"

static void test_format_utc(void **st)
{
    char buf[TIME_ISO_LEN];
    time_format_utc(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    time_format_utc(1760769452, buf);
    assert_string_equal(buf, "2025-10-18T06:37:32Z");
}

static void test_date_valid(void **st)
{
    assert_true(time_date_valid("2024-03-15"));
    assert_true(time_date_valid("2024-02-29"));  /* leap year */
    assert_true(time_date_valid("2000-02-29"));  /* divisible by 400 */
    assert_true(time_date_valid("1999-12-31"));
    assert_false(time_date_valid("2023-02-29"));
    assert_false(time_date_valid("1900-02-29")); /* divisible by 100 */
    assert_false(time_date_valid("2024-02-30"));
    assert_false(time_date_valid("2024-04-31"));
    assert_false(time_date_valid("2024-13-01"));
    assert_false(time_date_valid("2024-00-10"));
    assert_false(time_date_valid("2024-01-00"));
    assert_false(time_date_valid("2024-3-5"));
    assert_false(time_date_valid("2024-03-15 "));
    assert_false(time_date_valid(" 2024-03-15"));
    assert_false(time_date_valid("2024/03/15"));
    assert_false(time_date_valid("20240315"));
    assert_false(time_date_valid("2024-03-1a"));
    assert_false(time_date_valid("0000-01-01"));
    assert_false(time_date_valid(""));
    assert_false(time_date_valid(NULL));
}

static void test_date_add(void **st)
{
    char out[TIME_DATE_LEN];
    assert_int_equal(time_date_add("2024-02-28", 1, out), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(time_date_add("2024-02-29", 1, out), 0);
    assert_string_equal(out, "2024-03-01");
    assert_int_equal(time_date_add("2024-01-01", -1, out), 0);
    assert_string_equal(out, "2023-12-31");
    assert_int_equal(time_date_add("2025-10-18", -6, out), 0);
    assert_string_equal(out, "2025-10-12");
    assert_int_equal(time_date_add("2025-10-18", -29, out), 0);
    assert_string_equal(out, "2025-09-19");
    assert_int_equal(time_date_add("2024-03-31", 0, out), 0);
    assert_string_equal(out, "2024-03-31");
    assert_int_equal(time_date_add("2024-02-30", 1, out), -1);
}

static void test_parse_utc(void **st)
{
    long long t = 0;
    assert_int_equal(time_parse_utc("2025-10-18T06:37:32Z", &t), 0);
    assert_int_equal(t, 1760769452);
    assert_int_equal(time_parse_utc("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(time_parse_utc("2024-02-29T23:59:59Z", &t), 0);
    const char *bad[] = {"", "2025-10-18", "2025-10-18T06:37:32", "2025-10-18 06:37:32Z",
                         "2025-10-18T24:00:00Z", "2025-10-18T06:60:00Z", "2023-02-29T00:00:00Z",
                         "2025-10-18T06:37:32z", "2025-10-18T06:37:32Z ", "+025-10-18T06:37:32Z",
                         "2025-10-18T6:37:32Z", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(time_parse_utc(bad[i], &t), -1);
    assert_int_equal(time_parse_utc(NULL, &t), -1);
}

static void test_zone_dates(void **st)
{
    char d[TIME_DATE_LEN];
    time_t t = 1704110400; /* 2024-01-01T12:00:00Z */
    assert_int_equal(time_set_zone("Pacific/Kiritimati"), 0); /* UTC+14 */
    time_local_date(t, d);
    assert_string_equal(d, "2024-01-02");
    assert_int_equal(time_set_zone("America/Los_Angeles"), 0); /* UTC-8 */
    time_local_date(t - 7 * 3600, d);                          /* 05:00Z */
    assert_string_equal(d, "2023-12-31");
    assert_int_equal(time_set_zone("UTC"), 0);
    time_local_date(t, d);
    assert_string_equal(d, "2024-01-01");
    time_today(d);
    assert_true(time_date_valid(d));
    assert_int_equal(time_set_zone("Mars/Olympus_Mons"), -1);
    assert_int_equal(time_set_zone("../etc/passwd"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_utc), cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_date_add),   cmocka_unit_test(test_zone_dates),
        cmocka_unit_test(test_parse_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
