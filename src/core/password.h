#ifndef ATTENDLY_CORE_PASSWORD_H
#define ATTENDLY_CORE_PASSWORD_H
/* Argon2id password hashing (libsodium, PHC string). At most a few hashes run at once,
 * because each takes tens of MiB; callers block until a slot is free. */
#include <stddef.h>

#define PASSWORD_HASH_MAX 128   /* crypto_pwhash_STRBYTES */

/* cost: 0 = libsodium INTERACTIVE; 1 = minimal acceptable (m = 19 MiB, t = 2), for tests. */
void password_init(int cost, int max_concurrent);
/* Hashes into out (PASSWORD_HASH_MAX bytes); returns 0 or -1. */
int password_hash(const char *password, size_t len, char out[PASSWORD_HASH_MAX]);
/* 1 = matches, 0 = does not (or malformed hash). */
int password_verify(const char *hash, const char *password, size_t len);
/* Same cost as a real verification, for unknown emails (no timing oracle). */
void password_dummy_verify(const char *password, size_t len);

#endif
