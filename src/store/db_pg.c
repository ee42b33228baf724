/* PostgreSQL driver over libpq.
 *
 * db_prepare rewrites the `?` placeholders to $1..$n. A statement db.c keeps in its
 * per-connection cache is prepared on the server under its own name at its first
 * db_step (PQprepare) and from then on runs with PQexecPrepared, so the server parses
 * and plans it once per session instead of on every request. Any other statement is
 * sent with its parameters in one PQexecParams round trip. Either way the first db_step
 * executes and the following ones walk the rows of the result. Parameters go as text
 * except blobs (binary); results come back as text and are parsed on access.
 * Parameter types are sent for numbers and text so that `? + 1` or `LIMIT ?` work; NULLs
 * are sent untyped so they fit any column. */
#include <libpq-fe.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_driver.h"

/* Type OIDs from the server's pg_type catalogue (stable since forever). */
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_TEXT 25
#define PG_OID_FLOAT8 701

#define PG_MAX_PARAMS 65535
#define PG_CONNECT_TIMEOUT_S "10"

typedef struct pg_stmt {
    struct db_stmt base;
    char *sql;               /* with $n placeholders */
    int nparams;
    char **values;           /* owned; NULL = SQL NULL */
    int *lengths;
    int *formats;            /* 0 text, 1 binary */
    Oid *types;              /* 0 = let the server infer */
    PGresult *res;           /* NULL until executed */
    int row;                 /* current row, -1 before the first step */
    int nrows, ncols;
    unsigned char **blobs;   /* per column, decoded bytea of the current row */
    size_t *blob_lens;
    /* Server-side preparation (cached statements only). The parameter types are fixed
     * when the server prepares, so an execution whose bound types differ (a NULL where
     * a number was, say) goes through PQexecParams to get exactly the old inference. */
    char name[32];           /* "" until prepared */
    unsigned session;        /* db_conn.session it was prepared in */
    Oid *prepared_types;
} pg_stmt;

/* Statement names only have to be unique within a session; a process-wide counter
 * makes them unique without tracking what each session holds. */
static atomic_uint pg_stmt_seq;

static PGconn *H(db_conn *c) { return c->handle; }
static pg_stmt *S(db_stmt *s) { return (pg_stmt *)s; }

static int is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

/* Records the failure and maps its SQLSTATE. A failure that took the link down marks the
 * connection broken so the pool resets it. */
static int pg_fail(db_conn *c, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : "";
    if (!msg || !*msg)
        msg = PQerrorMessage(H(c));
    int n = (int)strcspn(msg, "\n");
    db_conn_seterr(c, "pg: %.*s%s%s%s", n, msg, state ? " (SQLSTATE " : "",
                   state ? state : "", state ? ")" : "");
    if (PQstatus(H(c)) == CONNECTION_BAD)
        c->broken = 1;
    if (!state)
        return DB_ERR;
    if (strncmp(state, "23", 2) == 0)
        return DB_CONSTRAINT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DB_BUSY;
    return DB_ERR;
}

