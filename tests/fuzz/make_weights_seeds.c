/* Writes a seed corpus for fuzz-weights (manifest JSON, NUL, shard bytes): a small model
 * with every storage kind (uint8- and uint16-quantised float, quantised int32, raw float32
 * and int32, a scalar, an unaligned raw tensor), and the first layer of the
 * TinyFaceDetector with its real names and shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int save(const char *dir, const char *name, const char *manifest, const unsigned char *bin,
                size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(manifest, 1, strlen(manifest) + 1, f) != strlen(manifest) + 1 ||
              fwrite(bin, 1, n, f) != n;
    if (f)
        bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "seeds: could not write %s\n", path);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    static const char kinds[] =
        "[{\"paths\":[\"m.bin\"],\"weights\":["
        "{\"name\":\"a/filters\",\"shape\":[2,2,1,2],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.01,\"min\":-1}},"
        "{\"name\":\"a/bias\",\"shape\":[2],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"uint16\",\"scale\":0.001,\"min\":0}},"
        "{\"name\":\"k\",\"shape\":[],\"dtype\":\"int32\","
        "\"quantization\":{\"dtype\":\"uint8\",\"scale\":1,\"min\":0}},"
        "{\"name\":\"raw\",\"shape\":[1,3],\"dtype\":\"float32\"},"
        "{\"name\":\"ints\",\"shape\":[2],\"dtype\":\"int32\"}]}]";
    unsigned char bin[8 + 4 + 1 + 12 + 8];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)(i * 37 + 11);
    int bad = save(argv[1], "kinds", kinds, bin, sizeof bin);

    static const char tiny[] =
        "[{\"paths\":[\"m.bin\"],\"weights\":["
        "{\"name\":\"conv0/filters\",\"shape\":[3,3,3,16],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.004,\"min\":-0.5}},"
        "{\"name\":\"conv0/bias\",\"shape\":[16],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.004,\"min\":-0.5}}]}]";
    unsigned char tbin[432 + 16];
    for (size_t i = 0; i < sizeof tbin; i++)
        tbin[i] = (unsigned char)(i * 13 + 5);
    bad |= save(argv[1], "tiny-conv0", tiny, tbin, sizeof tbin);
    bad |= save(argv[1], "empty", "[]", NULL, 0);
    return bad;
}
