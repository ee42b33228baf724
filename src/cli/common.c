/* Start-up steps shared by the subcommands. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/config.h"
#include "store/db.h"

/* The optional .env file is read from the working directory; real environment
 * variables win over it. */
#define CLI_ENV_FILE ".env"

int cli_load_config(void)
{
    char err[512];
    if (config_load(&g_config, CLI_ENV_FILE, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: configuration error: %s\n", err);
        return -1;
    }
    return 0;
}

struct db *cli_open_db(void)
{
    char err[512];
    if (cli_load_config() < 0)
        return NULL;
    if (config_ensure_data_dir(&g_config, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return NULL;
    }
    db *d = db_open(g_config.database_url, 1, err, sizeof err);
    if (!d) {
        fprintf(stderr, "attendly: cannot open database: %s\n", err);
        return NULL;
    }
    if (db_migrate(d, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: migration failed: %s\n", err);
        db_close(d);
        return NULL;
    }
    return d;
}
