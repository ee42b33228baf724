#ifndef ATTENDLY_STORE_JOIN_CODE_H
#define ATTENDLY_STORE_JOIN_CODE_H
/* Class join codes (API.md §4): 6 characters from A-Z0-9, each drawn uniformly with a
 * CSPRNG. Uniqueness is the database's business (classes.c records every code issued). */
#include <stddef.h>

#define JOIN_CODE_LEN 6
#define JOIN_CODE_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* Writes a fresh code and its NUL into out. Returns 0, or -1 when libsodium cannot start. */
int store_join_code_generate(char out[JOIN_CODE_LEN + 1]);

/* Normalises user input the way §4.7 asks: trims ASCII whitespace and upper-cases.
 * Writes the code into out and returns 0 when the result has the shape of a code
 * (6 characters of the alphabet); returns -1 otherwise (no class can have it). */
int store_join_code_normalize(const char *in, size_t len, char out[JOIN_CODE_LEN + 1]);

#endif
