/* `attendly restore FILE [--force]`: puts a backup of `attendly backup` back.
 *
 * Order: take the database's exclusive lock (refused while a server holds its shared one),
 * refuse to replace existing data without --force, extract every entry into staging files
 * beside their destinations and check them (manifest, format version, database present,
 * integrity check, schema known to this version), and only then move the old files aside
 * and rename the staged ones into place. A refusal or failure before that last step
 * leaves the data directory as it was. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/archive.h"
#include "cli/cli.h"
#include "cli/restore.h"
#include "core/config.h"
#include "core/embedded.h"
#include "store/backup.h"
#include "store/db.h"

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void join(char *out, size_t len, const char *dir, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

/* The first existing file that a restore would replace, or NULL. */
static const char *existing_data(const char *db_path, char *buf, size_t len)
{
    static const char *const db_side[] = {"", "-wal", "-journal"};
    static const char *const dir_side[] = {CLI_ARCHIVE_SECRET, CLI_ARCHIVE_FACES};
    for (size_t i = 0; i < sizeof db_side / sizeof *db_side; i++) {
        snprintf(buf, len, "%s%s", db_path, db_side[i]);
        if (exists(buf))
            return buf;
    }
    for (size_t i = 0; i < sizeof dir_side / sizeof *dir_side; i++) {
        join(buf, len, g_config.data_dir, dir_side[i]);
        if (exists(buf))
            return buf;
    }
    return NULL;
}

/* Moves the current files aside as <name>.before-restore-<ts>; the -wal, -shm and -journal
 * files keep their suffix after the new name, so SQLite still pairs them with it. On a
 * failure the moves done so far are undone. */
static int move_aside(restore_job *j, const char *ts)
{
    char from[8][RESTORE_PATH_MAX], to[8][RESTORE_PATH_MAX + 64];
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    int n = 0, moved = 0;
    for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++, n++) {
        snprintf(from[n], sizeof from[n], "%s%s", j->db_path, sfx[i]);
        snprintf(to[n], sizeof to[n], "%s.before-restore-%s%s", j->db_path, ts, sfx[i]);
    }
    static const char *const in_dir[] = {CLI_ARCHIVE_SECRET, CLI_ARCHIVE_FACES};
    for (size_t i = 0; i < sizeof in_dir / sizeof *in_dir; i++, n++) {
        join(from[n], sizeof from[n], g_config.data_dir, in_dir[i]);
        snprintf(to[n], sizeof to[n], "%s.before-restore-%s", from[n], ts);
    }
    for (; moved < n; moved++) {
        if (!exists(from[moved]))
            continue;
        if (rename(from[moved], to[moved]) != 0) {
            snprintf(j->err, sizeof j->err, "cannot move %.400s aside: %.400s", from[moved],
                     strerror(errno));
            while (moved-- > 0)
                rename(to[moved], from[moved]);
            return -1;
        }
        j->moved_aside = 1;
    }
    return 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Renames the checked, staged files into place. */
static int commit(restore_job *j)
{
    char ts[32], path[RESTORE_PATH_MAX], staged[RESTORE_PATH_MAX + 32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));

    j->committing = 1;
    if (j->force && move_aside(j, ts) < 0)
        return -1;
    snprintf(j->aside_ts, sizeof j->aside_ts, "%s", ts);
    /* A stale -wal beside the new file would be replayed into it. */
    static const char *const stale[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
        snprintf(path, sizeof path, "%s%s", j->db_path, stale[i]);
        unlink(path);
    }
    if (rename(j->dbtmp, j->db_path) != 0) {
        snprintf(j->err, sizeof j->err, "cannot move the database into place: %.400s",
                 strerror(errno));
        return -1;
    }
    j->dbtmp[0] = '\0';
    static const char *const names[] = {CLI_ARCHIVE_SECRET, CLI_ARCHIVE_FACES};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        join(staged, sizeof staged, j->stage, names[i]);
        join(path, sizeof path, g_config.data_dir, names[i]);
        if (exists(staged) && rename(staged, path) != 0) {
            snprintf(j->err, sizeof j->err, "cannot move %.400s into place: %.400s", path,
                     strerror(errno));
            return -1;
        }
    }
    sync_dir(g_config.data_dir);
    char dbdir[RESTORE_PATH_MAX];
    snprintf(dbdir, sizeof dbdir, "%s", j->db_path);
    char *slash = strrchr(dbdir, '/');
    if (slash)
        *(slash == dbdir ? slash + 1 : slash) = '\0';
    sync_dir(slash ? dbdir : ".");
    return 0;
}

