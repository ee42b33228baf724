#ifndef ATTENDLY_TESTS_HTTP_BACKUP_SUPPORT_H
#define ATTENDLY_TESTS_HTTP_BACKUP_SUPPORT_H
/* Helpers of the backup and restore tests: running `attendly` subcommands on a data
 * directory, hand-made archives, and snapshots of a directory tree. */
#include <stddef.h>

#define BK_OUT_MAX 4096

/* `$ATTENDLY_BIN <args...>` (NULL-terminated) with ATTENDLY_DATA_DIR=data_dir and
 * DATABASE_URL=db_url (SQLite in data_dir when NULL), JWT_SECRET_KEY unset, run in
 * data_dir's parent so no .env is read. Output into out; returns the exit status. */
int bk_attendly(const char *data_dir, const char *db_url, const char *const *args, char *out,
                size_t outlen);

typedef struct bk_entry {
    const char *name;
    const void *data;    /* NULL with is_dir or symlink */
    size_t len;
    int is_dir;
    const char *symlink; /* non-NULL: a symbolic link to this target */
} bk_entry;

/* Writes a tar file (gzip for *.gz) with the given entries. 0 or -1. */
int bk_write_archive(const char *path, const bk_entry *entries, size_t n);

/* The data of entry `name` of an archive, malloc'd into *data. 0 or -1. */
int bk_archive_entry(const char *path, const char *name, char **data, size_t *len);

/* The whole of a file, malloc'd and NUL-terminated. 0 or -1. */
int bk_read_file(const char *path, char **data, size_t *len);

/* Every path under dir (relative, sorted) with its type, mode, size and a hash of its
 * contents, one per line, into a malloc'd string; skip names a file to leave out. */
char *bk_snapshot(const char *dir, const char *skip);

#endif
