/* `attendly admin` (API.md §12.1): admins are made here, never through the API.
 *   admin create --email E --first-name F --last-name L   reads the password from stdin
 *   admin promote EMAIL                                   a fresh account becomes admin
 * Both print the user id and exit 0, or print why and exit 1 (2 for bad usage). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "api/fields.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/password.h"
#include "store/admin.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/users.h"

#define ADMIN_LINE_MAX 1024

static int usage(void)
{
    fprintf(stderr, "usage: attendly admin create --email E --first-name F --last-name L"
                    " < password\n       attendly admin promote EMAIL\n");
    return 2;
}

/* ASCII whitespace trimmed in place (API.md §1.3). */
static char *trim(char *s)
{
    size_t n = strlen(s);
    while (*s && strchr(" \t\n\r\f\v", *s))
        s++, n--;
    while (n > 0 && strchr(" \t\n\r\f\v", s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Emails as sign-up stores them: trimmed and ASCII-lowercased. */
static char *normal_email(char *s)
{
    s = trim(s);
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

/* Prints the outcome of a store call; the exit status. */
static int report(int rc, const store_user *u, const char *taken, db_conn *c, db *d)
{
    if (rc == DB_ROW)
        printf("%lld\n", (long long)u->id);
    else if (rc == DB_CONSTRAINT)
        fprintf(stderr, "attendly: %s\n", taken);
    else if (rc == DB_DONE)
        fprintf(stderr, "attendly: no account with this email\n");
    else
        fprintf(stderr, "attendly: database error: %s\n", c ? db_errmsg(c) : "no connection");
    if (c)
        db_release(c);
    db_close(d);
    return rc == DB_ROW ? 0 : 1;
}

static int name_ok(const char *what, const char *v)
{
    api_text t = {v, strlen(v)};
    size_t n = api_text_chars(t);
    if (n >= 1 && n <= API_NAME_MAX_CHARS)
        return 1;
    fprintf(stderr, "attendly: %s must be 1 to %d characters\n", what, API_NAME_MAX_CHARS);
    return 0;
}

/* The password: one line of stdin, without its line ending (passwords are not trimmed). */
static int read_password(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin)) {
        fprintf(stderr, "attendly: expected the password on standard input\n");
        return -1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    api_text t = {buf, strlen(buf)};
    size_t n = api_text_chars(t);
    if (n < API_PASSWORD_MIN_CHARS || n > API_PASSWORD_MAX_CHARS) {
        fprintf(stderr, "attendly: the password must be %d to %d characters long\n",
                API_PASSWORD_MIN_CHARS, API_PASSWORD_MAX_CHARS);
        return -1;
    }
    return 0;
}

static int create(int argc, char **argv)
{
    char *email = NULL, *first = NULL, *last = NULL, pw[ADMIN_LINE_MAX];
    char hash[PASSWORD_HASH_MAX];
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--email"))
            email = argv[i + 1];
        else if (!strcmp(argv[i], "--first-name"))
            first = argv[i + 1];
        else if (!strcmp(argv[i], "--last-name"))
            last = argv[i + 1];
        else
            return usage();
    }
    if (!email || !first || !last || argc % 2 == 0)
        return usage();
    email = normal_email(email);
    first = trim(first);
    last = trim(last);
    if (!api_email_valid(email, strlen(email))) {
        fprintf(stderr, "attendly: invalid email format\n");
        return 1;
    }
    if (!name_ok("first name", first) || !name_ok("last name", last) ||
        read_password(pw, sizeof pw) < 0)
        return 1;
    db *d = cli_open_db();
    if (!d)
        return 1;
    password_init(g_config.password_cost, 1);
    int rc = DB_ERR;
    store_user u;
    db_conn *c = db_acquire(d, 30000);
    store_audit_new ev = {.action = "account.created", .at = (int64_t)time(NULL)};
    if (c && password_hash(pw, strlen(pw), hash) == 0) {
        store_user_new nu = {.email = email, .password_hash = hash, .first_name = first,
                             .last_name = last, .is_admin = 1, .now = ev.at, .audit = &ev};
        rc = store_user_create(c, &nu, &u);
    }
    sodium_memzero(pw, sizeof pw);
    return report(rc, &u, "an account with this email already exists", c, d);
}

static int promote(int argc, char **argv)
{
    if (argc != 2)
        return usage();
    char email[STORE_EMAIL_MAX];
    snprintf(email, sizeof email, "%s", argv[1]);
    char *e = normal_email(email);
    db *d = cli_open_db();
    if (!d)
        return 1;
    store_user u;
    db_conn *c = db_acquire(d, 30000);
    int rc = c ? store_admin_promote(c, e, (int64_t)time(NULL), &u) : DB_ERR;
    return report(rc, &u, "the account has classes, enrollments or face data", c, d);
}

int cli_admin(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "create"))
        return create(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "promote"))
        return promote(argc - 1, argv + 1);
    return usage();
}
