/* Reading a backup archive into staging files for `attendly restore` (restore.h).
 *
 * Nothing of the archive decides where a file goes: every name is matched against the
 * fixed list of cli/archive.h, only regular files and directories are accepted, each
 * entry and the whole archive have size bounds, and files are created with O_EXCL under
 * directories this program made (so a repeated entry is refused, not merged). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/archive.h"
#include "cli/restore.h"
#include "core/config.h"

#define READ_BLOCK (64 * 1024)

typedef struct reader {
    restore_job *j;
    struct archive *a;
    int64_t total;
} reader;

static int fail(restore_job *j, const char *fmt, const char *name)
{
    char shown[96];
    cli_archive_printable(name, shown, sizeof shown);
    snprintf(j->err, sizeof j->err, fmt, shown);
    return -1;
}

/* Copies the current entry's data to fd (or into buf when fd < 0), at most max bytes. */
static int read_data(reader *r, const char *name, int fd, char *buf, int64_t max, size_t *got)
{
    char block[READ_BLOCK];
    int64_t n_total = 0;
    la_ssize_t n;
    while ((n = archive_read_data(r->a, block, sizeof block)) > 0) {
        n_total += n;
        r->total += n;
        if (n_total > max || r->total > CLI_ARCHIVE_MAX_TOTAL)
            return fail(r->j, "entry \"%s\" is larger than a backup allows", name);
        if (fd >= 0 && write(fd, block, (size_t)n) != n)
            return fail(r->j, "cannot stage \"%s\" (disk full?)", name);
        if (fd < 0)
            memcpy(buf + n_total - n, block, (size_t)n);
    }
    if (n < 0)
        return fail(r->j, "the archive is damaged (at \"%s\")", name);
    if (got)
        *got = (size_t)n_total;
    return 0;
}

static int make_dir(restore_job *j, const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    snprintf(j->err, sizeof j->err, "cannot create %.400s: %.400s", path, strerror(errno));
    return -1;
}

/* stage/faces and, for a name under it, stage/faces/<uid>. */
static int make_faces_dirs(restore_job *j, const char *name)
{
    char path[RESTORE_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", j->stage, CLI_ARCHIVE_FACES);
    if (make_dir(j, path) < 0)
        return -1;
    const char *uid = strchr(name, '/');
    if (!uid || !uid[1])
        return 0;
    uid++;
    size_t n = strcspn(uid, "/");
    snprintf(path, sizeof path, "%s/%s/%.*s", j->stage, CLI_ARCHIVE_FACES, (int)n, uid);
    return make_dir(j, path);
}

static int stage_file(reader *r, const char *name, const char *path, int64_t max)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(r->j, errno == EEXIST ? "entry \"%s\" appears twice"
                                          : "cannot stage \"%s\"", name);
    int rc = read_data(r, name, fd, NULL, max, NULL);
    if (rc == 0 && fsync(fd) != 0)
        rc = fail(r->j, "cannot stage \"%s\" (disk full?)", name);
    close(fd);
    return rc;
}

static int stage_manifest(reader *r, const char *name)
{
    static char buf[CLI_ARCHIVE_MAX_MANIFEST + 1];
    size_t len = 0;
    if (r->j->manifest)
        return fail(r->j, "entry \"%s\" appears twice", name);
    if (read_data(r, name, -1, buf, CLI_ARCHIVE_MAX_MANIFEST, &len) < 0)
        return -1;
    r->j->manifest = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(r->j->manifest))
        return fail(r->j, "%s is not valid JSON", CLI_ARCHIVE_MANIFEST);
    return 0;
}

/* The staged database file, created beside the real one so the final rename is atomic. */
static int stage_db(reader *r, const char *name)
{
    restore_job *j = r->j;
    if (j->have_db)
        return fail(j, "entry \"%s\" appears twice", name);
    snprintf(j->dbtmp, sizeof j->dbtmp, "%s.restore-XXXXXX", j->db_path);
    int fd = mkstemp(j->dbtmp);
    if (fd < 0) {
        j->dbtmp[0] = '\0';
        snprintf(j->err, sizeof j->err, "cannot create a file beside %.400s: %.400s", j->db_path,
                 strerror(errno));
        return -1;
    }
    j->have_db = 1;
    int rc = read_data(r, name, fd, NULL, CLI_ARCHIVE_MAX_DB, NULL);
    if (rc == 0 && fsync(fd) != 0)
        rc = fail(j, "cannot stage \"%s\" (disk full?)", name);
    close(fd);
    return rc;
}

