/* See storedb.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/pgcluster.h"
#include "common/storedb.h"
#include "common/tmpdir.h"

int storedb_run(int argc, char **argv, const char *name, const struct CMUnitTest *tests,
                size_t n, db **db_out)
{
    char err[512], url[700], tmp[256];
    pgcluster pg;
    if (argc != 2 || (strcmp(argv[1], "sqlite") && strcmp(argv[1], "pg"))) {
        fprintf(stderr, "usage: %s sqlite|pg\n", argv[0]);
        return 2;
    }
    int is_pg = strcmp(argv[1], "pg") == 0;
    if (tmpdir_make(name, tmp, sizeof tmp) != 0)
        return 1;
    if (!is_pg) {
        snprintf(url, sizeof url, "sqlite:///%s/test.db", tmp);
    } else if (pgcluster_start(&pg, err, sizeof err) != 0) {
        fprintf(stderr, "postgres: %s\n", err);
        tmpdir_remove(tmp);
        return 1;
    } else {
        snprintf(url, sizeof url, "%s", pg.url);
    }
    db *d = db_open(url, 2, err, sizeof err);
    int failed = 1;
    if (d && db_migrate(d, err, sizeof err) >= 0) {
        *db_out = d;
        failed = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
    } else {
        fprintf(stderr, "database: %s\n", err);
    }
    if (d)
        db_close(d);
    *db_out = NULL;
    if (is_pg)
        pgcluster_stop(&pg);
    tmpdir_remove(tmp);
    return failed ? 1 : 0;
}
