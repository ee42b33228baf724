/* `attendly backup FILE`: one archive (cli/archive.h) with an online copy of the SQLite
 * database, the data directory's jwt_secret and its stored images, written to FILE.tmp
 * and renamed to FILE when complete. The server may keep running and writing meanwhile.
 * The database is copied first, so every image its rows name was already on disk. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
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
#include "core/config.h"
#include "core/timeutil.h"
#include "store/backup.h"
#include "store/db.h"

#define PATH_MAX_LEN 4200
#define COPY_CHUNK (256 * 1024)

/* The stored images found under <data dir>/faces, as archive names. */
typedef struct image_list {
    char **names;
    size_t n, cap;
} image_list;

typedef struct backup_job {
    const char *file;
    char tmp[PATH_MAX_LEN];      /* FILE.tmp: the archive being written */
    char dbcopy[PATH_MAX_LEN];   /* the database copy, removed at the end */
    store_sqlite_info info;
    int has_secret;
    image_list images;
    char err[1024];
} backup_job;

static int list_add(image_list *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->names, cap * sizeof *p);
        if (!p)
            return -1;
        l->names = p;
        l->cap = cap;
    }
    if (!(l->names[l->n] = strdup(name)))
        return -1;
    l->n++;
    return 0;
}

static void list_free(image_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
}

static int is_kind(const char *path, mode_t kind)
{
    struct stat st;
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

/* Calls take(j, path) for every entry of dir but . and ..; stops at the first failure. */
static int scan_dir(backup_job *j, const char *dir,
                    int (*take)(backup_job *j, const char *path, const char *name))
{
    char path[PATH_MAX_LEN * 2];
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            rc = take(j, path, e->d_name);
        }
    }
    closedir(d);
    return rc;
}

/* faces/<uid>/<image>; anything else is left out, and said so. */
static int take_image(backup_job *j, const char *path, const char *name)
{
    if (!cli_archive_image_name_ok(name) || !is_kind(path, S_IFREG)) {
        fprintf(stderr, "attendly: skipping %s: not a stored image\n", path);
        return 0;
    }
    if (j->images.n >= CLI_ARCHIVE_MAX_ENTRIES)
        return -1;
    /* The archive name is the path below the data directory. */
    return list_add(&j->images, path + strlen(g_config.data_dir) + 1);
}

static int take_user_dir(backup_job *j, const char *path, const char *name)
{
    if (!cli_archive_user_dir_ok(name) || !is_kind(path, S_IFDIR)) {
        fprintf(stderr, "attendly: skipping %s: not a stored-image folder\n", path);
        return 0;
    }
    return scan_dir(j, path, take_image);
}

static int scan_images(backup_job *j)
{
    char dir[PATH_MAX_LEN];
    snprintf(dir, sizeof dir, "%s/%s", g_config.data_dir, CLI_ARCHIVE_FACES);
    return scan_dir(j, dir, take_user_dir);
}

static int write_header(struct archive *a, const char *name, mode_t type, int64_t size)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return -1;
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
    archive_entry_set_mtime(e, time(NULL), 0);
    int rc = archive_write_header(a, e);
    archive_entry_free(e);
    return rc == ARCHIVE_OK ? 0 : -1;
}

/* The file at path as entry `name`. A file removed meanwhile (an image deleted since the
 * scan) is skipped when missing_ok; a file that shrank is padded by the tar writer. */
