/* attendly: the AI attendance backend. Dispatches to the subcommands of src/cli/. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static int cmd_version(int argc, char **argv)
{
    printf("attendly %s\n", ATTENDLY_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"serve", cli_serve, "run the HTTP API server (configuration from the environment / .env)"},
    {"migrate", cli_migrate, "apply pending database migrations and print how many"},
    {"tls", cli_tls, "write a key and a self-signed certificate (attendly tls --help)"},
    {"backup", cli_backup, "FILE: archive the SQLite database, secret and images"},
    {"restore", cli_restore, "FILE [--force]: put a backup back (server stopped)"},
    {"admin", cli_admin, "create an admin, or promote a fresh account (attendly admin --help)"},
    {"sweep", cli_sweep, "run one retention sweep and print what it deleted (--now TS)"},
    {"faces", cli_faces_main, "detect and describe the faces of images (attendly faces --help)"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show this help"},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: attendly <command> [args]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\nConfiguration: see README.md (environment variables, optional .env file).\n");
}

static int cmd_help(int argc, char **argv)
{
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    fprintf(stderr, "attendly: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return 2;
}
