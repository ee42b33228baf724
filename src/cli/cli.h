#ifndef ATTENDLY_CLI_CLI_H
#define ATTENDLY_CLI_CLI_H
/* Subcommands of the `attendly` binary. Each takes the arguments after the command name
 * (argv[0] is the subcommand) and returns the process exit status. */

/* Loads configuration (.env + environment) into g_config; on error prints it and
 * returns -1. */
int cli_load_config(void);

/* Loads configuration, then opens the database and applies pending migrations; on error
 * prints it and returns NULL. */
struct db;
struct db *cli_open_db(void);

int cli_serve(int argc, char **argv);    /* cli/serve.c */
int cli_migrate(int argc, char **argv);  /* cli/migrate.c */

/* attendly faces [--detector ssd|tiny] [--tiles auto|off] [--chip dlib|faceapi]
 *                [--portrait] [--min-face-size N] [--models DIR] [--json] IMG...
 * attendly faces [options] --compare A B                          (cli/faces.c) */
int cli_faces_main(int argc, char **argv);

/* attendly admin create --email E --first-name F --last-name L  (password on stdin)
 * attendly admin promote EMAIL                                    (cli/admin.c) */
int cli_admin(int argc, char **argv);

/* attendly sweep [--now TS]: one retention sweep (cli/sweep.c) */
int cli_sweep(int argc, char **argv);

#endif