static int add_file(backup_job *j, struct archive *a, const char *name, const char *path,
                    int missing_ok)
{
    static char buf[COPY_CHUNK];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        if (missing_ok && errno == ENOENT)
            return 0;
        snprintf(j->err, sizeof j->err, "cannot read %.400s: %.400s", path, strerror(errno));
        return -1;
    }
    enum cli_archive_kind kind = cli_archive_classify(name, 0);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > cli_archive_max_size(kind)) {
        snprintf(j->err, sizeof j->err, "%.400s is not a regular file of at most %lld bytes", path,
                 (long long)cli_archive_max_size(kind));
        close(fd);
        return -1;
    }
    int rc = write_header(a, name, AE_IFREG, st.st_size);
    for (off_t left = st.st_size; rc == 0 && left > 0;) {
        ssize_t n = read(fd, buf, left < (off_t)sizeof buf ? (size_t)left : sizeof buf);
        if (n <= 0)
            break;
        if (archive_write_data(a, buf, (size_t)n) != n)
            rc = -1;
        left -= n;
    }
    close(fd);
    if (rc < 0)
        snprintf(j->err, sizeof j->err, "cannot write %.400s: %.400s", j->tmp,
                 archive_error_string(a));
    return rc;
}

static int add_manifest(backup_job *j, struct archive *a, int64_t db_bytes)
{
    char created[TIME_ISO_LEN];
    time_format_utc(time(NULL), created);
    json_t *m = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:I, s:b, s:I}",
                          "format", CLI_ARCHIVE_FORMAT, "format_version",
                          CLI_ARCHIVE_FORMAT_VERSION, "attendly_version", ATTENDLY_VERSION,
                          "created_at", created, "schema_version", j->info.schema_version,
                          "migrations", j->info.migrations, "integrity_check",
                          j->info.integrity, "database_bytes", (json_int_t)db_bytes,
                          "jwt_secret", j->has_secret, "images", (json_int_t)j->images.n);
    char *text = m ? json_dumps(m, JSON_INDENT(2)) : NULL;
    json_decref(m);
    int rc = -1;
    if (text) {
        size_t len = strlen(text);
        rc = write_header(a, CLI_ARCHIVE_MANIFEST, AE_IFREG, (int64_t)len);
        if (rc == 0 && archive_write_data(a, text, len) != (la_ssize_t)len)
            rc = -1;
    }
    free(text);
    if (rc < 0)
        snprintf(j->err, sizeof j->err, "cannot write %.400s", j->tmp);
    return rc;
}

/* The user directories and images, each directory entry ahead of its files. */
static int add_images(backup_job *j, struct archive *a)
{
    char path[PATH_MAX_LEN * 2], dir[300] = "";
    if (j->images.n && write_header(a, CLI_ARCHIVE_FACES "/", AE_IFDIR, 0) < 0)
        return -1;
    for (size_t i = 0; i < j->images.n; i++) {
        const char *name = j->images.names[i];
        size_t dlen = (size_t)(strrchr(name, '/') - name);
        if (strlen(dir) != dlen + 1 || strncmp(dir, name, dlen) != 0) {
            snprintf(dir, sizeof dir, "%.*s/", (int)dlen, name);
            if (write_header(a, dir, AE_IFDIR, 0) < 0)
                return -1;
        }
        snprintf(path, sizeof path, "%s/%s", g_config.data_dir, name);
        if (add_file(j, a, name, path, 1) < 0)
            return -1;
    }
    return 0;
}

