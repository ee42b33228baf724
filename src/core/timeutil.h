#ifndef ATTENDLY_CORE_TIMEUTIL_H
#define ATTENDLY_CORE_TIMEUTIL_H
/* Time formatting and calendar dates (API.md §1.4): timestamps are UTC
 * "YYYY-MM-DDTHH:MM:SSZ", dates "YYYY-MM-DD", "today" is in ATTENDLY_TIMEZONE. */
#include <time.h>

#define TIME_ISO_LEN 21   /* "2025-10-18T06:37:32Z" + NUL */
#define TIME_DATE_LEN 11  /* "2025-10-18" + NUL */

/* Sets the process time zone (TZ) once at start-up, before any thread starts.
 * Returns -1 when the zone is unknown (no tz database entry). */
int time_set_zone(const char *tz);

/* UTC timestamp of t. */
void time_format_utc(time_t t, char out[TIME_ISO_LEN]);
/* The calendar date of t in the configured zone. */
void time_local_date(time_t t, char out[TIME_DATE_LEN]);
/* Today in the configured zone. */
void time_today(char out[TIME_DATE_LEN]);

/* 1 when s is exactly YYYY-MM-DD and a real calendar date (leap years included). */
int time_date_valid(const char *s);
/* Parses exactly YYYY-MM-DDTHH:MM:SSZ (a real date, 00-23:00-59:00-59) into Unix seconds.
 * Returns -1 when s has another shape. */
int time_parse_utc(const char *s, long long *out);
/* out = date + days (negative goes back). Returns -1 when date is not valid. */
int time_date_add(const char *date, int days, char out[TIME_DATE_LEN]);

#endif
