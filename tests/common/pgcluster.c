/* Throwaway PostgreSQL cluster for tests (see pgcluster.h). */
#include "common/pgcluster.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/ports.h"
#include "common/tmpdir.h"

#define PGC_START_TRIES 3
#define PGC_READY_TIMEOUT_MS 30000
#define PGC_STOP_TIMEOUT_MS 15000
#define PGC_DB_NAME "attendly_test"

/* Who runs initdb and the server: the `postgres` user when we are root, else ourselves. */
struct pgc_user {
    int switch_user;
    uid_t uid;
    gid_t gid;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The last bytes of a log file, flattened to one line, for error messages. */
static void log_tail(const char *path, char *err, size_t errlen, const char *what)
{
    char buf[400] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        if (fseek(f, 0, SEEK_END) == 0) {
            long size = ftell(f);
            fseek(f, size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0, SEEK_SET);
        }
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        for (char *p = buf; *p; p++)
            if (*p == '\n')
                *p = ' ';
    }
    snprintf(err, errlen, "%s (log: %s)", what, buf);
}

static int version_of(const char *path)
{
    const char *v = strstr(path, "/postgresql/");
    return v ? atoi(v + strlen("/postgresql/")) : 0;
}

/* The newest /usr/lib/postgresql/<v>/bin that has initdb. */
static int find_bindir(pgcluster *pc, char *err, size_t errlen)
{
    const char *env = getenv("ATTENDLY_PG_BINDIR");
    glob_t g;
    int best = -1;

    if (env && *env) {
        snprintf(pc->bindir, sizeof pc->bindir, "%s", env);
        return 0;
    }
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, NULL, &g) != 0) {
        snprintf(err, errlen, "no PostgreSQL server found under /usr/lib/postgresql "
                              "(install the postgresql package)");
        return -1;
    }
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (best < 0 || version_of(g.gl_pathv[i]) > version_of(g.gl_pathv[best]))
            best = (int)i;
    snprintf(pc->bindir, sizeof pc->bindir, "%.*s", (int)(strrchr(g.gl_pathv[best], '/') -
             g.gl_pathv[best]), g.gl_pathv[best]);
    globfree(&g);
    return 0;
}

static int resolve_user(struct pgc_user *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    if (geteuid() != 0)
        return 0;
    struct passwd *pw = getpwnam("postgres");
    if (!pw) {
        snprintf(err, errlen, "running as root but there is no `postgres` user for initdb");
        return -1;
    }
    u->switch_user = 1;
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    return 0;
}

/* Forks and execs argv[0] as `u`, output to log_path. die_with_parent: the child gets
 * SIGQUIT (PostgreSQL's immediate shutdown) when we die. Returns the pid or -1. */
static pid_t spawn(char *const argv[], const char *log_path, const struct pgc_user *u,
                   int die_with_parent)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;

    /* Child: only async-signal-safe calls until exec. */
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, STDIN_FILENO);
    if (u->switch_user &&
        (setgroups(1, &u->gid) != 0 || setgid(u->gid) != 0 || setuid(u->uid) != 0))
        _exit(126);
    /* After setuid: a credential change clears the parent-death signal. */
    if (die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid() != parent))
        _exit(125);
    execv(argv[0], argv);
    _exit(127);
}

static int run_initdb(pgcluster *pc, const struct pgc_user *u, char *err, size_t errlen)
{
    char exe[300], data[300], log[300];
    int status = 0;

    snprintf(exe, sizeof exe, "%s/initdb", pc->bindir);
    snprintf(data, sizeof data, "%s/data", pc->dir);
    snprintf(log, sizeof log, "%s/initdb.log", pc->dir);
    char *const argv[] = {exe, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--locale=C", "--no-sync", NULL};
    pid_t pid = spawn(argv, log, u, 0);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        log_tail(log, err, errlen, "initdb failed");
        return -1;
    }
    return 0;
}

static int child_exited(pid_t pid)
{
    int status;
    return waitpid(pid, &status, WNOHANG) == pid;
}

/* Starts the postmaster on a fresh port and waits until it accepts connections. */
static int start_server(pgcluster *pc, const struct pgc_user *u, char *err, size_t errlen)
{
    char exe[300], data[300], log[300], port[16], conninfo[128];

    pc->port = free_loopback_port();
    if (pc->port < 0) {
        snprintf(err, errlen, "no free loopback port: %s", strerror(errno));
        return -1;
    }
    snprintf(exe, sizeof exe, "%s/postgres", pc->bindir);
    snprintf(data, sizeof data, "%s/data", pc->dir);
    snprintf(log, sizeof log, "%s/postgres.log", pc->dir);
    snprintf(port, sizeof port, "%d", pc->port);
    /* Durability is pointless for a throwaway cluster; small memory keeps many cheap. */
    char *const argv[] = {exe, "-D", data, "-k", pc->dir, "-h", "127.0.0.1", "-p", port,
                          "-c", "fsync=off", "-c", "synchronous_commit=off",
                          "-c", "full_page_writes=off", "-c", "shared_buffers=16MB",
                          "-c", "max_connections=100", NULL};
    pc->pid = spawn(argv, log, u, 1);
    if (pc->pid < 0) {
        pc->pid = 0;
        snprintf(err, errlen, "fork failed: %s", strerror(errno));
        return -1;
    }

    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=postgres "
             "connect_timeout=2", pc->port);
    for (int waited = 0; waited < PGC_READY_TIMEOUT_MS; waited += 50) {
        if (PQping(conninfo) == PQPING_OK)
            return 0;
        if (child_exited(pc->pid)) {
            pc->pid = 0;
            log_tail(log, err, errlen, "postgres exited during start-up");
            return -1;
        }
        sleep_ms(50);
    }
    log_tail(log, err, errlen, "postgres did not accept connections in time");
    return -1;
}