static int stage_entry(reader *r, struct archive_entry *e)
{
    restore_job *j = r->j;
    const char *name = archive_entry_pathname(e);
    char path[RESTORE_PATH_MAX + 300];
    if (!name)
        return fail(j, "an entry has no name%s", "");
    mode_t type = archive_entry_filetype(e);
    enum cli_archive_kind kind = CLI_ENTRY_INVALID;
    if ((type == AE_IFREG || type == AE_IFDIR) && !archive_entry_hardlink(e) &&
        !archive_entry_symlink(e))
        kind = cli_archive_classify(name, type == AE_IFDIR);
    if (kind == CLI_ENTRY_INVALID)
        return fail(j, "unexpected entry \"%s\" (not part of an Attendly backup)", name);
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > cli_archive_max_size(kind) &&
        kind != CLI_ENTRY_FACES_DIR && kind != CLI_ENTRY_USER_DIR)
        return fail(j, "entry \"%s\" is larger than a backup allows", name);
    switch (kind) {
    case CLI_ENTRY_MANIFEST:
        return stage_manifest(r, name);
    case CLI_ENTRY_DB:
        return stage_db(r, name);
    case CLI_ENTRY_SECRET:
        snprintf(path, sizeof path, "%s/%s", j->stage, CLI_ARCHIVE_SECRET);
        j->have_secret = 1;
        return stage_file(r, name, path, CLI_ARCHIVE_MAX_SECRET);
    case CLI_ENTRY_FACES_DIR:
    case CLI_ENTRY_USER_DIR:
        return make_faces_dirs(j, name);
    case CLI_ENTRY_IMAGE:
        if (make_faces_dirs(j, name) < 0)
            return -1;
        snprintf(path, sizeof path, "%s/%s", j->stage, name);
        j->images++;
        return stage_file(r, name, path, CLI_ARCHIVE_MAX_IMAGE);
    default:
        return -1;
    }
}

int restore_extract(restore_job *j)
{
    snprintf(j->stage, sizeof j->stage, "%s/.restore-XXXXXX", g_config.data_dir);
    if (!mkdtemp(j->stage)) {
        snprintf(j->err, sizeof j->err, "cannot create a staging folder in %.400s: %.400s",
                 g_config.data_dir, strerror(errno));
        j->stage[0] = '\0';
        return -1;
    }
    reader r = {.j = j, .a = archive_read_new()};
    struct archive_entry *e;
    int rc = -1, st;
    size_t count = 0;
    if (!r.a || archive_read_support_filter_gzip(r.a) != ARCHIVE_OK ||
        archive_read_support_format_tar(r.a) != ARCHIVE_OK ||
        archive_read_open_filename(r.a, j->file, READ_BLOCK) != ARCHIVE_OK) {
        snprintf(j->err, sizeof j->err, "not a readable tar archive");
        goto out;
    }
    while ((st = archive_read_next_header(r.a, &e)) == ARCHIVE_OK) {
        if (++count > CLI_ARCHIVE_MAX_ENTRIES) {
            snprintf(j->err, sizeof j->err, "too many entries for a backup");
            goto out;
        }
        if (stage_entry(&r, e) < 0)
            goto out;
    }
    if (st != ARCHIVE_EOF) {
        snprintf(j->err, sizeof j->err, count ? "the archive is damaged"
                                              : "not a readable tar archive");
        goto out;
    }
    rc = 0;
out:
    archive_read_free(r.a);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    remove(path); /* best effort: what cannot be removed is left for the operator */
    return 0;
}

void restore_cleanup(restore_job *j)
{
    if (j->dbtmp[0])
        unlink(j->dbtmp);
    j->dbtmp[0] = '\0';
    if (j->stage[0])
        nftw(j->stage, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    j->stage[0] = '\0';
    json_decref(j->manifest);
    j->manifest = NULL;
}
