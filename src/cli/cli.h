#ifndef ATTENDLY_CLI_CLI_H
#define ATTENDLY_CLI_CLI_H
/* Subcommands of the `attendly` binary. Each returns the process exit status. */

/* Loads configuration (.env + environment) into g_config; on error prints it and
 * returns -1. */
int cli_load_config(void);

int cli_serve(int argc, char **argv);    /* cli/serve.c */
int cli_migrate(int argc, char **argv);  /* cli/migrate.c */

#endif
