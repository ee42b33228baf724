/* Shared pieces of the face endpoints (see face_common.h). */
#include "api/face/common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/app.h"
#include "api/objects.h"
#include "api/objects_attendance.h"
#include "core/base64.h"
#include "core/config.h"
#include "core/log.h"
#include "http/metrics.h"
#include "store/db.h"

/* ---- image input ------------------------------------------------------------------- */

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

int api_image_field(const json_t *v, const char **s, size_t *len)
{
    const char *p;
    size_t n;

    *s = "";
    *len = 0;
    if (!v || json_is_null(v))
        return 1;
    if (!json_is_string(v))
        return -1;
    p = json_string_value(v);
    n = json_string_length(v);
    while (n > 0 && is_space((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n > 0 && is_space((unsigned char)p[n - 1]))
        n--;
    *s = p;
    *len = n;
    return n == 0 ? 1 : 0;
}

/* The base64 payload of s[0..len): after the first ',' of a data URL. */
static int image_payload(const char *s, size_t len, const char **p, size_t *n)
{
    if (len >= 5 && memcmp(s, "data:", 5) == 0) {
        const char *comma = memchr(s, ',', len);
        if (!comma)
            return -1;
        *p = comma + 1;
        *n = len - (size_t)(*p - s);
        return 0;
    }
    *p = s;
    *n = len;
    return 0;
}

int api_image_decode(const char *s, size_t len, face_image *out, char msg[API_IMAGE_MSG])
{
    unsigned char *bytes = NULL;
    size_t n_bytes = 0, n;
    const char *p;
    char reason[96] = "";
    int rc;

    memset(out, 0, sizeof *out);
    msg[0] = '\0';
    if (image_payload(s, len, &p, &n) < 0 || base64_decode(p, n, &bytes, &n_bytes) < 0) {
        snprintf(msg, API_IMAGE_MSG, "Invalid image data: invalid base64");
        return API_IMAGE_BAD;
    }
    if (n_bytes == 0) {
        free(bytes);
        snprintf(msg, API_IMAGE_MSG, "Invalid image data: empty image");
        return API_IMAGE_BAD;
    }
    rc = face_image_decode(bytes, n_bytes, g_config.max_image_pixels, out, reason,
                           sizeof reason);
    free(bytes);
    switch (rc) {
    case FACE_OK:
        return API_IMAGE_OK;
    case FACE_ERR_FORMAT:
        snprintf(msg, API_IMAGE_MSG, "Invalid image data: unsupported image format");
        return API_IMAGE_BAD;
    case FACE_ERR_TOO_LARGE:
        snprintf(msg, API_IMAGE_MSG, "Image too large");
        return API_IMAGE_BAD;
    case FACE_ERR_NOMEM:
        return API_IMAGE_NOMEM;
    default:
        snprintf(msg, API_IMAGE_MSG, "Invalid image data: %s",
                 reason[0] ? reason : "cannot decode image");
        return API_IMAGE_BAD;
    }
}

/* ---- capacity ---------------------------------------------------------------------- */

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void reply_busy(api_ctx *ctx)
{
    long secs = (g_config.recognition_queue_timeout_ms + 999) / 1000;
    char value[24];

    if (secs < 1)
        secs = 1;
    if (secs > 60)
        secs = 60;
    snprintf(value, sizeof value, "%ld", secs);
    reply_error(ctx->rep, 503, "Server busy, try again");
    reply_header(ctx->rep, "Retry-After", value);
}

int api_face_acquire(api_ctx *ctx, api_face_slot *slot)
{
    slot->w = NULL;
    slot->endpoint = req_route(ctx->req);
    slot->t0 = mono_seconds();
    slot->faces = 0;
    slot->counted = 0;
    slot->busy = 0;
    if (ctx->db) {
        db_release(ctx->db);
        ctx->db = NULL;
    }
    if (!g_app.face) {
        reply_error(ctx->rep, 503, "Face recognition is unavailable");
        return -1;
    }
    slot->w = face_worker_acquire(g_app.face, g_config.recognition_queue_timeout_ms);
    if (!slot->w) {
        slot->busy = 1;
        reply_busy(ctx);
        return -1;
    }
    metrics_in_flight_add(1);
    return 0;
}

void api_face_release_worker(api_face_slot *slot)
{
    if (!slot->w)
        return;
    face_worker_release(slot->w);
    slot->w = NULL;
    metrics_in_flight_add(-1);
}

void api_face_finish(api_ctx *ctx, api_face_slot *slot)
{
    int status = reply_status(ctx->rep);
    const char *outcome = slot->busy ? "busy" : status >= 200 && status < 400 ? "ok" : "error";

    api_face_release_worker(slot);
    if (slot->counted || !slot->endpoint)
        return;
    slot->counted = 1;
    metrics_recognition_observe(slot->endpoint, outcome, mono_seconds() - slot->t0,
                                slot->faces);
}

/* ---- objects and numbers ----------------------------------------------------------- */

json_t *api_face_data_json(const store_face_data *fd)
{
    char vector_id[32];
    json_t *meta = json_pack("{s:s, s:I, s:i}", "upload_method", fd->upload_method,
                             "images_count", (json_int_t)fd->images_count,
                             "embedding_dimension", FACE_DESCRIPTOR_DIM);

    if (!meta)
        return NULL;
    if (strcmp(fd->upload_method, "orientations") == 0) {
        json_t *o = json_loads(fd->orientations[0] ? fd->orientations : "[]", 0, NULL);
        json_object_set_new(meta, "captured_orientations", o ? o : json_array());
    }
    snprintf(vector_id, sizeof vector_id, "user_%lld", (long long)fd->user_id);
    return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:n, s:o, s:o, s:b, s:I}",
                     "id", (json_int_t)fd->id, "user_id", (json_int_t)fd->user_id,
                     "user_name", fd->user_name, "vector_db_id", vector_id,
                     "encoding_metadata", meta, "encoding_version", fd->encoding_version,
                     "confidence_score", "created_at", api_time_json(fd->created_at),
                     "updated_at", api_time_json(fd->updated_at), "is_active", 1,
                     "images_count", (json_int_t)fd->images_count);
}

