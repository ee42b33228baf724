/* Join-code generation and normalisation. No SQL here: kept apart so it can be tested
 * without a database. */
#include "store/join_code.h"

#include <sodium.h>
#include <string.h>

int store_join_code_generate(char out[JOIN_CODE_LEN + 1])
{
    static const char alphabet[] = JOIN_CODE_ALPHABET;
    const uint32_t n = (uint32_t)(sizeof alphabet - 1);

    /* sodium_init is idempotent and thread-safe; calling it here keeps this function
     * usable before (or without) the rest of start-up. */
    if (sodium_init() < 0)
        return -1;
    /* randombytes_uniform rejects the biased tail itself, so every character is uniform. */
    for (int i = 0; i < JOIN_CODE_LEN; i++)
        out[i] = alphabet[randombytes_uniform(n)];
    out[JOIN_CODE_LEN] = '\0';
    return 0;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

int store_join_code_normalize(const char *in, size_t len, char out[JOIN_CODE_LEN + 1])
{
    size_t start = 0, end = len;

    while (start < end && is_space(in[start]))
        start++;
    while (end > start && is_space(in[end - 1]))
        end--;
    if (end - start != JOIN_CODE_LEN)
        return -1;
    for (size_t i = 0; i < JOIN_CODE_LEN; i++) {
        char ch = in[start + i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            return -1;
        out[i] = ch;
    }
    out[JOIN_CODE_LEN] = '\0';
    return 0;
}
