/* Temporary directories for tests. */
#include "common/tmpdir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmpdir_make(const char *prefix, char *out, size_t outlen)
{
    const char *base = getenv("TMPDIR");
    return tmpdir_make_in(base && *base ? base : "/tmp", prefix, out, outlen);
}

int tmpdir_make_in(const char *base, const char *prefix, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%s-XXXXXX", base, prefix);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

int tmpdir_remove(const char *path)
{
    if (!path || !*path || strcmp(path, "/") == 0)
        return -1;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
