#ifndef ATTENDLY_CLI_CLI_H
#define ATTENDLY_CLI_CLI_H
/* Command-line subcommands of the `attendly` binary. Each takes the arguments after the
 * subcommand name (argv[0] is the subcommand) and returns the process exit status. */

/* attendly faces [--detector ssd|tiny] [--tiles auto|off] [--chip dlib|faceapi]
 *                [--portrait] [--min-face-size N] [--models DIR] [--json] IMG...
 * attendly faces --compare A B */
int cli_faces_main(int argc, char **argv);

#endif
