#ifndef ATTENDLY_TESTS_PGCLUSTER_H
#define ATTENDLY_TESTS_PGCLUSTER_H
/* A throwaway PostgreSQL server for tests: initdb in a fresh temporary directory, a
 * postmaster on a free loopback port with trust authentication, one database created.
 * Uses the Debian server binaries (/usr/lib/postgresql/<version>/bin, newest version;
 * ATTENDLY_PG_BINDIR overrides). When running as root the server runs as the `postgres`
 * user, since initdb refuses root.
 *
 * The postmaster is asked to die with the process that started it (parent-death
 * signal), so a crashing test leaves no server behind; call pgcluster_start from the
 * thread that lives as long as the cluster (normally main). */
#include <stddef.h>
#include <sys/types.h>

typedef struct pgcluster {
    char dir[256];       /* temporary directory: data/, socket, logs */
    char bindir[256];
    int port;
    pid_t pid;           /* postmaster, 0 when not running */
    char url[512];       /* postgresql://postgres@127.0.0.1:<port>/attendly_test */
} pgcluster;

/* Starts the cluster and creates database attendly_test (pc->url). 0, or -1 with a
 * reason in err (the server log's tail when the server failed). */
int pgcluster_start(pgcluster *pc, char *err, size_t errlen);

/* Creates another empty database `name` ([a-z0-9_], up to 63 chars) on the running
 * cluster and writes its URL to url_out. 0 or -1 with a reason in err. */
int pgcluster_create_database(pgcluster *pc, const char *name, char *url_out, size_t url_len,
                              char *err, size_t errlen);

/* Fast shutdown (then SIGKILL after a grace period) and removal of the directory.
 * Safe to call more than once and on a cluster that failed to start. */
void pgcluster_stop(pgcluster *pc);

/* Kills whatever postmaster data/postmaster.pid under `dir` names, without waiting for
 * a clean shutdown; for clean-up paths that have only the directory. */
void pgcluster_kill_dir(const char *dir);

#endif
