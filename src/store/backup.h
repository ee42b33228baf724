#ifndef ATTENDLY_STORE_BACKUP_H
#define ATTENDLY_STORE_BACKUP_H
/* The SQLite file itself, for `attendly backup` and `attendly restore` (cli/backup.c,
 * cli/restore.c): an online copy, a check of a copy, and the advisory lock that tells a
 * restore that a server has the database open. */
#include <stddef.h>

typedef struct store_sqlite_info {
    char integrity[256];       /* "ok", or the first problem PRAGMA integrity_check found */
    int migrations;            /* rows of schema_migrations */
    char schema_version[128];  /* the highest applied migration, "" when none */
} store_sqlite_info;

/* Copies the database at src into the new file dst (which must not exist) with SQLite's
 * online backup API, while other processes may be reading and writing src. The copy is a
 * single self-contained file (rollback journal mode). 0, or -1 with a reason in err. */
int store_sqlite_backup(const char *src, const char *dst, char *err, size_t errlen);

/* Opens the file at path read-only and fills *info. 0, or -1 with a reason in err when the
 * file is not a usable SQLite database. */
int store_sqlite_inspect(const char *path, store_sqlite_info *info, char *err, size_t errlen);

/* Takes the advisory lock of the database at db_path (the file <db_path>.lock): shared for
 * a server, exclusive for a restore, never waiting. Returns the descriptor that holds it
 * (the lock lasts until it is closed or the process ends), -2 when the other kind is held
 * by another process, or -1 with a reason in err. */
int store_sqlite_lock(const char *db_path, int exclusive, char *err, size_t errlen);

/* For `attendly serve`: on an SQLite URL, holds the shared lock for the rest of the
 * process's life (refused while a restore runs); nothing for PostgreSQL. 0 or -1. */
int store_sqlite_hold_server_lock(const char *url, char *err, size_t errlen);

#endif
