#ifndef ATTENDLY_TESTS_COMMON_STOREDB_H
#define ATTENDLY_TESTS_COMMON_STOREDB_H
/* The main of a store test program run as `<prog> sqlite|pg`: a migrated throwaway
 * database (a temp SQLite file, or a PostgreSQL started for the run), the cmocka group
 * against it, and the clean-up. */
#include <stddef.h>
#include "store/db.h"

struct CMUnitTest;

/* *db_out is set before the group runs. Returns the exit status (0 all passed, 1 a
 * failure or set-up error, 2 bad usage). */
int storedb_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
                size_t n, db **db_out);
#define STOREDB_RUN(argc, argv, name, tests, db_out) \
    storedb_run((argc), (argv), (name), (tests), sizeof(tests) / sizeof((tests)[0]), (db_out))

#endif
