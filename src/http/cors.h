#ifndef ATTENDLY_HTTP_CORS_H
#define ATTENDLY_HTTP_CORS_H
/* CORS headers (API.md §1.9). */
#include "core/config.h"
#include "http/internal.h"

struct MHD_Response;

/* Allow-Origin (and Vary) per CORS_ORIGINS, plus Expose-Headers; on every response. */
void cors_headers(const config *cfg, const char *origin, struct MHD_Response *resp);
/* The 204 preflight reply (its Allow-Origin comes from cors_headers like any other). */
void cors_preflight(http_reply *rep);

#endif
