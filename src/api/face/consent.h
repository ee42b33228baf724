#ifndef ATTENDLY_API_FACE_CONSENT_H
#define ATTENDLY_API_FACE_CONSENT_H
/* Biometric consent (API.md §13): the consent text and its version, and the gate the
 * enrolment and recognition routes apply. The text is FACE_CONSENT_TEXT_FILE's bytes, or
 * a built-in wording; its version is the first 12 hex digits of their SHA-256. */
#include "api/api.h"

#define API_CONSENT_TEXT_MAX (64 * 1024)

/* Loads the text at start-up, before any request: path NULL or "" = the built-in text.
 * 0, or -1 with a reason (unreadable, too large, not UTF-8, empty). */
int api_consent_load(const char *path, char *err, size_t errlen);
const char *api_consent_text(void);
const char *api_consent_version(void);

/* The version enrolment and recognition require: NULL with FACE_CONSENT_REQUIRED=0. */
const char *api_consent_required_version(void);

/* §13.1 status: "withdrawn", "given" (to the current version) or "none". */
const char *api_consent_status(int has_row, int withdrawn, const char *given_version);

/* The enrolment gate (§13.4): 0 when consent is not required or is current, else -1 with
 * 403 "Biometric consent required" (or 500) set. */
int api_consent_require(api_ctx *ctx);

#endif
