/* Writes a seed corpus for fuzz-image: small JPEG (baseline, progressive, grey, CMYK,
 * EXIF-rotated), PNG (RGB, RGBA 16-bit, grey, palette, eXIf) and WebP (lossy, lossless,
 * EXIF) files into the directory given as argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img_synth.h"

static int save(const char *dir, const char *name, uint8_t *data, size_t len)
{
    if (!data) {
        fprintf(stderr, "seeds: could not encode %s\n", name);
        return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(data, 1, len, f) != len;
    if (f)
        bad |= fclose(f) != 0;
    free(data);
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
    const char *dir = argv[1];
    const int w = 24, h = 16;
    uint8_t *rgb = synth_pattern(w, h);
    uint8_t grey[24 * 16], cmyk[24 * 16 * 4], rgba16[24 * 16 * 8], pal_idx[24 * 16];
    for (int i = 0; i < w * h; i++) {
        grey[i] = rgb[i * 3];
        pal_idx[i] = (uint8_t)(i % 4);
        for (int k = 0; k < 4; k++)
            cmyk[i * 4 + k] = (uint8_t)(rgb[i * 3 + k % 3] ^ (k * 40));
        for (int k = 0; k < 8; k++)
            rgba16[i * 8 + k] = (uint8_t)(rgb[i * 3 + (k / 2) % 3] + k);
    }
    const uint8_t pal[12] = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
    size_t n = 0;
    int bad = 0;
    bad |= save(dir, "base.jpg", synth_jpeg(rgb, w, h, SYNTH_JPEG_RGB, 80, 0, 0, &n), n);
    bad |= save(dir, "prog.jpg", synth_jpeg(rgb, w, h, SYNTH_JPEG_RGB, 80, 1, 0, &n), n);
    bad |= save(dir, "grey.jpg", synth_jpeg(grey, w, h, SYNTH_JPEG_GREY, 80, 0, 0, &n), n);
    bad |= save(dir, "cmyk.jpg", synth_jpeg(cmyk, w, h, SYNTH_JPEG_CMYK, 80, 0, 0, &n), n);
    bad |= save(dir, "exif6.jpg", synth_jpeg(rgb, w, h, SYNTH_JPEG_RGB, 80, 0, 6, &n), n);
    bad |= save(dir, "exif5.jpg", synth_jpeg(rgb, w, h, SYNTH_JPEG_RGB, 80, 1, 5, &n), n);
    bad |= save(dir, "rgb.png", synth_png(rgb, (size_t)w * h * 3, w, h, 2, 8, NULL, 0, 0, &n), n);
    bad |= save(dir, "rgba16.png", synth_png(rgba16, sizeof rgba16, w, h, 6, 16, NULL, 0, 0, &n), n);
    bad |= save(dir, "grey.png", synth_png(grey, sizeof grey, w, h, 0, 8, NULL, 0, 3, &n), n);
    bad |= save(dir, "pal.png", synth_png(pal_idx, sizeof pal_idx, w, h, 3, 8, pal, 4, 0, &n), n);
    bad |= save(dir, "exif8.png", synth_png(rgb, (size_t)w * h * 3, w, h, 2, 8, NULL, 0, 8, &n), n);
    bad |= save(dir, "lossy.webp", synth_webp(rgb, w, h, 0, 0, &n), n);
    bad |= save(dir, "lossless.webp", synth_webp(rgb, w, h, 1, 0, &n), n);
    bad |= save(dir, "exif7.webp", synth_webp(rgb, w, h, 1, 7, &n), n);
    free(rgb);
    return bad;
}
