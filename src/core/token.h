#ifndef ATTENDLY_CORE_TOKEN_H
#define ATTENDLY_CORE_TOKEN_H
/* JWT access/refresh tokens (API.md §1.6): HS256 via libjwt, with the checks libjwt 1.10
 * lacks done here (alg pinned to HS256 before verifying, exp/nbf with leeway, type, claims). */
#include <stddef.h>
#include <time.h>

enum token_type { TOKEN_ACCESS = 0, TOKEN_REFRESH = 1 };

enum token_rc {
    TOKEN_OK = 0,
    TOKEN_INVALID = -1,   /* "Invalid token": shape, base64/JSON, alg, signature, type, claims, nbf */
    TOKEN_EXPIRED = -2,   /* "Token has expired": only after the signature verified */
    TOKEN_ERROR = -3      /* internal failure (allocation, randomness) */
};

/* A jti is 1-255 characters (code points) of UTF-8, at most 4 bytes each, plus the NUL. */
#define TOKEN_JTI_MAX_CHARS 255
#define TOKEN_JTI_SIZE (TOKEN_JTI_MAX_CHARS * 4 + 1)

typedef struct token_claims {
    long long user_id;        /* sub */
    char role[16];            /* informational */
    enum token_type type;
    long long iat, nbf, exp;
    char jti[TOKEN_JTI_SIZE]; /* ours: >= 128 random bits, URL-safe; any 1-255 chars accepted */
    long long ver;            /* user's token version */
} token_claims;

/* Issues a token; *out is malloc'd. `now` is the issue time; lifetime in seconds.
 * Fills *claims_out (optional) with what was signed. */
int token_issue(const unsigned char *secret, size_t secret_len, long long user_id,
                const char *role, enum token_type type, long long ver, time_t now,
                long lifetime, char **out, token_claims *claims_out);

/* Verifies signature, alg, type == expected, exp/nbf (30 s leeway) and the claims' shapes.
 * The last token a thread found correctly signed is remembered: presented again under the
 * same secret and type, only its times are checked anew. */
int token_verify(const unsigned char *secret, size_t secret_len, const char *token,
                 enum token_type expected, time_t now, token_claims *claims);

#endif
