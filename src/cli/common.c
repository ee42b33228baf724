/* Start-up steps shared by the subcommands. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

int cli_sqlite_target(const char *what, const char *pg_hint, const char **db_path)
{
    char err[512];
    /* Archives and restored files hold the token secret and personal data. */
    umask(077);
    if (cli_load_config() < 0)
        return 2;
    int kind = db_url_kind(g_config.database_url, db_path, err, sizeof err);
    if (kind < 0) {
        fprintf(stderr, "attendly: DATABASE_URL: %s\n", err);
        return 2;
    }
    if (kind == DB_POSTGRES) {
        fprintf(stderr, "attendly: %s works on SQLite only; for PostgreSQL use %.*s:\n  %s\n"
                        "(see docs/operations.md, Backups)\n", what, (int)strcspn(pg_hint, " "),
                pg_hint, pg_hint);
        return 2;
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
