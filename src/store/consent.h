#ifndef ATTENDLY_STORE_CONSENT_H
#define ATTENDLY_STORE_CONSENT_H
/* Biometric consent (API.md §13, migration 006): a student's current consent row and the
 * history of every give and withdrawal. Whether a consent is current depends on the
 * version of the consent text, which the caller passes in. Results follow db.h. */
#include <stddef.h>
#include <stdint.h>
#include "store/audit.h"
#include "store/db.h"

#define STORE_CONSENT_VERSION_MAX 16   /* 12 hex digits */

typedef struct store_consent {
    int has_row;                        /* 0: never given nor withdrawn */
    int withdrawn;                      /* the last action was a withdrawal */
    char given_version[STORE_CONSENT_VERSION_MAX];   /* "" when never given */
    int64_t given_at, withdrawn_at;     /* 0 when none */
} store_consent;

/* DB_OK with *out (zeroed when there is no row). */
int store_consent_get(db_conn *c, int64_t user_id, store_consent *out);

/* Records a consent to `version` (again allowed: refreshes given_at) with its history row
 * and audit event, in one transaction. DB_OK with *out. */
int store_consent_give(db_conn *c, int64_t user_id, const char *version, int64_t now,
                       const store_audit_new *audit, store_consent *out);

/* Withdraws and hard-deletes every descriptor and the face data summary (raw image paths
 * returned to unlink after), with the history row and the audit events, in one
 * transaction. DB_OK with *deleted; DB_DONE when no consent is given (nothing written). */
int store_consent_withdraw(db_conn *c, int64_t user_id, int64_t now,
                           const store_audit_new *audit, int64_t *deleted, char ***paths,
                           size_t *n_paths);

typedef struct store_consent_event {
    char action[12];                    /* given | withdrawn */
    char version[STORE_CONSENT_VERSION_MAX];
    int64_t at;
} store_consent_event;

/* The whole history of a student, oldest first (malloc'd). */
int store_consent_history(db_conn *c, int64_t user_id, store_consent_event **out, size_t *n);

/* SQL condition (for store/ only) that user column `col` has a consent to version `?`. */
#define STORE_CONSENT_CURRENT(col) \
    " EXISTS (SELECT 1 FROM face_consents fc WHERE fc.user_id = " col \
    " AND fc.status = 'given' AND fc.given_version = ?)"

#endif
