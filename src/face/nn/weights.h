#ifndef ATTENDLY_FACE_WEIGHTS_H
#define ATTENDLY_FACE_WEIGHTS_H
/* tfjs weight files: `<model>-weights_manifest.json` + its shard(s) `.bin`
 * (FACE-MODELS.md §2). Every tensor is dequantised once to float32; int32 tensors are
 * kept as floats too (none is used by the networks, they are only skipped over). */
#include <stddef.h>

typedef struct fw_tensor {
    char *name;
    int ndim;
    int shape[4];
    size_t count;      /* product of shape (1 for a scalar) */
    float *data;
} fw_tensor;

typedef struct fw_model {
    char *model;       /* e.g. "face_recognition_model", for error messages */
    fw_tensor *t;
    int n;
} fw_model;

/* Loads dir/<model>-weights_manifest.json and its shards. FACE_OK, or FACE_ERR_MODEL /
 * FACE_ERR_NOMEM with a message naming the file or tensor in err. */
int fw_load(const char *dir, const char *model, fw_model *m, char *err, size_t errlen);
void fw_free(fw_model *m);

/* Lookup with shape check. A network loader calls fw_get for every tensor it needs and
 * checks fw_failed() once at the end: the first problem is kept in the error buffer. */
typedef struct fw_reader {
    const fw_model *m;
    char *err;
    size_t errlen;
    int failed;
} fw_reader;

/* Returns the tensor's data, or NULL (and records an error) when the name is missing
 * or its shape is not exactly d0..d(ndim-1). */
const float *fw_get(fw_reader *r, const char *name, int ndim, int d0, int d1, int d2, int d3);

#endif
