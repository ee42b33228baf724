#ifndef ATTENDLY_HTTP_METRICS_H
#define ATTENDLY_HTTP_METRICS_H
/* Prometheus metrics (API.md §8.2). Label values are bounded: methods are normalised,
 * routes are templates or "unmatched", endpoints are face route templates. Thread-safe. */
#include <stddef.h>

/* One finished HTTP request. route is a template or "unmatched". */
void metrics_http_observe(const char *method, const char *route, int status, double seconds);

/* One face request (API.md §5.6): endpoint = route template, outcome "ok", "error" or
 * "busy", faces = faces detected (added to attendly_faces_detected_total). */
void metrics_recognition_observe(const char *endpoint, const char *outcome, double seconds,
                                 int faces);
/* attendly_recognition_in_flight += delta (call with +1 when face work starts, -1 after). */
void metrics_in_flight_add(int delta);

/* Part II counters (API.md §13, §14, §16.1). Outcomes and actions are fixed words:
 * check-ins "ok" | "wrong_code" | "limited"; consent "given" | "withdrawn". */
void metrics_checkin(const char *outcome);
void metrics_consent_change(const char *action);
/* Rows deleted by one retention sweep. */
void metrics_sweep_deleted(long long face_data, long long face_images, long long audit_events);

/* The exposition text (format 0.0.4), malloc'd; NULL on allocation failure. */
char *metrics_render(size_t *len);

#endif