static int clampi(long v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

void api_face_box(const face_det *d, int img_w, int img_h, api_box *out)
{
    int x0 = clampi(lroundf(d->box.x), 0, img_w);
    int y0 = clampi(lroundf(d->box.y), 0, img_h);
    int x1 = clampi(lroundf(d->box.x + d->box.w), 0, img_w);
    int y1 = clampi(lroundf(d->box.y + d->box.h), 0, img_h);

    out->x = x0;
    out->y = y0;
    out->w = x1 - x0;
    out->h = y1 - y0;
}

json_t *api_box_json(const api_box *b)
{
    return json_pack("{s:i, s:i, s:i, s:i}", "x", b->x, "y", b->y, "width", b->w,
                     "height", b->h);
}

double api_face_confidence(double distance, double tolerance)
{
    double c = 1.0 - distance / (2.0 * tolerance);
    return c > 0.0 ? c : 0.0;
}

/* ---- raw uploads (FACE_IMAGE_STORE=1, §6.11) --------------------------------------- */

void api_face_unlink_raw(char **paths, size_t n)
{
    char full[2048];

    for (size_t i = 0; i < n; i++) {
        if (!paths[i] || strstr(paths[i], ".."))
            continue;
        snprintf(full, sizeof full, "%s/%s", g_config.data_dir, paths[i]);
        if (unlink(full) < 0 && errno != ENOENT)
            log_warn("raw face image not removed", "errno=%d", errno);
    }
}

static int make_dir(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wbx");
    int ok;

    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    ok = (fflush(f) == 0 && fsync(fileno(f)) == 0) && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        unlink(path);
    return ok ? 0 : -1;
}

char *api_face_store_raw(int64_t user_id, const face_image *img, int *failed)
{
    char dir[1536], rel[96], full[2048];
    uint8_t *jpeg = NULL;
    size_t len = 0;

    *failed = 0;
    if (!g_config.face_image_store)
        return NULL;
    snprintf(rel, sizeof rel, "faces/%lld/%lld-%08x.jpg", (long long)user_id,
             (long long)time(NULL), randombytes_random());
    snprintf(dir, sizeof dir, "%s/faces", g_config.data_dir);
    if (make_dir(dir) < 0)
        goto fail;
    snprintf(dir, sizeof dir, "%s/faces/%lld", g_config.data_dir, (long long)user_id);
    if (make_dir(dir) < 0 || face_image_encode_jpeg(img, 90, &jpeg, &len) != FACE_OK)
        goto fail;
    snprintf(full, sizeof full, "%s/%s", g_config.data_dir, rel);
    if (write_file(full, jpeg, len) < 0)
        goto fail;
    free(jpeg);
    char *out = strdup(rel);
    if (out)
        return out;
    unlink(full);
    *failed = 1;
    return NULL;
fail:
    free(jpeg);
    *failed = 1;
    return NULL;
}

json_t *api_face_image_json(const store_face_image *im)
{
    char url[64];

    snprintf(url, sizeof url, "/api/face-data/images/%lld/thumbnail", (long long)im->id);
    return json_pack("{s:I, s:I, s:o, s:s, s:o, s:i, s:f, s:s}", "id", (json_int_t)im->id,
                     "student_id", (json_int_t)im->student_id,
                     "created_at", api_time_json(im->created_at), "source", im->source,
                     "orientation", im->orientation[0] ? json_string(im->orientation)
                                                       : json_null(),
                     "face_size", im->face_size,
                     "detection_score", api_round(im->detection_score, 4),
                     "thumbnail_url", url);
}
