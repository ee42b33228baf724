/* The database half of GET /health (store/health.h). */
#include "store/health.h"

int store_ping(db_conn *c)
{
    int64_t one = 0;
    return db_query_int64(c, "SELECT 1", &one) == DB_ROW && one == 1 ? DB_OK : DB_ERR;
}
