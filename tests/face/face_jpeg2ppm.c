/* Fixture tool: decodes a JPEG exactly as the face tests do (libjpeg-turbo, accurate
 * integer IDCT, EXIF ignored) and writes binary PPM, so that the oracle can be fed the
 * very same pixels. Usage: face_jpeg2ppm in.jpg out.ppm */
#include <stdio.h>
#include <stdlib.h>

#include "face_testutil.h"

int main(int argc, char **argv)
{
    face_image img;
    if (argc != 3 || ft_decode_jpeg(argv[1], &img) != 0) {
        fprintf(stderr, "usage: face_jpeg2ppm in.jpg out.ppm (input must be a JPEG)\n");
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    int ok = f && fprintf(f, "P6\n%d %d\n255\n", img.width, img.height) > 0 &&
             fwrite(img.rgb, 1, (size_t)img.width * img.height * 3, f) ==
                 (size_t)img.width * img.height * 3;
    if (f)
        ok = fclose(f) == 0 && ok;
    free(img.rgb);
    return ok ? 0 : 1;
}
