/* JWT access and refresh tokens (API.md §1.6). libjwt signs new tokens. Verification is
 * done here: libjwt 1.10 neither pins the algorithm nor validates times, and its decode
 * (a second JSON parse of header and payload plus an OpenSSL HMAC context per call) was
 * a fifth of a request's cost. So: the header's alg must be HS256 (an attacker-chosen
 * "none" or an HS384 token is refused), the HMAC-SHA256 of "header.payload" is computed
 * with libsodium and compared in constant time with the decoded signature, and only then
 * are the claims read with jansson from the payload. */
#include "core/token.h"

#include <jansson.h>
#include <jwt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"

#define TOKEN_MAX_LEN 8192
#define JTI_RANDOM_BYTES 24     /* 192 bits */
/* Clock-skew allowance for nbf only (several servers may issue and check tokens);
 * exp is exact so that a lifetime means what it says. */
#define NBF_LEEWAY_S 30

static const char *type_name(enum token_type t)
{
    return t == TOKEN_REFRESH ? "refresh" : "access";
}

static int make_jti(char out[TOKEN_JTI_SIZE])
{
    unsigned char raw[JTI_RANDOM_BYTES];
    randombytes_buf(raw, sizeof raw);
    char *s = base64_encode(raw, sizeof raw, 1);
    if (!s)
        return -1;
    snprintf(out, TOKEN_JTI_SIZE, "%s", s);
    free(s);
    return 0;
}

int token_issue(const unsigned char *secret, size_t secret_len, long long user_id,
                const char *role, enum token_type type, long long ver, time_t now,
                long lifetime, char **out, token_claims *claims_out)
{
    token_claims c = {.user_id = user_id, .type = type, .iat = now, .nbf = now,
                      .exp = (long long)now + lifetime, .ver = ver};
    jwt_t *jwt = NULL;
    char sub[32];
    int rc = TOKEN_ERROR;
    *out = NULL;
    if (!secret || secret_len == 0 || sodium_init() < 0 || make_jti(c.jti) < 0)
        goto out;
    snprintf(c.role, sizeof c.role, "%s", role ? role : "");
    snprintf(sub, sizeof sub, "%lld", user_id);
    if (jwt_new(&jwt) != 0)
        goto out;
    if (jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "role", c.role) ||
        jwt_add_grant(jwt, "type", type_name(type)) || jwt_add_grant_int(jwt, "iat", c.iat) ||
        jwt_add_grant_int(jwt, "nbf", c.nbf) || jwt_add_grant_int(jwt, "exp", c.exp) ||
        jwt_add_grant(jwt, "jti", c.jti) || jwt_add_grant_int(jwt, "ver", c.ver))
        goto out;
    if (jwt_set_alg(jwt, JWT_ALG_HS256, secret, (int)secret_len) != 0)
        goto out;
    *out = jwt_encode_str(jwt);
    if (!*out)
        goto out;
    if (claims_out)
        *claims_out = c;
    rc = TOKEN_OK;
out:
    jwt_free(jwt);
    return rc;
}

