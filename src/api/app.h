#ifndef ATTENDLY_API_APP_H
#define ATTENDLY_API_APP_H
/* Process-wide state the handlers share, set up once by `attendly serve` before the HTTP
 * server starts and read-only afterwards. */
#include "face/face.h"
#include "store/db.h"

typedef struct app {
    db *db;               /* the database (connection pool) */
    face_engine *face;    /* NULL when the face models are not loaded */
} app;

extern app g_app;

/* How long a request waits for a pooled connection before answering 500. */
#define APP_DB_ACQUIRE_TIMEOUT_MS 5000

#endif
