#ifndef ATTENDLY_TESTS_IMG_SYNTH_H
#define ATTENDLY_TESTS_IMG_SYNTH_H
/* Small test images encoded in memory with the real libraries (libjpeg, libspng,
 * libwebp), so the decoders are tested on genuine files without binary fixtures.
 * Every function returns a malloc'd buffer (free with free()) or NULL. */
#include <stddef.h>
#include <stdint.h>

enum synth_jpeg_kind { SYNTH_JPEG_RGB, SYNTH_JPEG_GREY, SYNTH_JPEG_CMYK };

/* An EXIF APP1 payload ("Exif\0\0" + TIFF, IFD0 with only the Orientation tag). */
uint8_t *synth_exif(int orientation, int big_endian, int with_prefix, size_t *len);

/* pixels: width*height*channels (3 RGB, 1 grey, 4 CMYK as stored, i.e. Adobe-inverted).
 * orientation 0 = no EXIF segment. */
uint8_t *synth_jpeg(const uint8_t *pixels, int width, int height, enum synth_jpeg_kind kind,
                    int quality, int progressive, int orientation, size_t *len);

/* colour_type/bit_depth as in the PNG spec; data in SPNG_FMT_PNG layout (16-bit samples
 * big-endian). palette (RGB triples, n_palette entries) for colour type 3. */
uint8_t *synth_png(const void *data, size_t data_len, int width, int height, int colour_type,
                   int bit_depth, const uint8_t *palette, int n_palette, int orientation,
                   size_t *len);

/* Lossy (quality) or lossless WebP of RGB pixels, with an EXIF chunk when orientation > 0. */
uint8_t *synth_webp(const uint8_t *rgb, int width, int height, int lossless, int orientation,
                    size_t *len);

/* Deterministic RGB test pattern: four coloured quadrants plus a gradient. */
uint8_t *synth_pattern(int width, int height);

#endif