/* A JWT part: non-empty base64url without padding. */
static int part_ok(const char *p, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

static json_t *decode_part_json(const char *p, size_t n)
{
    unsigned char *raw;
    size_t len;
    if (base64_decode(p, n, &raw, &len) < 0)
        return NULL;
    json_t *j = json_loadb((const char *)raw, len, 0, NULL);
    free(raw);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The header token_issue writes (libjwt): {"alg":"HS256","typ":"JWT"}. Nearly every
 * token checked carries exactly this part, which passes the check below; recognising it
 * saves a base64 decode and a JSON parse per request. */
#define HS256_HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

static int header_is_hs256(const char *p, size_t n)
{
    if (n == sizeof HS256_HEADER_B64 - 1 && memcmp(p, HS256_HEADER_B64, n) == 0)
        return 1;
    json_t *h = decode_part_json(p, n);
    if (!h)
        return 0;
    json_t *alg = json_object_get(h, "alg");
    int ok = json_is_string(alg) && strcmp(json_string_value(alg), "HS256") == 0;
    json_decref(h);
    return ok;
}

static int claim_int(json_t *claims, const char *key, int required, long long *out)
{
    json_t *v = json_object_get(claims, key);
    if (!v)
        return required ? -1 : 0;
    if (!json_is_integer(v))
        return -1;
    *out = json_integer_value(v);
    return 0;
}

static int claim_str(json_t *claims, const char *key, const char **out)
{
    json_t *v = json_object_get(claims, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return -1;
    *out = json_string_value(v);
    return 0;
}

/* A jti of 1-255 code points without U+0000 (jansson has already checked the UTF-8). */
static int jti_ok(json_t *v)
{
    const char *s = json_string_value(v);
    size_t bytes = json_string_length(v), chars = 0;
    if (strlen(s) != bytes || bytes >= TOKEN_JTI_SIZE)
        return 0;
    for (size_t i = 0; i < bytes; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars >= 1 && chars <= TOKEN_JTI_MAX_CHARS;
}

/* Shapes of the claims (API.md §1.6) and the type; *has_nbf tells whether nbf was sent. */
static int check_claims(json_t *j, enum token_type expected, token_claims *c, int *has_nbf)
{
    const char *sub, *type, *jti;
    if (claim_str(j, "sub", &sub) < 0 || claim_str(j, "type", &type) < 0 ||
        claim_str(j, "jti", &jti) < 0)
        return TOKEN_INVALID;
    size_t sl = strlen(sub);
    if (sl > 18 || strspn(sub, "0123456789") != sl || !jti_ok(json_object_get(j, "jti")))
        return TOKEN_INVALID;
    c->user_id = strtoll(sub, NULL, 10);
    if (claim_int(j, "exp", 1, &c->exp) < 0 || claim_int(j, "ver", 1, &c->ver) < 0 ||
        claim_int(j, "iat", 0, &c->iat) < 0 || claim_int(j, "nbf", 0, &c->nbf) < 0)
        return TOKEN_INVALID;
    if (strcmp(type, type_name(expected)) != 0)
        return TOKEN_INVALID;
    c->type = expected;
    snprintf(c->jti, sizeof c->jti, "%s", jti);
    json_t *role = json_object_get(j, "role");
    if (role && !json_is_string(role))
        return TOKEN_INVALID;
    snprintf(c->role, sizeof c->role, "%s", role ? json_string_value(role) : "");
    *has_nbf = json_object_get(j, "nbf") != NULL;
    return TOKEN_OK;
}

/* nbf (with leeway) and exp against now: these change with time, the rest does not. */
static int check_times(const token_claims *c, int has_nbf, time_t now)
{
    if (has_nbf && c->nbf > (long long)now + NBF_LEEWAY_S)
        return TOKEN_INVALID;
    if (c->exp <= (long long)now)
        return TOKEN_EXPIRED;
    return TOKEN_OK;
}

/* HS256 over signing_input (header "." payload) against the base64url signature part.
 * TOKEN_OK when they match, TOKEN_INVALID when not, TOKEN_ERROR when libsodium fails. */
static int signature_check(const unsigned char *secret, size_t secret_len,
                           const char *signing_input, size_t input_len, const char *sig,
                           size_t sig_len)
{
    unsigned char want[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    unsigned char *got = NULL;
    size_t got_len = 0;
    int rc = TOKEN_ERROR;
    if (sodium_init() < 0 || crypto_auth_hmacsha256_init(&st, secret, secret_len) != 0 ||
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)signing_input,
                                      input_len) != 0 ||
        crypto_auth_hmacsha256_final(&st, want) != 0)
        goto out;
    rc = TOKEN_INVALID;
    if (base64_decode(sig, sig_len, &got, &got_len) < 0 || got_len != sizeof want)
        goto out;
    if (sodium_memcmp(got, want, sizeof want) == 0)
        rc = TOKEN_OK;
out:
    sodium_memzero(&st, sizeof st);
    free(got);
    return rc;
}

/* The last token this thread found well-formed and correctly signed. A keep-alive
 * connection (one thread each) sends the same token with every request; for it the HMAC,
 * the base64 decode and the claims' JSON parse are skipped and only the times are checked
 * again. The key is the whole token text, the expected type and the secret's bytes, so a
 * hit answers exactly what a full check would. */
#define CACHE_SECRET_MAX 512

static _Thread_local struct {
    char token[TOKEN_MAX_LEN + 1];
    size_t token_len;
    unsigned char secret[CACHE_SECRET_MAX];
    size_t secret_len;     /* 0: empty */
    enum token_type type;
    token_claims claims;
    int has_nbf;
} t_last;

static int cache_hit(const unsigned char *secret, size_t secret_len, const char *token,
                     size_t n, enum token_type expected)
{
    return t_last.secret_len != 0 && t_last.secret_len == secret_len &&
           t_last.token_len == n && t_last.type == expected &&
           memcmp(t_last.token, token, n) == 0 &&
           sodium_memcmp(t_last.secret, secret, secret_len) == 0;
}

static void cache_store(const unsigned char *secret, size_t secret_len, const char *token,
                        size_t n, enum token_type expected, const token_claims *c, int has_nbf)
{
    t_last.secret_len = 0;
    if (secret_len > CACHE_SECRET_MAX)
        return;
    memcpy(t_last.token, token, n);
    t_last.token[n] = '\0';
    t_last.token_len = n;
    memcpy(t_last.secret, secret, secret_len);
    t_last.type = expected;
    t_last.claims = *c;
    t_last.has_nbf = has_nbf;
    t_last.secret_len = secret_len;
}

/* Shape, alg, signature and claims of a token of n bytes: everything but the times. */
static int verify_signed(const unsigned char *secret, size_t secret_len, const char *token,
                         size_t n, enum token_type expected, token_claims *c, int *has_nbf)
{
    const char *d1 = memchr(token, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - token)) : NULL;
    if (!d1 || !d2 || !part_ok(token, (size_t)(d1 - token)) ||
        !part_ok(d1 + 1, (size_t)(d2 - d1 - 1)) || !part_ok(d2 + 1, n - (size_t)(d2 + 1 - token)))
        return TOKEN_INVALID;
    if (!header_is_hs256(token, (size_t)(d1 - token)))
        return TOKEN_INVALID;
    int rc = signature_check(secret, secret_len, token, (size_t)(d2 - token), d2 + 1,
                             n - (size_t)(d2 + 1 - token));
    if (rc != TOKEN_OK)
        return rc;
    json_t *payload = decode_part_json(d1 + 1, (size_t)(d2 - d1 - 1));
    if (!payload)
        return TOKEN_INVALID;
    rc = check_claims(payload, expected, c, has_nbf);
    json_decref(payload);
    return rc;
}

int token_verify(const unsigned char *secret, size_t secret_len, const char *token,
                 enum token_type expected, time_t now, token_claims *claims)
{
    if (!secret || secret_len == 0)
        return TOKEN_ERROR; /* never let libjwt run without a key: it would skip the check */
    if (!token)
        return TOKEN_INVALID;
    size_t n = strnlen(token, TOKEN_MAX_LEN + 1);
    if (n > TOKEN_MAX_LEN)
        return TOKEN_INVALID;
    if (!cache_hit(secret, secret_len, token, n, expected)) {
        token_claims c = {0};
        int has_nbf = 0;
        int rc = verify_signed(secret, secret_len, token, n, expected, &c, &has_nbf);
        if (rc != TOKEN_OK)
            return rc;
        cache_store(secret, secret_len, token, n, expected, &c, has_nbf);
    }
    int rc = check_times(&t_last.claims, t_last.has_nbf, now);
    if (rc == TOKEN_OK && claims)
        *claims = t_last.claims;
    return rc;
}
