/* Helpers of the backup and restore tests (backup_support.h). */
#include "backup_support.h"

#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/proc.h"

#define RUN_TIMEOUT_MS 120000
#define SNAP_MAX_LINES 4096

int bk_attendly(const char *data_dir, const char *db_url, const char *const *args, char *out,
                size_t outlen)
{
    const char *bin = getenv("ATTENDLY_BIN");
    const char *argv[16];
    char env_dir[700], env_url[1200], cwd[600];
    int n = 0;
    if (!bin)
        return -1;
    argv[n++] = bin;
    for (; *args && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    snprintf(env_dir, sizeof env_dir, "ATTENDLY_DATA_DIR=%s", data_dir);
    if (db_url)
        snprintf(env_url, sizeof env_url, "DATABASE_URL=%s", db_url);
    else
        snprintf(env_url, sizeof env_url, "DATABASE_URL=sqlite:///%s/attendly.db", data_dir);
    snprintf(cwd, sizeof cwd, "%s", data_dir);
    char *slash = strrchr(cwd, '/');
    if (slash && slash != cwd)
        *slash = '\0';
    const char *env[] = {env_dir, env_url, "JWT_SECRET_KEY=", NULL};
    return test_run(argv, env, cwd, out, outlen, RUN_TIMEOUT_MS);
}

int bk_write_archive(const char *path, const bk_entry *entries, size_t n)
{
    struct archive *a = archive_write_new();
    size_t len = strlen(path);
    int rc = -1;
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        (len > 3 && !strcmp(path + len - 3, ".gz") && archive_write_add_filter_gzip(a)) ||
        archive_write_open_filename(a, path) != ARCHIVE_OK)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, entries[i].name);
        archive_entry_set_perm(e, 0600);
        if (entries[i].symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, entries[i].symlink);
        } else {
            archive_entry_set_filetype(e, entries[i].is_dir ? AE_IFDIR : AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)entries[i].len);
        }
        int ok = archive_write_header(a, e) == ARCHIVE_OK &&
                 (!entries[i].len ||
                  archive_write_data(a, entries[i].data, entries[i].len) == (la_ssize_t)entries[i].len);
        archive_entry_free(e);
        if (!ok)
            goto out;
    }
    rc = archive_write_close(a) == ARCHIVE_OK ? 0 : -1;
out:
    archive_write_free(a);
    return rc;
}

int bk_archive_entry(const char *path, const char *name, char **data, size_t *len)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int rc = -1;
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
        goto out;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), name) != 0)
            continue;
        *len = (size_t)archive_entry_size(e);
        *data = malloc(*len + 1);
        if (*data && archive_read_data(a, *data, *len) == (la_ssize_t)*len) {
            (*data)[*len] = '\0';
            rc = 0;
        }
        break;
    }
out:
    archive_read_free(a);
    return rc;
}

int bk_read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)size + 1);
    *len = *data ? fread(*data, 1, (size_t)size, f) : 0;
    fclose(f);
    if (!*data || *len != (size_t)size)
        return -1;
    (*data)[*len] = '\0';
    return 0;
}

/* nftw has no user pointer: one snapshot at a time. */
static struct {
    char *lines[SNAP_MAX_LINES];
    int n;
    size_t root_len;
    const char *skip;
} g_snap;

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    const char *rel = path + g_snap.root_len;
    char *data = NULL, line[1200];
    size_t len = 0;
    uint64_t h = 0;
    if (g_snap.skip && strcmp(rel, g_snap.skip) == 0)
        return 0;
    if (S_ISREG(st->st_mode) && bk_read_file(path, &data, &len) == 0)
        h = fnv1a(data, len);
    free(data);
    snprintf(line, sizeof line, "%s %o %lld %016llx", *rel ? rel : ".", (unsigned)st->st_mode,
             (long long)st->st_size, (unsigned long long)h);
    if (g_snap.n < SNAP_MAX_LINES)
        g_snap.lines[g_snap.n++] = strdup(line);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *bk_snapshot(const char *dir, const char *skip)
{
    g_snap.n = 0;
    g_snap.root_len = strlen(dir);
    g_snap.skip = skip;
    if (nftw(dir, snap_one, 16, FTW_PHYS) != 0)
        return NULL;
    qsort(g_snap.lines, (size_t)g_snap.n, sizeof *g_snap.lines, by_name);
    size_t total = 1;
    for (int i = 0; i < g_snap.n; i++)
        total += strlen(g_snap.lines[i]) + 1;
    char *out = malloc(total), *p = out;
    for (int i = 0; i < g_snap.n; i++) {
        if (out)
            p += sprintf(p, "%s\n", g_snap.lines[i]);
        free(g_snap.lines[i]);
    }
    if (out)
        *p = '\0';
    return out;
}
