#ifndef ATTENDLY_CLI_RESTORE_H
#define ATTENDLY_CLI_RESTORE_H
/* Internal to `attendly restore` (cli/restore.c, cli/restore_extract.c). */
#include <jansson.h>
#include <stddef.h>

#include "store/backup.h"

#define RESTORE_PATH_MAX 4200

typedef struct restore_job {
    const char *file;             /* the archive */
    const char *db_path;          /* the SQLite file to restore */
    int force;
    char dbtmp[RESTORE_PATH_MAX]; /* staged database, beside db_path; "" once renamed */
    char stage[RESTORE_PATH_MAX]; /* staging directory in the data dir (secret, faces/) */
    json_t *manifest;
    int have_db, have_secret;
    size_t images;
    store_sqlite_info info;
    int committing;               /* files are being moved: a failure is no longer clean */
    int moved_aside;
    char aside_ts[32];
    char err[1024];
} restore_job;

/* Reads every entry of j->file into the staging files, checking names, types and sizes;
 * fills manifest, have_db, have_secret and images. 0, or -1 with a reason in j->err. */
int restore_extract(restore_job *j);

/* Removes whatever is still staged and frees the manifest. */
void restore_cleanup(restore_job *j);

#endif
