#ifndef ATTENDLY_TESTS_TMPDIR_H
#define ATTENDLY_TESTS_TMPDIR_H
/* Temporary directories for tests, under $TMPDIR (or /tmp). */
#include <stddef.h>

/* Creates <tmp>/<prefix>-XXXXXX and writes its path to out. 0 or -1. */
int tmpdir_make(const char *prefix, char *out, size_t outlen);
/* The same under `base` instead of $TMPDIR. */
int tmpdir_make_in(const char *base, const char *prefix, char *out, size_t outlen);

/* Removes `path` and everything below it (no symlinks followed). 0 or -1. */
int tmpdir_remove(const char *path);

#endif
