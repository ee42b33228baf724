/* tfjs weights-manifest loader (FACE-MODELS.md §2). */
#include "face/nn/weights.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face.h"

#define FW_MAX_BYTES (256u << 20) /* a shard set larger than this is not one of ours */

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* "<model><suffix>: <message>" for errors raised below the file level. */
static void prefix_error(char *err, size_t errlen, int rc, const char *model,
                         const char *suffix)
{
    char inner[256];
    if (rc != FACE_ERR_MODEL || !err || !errlen)
        return;
    snprintf(inner, sizeof inner, "%s", err);
    snprintf(err, errlen, "%s%s: %s", model, suffix, inner);
}

/* Reads the group's shards (in `paths` order) into one buffer. */
static int read_shards(const char *dir, json_t *paths, uint8_t **buf, size_t *len,
                       char *err, size_t errlen)
{
    size_t i, total = 0;
    json_t *p;
    uint8_t *data = NULL;
    int rc = FACE_OK;

    if (!json_is_array(paths) || json_array_size(paths) == 0)
        return fail(err, errlen, FACE_ERR_MODEL, "group without shard paths");
    json_array_foreach(paths, i, p) {
        const char *name = json_string_value(p);
        char path[4096];
        FILE *f;
        long sz;
        if (!name || strstr(name, "..") || strchr(name, '/'))
            { rc = fail(err, errlen, FACE_ERR_MODEL, "bad shard path"); goto out; }
        snprintf(path, sizeof path, "%s/%s", dir, name);
        f = fopen(path, "rb");
        if (!f) { rc = fail(err, errlen, FACE_ERR_MODEL, "%s: cannot open", name); goto out; }
        if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
            (size_t)sz > FW_MAX_BYTES - total) {
            fclose(f);
            rc = fail(err, errlen, FACE_ERR_MODEL, "%s: cannot read", name);
            goto out;
        }
        uint8_t *grown = realloc(data, total + (size_t)sz + 1);
        if (!grown) { fclose(f); rc = FACE_ERR_NOMEM; goto out; }
        data = grown;
        if (fread(data + total, 1, (size_t)sz, f) != (size_t)sz) {
            fclose(f);
            rc = fail(err, errlen, FACE_ERR_MODEL, "%s: short read", name);
            goto out;
        }
        fclose(f);
        total += (size_t)sz;
    }
    *buf = data;
    *len = total;
    data = NULL;
out:
    free(data);
    return rc;
}

static uint32_t rd_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* unaligned offsets occur (SSD anchors): never cast */
    return v;
}

/* Decodes one tensor at *off of the group bytes; advances *off. */
static int decode_tensor(json_t *w, const uint8_t *bytes, size_t len, size_t *off,
                         fw_tensor *t, char *err, size_t errlen)
{
    const char *name = json_string_value(json_object_get(w, "name"));
    const char *dtype = json_string_value(json_object_get(w, "dtype"));
    json_t *shape = json_object_get(w, "shape"), *q = json_object_get(w, "quantization"), *d;
    size_t i, count = 1, esz;
    int is_int;

    if (!name || !dtype || !json_is_array(shape) || json_array_size(shape) > 4)
        return fail(err, errlen, FACE_ERR_MODEL, "malformed weight entry");
    is_int = strcmp(dtype, "int32") == 0;
    if (!is_int && strcmp(dtype, "float32") != 0)
        return fail(err, errlen, FACE_ERR_MODEL, "%s: unsupported dtype %s", name, dtype);
    t->name = strdup(name);
    if (!t->name)
        return FACE_ERR_NOMEM;
    t->ndim = (int)json_array_size(shape);
    json_array_foreach(shape, i, d) {
        json_int_t v = json_integer_value(d);
        if (!json_is_integer(d) || v < 0 || v > (1 << 24) || (v && count > (1u << 26) / (size_t)v))
            return fail(err, errlen, FACE_ERR_MODEL, "%s: bad shape", name);
        t->shape[i] = (int)v;
        count *= (size_t)v;
    }
    t->count = count;

    const char *qtype = NULL;
    double scale = 1, qmin = 0;
    if (q) {
        qtype = json_string_value(json_object_get(q, "dtype"));
        json_t *js = json_object_get(q, "scale"), *jm = json_object_get(q, "min");
        if (!qtype || !json_is_number(js) || !json_is_number(jm))
            return fail(err, errlen, FACE_ERR_MODEL, "%s: bad quantization", name);
        scale = json_number_value(js);
        qmin = json_number_value(jm);
        if (strcmp(qtype, "uint8") == 0) esz = 1;
        else if (strcmp(qtype, "uint16") == 0) esz = 2;
        else return fail(err, errlen, FACE_ERR_MODEL, "%s: unsupported quantization %s", name, qtype);
    } else {
        esz = 4;
    }
    if (count > (len - *off) / esz)
        return fail(err, errlen, FACE_ERR_MODEL, "%s: weight file truncated", name);
    t->data = malloc((count ? count : 1) * sizeof(float));
    if (!t->data)
        return FACE_ERR_NOMEM;
    const uint8_t *p = bytes + *off;
    for (i = 0; i < count; i++) {
        if (q) {
            unsigned v = esz == 1 ? p[i] : (unsigned)(p[2 * i] | p[2 * i + 1] << 8);
            double x = (double)v * scale + qmin; /* tfjs: double, then stored as float32 */
            t->data[i] = (float)(is_int ? (double)(long)(x < 0 ? x - 0.5 : x + 0.5) : x);
        } else if (is_int) {
            t->data[i] = (float)(int32_t)rd_u32(p + 4 * i);
        } else {
            uint32_t u = rd_u32(p + 4 * i);
            memcpy(&t->data[i], &u, 4);
        }
    }
    *off += count * esz;
    return FACE_OK;
}

