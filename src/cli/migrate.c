/* `attendly migrate`: applies pending database migrations and reports how many. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/config.h"
#include "store/db.h"

int cli_migrate(int argc, char **argv)
{
    char err[512];
    if (cli_load_config() < 0)
        return 2;
    if (config_ensure_data_dir(&g_config, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return 1;
    }
    db *d = db_open(g_config.database_url, 1, err, sizeof err);
    if (!d) {
        fprintf(stderr, "attendly: cannot open database: %s\n", err);
        return 1;
    }
    int n = db_migrate(d, err, sizeof err);
    db_close(d);
    if (n < 0) {
        fprintf(stderr, "attendly: migration failed: %s\n", err);
        return 1;
    }
    printf("applied %d migration%s\n", n, n == 1 ? "" : "s");
    return 0;
}