static int pg_exec(db_conn *c, const char *sql)
{
    PGresult *r = PQexec(H(c), sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? DB_OK : pg_fail(c, r);
    PQclear(r);
    return rc;
}

/* Per-session settings; re-applied after a reset because those start a new session. */
static int pg_session_setup(db_conn *c)
{
    return pg_exec(c, "SET client_min_messages = warning");
}

static int pg_open(db_conn *c, const char *url)
{
    /* The URL is expanded as dbname; keywords after it would override it, so the default
     * connect timeout comes first and a connect_timeout in the URL wins. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT_S, url, NULL};
    PGconn *h = PQconnectdbParams(keys, vals, 1);

    if (!h) {
        db_conn_seterr(c, "pg: out of memory");
        return DB_ERR;
    }
    if (PQstatus(h) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(h);
        db_conn_seterr(c, "pg: cannot connect: %.*s", (int)strcspn(msg, "\n"), msg);
        PQfinish(h);
        return DB_ERR;
    }
    c->handle = h;
    c->session++;
    if (pg_session_setup(c) != DB_OK) {
        PQfinish(h);
        c->handle = NULL;
        return DB_ERR;
    }
    return DB_OK;
}

static void pg_close(db_conn *c)
{
    PQfinish(H(c));
    c->handle = NULL;
}

static int pg_revive(db_conn *c)
{
    if (!c->broken && PQstatus(H(c)) == CONNECTION_OK)
        return DB_OK;
    PQreset(H(c));
    c->session++; /* a new server session: its named statements are gone */
    if (PQstatus(H(c)) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(H(c));
        db_conn_seterr(c, "pg: reconnect failed: %.*s", (int)strcspn(msg, "\n"), msg);
        return DB_ERR;
    }
    c->broken = 0;
    return pg_session_setup(c);
}

static int pg_in_txn(db_conn *c)
{
    PGTransactionStatusType t = PQtransactionStatus(H(c));
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* Skips a quoted run starting at sql[i] (the opening quote) and returns the index just
 * past it. A doubled quote stays inside; `backslash` honours E'...' escapes. */
static size_t skip_quoted(const char *sql, size_t i, char q, int backslash)
{
    for (i++; sql[i]; i++) {
        if (backslash && sql[i] == '\\' && sql[i + 1]) {
            i++;
        } else if (sql[i] == q) {
            if (sql[i + 1] != q)
                return i + 1;
            i++;
        }
    }
    return i;
}

/* Skips a $tag$...$tag$ string starting at sql[i]; returns i unchanged if none starts here. */
static size_t skip_dollar_quoted(const char *sql, size_t i)
{
    size_t t = i + 1;
    if (sql[t] >= '0' && sql[t] <= '9') /* $1 is a parameter reference, not a tag */
        return i;
    while (sql[t] && sql[t] != '$' && is_ident_char(sql[t]))
        t++;
    if (sql[t] != '$')
        return i;
    size_t taglen = t + 1 - i;
    for (const char *p = sql + t + 1; *p; p++)
        if (strncmp(p, sql + i, taglen) == 0)
            return (size_t)(p - sql) + taglen;
    return strlen(sql);
}

/* Skips a comment starting at sql[i] ("--" or a nestable block comment). */
static size_t skip_comment(const char *sql, size_t i)
{
    if (sql[i] == '-') {
        while (sql[i] && sql[i] != '\n')
            i++;
        return i;
    }
    int depth = 0;
    while (sql[i]) {
        if (sql[i] == '/' && sql[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (sql[i] == '*' && sql[i + 1] == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return i;
}

/* Rewrites `?` placeholders outside literals, quoted identifiers and comments to $n.
 * Returns a malloc'd string and the count in *nparams, or NULL. */
static char *pg_rewrite(const char *sql, int *nparams)
{
    size_t len = strlen(sql), o = 0, i = 0;
    char *out = malloc(len * 6 + 1); /* "?" -> "$65535" at most */
    int n = 0;

    if (!out)
        return NULL;
    while (sql[i]) {
        size_t next = i + 1;
        char ch = sql[i];
        if (ch == '\'') {
            int estr = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                       (i < 2 || !is_ident_char(sql[i - 2]));
            next = skip_quoted(sql, i, '\'', estr);
        } else if (ch == '"') {
            next = skip_quoted(sql, i, '"', 0);
        } else if ((ch == '-' && sql[i + 1] == '-') || (ch == '/' && sql[i + 1] == '*')) {
            next = skip_comment(sql, i);
        } else if (ch == '$' && (i == 0 || !is_ident_char(sql[i - 1]))) {
            size_t end = skip_dollar_quoted(sql, i);
            next = end > i ? end : i + 1;
        } else if (ch == '?') {
            if (++n > PG_MAX_PARAMS) {
                free(out);
                return NULL;
            }
            o += (size_t)sprintf(out + o, "$%d", n);
            i++;
            continue;
        }
        memcpy(out + o, sql + i, next - i);
        o += next - i;
        i = next;
    }
    out[o] = '\0';
    *nparams = n;
    return out;
}

static void pg_stmt_free(pg_stmt *s)
{
    for (int i = 0; i < s->nparams && s->values; i++)
        free(s->values[i]);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    free(s->types);
    free(s->prepared_types);
    free(s->sql);
    free(s);
}

static db_stmt *pg_prepare(db_conn *c, const char *sql)
{
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->base.conn = c;
    s->row = -1;
    s->sql = pg_rewrite(sql, &s->nparams);
    if (!s->sql) {
        db_conn_seterr(c, "pg: too many parameters or out of memory");
        pg_stmt_free(s);
        return NULL;
    }
    size_t n = s->nparams ? (size_t)s->nparams : 1;
    s->values = calloc(n, sizeof *s->values);
    s->lengths = calloc(n, sizeof *s->lengths);
    s->formats = calloc(n, sizeof *s->formats);
    s->types = calloc(n, sizeof *s->types);
    s->prepared_types = calloc(n, sizeof *s->prepared_types);
    if (!s->values || !s->lengths || !s->formats || !s->types || !s->prepared_types)
        goto nomem;
    return &s->base;
nomem:
    db_conn_seterr(c, "pg: out of memory");
    if (s)
        pg_stmt_free(s);
    return NULL;
}

/* Stores parameter idx (1-based), taking ownership of `value`. */
static int pg_set_param(db_stmt *st, int idx, char *value, int len, int format, Oid type)
{
    pg_stmt *s = S(st);
    if (idx < 1 || idx > s->nparams) {
        db_conn_seterr(st->conn, "pg: parameter index %d out of range 1..%d", idx, s->nparams);
        goto fail;
    }
    if (s->res) {
        /* Same rule as SQLite: rebinding needs db_reset first. */
        db_conn_seterr(st->conn, "pg: bind after step without reset");
        goto fail;
    }
    free(s->values[idx - 1]);
    s->values[idx - 1] = value;
    s->lengths[idx - 1] = len;
    s->formats[idx - 1] = format;
    s->types[idx - 1] = type;
    return DB_OK;
fail:
    free(value);
    return DB_ERR;
}

static int pg_bind_int64(db_stmt *s, int idx, int64_t v)
{
    char *txt = malloc(24);
    if (!txt)
        return DB_ERR;
    snprintf(txt, 24, "%lld", (long long)v);
    return pg_set_param(s, idx, txt, 0, 0, PG_OID_INT8);
}

static int pg_bind_double(db_stmt *s, int idx, double v)
{
    char *txt = malloc(32);
    if (!txt)
        return DB_ERR;
    if (isnan(v))
        snprintf(txt, 32, "NaN");
    else if (isinf(v))
        snprintf(txt, 32, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(txt, 32, "%.17g", v); /* round-trips every double */
    return pg_set_param(s, idx, txt, 0, 0, PG_OID_FLOAT8);
}

static int pg_bind_text(db_stmt *s, int idx, const char *v)
{
    char *txt = strdup(v);
    if (!txt)
        return DB_ERR;
    return pg_set_param(s, idx, txt, 0, 0, PG_OID_TEXT);
}

static int pg_bind_blob(db_stmt *s, int idx, const void *v, size_t len)
{
    if (len > 0x7fffffff)
        return DB_ERR;
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return DB_ERR;
    if (len)
        memcpy(copy, v, len);
    return pg_set_param(s, idx, copy, (int)len, 1, PG_OID_BYTEA);
}

static int pg_bind_null(db_stmt *s, int idx)
{
    return pg_set_param(s, idx, NULL, 0, 0, 0);
}

static void pg_free_blobs(pg_stmt *s)
{
    for (int i = 0; s->blobs && i < s->ncols; i++) {
        PQfreemem(s->blobs[i]);
        s->blobs[i] = NULL;
    }
}

static void pg_clear_result(pg_stmt *s)
{
    pg_free_blobs(s);
    free(s->blobs);
    free(s->blob_lens);
    s->blobs = NULL;
    s->blob_lens = NULL;
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = s->ncols = 0;
}

static PGresult *pg_exec_params(pg_stmt *s)
{
    return PQexecParams(H(s->base.conn), s->sql, s->nparams, s->types,
                        (const char *const *)s->values, s->lengths, s->formats, 0);
}

/* Runs a cached statement under its server-side name, preparing it first when this
 * session has not seen it. A failed PQprepare's result is returned like an execution's:
 * the SQL error shows at the first db_step as before. */
static PGresult *pg_exec_named(pg_stmt *s)
{
    db_conn *c = s->base.conn;
    size_t types_size = (size_t)s->nparams * sizeof *s->types;
    if (!s->name[0] || s->session != c->session) {
        char name[sizeof s->name];
        snprintf(name, sizeof name, "attendly_%u", atomic_fetch_add(&pg_stmt_seq, 1));
        PGresult *p = PQprepare(H(c), name, s->sql, s->nparams, s->types);
        if (PQresultStatus(p) != PGRES_COMMAND_OK)
            return p;
        PQclear(p);
        memcpy(s->name, name, sizeof name);
        s->session = c->session;
        if (types_size)
            memcpy(s->prepared_types, s->types, types_size);
    } else if (types_size && memcmp(s->prepared_types, s->types, types_size) != 0) {
        return pg_exec_params(s);
    }
    return PQexecPrepared(H(c), s->name, s->nparams, (const char *const *)s->values,
                          s->lengths, s->formats, 0);
}

/* Sends the statement; DB_OK with the result in place, or an error. */
static int pg_execute(pg_stmt *s)
{
    db_conn *c = s->base.conn;
    PGresult *r = s->base.cache_slot >= 0 ? pg_exec_named(s) : pg_exec_params(s);
    ExecStatusType st = PQresultStatus(r);

    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = pg_fail(c, r);
        PQclear(r);
        return rc;
    }
    s->res = r;
    s->nrows = PQntuples(r);
    s->ncols = PQnfields(r);
    s->blobs = calloc(s->ncols ? (size_t)s->ncols : 1, sizeof *s->blobs);
    s->blob_lens = calloc(s->ncols ? (size_t)s->ncols : 1, sizeof *s->blob_lens);
    if (!s->blobs || !s->blob_lens) {
        db_conn_seterr(c, "pg: out of memory");
        pg_clear_result(s);
        return DB_ERR;
    }
    return DB_OK;
}

static int pg_step(db_stmt *st)
{
    pg_stmt *s = S(st);
    if (!s->res) {
        int rc = pg_execute(s);
        if (rc != DB_OK)
            return rc;
    }
    pg_free_blobs(s);
    if (s->row < s->nrows)
        s->row++;
    return s->row < s->nrows ? DB_ROW : DB_DONE;
}

/* 1 when (row, col) names a value of the current result. */
static int pg_has(pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < s->ncols;
}

static int pg_col_count(db_stmt *s) { return S(s)->res ? S(s)->ncols : 0; }

static int pg_col_is_null(db_stmt *st, int col)
{
    pg_stmt *s = S(st);
    return !pg_has(s, col) || PQgetisnull(s->res, s->row, col);
}

static const char *pg_col_text(db_stmt *st, int col)
{
    pg_stmt *s = S(st);
    if (pg_col_is_null(st, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_col_int64(db_stmt *s, int col)
{
    const char *v = pg_col_text(s, col);
    if (!v)
        return 0;
    if (v[0] == 't' || v[0] == 'f') /* boolean columns */
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_col_double(db_stmt *s, int col)
{
    const char *v = pg_col_text(s, col);
    return v ? strtod(v, NULL) : 0.0;
}

static const void *pg_col_blob(db_stmt *st, int col, size_t *len)
{
    pg_stmt *s = S(st);
    const char *v = pg_col_text(st, col);
    *len = 0;
    if (!v)
        return NULL;
    if (PQftype(s->res, col) != PG_OID_BYTEA) {
        *len = (size_t)PQgetlength(s->res, s->row, col);
        return v;
    }
    if (!s->blobs[col]) {
        s->blobs[col] = PQunescapeBytea((const unsigned char *)v, &s->blob_lens[col]);
        if (!s->blobs[col]) {
            db_conn_seterr(st->conn, "pg: out of memory");
            return NULL;
        }
    }
    *len = s->blob_lens[col];
    return s->blobs[col];
}

static int pg_reset(db_stmt *s)
{
    pg_clear_result(S(s));
    return DB_OK;
}

/* Back to the state of a fresh statement: no result, every parameter unbound (NULL,
 * untyped). The server-side preparation stays. */
static int pg_recycle(db_stmt *st)
{
    pg_stmt *s = S(st);
    pg_clear_result(s);
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->lengths[i] = s->formats[i] = 0;
        s->types[i] = 0;
    }
    return DB_OK;
}

static void pg_finalize(db_stmt *s)
{
    pg_clear_result(S(s));
    pg_stmt_free(S(s));
}

const struct db_driver db_pg_driver = {
    .kind = DB_POSTGRES,
    .begin_sql = "BEGIN",
    .begin_write_sql = "BEGIN",
    .open = pg_open,
    .close = pg_close,
    .revive = pg_revive,
    .in_txn = pg_in_txn,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .reset = pg_reset,
    .recycle = pg_recycle,
    .finalize = pg_finalize,
};
