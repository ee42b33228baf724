/* Timestamps and calendar dates (see timeutil.h). Date arithmetic is done on UTC noon
 * with timegm so that neither DST nor the process zone can shift a day. */
#include "core/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int time_set_zone(const char *tz)
{
    if (strcmp(tz, "UTC") != 0 && strcmp(tz, "GMT") != 0) {
        /* glibc silently falls back to UTC for an unknown zone: check the database. */
        const char *dir = getenv("TZDIR");
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
        if (strstr(tz, "..") || access(path, R_OK) != 0)
            return -1;
    }
    if (setenv("TZ", tz, 1) != 0)
        return -1;
    tzset();
    return 0;
}

void time_format_utc(time_t t, char out[TIME_ISO_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, TIME_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_local_date(time_t t, char out[TIME_DATE_LEN])
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, TIME_DATE_LEN, "%Y-%m-%d", &tm);
}

void time_today(char out[TIME_DATE_LEN])
{
    time_local_date(time(NULL), out);
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    static const char shape[] = "dddd-dd-dd";
    for (int i = 0; i < 10; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
            return 0;
    }
    if (s[10] != '\0')
        return 0;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

int time_date_valid(const char *s)
{
    int y, m, d;
    return s && parse_date(s, &y, &m, &d);
}

int time_date_add(const char *date, int days, char out[TIME_DATE_LEN])
{
    int y, m, d;
    if (!date || !parse_date(date, &y, &m, &d))
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm) + (time_t)days * 86400;
    struct tm r;
    gmtime_r(&t, &r);
    if (r.tm_year + 1900 < 1 || r.tm_year + 1900 > 9999)
        return -1;
    char buf[48];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", r.tm_year + 1900, r.tm_mon + 1, r.tm_mday);
    memcpy(out, buf, TIME_DATE_LEN - 1);
    out[TIME_DATE_LEN - 1] = '\0';
    return 0;
}

int time_parse_utc(const char *s, long long *out)
{
    static const char shape[] = "dd:dd:ddZ";
    char date[TIME_DATE_LEN];
    int y, m, d;

    if (!s || strlen(s) != TIME_ISO_LEN - 1 || s[10] != 'T')
        return -1;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!parse_date(date, &y, &m, &d))
        return -1;
    for (int i = 0; i < 9; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[11 + i]) : s[11 + i] != shape[i])
            return -1;
    int hh = atoi(s + 11), mm = atoi(s + 14), ss = atoi(s + 17);
    if (hh > 23 || mm > 59 || ss > 59)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
                    .tm_hour = hh, .tm_min = mm, .tm_sec = ss};
    *out = (long long)timegm(&tm);
    return 0;
}
