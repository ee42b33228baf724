/* Argon2id password hashing (see password.h). Each hash needs tens of MiB, so a counting
 * semaphore bounds how many run at once; callers queue for a slot. */
#include "core/password.h"

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>

#define COST1_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define COST1_OPSLIMIT 2ULL

static sem_t g_slots;
static int g_cost;
static int g_max = 2;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char g_dummy[PASSWORD_HASH_MAX];

static void limits(unsigned long long *ops, size_t *mem)
{
    if (g_cost == 1) {
        *ops = COST1_OPSLIMIT;
        *mem = COST1_MEMLIMIT;
    } else {
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    }
}

static void init_once(void)
{
    if (sodium_init() < 0)
        return;
    sem_init(&g_slots, 0, (unsigned)(g_max > 0 ? g_max : 1));
    /* A real hash of a random password, so that dummy verifications cost the same. */
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    unsigned long long ops;
    size_t mem;
    limits(&ops, &mem);
    if (crypto_pwhash_str(g_dummy, (const char *)rnd, sizeof rnd, ops, mem) != 0)
        g_dummy[0] = '\0';
}

void password_init(int cost, int max_concurrent)
{
    g_cost = cost == 1 ? 1 : 0;
    g_max = max_concurrent > 0 ? max_concurrent : 1;
    pthread_once(&g_once, init_once);
}

static void slot_take(void)
{
    pthread_once(&g_once, init_once);
    while (sem_wait(&g_slots) != 0)
        ;
}

static void slot_give(void)
{
    sem_post(&g_slots);
}

int password_hash(const char *password, size_t len, char out[PASSWORD_HASH_MAX])
{
    unsigned long long ops;
    size_t mem;
    slot_take();
    limits(&ops, &mem);
    int rc = crypto_pwhash_str(out, password, len, ops, mem) == 0 ? 0 : -1;
    slot_give();
    return rc;
}

int password_verify(const char *hash, const char *password, size_t len)
{
    /* Only our own format: anything else is "does not match", never an error path. */
    if (!hash || strnlen(hash, PASSWORD_HASH_MAX) >= PASSWORD_HASH_MAX ||
        strncmp(hash, "$argon2id$", 10) != 0)
        return 0;
    slot_take();
    int ok = crypto_pwhash_str_verify(hash, password, len) == 0;
    slot_give();
    return ok;
}

void password_dummy_verify(const char *password, size_t len)
{
    pthread_once(&g_once, init_once);
    if (!g_dummy[0])
        return;
    slot_take();
    volatile int sink = crypto_pwhash_str_verify(g_dummy, password, len);
    (void)sink;
    slot_give();
}