static int write_archive(backup_job *j, int fd)
{
    char secret[PATH_MAX_LEN];
    struct stat st;
    struct archive *a = archive_write_new();
    int rc = -1;

    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        (cli_archive_is_gzip(j->file) && archive_write_add_filter_gzip(a) != ARCHIVE_OK) ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK) {
        snprintf(j->err, sizeof j->err, "cannot start the archive: %.400s",
                 a ? archive_error_string(a) : "out of memory");
        goto out;
    }
    snprintf(secret, sizeof secret, "%s/%s", g_config.data_dir, CLI_ARCHIVE_SECRET);
    j->has_secret = is_kind(secret, S_IFREG);
    if (stat(j->dbcopy, &st) != 0 || add_manifest(j, a, st.st_size) < 0 ||
        add_file(j, a, CLI_ARCHIVE_DB, j->dbcopy, 0) < 0 ||
        (j->has_secret && add_file(j, a, CLI_ARCHIVE_SECRET, secret, 0) < 0) ||
        add_images(j, a) < 0)
        goto out;
    if (archive_write_close(a) != ARCHIVE_OK) {
        snprintf(j->err, sizeof j->err, "cannot write %.400s: %.400s", j->tmp,
                 archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    if (rc < 0 && !j->err[0])
        snprintf(j->err, sizeof j->err, "cannot write %.400s", j->tmp);
    archive_write_free(a);
    return rc;
}

/* Makes the rename of FILE.tmp to FILE durable. */
static void sync_parent(const char *file)
{
    char dir[PATH_MAX_LEN];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int run_backup(backup_job *j, const char *db_path)
{
    if (snprintf(j->tmp, sizeof j->tmp, "%s.tmp", j->file) >= (int)sizeof j->tmp ||
        snprintf(j->dbcopy, sizeof j->dbcopy, "%s.db-XXXXXX", j->file) >= (int)sizeof j->dbcopy) {
        snprintf(j->err, sizeof j->err, "file name too long");
        return -1;
    }
    int dfd = mkstemp(j->dbcopy);
    if (dfd < 0) {
        snprintf(j->err, sizeof j->err, "cannot create a file next to %.400s: %.400s", j->file,
                 strerror(errno));
        j->dbcopy[0] = '\0';
        return -1;
    }
    close(dfd);
    if (store_sqlite_backup(db_path, j->dbcopy, j->err, sizeof j->err) < 0 ||
        store_sqlite_inspect(j->dbcopy, &j->info, j->err, sizeof j->err) < 0)
        return -1;
    if (strcmp(j->info.integrity, "ok") != 0) {
        snprintf(j->err, sizeof j->err, "the copy of the database failed its integrity check: "
                                        "%s", j->info.integrity);
        return -1;
    }
    if (scan_images(j) < 0) {
        snprintf(j->err, sizeof j->err, "cannot list the stored images under %.400s/%.400s",
                 g_config.data_dir, CLI_ARCHIVE_FACES);
        return -1;
    }
    int fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(j->err, sizeof j->err, "cannot create %.400s: %.400s", j->tmp, strerror(errno));
        return -1;
    }
    int rc = fchmod(fd, 0600) == 0 ? write_archive(j, fd) : -1;
    if (rc == 0 && fsync(fd) != 0) {
        snprintf(j->err, sizeof j->err, "cannot write %.400s: %.400s", j->tmp, strerror(errno));
        rc = -1;
    }
    close(fd);
    if (rc == 0 && rename(j->tmp, j->file) != 0) {
        snprintf(j->err, sizeof j->err, "cannot rename %.300s to %.300s: %.200s", j->tmp, j->file,
                 strerror(errno));
        rc = -1;
    }
    if (rc < 0)
        unlink(j->tmp);
    else
        sync_parent(j->file);
    return rc;
}

int cli_backup(int argc, char **argv)
{
    const char *db_path = NULL;
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: attendly backup FILE   (FILE.gz: gzip-compressed)\n");
        return 2;
    }
    int rc = cli_sqlite_target("backup", "pg_dump -Fc -d \"$DATABASE_URL\" -f attendly.dump",
                               &db_path);
    if (rc != 0)
        return rc;
    backup_job j = {.file = argv[1]};
    rc = run_backup(&j, db_path);
    if (j.dbcopy[0])
        unlink(j.dbcopy);
    list_free(&j.images);
    if (rc < 0) {
        fprintf(stderr, "attendly: backup failed: %s\n", j.err);
        return 1;
    }
    printf("backup written to %s (schema %s, %s, %zu stored image%s)\n", j.file,
           j.info.schema_version, j.has_secret ? "jwt_secret" : "no jwt_secret file",
           j.images.n, j.images.n == 1 ? "" : "s");
    return 0;
}
