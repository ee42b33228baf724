/* libFuzzer target: face_image_decode on arbitrary bytes (all three formats, EXIF),
 * with a small pixel limit so each input stays cheap. Decoded images also go through
 * the quality measure and a chip extraction to exercise their bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/align.h"
#include "face/face.h"

#define FUZZ_MAX_PIXELS (512L * 512L)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    face_image img;
    char reason[64];
    int rc = face_image_decode(data, size, FUZZ_MAX_PIXELS, &img, reason, sizeof reason);
    if (rc == FACE_ERR_DECODE && (reason[0] == '\0' || strlen(reason) > 40))
        abort();   /* every decode failure must carry a short reason */
    if (rc != FACE_OK) {
        if (img.rgb)
            abort();
        return 0;
    }
    if (img.width <= 0 || img.height <= 0 || (long)img.width * img.height > FUZZ_MAX_PIXELS)
        abort();
    double b, s;
    face_region_quality(&img, NULL, &b, &s);
    if (!(b >= 0 && b <= 255 && s >= 0))
        abort();
    face_point lm[68];
    memset(lm, 0, sizeof lm);
    lm[36] = (face_point){img.width * 0.3f, img.height * 0.4f};
    lm[39] = (face_point){img.width * 0.42f, img.height * 0.41f};
    lm[42] = (face_point){img.width * 0.58f, img.height * 0.41f};
    lm[45] = (face_point){img.width * 0.7f, img.height * 0.4f};
    lm[33] = (face_point){img.width * 0.5f, img.height * 0.6f};
    face_image chip;
    if (face_align_chip(&img, lm, &chip) == FACE_OK)
        face_image_free(&chip);
    face_image_free(&img);
    return 0;
}