int fw_load(const char *dir, const char *model, fw_model *m, char *err, size_t errlen)
{
    char path[4096];
    json_error_t jerr;
    json_t *root = NULL, *group;
    uint8_t *bytes = NULL;
    size_t gi, total = 0;
    int rc = FACE_OK;

    memset(m, 0, sizeof *m);
    m->model = strdup(model);
    if (!m->model)
        return FACE_ERR_NOMEM;
    snprintf(path, sizeof path, "%s/%s-weights_manifest.json", dir, model);
    root = json_load_file(path, 0, &jerr);
    if (!root) {
        rc = fail(err, errlen, FACE_ERR_MODEL, "%s-weights_manifest.json: %s", model, jerr.text);
        goto out;
    }
    if (!json_is_array(root) || json_array_size(root) == 0) {
        rc = fail(err, errlen, FACE_ERR_MODEL, "%s-weights_manifest.json: not a manifest", model);
        goto out;
    }
    json_array_foreach(root, gi, group) {
        json_t *ws = json_object_get(group, "weights");
        if (!json_is_array(ws)) {
            rc = fail(err, errlen, FACE_ERR_MODEL, "%s: group without weights", model);
            goto out;
        }
        total += json_array_size(ws);
    }
    m->t = calloc(total ? total : 1, sizeof *m->t);
    if (!m->t) { rc = FACE_ERR_NOMEM; goto out; }

    json_array_foreach(root, gi, group) {
        size_t len = 0, off = 0, wi;
        json_t *w;
        rc = read_shards(dir, json_object_get(group, "paths"), &bytes, &len, err, errlen);
        if (rc != FACE_OK) {
            prefix_error(err, errlen, rc, model, "-weights_manifest.json");
            goto out;
        }
        json_array_foreach(json_object_get(group, "weights"), wi, w) {
            /* counted before decoding so that fw_free releases a half-decoded entry */
            rc = decode_tensor(w, bytes, len, &off, &m->t[m->n++], err, errlen);
            if (rc != FACE_OK) {
                prefix_error(err, errlen, rc, model, ".bin");
                goto out;
            }
        }
        if (off != len) {
            rc = fail(err, errlen, FACE_ERR_MODEL, "%s.bin: %zu bytes expected, %zu found",
                      model, off, len);
            goto out;
        }
        free(bytes);
        bytes = NULL;
    }
out:
    free(bytes);
    json_decref(root);
    if (rc != FACE_OK)
        fw_free(m);
    return rc;
}

void fw_free(fw_model *m)
{
    for (int i = 0; i < m->n; i++) {
        free(m->t[i].name);
        free(m->t[i].data);
    }
    free(m->t);
    free(m->model);
    memset(m, 0, sizeof *m);
}

const float *fw_get(fw_reader *r, const char *name, int ndim, int d0, int d1, int d2, int d3)
{
    const int want[4] = { d0, d1, d2, d3 };
    for (int i = 0; i < r->m->n; i++) {
        const fw_tensor *t = &r->m->t[i];
        if (strcmp(t->name, name) != 0)
            continue;
        int ok = t->ndim == ndim;
        for (int k = 0; ok && k < ndim; k++)
            ok = t->shape[k] == want[k];
        if (ok)
            return t->data;
        if (!r->failed)
            snprintf(r->err, r->errlen, "%s: tensor %s has an unexpected shape", r->m->model, name);
        r->failed = 1;
        return NULL;
    }
    if (!r->failed)
        snprintf(r->err, r->errlen, "%s: tensor %s missing", r->m->model, name);
    r->failed = 1;
    return NULL;
}