/* The staged database: integrity, and a schema this version knows. */
static int check_database(restore_job *j)
{
    char why[256];
    if (store_sqlite_inspect(j->dbtmp, &j->info, why, sizeof why) < 0) {
        snprintf(j->err, sizeof j->err, "the database in the archive is damaged or not an "
                                        "Attendly database");
        return -1;
    }
    if (strcmp(j->info.integrity, "ok") != 0) {
        snprintf(j->err, sizeof j->err, "the database in the archive is damaged (integrity "
                                        "check: %.200s)", j->info.integrity);
        return -1;
    }
    for (const struct embedded_file *f = embedded_migrations; f->name; f++) {
        size_t n = strlen(f->name) > 4 ? strlen(f->name) - 4 : 0; /* without ".sql" */
        if (strlen(j->info.schema_version) == n && strncmp(f->name, j->info.schema_version, n) == 0)
            return 0;
    }
    snprintf(j->err, sizeof j->err, "the database comes from a newer Attendly (schema %.100s); "
                                    "restore it with that version", j->info.schema_version);
    return -1;
}

/* Manifest present, ours, and of a format version this program reads. */
static int check_manifest(restore_job *j)
{
    if (!j->manifest) {
        snprintf(j->err, sizeof j->err, "no %.400s: not an Attendly backup", CLI_ARCHIVE_MANIFEST);
        return -1;
    }
    const char *format = json_string_value(json_object_get(j->manifest, "format"));
    json_t *version = json_object_get(j->manifest, "format_version");
    if (!format || strcmp(format, CLI_ARCHIVE_FORMAT) != 0 || !json_is_integer(version)) {
        snprintf(j->err, sizeof j->err, "%.400s is not an Attendly backup manifest",
                 CLI_ARCHIVE_MANIFEST);
        return -1;
    }
    if (json_integer_value(version) != CLI_ARCHIVE_FORMAT_VERSION) {
        snprintf(j->err, sizeof j->err, "backup format version %lld is not known to this "
                 "Attendly (it reads version %d)", (long long)json_integer_value(version),
                 CLI_ARCHIVE_FORMAT_VERSION);
        return -1;
    }
    if (!j->have_db) {
        snprintf(j->err, sizeof j->err, "the archive holds no database (%.400s)", CLI_ARCHIVE_DB);
        return -1;
    }
    return 0;
}

static int restore(restore_job *j)
{
    if (restore_extract(j) < 0 || check_manifest(j) < 0 || check_database(j) < 0)
        return -1;
    return commit(j);
}

static int parse_args(int argc, char **argv, const char **file, int *force)
{
    *file = NULL;
    *force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0)
            *force = 1;
        else if (argv[i][0] != '-' && !*file)
            *file = argv[i];
        else
            return -1;
    }
    return *file ? 0 : -1;
}

int cli_restore(int argc, char **argv)
{
    char err[512], found[RESTORE_PATH_MAX];
    const char *file, *db_path = NULL;
    int force;
    if (parse_args(argc, argv, &file, &force) < 0) {
        fprintf(stderr, "usage: attendly restore FILE [--force]\n");
        return 2;
    }
    int rc = cli_sqlite_target("restore", "pg_restore --clean --if-exists -d \"$DATABASE_URL\" "
                               "attendly.dump", &db_path);
    if (rc != 0)
        return rc;
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "attendly: cannot read %s: %s\n", file, strerror(errno));
        return 1;
    }
    if (config_ensure_data_dir(&g_config, err, sizeof err) < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return 1;
    }
    int lock = store_sqlite_lock(db_path, 1, err, sizeof err);
    if (lock == -2) {
        fprintf(stderr, "attendly: restore refused: a server is running on %s; stop it first "
                        "(nothing was changed)\n", db_path);
        return 1;
    }
    if (lock < 0) {
        fprintf(stderr, "attendly: %s\n", err);
        return 1;
    }
    if (!force && existing_data(db_path, found, sizeof found)) {
        fprintf(stderr, "attendly: restore refused: %s already exists; use --force to replace "
                        "the current data (it is kept as *.before-restore-<time>)\n", found);
        close(lock);
        return 1;
    }
    restore_job j = {.file = file, .db_path = db_path, .force = force};
    rc = restore(&j);
    restore_cleanup(&j);
    close(lock);
    if (rc < 0) {
        if (j.committing)
            fprintf(stderr, "attendly: restore failed: %s\n", j.err);
        else
            fprintf(stderr, "attendly: restore refused: %s: %s (nothing was changed)\n", file,
                    j.err);
        return 1;
    }
    printf("restored %s: database (schema %s), %s, %zu stored image%s\n", file,
           j.info.schema_version, j.have_secret ? "jwt_secret" : "no jwt_secret",
           j.images, j.images == 1 ? "" : "s");
    if (j.moved_aside)
        printf("the previous files are kept with the suffix .before-restore-%s\n", j.aside_ts);
    return 0;
}
