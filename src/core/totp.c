/* Time-step codes (see totp.h). */
#include "core/totp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int totp_code(const uint8_t *key, size_t key_len, uint64_t counter, int digits, char *out)
{
    static const uint32_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                     100000000, 1000000000};
    unsigned char msg[8], mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;

    if (!key || !out || digits < 1 || digits > TOTP_MAX_DIGITS || sodium_init() < 0)
        return -1;
    for (int i = 7; i >= 0; i--, counter >>= 8)   /* big-endian counter, as RFC 4226 */
        msg[i] = (unsigned char)(counter & 0xff);
    if (crypto_auth_hmacsha256_init(&st, key, key_len) != 0 ||
        crypto_auth_hmacsha256_update(&st, msg, sizeof msg) != 0 ||
        crypto_auth_hmacsha256_final(&st, mac) != 0)
        return -1;
    /* Dynamic truncation: 31 bits from the offset named by the last nibble. */
    int off = mac[sizeof mac - 1] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
    char text[16];
    snprintf(text, sizeof text, "%0*u", digits, (unsigned)(bin % pow10[digits]));
    memcpy(out, text, (size_t)digits + 1);
    sodium_memzero(&st, sizeof st);
    return 0;
}
