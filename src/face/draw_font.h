#ifndef ATTENDLY_FACE_DRAW_FONT_H
#define ATTENDLY_FACE_DRAW_FONT_H
#include <stdint.h>

#define FACE_FONT_W 5
#define FACE_FONT_H 7
#define FACE_FONT_FIRST 32
#define FACE_FONT_LAST 126

/* Glyph rows of ASCII FACE_FONT_FIRST..FACE_FONT_LAST (index c - 32). */
extern const uint8_t face_font5x7[95][7];

#endif
