/* Online copies and checks of the SQLite file (backup.h).
 *
 * The copy uses SQLite's backup API in chunks with short pauses, so that a running server
 * keeps its write lock and checkpoints between chunks. A write by another process between
 * two chunks makes SQLite start the copy over; after a few such restarts the rest is
 * copied in one step, which reads one snapshot under a single read transaction (in WAL
 * mode that blocks no writer). */
#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"

#define BACKUP_PAGES_PER_STEP 256
#define BACKUP_PAUSE_MS 2
#define BACKUP_MAX_RESTARTS 3
#define BACKUP_BUSY_WAIT_MS 30000
#define BACKUP_BUSY_RETRY_MS 20
#define BACKUP_BUSY_TIMEOUT_MS 5000

static int busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* The copy loop: 0, or -1 with a reason. */
static int backup_pages(sqlite3 *from, sqlite3 *to, char *err, size_t errlen)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(to));
        return -1;
    }
    int chunk = BACKUP_PAGES_PER_STEP, restarts = 0, prev_done = 0, waited = 0, rc;
    for (;;) {
        rc = sqlite3_backup_step(b, chunk);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_OK) {
            int done = sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b);
            if (done < prev_done && ++restarts >= BACKUP_MAX_RESTARTS)
                chunk = -1;
            prev_done = done;
            sqlite3_sleep(BACKUP_PAUSE_MS);
            continue;
        }
        if (busy(rc) && waited < BACKUP_BUSY_WAIT_MS) {
            sqlite3_sleep(BACKUP_BUSY_RETRY_MS);
            waited += BACKUP_BUSY_RETRY_MS;
            continue;
        }
        break;
    }
    int frc = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || frc != SQLITE_OK) {
        int why = rc != SQLITE_DONE ? rc : frc;
        snprintf(err, errlen, "copy failed: %s",
                 busy(why) ? "the database stayed locked" : sqlite3_errstr(why));
        return -1;
    }
    return 0;
}

int store_sqlite_backup(const char *src, const char *dst, char *err, size_t errlen)
{
    sqlite3 *from = NULL, *to = NULL;
    int rc = -1;
    struct stat st;

    if (stat(src, &st) != 0) {
        snprintf(err, errlen, "no SQLite database at %s", src);
        return -1;
    }
    /* Read-write without create: a WAL database is read through its -shm index. */
    if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", src, sqlite3_errmsg(from));
        goto out;
    }
    sqlite3_busy_timeout(from, BACKUP_BUSY_TIMEOUT_MS);
    if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", dst, sqlite3_errmsg(to));
        goto out;
    }
    if (backup_pages(from, to, err, errlen) < 0)
        goto out;
    /* The pages carry the WAL flag of the source; one file is what goes in an archive. */
    if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot finish the copy: %s", sqlite3_errmsg(to));
        goto out;
    }
    rc = 0;
out:
    sqlite3_close_v2(from);
    if (to && sqlite3_close(to) != SQLITE_OK && rc == 0) {
        snprintf(err, errlen, "cannot close the copy");
        rc = -1;
    }
    return rc;
}

/* The first column of the first row of sql as text into out; SQLite's code. */
static int first_text(sqlite3 *h, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    out[0] = '\0';
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, outlen, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int store_sqlite_inspect(const char *path, store_sqlite_info *info, char *err, size_t errlen)
{
    sqlite3 *h = NULL;
    char count[32];
    int rc;

    memset(info, 0, sizeof *info);
    rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK)
        rc = first_text(h, "PRAGMA integrity_check", info->integrity, sizeof info->integrity);
    if (rc == SQLITE_OK)
        rc = first_text(h, "SELECT COUNT(*) FROM schema_migrations", count, sizeof count);
    if (rc == SQLITE_OK)
        rc = first_text(h, "SELECT MAX(version) FROM schema_migrations", info->schema_version,
                        sizeof info->schema_version);
    sqlite3_close_v2(h);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "not a usable Attendly database (%s)", sqlite3_errstr(rc));
        return -1;
    }
    info->migrations = (int)strtol(count, NULL, 10);
    return 0;
}

int store_sqlite_lock(const char *db_path, int exclusive, char *err, size_t errlen)
{
    char path[4200];
    if (snprintf(path, sizeof path, "%s.lock", db_path) >= (int)sizeof path) {
        snprintf(err, errlen, "database path too long");
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open lock file %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
        return fd;
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
        return -2;
    snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
    return -1;
}

int store_sqlite_hold_server_lock(const char *url, char *err, size_t errlen)
{
    const char *path = NULL;
    if (db_url_kind(url, &path, err, errlen) != DB_SQLITE)
        return 0; /* PostgreSQL, or a bad URL that db_open reports */
    int fd = store_sqlite_lock(path, 0, err, errlen);
    if (fd == -2)
        snprintf(err, errlen, "%s is being restored (attendly restore); start the server "
                              "when it has finished", path);
    /* fd stays open on purpose: the lock lasts as long as the server. */
    return fd >= 0 ? 0 : -1;
}
