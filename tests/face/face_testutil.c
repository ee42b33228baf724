#include "face_testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

const char *ft_models_dir(void)
{
    static char dir[4096];
    const char *env = getenv("ATTENDLY_MODELS_DIR");
    char probe[4200];
    snprintf(dir, sizeof dir, "%s", env && *env ? env : "models");
    snprintf(probe, sizeof probe, "%s/face_recognition_model.bin", dir);
    FILE *f = fopen(probe, "rb");
    if (!f) {
        printf("SKIP: model weights not found in %s (run scripts/models.sh)\n", dir);
        return NULL;
    }
    fclose(f);
    return dir;
}

int ft_open_engine(int workers, const char **models_out, face_engine **engine)
{
    char err[256];
    const char *models = ft_models_dir();
    if (models_out)
        *models_out = models;
    if (!models)
        return 0;
    *engine = face_engine_open(models, workers, err, sizeof err);
    if (!*engine) {
        fprintf(stderr, "face_engine_open: %s\n", err);
        return -1;
    }
    return 1;
}

void ft_fixture_path(const char *name, char *buf, size_t len)
{
    const char *env = getenv("ATTENDLY_FIXTURES_DIR");
    snprintf(buf, len, "%s/face/%s", env && *env ? env : "tests/fixtures", name);
}

void *ft_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

float *ft_read_f32(const char *fixture, size_t n)
{
    char path[4096];
    size_t len = 0;
    ft_fixture_path(fixture, path, sizeof path);
    float *v = ft_read_file(path, &len);
    if (!v || len != n * sizeof(float)) {
        fprintf(stderr, "fixture %s: missing or not %zu floats\n", path, n);
        free(v);
        return NULL;
    }
    return v;
}

void ft_gradient(face_image *img, int size)
{
    img->width = img->height = size;
    img->rgb = malloc((size_t)size * size * 3);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            uint8_t *p = img->rgb + ((size_t)y * size + x) * 3;
            p[0] = (uint8_t)(x * 255 / (size - 1));
            p[1] = (uint8_t)(y * 255 / (size - 1));
            p[2] = (uint8_t)((7 * x + 13 * y) % 256);
        }
}

int ft_decode_jpeg(const char *path, face_image *img)
{
    size_t len;
    unsigned char *data = ft_read_file(path, &len);
    int w, h, sub, cs, rc = -1;
    tjhandle tj = tjInitDecompress();
    memset(img, 0, sizeof *img);
    if (data && tj && tjDecompressHeader3(tj, data, (unsigned long)len, &w, &h, &sub, &cs) == 0) {
        img->rgb = malloc((size_t)w * h * 3);
        if (img->rgb && tjDecompress2(tj, data, (unsigned long)len, img->rgb, w, 0, h,
                                      TJPF_RGB, TJFLAG_ACCURATEDCT) == 0) {
            img->width = w;
            img->height = h;
            rc = 0;
        }
    }
    if (tj)
        tjDestroy(tj);
    free(data);
    return rc;
}

double ft_max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (!(d <= m))
            m = d; /* NaN propagates as a failure */
    }
    return m;
}
