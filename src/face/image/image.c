/* RGB8 image buffers (sides bounded like every decoded image). */
#include "face/image/decode_util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int face_image_alloc(face_image *img, int width, int height)
{
    if (!img)
        return FACE_ERR_ARG;
    img->width = img->height = 0;
    img->rgb = NULL;
    if (width <= 0 || height <= 0 || width > FACE_IMAGE_MAX_SIDE || height > FACE_IMAGE_MAX_SIDE)
        return FACE_ERR_ARG;
    /* calloc: chips and canvases rely on black (0) for pixels they never write. */
    img->rgb = calloc((size_t)width * (size_t)height, 3);
    if (!img->rgb)
        return FACE_ERR_NOMEM;
    img->width = width;
    img->height = height;
    return FACE_OK;
}

void face_image_free(face_image *img)
{
    if (!img)
        return;
    free(img->rgb);
    img->rgb = NULL;
    img->width = img->height = 0;
}
