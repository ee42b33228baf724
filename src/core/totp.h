#ifndef ATTENDLY_CORE_TOTP_H
#define ATTENDLY_CORE_TOTP_H
/* Time-step one-time codes (RFC 4226 HOTP truncation over RFC 6238 time steps) with
 * HMAC-SHA256, for the check-in codes of API.md §14. */
#include <stddef.h>
#include <stdint.h>

#define TOTP_MAX_DIGITS 9

/* The code for time step `counter` (RFC 6238: floor((t - T0) / X)) under key, `digits`
 * decimal digits (1-9, zero-padded) into out (digits + 1 bytes). 0, or -1 on bad input. */
int totp_code(const uint8_t *key, size_t key_len, uint64_t counter, int digits, char *out);

#endif
