#ifndef ATTENDLY_CLI_CLI_H
#define ATTENDLY_CLI_CLI_H
/* Subcommands of the `attendly` binary. Each takes the arguments after the command name
 * (argv[0] is the subcommand) and returns the process exit status. */

/* Loads configuration (.env + environment) into g_config; on error prints it and
 * returns -1. */
int cli_load_config(void);

/* For backup and restore (`what`): umask 077, configuration, and the SQLite file of
 * DATABASE_URL into *db_path. On PostgreSQL prints a refusal naming the tool to use
 * (pg_hint, the command of docs/operations.md). 0, or the exit status to return. */
int cli_sqlite_target(const char *what, const char *pg_hint, const char **db_path);
/* Loads configuration, then opens the database and applies pending migrations; on error
 * prints it and returns NULL. */
struct db;
struct db *cli_open_db(void);

int cli_serve(int argc, char **argv);    /* cli/serve.c */
int cli_migrate(int argc, char **argv);  /* cli/migrate.c */
/* attendly tls self-signed DIR [--host NAME_OR_IP]... [--force]     (cli/tls.c) */
int cli_tls(int argc, char **argv);
int cli_backup(int argc, char **argv);   /* cli/backup.c: attendly backup FILE */
int cli_restore(int argc, char **argv);  /* cli/restore.c: attendly restore FILE [--force] */

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
