#ifndef ATTENDLY_CORE_EMBEDDED_H
#define ATTENDLY_CORE_EMBEDDED_H
/* Files compiled into the binary by cmake/embed.cmake (migrations, OpenAPI document,
 * the API reference's Redoc bundle). */
#include <stddef.h>

struct embedded_file {
    const char *name; /* base name, e.g. "001_init.sql"; NULL ends the table */
    const char *data; /* contents, followed by a NUL (binary files may hold NULs too) */
    size_t len;       /* length without the NUL */
};

extern const struct embedded_file embedded_migrations[]; /* sorted by name */
extern const struct embedded_file embedded_openapi[];     /* openapi.json */
/* redoc.standalone.js and redoc.standalone.js.gz (gzip -9 -n of the former), in that order */
extern const struct embedded_file embedded_docs[];

#endif
