/* Start-up steps shared by the subcommands. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/config.h"

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
