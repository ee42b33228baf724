/* Entry names and bounds of the backup archive (archive.h). */
#include "cli/archive.h"

#include <string.h>

#define USER_DIR_MAX 19    /* digits of an int64 */
#define IMAGE_NAME_MAX 128

int cli_archive_user_dir_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > USER_DIR_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Letters, digits, '-', '_' and '.', not starting with '.': no "..", no hidden files. */
int cli_archive_image_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > IMAGE_NAME_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* faces/<uid>[/<image>] with the trailing slash of directories already removed. */
static enum cli_archive_kind classify_faces(const char *rest, int is_dir)
{
    char uid[USER_DIR_MAX + 2];
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

    if (n >= sizeof uid)
        return CLI_ENTRY_INVALID;
    memcpy(uid, rest, n);
    uid[n] = '\0';
    if (!cli_archive_user_dir_ok(uid))
        return CLI_ENTRY_INVALID;
    if (!slash)
        return is_dir ? CLI_ENTRY_USER_DIR : CLI_ENTRY_INVALID;
    if (is_dir || strchr(slash + 1, '/') || !cli_archive_image_name_ok(slash + 1))
        return CLI_ENTRY_INVALID;
    return CLI_ENTRY_IMAGE;
}

enum cli_archive_kind cli_archive_classify(const char *name, int is_dir)
{
    char buf[256];
    size_t n = strlen(name);

    if (n == 0 || n >= sizeof buf)
        return CLI_ENTRY_INVALID;
    memcpy(buf, name, n + 1);
    if (is_dir && buf[n - 1] == '/')
        buf[--n] = '\0';
    if (!is_dir && strcmp(buf, CLI_ARCHIVE_MANIFEST) == 0)
        return CLI_ENTRY_MANIFEST;
    if (!is_dir && strcmp(buf, CLI_ARCHIVE_DB) == 0)
        return CLI_ENTRY_DB;
    if (!is_dir && strcmp(buf, CLI_ARCHIVE_SECRET) == 0)
        return CLI_ENTRY_SECRET;
    if (strcmp(buf, CLI_ARCHIVE_FACES) == 0)
        return is_dir ? CLI_ENTRY_FACES_DIR : CLI_ENTRY_INVALID;
    if (strncmp(buf, CLI_ARCHIVE_FACES "/", strlen(CLI_ARCHIVE_FACES) + 1) == 0)
        return classify_faces(buf + strlen(CLI_ARCHIVE_FACES) + 1, is_dir);
    return CLI_ENTRY_INVALID;
}

int64_t cli_archive_max_size(enum cli_archive_kind k)
{
    switch (k) {
    case CLI_ENTRY_MANIFEST: return CLI_ARCHIVE_MAX_MANIFEST;
    case CLI_ENTRY_DB: return CLI_ARCHIVE_MAX_DB;
    case CLI_ENTRY_SECRET: return CLI_ARCHIVE_MAX_SECRET;
    case CLI_ENTRY_IMAGE: return CLI_ARCHIVE_MAX_IMAGE;
    default: return 0;
    }
}

int cli_archive_is_gzip(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".gz") == 0;
}

void cli_archive_printable(const char *in, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; in[i] && j + 1 < outlen && i < 80; i++)
        out[j++] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
    if (outlen)
        out[j] = '\0';
}
