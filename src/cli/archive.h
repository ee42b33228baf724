#ifndef ATTENDLY_CLI_ARCHIVE_H
#define ATTENDLY_CLI_ARCHIVE_H
/* The backup archive shared by `attendly backup` and `attendly restore`: a tar file
 * (gzip-compressed when its name ends in .gz) holding exactly these entries:
 *
 *   attendly-backup.json          the manifest (format version, versions, checks)
 *   attendly.db                   the SQLite database
 *   jwt_secret                    the generated token secret, when there is one
 *   faces/ faces/<user id>/ faces/<user id>/<image>   stored images (FACE_IMAGE_STORE=1)
 *
 * Names are checked against this list when reading: an archive is never trusted to say
 * where a file goes. */
#include <stddef.h>
#include <stdint.h>

#define CLI_ARCHIVE_MANIFEST "attendly-backup.json"
#define CLI_ARCHIVE_DB "attendly.db"
#define CLI_ARCHIVE_SECRET "jwt_secret"
#define CLI_ARCHIVE_FACES "faces"
#define CLI_ARCHIVE_FORMAT "attendly-backup"
#define CLI_ARCHIVE_FORMAT_VERSION 1

/* Bounds on what a restore accepts (and a backup writes). */
#define CLI_ARCHIVE_MAX_MANIFEST (64 * 1024)
#define CLI_ARCHIVE_MAX_SECRET 4096
#define CLI_ARCHIVE_MAX_DB (64LL * 1024 * 1024 * 1024)
#define CLI_ARCHIVE_MAX_IMAGE (64LL * 1024 * 1024)
#define CLI_ARCHIVE_MAX_ENTRIES 1000000
#define CLI_ARCHIVE_MAX_TOTAL (256LL * 1024 * 1024 * 1024)

enum cli_archive_kind {
    CLI_ENTRY_INVALID = 0,
    CLI_ENTRY_MANIFEST,
    CLI_ENTRY_DB,
    CLI_ENTRY_SECRET,
    CLI_ENTRY_FACES_DIR,   /* faces/ */
    CLI_ENTRY_USER_DIR,    /* faces/<user id>/ */
    CLI_ENTRY_IMAGE        /* faces/<user id>/<image> */
};

/* What the entry `name` is; is_dir: the entry is a directory. CLI_ENTRY_INVALID for any
 * other name (absolute, "..", unexpected) or a wrong type. */
enum cli_archive_kind cli_archive_classify(const char *name, int is_dir);

/* 1 when s can be the user-id directory / the image file name under faces/. */
int cli_archive_user_dir_ok(const char *s);
int cli_archive_image_name_ok(const char *s);

/* The largest size an entry of this kind may have. */
int64_t cli_archive_max_size(enum cli_archive_kind k);

/* 1 when name ends in ".gz" (the archive is gzip-compressed). */
int cli_archive_is_gzip(const char *name);

/* A copy of an untrusted name fit for a message: printable ASCII only, truncated. */
void cli_archive_printable(const char *in, char *out, size_t outlen);

#endif
