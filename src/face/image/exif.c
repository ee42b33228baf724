/* EXIF Orientation tag (0x0112 of IFD0) through libexif. */
#include "face/image/decode_util.h"
#include "face/image/exif.h"

#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t exif_prefix[6] = {'E', 'x', 'i', 'f', 0, 0};

int face_exif_orientation(const uint8_t *data, size_t len)
{
    int orientation = 1;
    uint8_t *copy = NULL;
    ExifData *ed = NULL;
    if (!data || len < 8 || len > FACE_EXIF_MAX_BYTES)
        goto out;
    /* libexif wants the APP1 form; PNG eXIf and most WebP EXIF chunks hold the bare TIFF
     * block, so give those the "Exif\0\0" prefix. */
    if (memcmp(data, exif_prefix, 6) != 0) {
        copy = malloc(len + 6);
        if (!copy)
            goto out;
        memcpy(copy, exif_prefix, 6);
        memcpy(copy + 6, data, len);
        data = copy;
        len += 6;
    }
    ed = exif_data_new();
    if (!ed)
        goto out;
    /* Reading only: no "fixing" of the data to the specification. */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(ed, data, (unsigned int)len);
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (e && e->data && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->size >= 2) {
        int v = exif_get_short(e->data, exif_data_get_byte_order(ed));
        if (v >= 1 && v <= 8)
            orientation = v;
    }
out:
    if (ed)
        exif_data_unref(ed);
    free(copy);
    return orientation;
}
