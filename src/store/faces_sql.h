#ifndef ATTENDLY_STORE_FACES_SQL_H
#define ATTENDLY_STORE_FACES_SQL_H
/* Internal to store/faces*.c: descriptor blobs and small row helpers. */
#include <stddef.h>
#include <stdint.h>
#include "store/db.h"
#include "store/faces.h"

#define FACE_BLOB_LEN (STORE_FACE_DIM * 4)

/* float[128] <-> 512 little-endian float32 bytes, whatever the host byte order. */
void face_blob_pack(const float *desc, uint8_t out[FACE_BLOB_LEN]);
/* -1 when the column is not a descriptor blob. */
int face_blob_unpack(db_stmt *s, int col, float *desc);

/* "first last" from columns col and col + 1; text (NULL as "") from one column. */
void face_copy_name(char *dst, size_t size, db_stmt *s, int col);
void face_copy_text(char *dst, size_t size, db_stmt *s, int col);

/* Steps a statement that returns no rows (or ignores them) and finalizes it. */
int face_exec_stmt(db_stmt *s);

#endif