/* Waits for `pid` to go away: reaps it when it is our child, else polls for it. */
static int wait_gone(pid_t pid, long timeout_ms)
{
    for (long waited = 0; waited <= timeout_ms; waited += 20) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) != 0 && errno == ESRCH))
            return 0;
        sleep_ms(20);
    }
    return -1;
}

int pgcluster_start(pgcluster *pc, char *err, size_t errlen)
{
    struct pgc_user u;

    memset(pc, 0, sizeof *pc);
    if (find_bindir(pc, err, errlen) != 0 || resolve_user(&u, err, errlen) != 0)
        return -1;
    /* /tmp unless $TMPDIR is usable: the server user must reach the directory, and the
     * socket path inside it must fit a sockaddr_un (~107 bytes). */
    const char *base = getenv("TMPDIR");
    if (u.switch_user || !base || !*base || strlen(base) > 60)
        base = "/tmp";
    if (tmpdir_make_in(base, "attendly-pg", pc->dir, sizeof pc->dir) != 0) {
        snprintf(err, errlen, "cannot create a temporary directory: %s", strerror(errno));
        pc->dir[0] = '\0';
        return -1;
    }
    if (u.switch_user && chown(pc->dir, u.uid, u.gid) != 0) {
        snprintf(err, errlen, "chown %s: %s", pc->dir, strerror(errno));
        goto fail;
    }
    if (run_initdb(pc, &u, err, errlen) != 0)
        goto fail;
    for (int attempt = 1;; attempt++) {
        if (start_server(pc, &u, err, errlen) == 0)
            break;
        if (attempt == PGC_START_TRIES)
            goto fail;
        if (pc->pid > 0) { /* started but never became ready */
            kill(pc->pid, SIGKILL);
            wait_gone(pc->pid, 5000);
            pc->pid = 0;
        }
        pgcluster_kill_dir(pc->dir);
    }
    if (pgcluster_create_database(pc, PGC_DB_NAME, pc->url, sizeof pc->url, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    pgcluster_stop(pc);
    return -1;
}

static int valid_db_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63 || (name[0] >= '0' && name[0] <= '9'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

int pgcluster_create_database(pgcluster *pc, const char *name, char *url_out, size_t url_len,
                              char *err, size_t errlen)
{
    char conninfo[128], sql[128];
    int rc = -1;

    if (!pc->pid || !valid_db_name(name)) {
        snprintf(err, errlen, pc->pid ? "invalid database name" : "cluster is not running");
        return -1;
    }
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=postgres "
             "connect_timeout=10", pc->port);
    PGconn *conn = PQconnectdb(conninfo);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, errlen, "connect to cluster: %s", conn ? PQerrorMessage(conn) : "no memory");
        goto out;
    }
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        snprintf(err, errlen, "create database %s: %s", name, PQresultErrorMessage(r));
    else
        rc = 0;
    PQclear(r);
    if (rc == 0)
        snprintf(url_out, url_len, "postgresql://postgres@127.0.0.1:%d/%s", pc->port, name);
out:
    PQfinish(conn);
    return rc;
}

void pgcluster_kill_dir(const char *dir)
{
    char path[320];
    long pid = 0;

    if (!dir || !*dir)
        return;
    snprintf(path, sizeof path, "%s/data/postmaster.pid", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    /* The file outlives a killed server: make sure the pid is still a postgres. */
    char comm[64] = "";
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    f = pid > 1 ? fopen(path, "r") : NULL;
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
    }
    if (strncmp(comm, "postgres", 8) == 0 && kill((pid_t)pid, SIGKILL) == 0)
        wait_gone((pid_t)pid, 5000);
}

void pgcluster_stop(pgcluster *pc)
{
    if (pc->pid > 0) {
        /* SIGINT = fast shutdown: roll back sessions, exit without waiting for clients. */
        kill(pc->pid, SIGINT);
        if (wait_gone(pc->pid, PGC_STOP_TIMEOUT_MS) != 0) {
            kill(pc->pid, SIGKILL);
            wait_gone(pc->pid, 5000);
        }
        pc->pid = 0;
    }
    if (pc->dir[0]) {
        pgcluster_kill_dir(pc->dir);
        tmpdir_remove(pc->dir);
        pc->dir[0] = '\0';
    }
    pc->url[0] = '\0';
}
