#ifndef ATTENDLY_API_OBJECTS_ATTENDANCE_H
#define ATTENDLY_API_OBJECTS_ATTENDANCE_H
/* JSON builders for the attendance objects of API.md §2 (Session, Record, SessionStats)
 * and the number formatting rules of §1.4 (rates to 2 decimals, confidence to 4). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "store/attendance.h"

/* v rounded half away from zero to `decimals` places. */
double api_round(double v, int decimals);
/* part / whole × 100 rounded to 2 decimals; 0 when whole is 0. */
double api_rate(int64_t part, int64_t whole);
/* A JSON real rounded to 4 decimals (distance, confidence), or null when !has. */
json_t *api_json_confidence(int has, double v);

json_t *api_json_session(const store_att_session *s);
json_t *api_json_record(const store_att_record *r);
json_t *api_json_session_stats(const store_att_stats *st);

#endif
