#ifndef ATTENDLY_STORE_HEALTH_H
#define ATTENDLY_STORE_HEALTH_H
/* The database half of GET /health. */
#include "store/db.h"

/* A trivial query: DB_OK when the database answers it. */
int store_ping(db_conn *c);

#endif
