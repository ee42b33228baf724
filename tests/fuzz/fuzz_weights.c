/* libFuzzer target: the tfjs weight loader (fw_load) and the network loaders' shape
 * checks on an arbitrary manifest and .bin. An input is the manifest JSON, a NUL byte,
 * then the bytes of the shard "m.bin" (no NUL: the whole input is the manifest and the
 * shard is empty). Both are written into a private temporary directory per input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "face/face.h"
#include "face/nets/nets.h"
#include "face/nn/weights.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/attendly-fuzz-weights-XXXXXX";

static void cleanup(void)
{
    char path[sizeof dir + 40];
    snprintf(path, sizeof path, "%s/m-weights_manifest.json", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/m.bin", dir);
    remove(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    return 0;
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[sizeof dir + 40];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    write_file("m-weights_manifest.json", data, mlen);
    write_file("m.bin", nul ? nul + 1 : data, nul ? size - mlen - 1 : 0);

    fw_model m;
    char err[256] = "";
    int rc = fw_load(dir, "m", &m, err, sizeof err);
    if (rc != FACE_OK) {
        if (rc != FACE_ERR_MODEL && rc != FACE_ERR_NOMEM)
            abort();
        if (rc == FACE_ERR_MODEL && err[0] == '\0')
            abort();   /* a refused file always says why */
        if (m.t || m.n)
            abort();
        return 0;
    }
    for (int i = 0; i < m.n; i++) {
        const fw_tensor *t = &m.t[i];
        size_t count = 1;
        for (int k = 0; k < t->ndim; k++)
            count *= (size_t)t->shape[k];
        if (count != t->count || !t->data)
            abort();
        volatile float sink = 0;
        for (size_t k = 0; k < t->count; k++) /* every element readable */
            sink += t->data[k];
        (void)sink;
    }
    /* the network loaders look tensors up by name and shape and must fail cleanly */
    fn_builder b = { .r = { .m = &m, .err = err, .errlen = sizeof err } };
    tiny_net tiny;
    tiny_load(&b, &tiny);
    tiny_free(&tiny);
    fn_builder b2 = { .r = { .m = &m, .err = err, .errlen = sizeof err } };
    fl_net lm;
    fl_load(&b2, &lm, 1);
    fl_free(&lm);
    fw_free(&m);
    return 0;
}
