/* Images and settings for the face HTTP tests (see face_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base64.h"
#include "face_fixture.h"

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ff_models_dir(void)
{
    static char dir[1024];
    char probe[1200];
    const char *env = getenv("ATTENDLY_MODELS_DIR");

    snprintf(dir, sizeof dir, "%s", env && *env ? env : "./models");
    snprintf(probe, sizeof probe, "%s/face_recognition_model-weights_manifest.json", dir);
    return is_file(probe) ? dir : NULL;
}

const char *ff_faces_dir(void)
{
    static char dir[1024];
    const char *env = getenv("ATTENDLY_SHARED_DIR");

    if (!env || !*env)
        return NULL;
    snprintf(dir, sizeof dir, "%s/testdata/faces", env);
    return is_dir(dir) ? dir : NULL;
}

const char *ff_face_path(const char *rel)
{
    static char path[4][1400];
    static int k;
    char *p = path[k++ & 3];

    snprintf(p, sizeof path[0], "%s/%s", ff_faces_dir() ? ff_faces_dir() : ".", rel);
    return p;
}

const char *ff_demo_path(const char *name)
{
    static char path[4][1400];
    static int k;
    char *p = path[k++ & 3];

    snprintf(p, sizeof path[0], "%s/demo/%s", ff_models_dir() ? ff_models_dir() : ".", name);
    return p;
}

int ff_start(int argc, char **argv, const char *const *extra_env)
{
    static char models_env[1100];
    const char *env[24];
    size_t n = 0;

    if (!ff_models_dir()) {
        printf("SKIP: face models not found (run scripts/models.sh)\n");
        return -1;
    }
    snprintf(models_env, sizeof models_env, "FACE_MODELS_DIR=%s", ff_models_dir());
    env[n++] = models_env;
    /* The §6/§7 tests predate consent (API.md §13): they run with it off, as §13 allows;
     * test_consent.c passes FACE_CONSENT_REQUIRED=1, which overrides this. */
    env[n++] = "FACE_CONSENT_REQUIRED=0";
    for (size_t i = 0; extra_env && extra_env[i] && n < 23; i++)
        env[n++] = extra_env[i];
    env[n] = NULL;
    return att_start_env(argc, argv, env);
}

/* ---- files and images -------------------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

char *ff_b64_file(const char *path)
{
    size_t len = 0;
    unsigned char *bytes = read_file(path, &len);
    char *b64;

    if (!bytes)
        fail_msg("cannot read %s", path);
    b64 = base64_encode(bytes, len, 0);
    free(bytes);
    assert_non_null(b64);
    return b64;
}

void ff_load(const char *path, face_image *img)
{
    size_t len = 0;
    unsigned char *bytes = read_file(path, &len);
    char reason[128];

    if (!bytes)
        fail_msg("cannot read %s", path);
    if (face_image_decode(bytes, len, 400000000L, img, reason, sizeof reason) != FACE_OK)
        fail_msg("cannot decode %s", path);
    free(bytes);
}

char *ff_b64_image(const face_image *img)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    char *b64;

    assert_int_equal(face_image_encode_jpeg(img, 90, &jpeg, &len), FACE_OK);
    b64 = base64_encode(jpeg, len, 0);
    free(jpeg);
    assert_non_null(b64);
    return b64;
}

static uint8_t sample(const face_image *s, double x, double y, int ch)
{
    int x0 = (int)x, y0 = (int)y;
    int x1 = x0 + 1 < s->width ? x0 + 1 : x0, y1 = y0 + 1 < s->height ? y0 + 1 : y0;
    double fx = x - x0, fy = y - y0;
    const uint8_t *p = s->rgb;
    double top = p[(y0 * s->width + x0) * 3 + ch] * (1 - fx) + p[(y0 * s->width + x1) * 3 + ch] * fx;
    double bot = p[(y1 * s->width + x0) * 3 + ch] * (1 - fx) + p[(y1 * s->width + x1) * 3 + ch] * fx;
    return (uint8_t)(top * (1 - fy) + bot * fy + 0.5);
}

void ff_crop(const face_image *src, int x, int y, int w, int h, double f, face_image *dst)
{
    if (x < 0)
        w += x, x = 0;
    if (y < 0)
        h += y, y = 0;
    if (x + w > src->width)
        w = src->width - x;
    if (y + h > src->height)
        h = src->height - y;
    int dw = (int)(w * f), dh = (int)(h * f);
    assert_true(dw > 0 && dh > 0);
    assert_int_equal(face_image_alloc(dst, dw, dh), FACE_OK);
    for (int r = 0; r < dh; r++)
        for (int c = 0; c < dw; c++) {
            double sx = x + (c + 0.5) / f - 0.5, sy = y + (r + 0.5) / f - 0.5;
            if (sx < x) sx = x;
            if (sy < y) sy = y;
            if (sx > x + w - 1) sx = x + w - 1;
            if (sy > y + h - 1) sy = y + h - 1;
            for (int ch = 0; ch < 3; ch++)
                dst->rgb[(r * dw + c) * 3 + ch] = sample(src, sx, sy, ch);
        }
}

void ff_scale(const face_image *src, double f, face_image *dst)
{
    ff_crop(src, 0, 0, src->width, src->height, f, dst);
}

void ff_flip(const face_image *src, face_image *dst)
{
    assert_int_equal(face_image_alloc(dst, src->width, src->height), FACE_OK);
    for (int r = 0; r < src->height; r++)
        for (int c = 0; c < src->width; c++)
            memcpy(dst->rgb + (r * src->width + c) * 3,
                   src->rgb + (r * src->width + (src->width - 1 - c)) * 3, 3);
}

char *ff_b64_flat(int w, int h, uint8_t grey)
{
    face_image img;
    char *b64;

    assert_int_equal(face_image_alloc(&img, w, h), FACE_OK);
    memset(img.rgb, grey, (size_t)w * h * 3);
    b64 = ff_b64_image(&img);
    face_image_free(&img);
    return b64;
}

/* ---- headers claiming huge sizes --------------------------------------------------- */

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Signature, IHDR, an empty IDAT and IEND: the header is complete, the pixels absent. */
char *ff_b64_huge_png(uint32_t w, uint32_t h)
{
    uint8_t png[8 + 25 + 12 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    uint8_t *ihdr = png + 8, *idat = png + 33, *iend = png + 45;
    char *b64;

    put32(ihdr, 13);
    memcpy(ihdr + 4, "IHDR", 4);
    put32(ihdr + 8, w);
    put32(ihdr + 12, h);
    ihdr[16] = 8;     /* bit depth */
    ihdr[17] = 2;     /* RGB */
    put32(ihdr + 21, crc32_of(ihdr + 4, 17));
    put32(idat, 0);
    memcpy(idat + 4, "IDAT", 4);
    put32(idat + 8, crc32_of(idat + 4, 4));
    put32(iend, 0);
    memcpy(iend + 4, "IEND", 4);
    put32(iend + 8, crc32_of(iend + 4, 4));
    b64 = base64_encode(png, sizeof png, 0);
    assert_non_null(b64);
    return b64;
}

/* A real JPEG whose frame header (SOF0/SOF2) is patched to claim w x h. */
char *ff_b64_huge_jpeg(const char *real_jpeg_path, uint16_t w, uint16_t h)
{
    size_t len = 0;
    unsigned char *b = read_file(real_jpeg_path, &len);
    char *b64;
    int patched = 0;

    if (!b)
        fail_msg("cannot read %s", real_jpeg_path);
    for (size_t i = 2; i + 9 < len && !patched;) {
        if (b[i] != 0xFF) {
            i++;
            continue;
        }
        unsigned m = b[i + 1];
        size_t seg = (size_t)b[i + 2] << 8 | b[i + 3];
        if (m == 0xC0 || m == 0xC2) {
            b[i + 5] = (uint8_t)(h >> 8);
            b[i + 6] = (uint8_t)h;
            b[i + 7] = (uint8_t)(w >> 8);
            b[i + 8] = (uint8_t)w;
            patched = 1;
        }
        i += 2 + seg;
    }
    assert_true(patched);
    b64 = base64_encode(b, len, 0);
    free(b);
    assert_non_null(b64);
    return b64;
}

/* ---- bodies ------------------------------------------------------------------------ */

json_t *ff_image_body(const char *b64)
{
    return json_pack("{s:s}", "image", b64);
}

json_t *ff_images_array(const char *const *b64, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(b64[i]));
    return arr;
}

att_resp ff_post(const char *path, const user *u, json_t *body)
{
    att_resp r = att_call_json("POST", path, u ? u->token : NULL, body);
    json_decref(body);
    return r;
}

/* ---- people ------------------------------------------------------------------------ */

#define KNN "face_recognition_examples/examples/knn_examples/"
#define LFW "lfw/images/"

static const char *const LABELLED[FF_MAX_PEOPLE][3] = {
    {KNN "train/obama/obama.jpg", KNN "train/obama/obama2.jpg", KNN "test/obama1.jpg"},
    {KNN "train/biden/biden.jpg", KNN "train/biden/biden2.jpg",
     "face_recognition_examples/tests/test_images/biden.jpg"},
    {KNN "train/kit_harington/john1.jpeg", KNN "train/kit_harington/john2.jpeg",
     KNN "test/johnsnow_test1.jpg"},
    {KNN "train/rose_leslie/img1.jpg", KNN "train/rose_leslie/img2.jpg", NULL},
    {KNN "train/alex_lacamoire/img1.jpg", KNN "test/alex_lacamoire1.jpg", NULL},
    {LFW "George_Clooney/George_Clooney_0001.jpg", LFW "George_Clooney/George_Clooney_0003.jpg",
     LFW "George_Clooney/George_Clooney_0004.jpg"},
    {LFW "Maria_Soledad_Alvear_Valenzuela/Maria_Soledad_Alvear_Valenzuela_0001.jpg",
     LFW "Maria_Soledad_Alvear_Valenzuela/Maria_Soledad_Alvear_Valenzuela_0002.jpg",
     LFW "Maria_Soledad_Alvear_Valenzuela/Maria_Soledad_Alvear_Valenzuela_0003.jpg"},
};

static int g_labelled = -1;
static face_image g_crops[FF_MAX_PEOPLE];
static int g_n_people;

int ff_labelled(void)
{
    return g_labelled == 1;
}

/* A face with a wide margin (the detector wants context), everything but the face and
 * half a face around it painted grey so that no neighbour shows. */
static void cut_out(const face_image *photo, int x, int y, int w, int h, face_image *out)
{
    double f = 200.0 / w;
    int ox = x - w > 0 ? x - w : 0, oy = y - h > 0 ? y - h : 0;
    int kx0 = (int)((x - w / 2 - ox) * f), ky0 = (int)((y - h / 2 - oy) * f);
    int kx1 = (int)((x + w + w / 2 - ox) * f), ky1 = (int)((y + h + h / 2 - oy) * f);

    ff_crop(photo, x - w, y - h, 3 * w, 3 * h, f, out);
    for (int r = 0; r < out->height; r++)
        for (int c = 0; c < out->width; c++)
            if (c < kx0 || c >= kx1 || r < ky0 || r >= ky1)
                memset(out->rgb + ((size_t)r * out->width + c) * 3, 128, 3);
}

/* The faces of one demo group photo (the same people appear across the demo photos, so
 * only one photo gives distinct people), found by recognize-faces, cut out with a margin
 * and scaled so that the face is about 200 px wide. */
static void demo_people(const user *teacher)
{
    const char *path = ff_demo_path("sample5.jpg");
    char *b64 = ff_b64_file(path);
    const char *one[1] = {b64};
    face_image photo;
    klass k;
    size_t i;
    json_t *f;

    new_class(teacher, "Scratch", &k);
    json_t *body = json_pack("{s:I, s:o}", "class_id", (json_int_t)k.id, "images",
                             ff_images_array(one, 1));
    att_resp r = want_status(ff_post("/api/attendance/recognize-faces", teacher, body), 200);
    ff_load(path, &photo);
    json_array_foreach(json_object_get(r.json, "faces"), i, f) {
        json_t *box = json_object_get(f, "box");
        int x = (int)jint(box, "x"), y = (int)jint(box, "y");
        int w = (int)jint(box, "width"), h = (int)jint(box, "height");
        if (w >= 50 && g_n_people < FF_MAX_PEOPLE)
            cut_out(&photo, x, y, w, h, &g_crops[g_n_people++]);
    }
    face_image_free(&photo);
    att_resp_free(&r);
    free(b64);
    archive(teacher, &k);
}

int ff_people_init(const user *teacher)
{
    if (g_labelled >= 0)
        return g_labelled ? FF_MAX_PEOPLE : g_n_people;
    g_labelled = ff_faces_dir() != NULL;
    if (g_labelled)
        return FF_MAX_PEOPLE;
    printf("NOTE: ../shared/testdata/faces absent: the labelled-set photos are skipped; "
           "using faces cut out of the demo photos\n");
    demo_people(teacher);
    return g_n_people;
}

void ff_portrait_image(int p, int v, face_image *img)
{
    assert_true(p >= 0 && p < FF_MAX_PEOPLE && v >= 0 && v < 3);
    if (g_labelled == 1) {
        if (LABELLED[p][v]) {
            ff_load(ff_face_path(LABELLED[p][v]), img);
        } else {
            face_image first;
            ff_load(ff_face_path(LABELLED[p][0]), &first);
            ff_flip(&first, img);
            face_image_free(&first);
        }
        return;
    }
    assert_true(g_n_people > 0);
    p %= g_n_people;   /* fewer distinct people: tests use at most two at a time */
    if (v == 0)
        ff_scale(&g_crops[p], 1.0, img);
    else if (v == 1)
        ff_flip(&g_crops[p], img);
    else
        ff_scale(&g_crops[p], 0.8, img);
}

char *ff_portrait(int p, int v)
{
    face_image img;
    char *b64;

    if (g_labelled == 1 && LABELLED[p][v])
        return ff_b64_file(ff_face_path(LABELLED[p][v]));
    ff_portrait_image(p, v, &img);
    b64 = ff_b64_image(&img);
    face_image_free(&img);
    return b64;
}

/* ---- face data steps --------------------------------------------------------------- */

att_resp ff_upload(const user *u, const char *b64)
{
    return ff_post("/api/face-data/upload", u, ff_image_body(b64));
}

att_resp ff_upload_person(const user *u, int p, int v)
{
    char *b64 = ff_portrait(p, v);
    att_resp r = ff_upload(u, b64);
    free(b64);
    return r;
}

att_resp ff_multi(const user *u, const char *const *b64, size_t n)
{
    return ff_post("/api/face-data/multiple-upload", u, json_pack("{s:o}", "images", ff_images_array(b64, n)));
}

/* images_count from my-data, 0 when there is no face data. */
long long ff_stored_count(const user *u)
{
    att_resp r = want_status(att_call("GET", "/api/face-data/my-data", u->token, NULL), 200);
    long long n = 0;
    if (json_is_true(json_object_get(r.json, "has_face_data")))
        n = jint(json_object_get(r.json, "face_data"), "images_count");
    else
        assert_null(json_object_get(r.json, "face_data"));
    att_resp_free(&r);
    return n;
}

long long ff_images_total(const user *viewer, long long student_id)
{
    char p[96];
    att_resp r = want_status(att_call("GET", pathf(p, sizeof p, "/api/face-data/student/%lld/images",
                                                   student_id), viewer->token, NULL), 200);
    long long n = jint(r.json, "total");
    att_resp_free(&r);
    return n;
}

void ff_delete_face_data(const user *u)
{
    att_resp r = att_call("DELETE", "/api/face-data/delete", u->token, NULL);
    assert_true(r.status == 200 || r.status == 404);
    att_resp_free(&r);
}

void ff_check_face_data(const json_t *fd, const user *u, long long count, const char *method)
{
    char vid[64];
    snprintf(vid, sizeof vid, "user_%lld", u->id);
    jint(fd, "id");
    assert_int_equal(jint(fd, "user_id"), u->id);
    assert_string_equal(att_str(fd, "user_name"), u->name);
    assert_string_equal(att_str(fd, "vector_db_id"), vid);
    assert_true(strlen(att_str(fd, "encoding_version")) > 0);
    assert_true(json_is_null(json_object_get(fd, "confidence_score")));
    assert_true(is_timestamp(json_object_get(fd, "created_at")));
    assert_true(is_timestamp(json_object_get(fd, "updated_at")));
    assert_true(json_is_true(json_object_get(fd, "is_active")));
    assert_int_equal(jint(fd, "images_count"), count);
    json_t *meta = json_object_get(fd, "encoding_metadata");
    assert_string_equal(att_str(meta, "upload_method"), method);
    assert_int_equal(jint(meta, "images_count"), count);
    assert_int_equal(jint(meta, "embedding_dimension"), 128);
    assert_true((json_object_get(meta, "captured_orientations") != NULL) ==
                (strcmp(method, "orientations") == 0));
}

void ff_check_face_image(const json_t *im, long long student_id)
{
    char url[96];
    snprintf(url, sizeof url, "/api/face-data/images/%lld/thumbnail", jint(im, "id"));
    assert_int_equal(jint(im, "student_id"), student_id);
    assert_true(is_timestamp(json_object_get(im, "created_at")));
    const char *src = att_str(im, "source");
    assert_true(!strcmp(src, "single_image") || !strcmp(src, "multiple_images") ||
                !strcmp(src, "orientations"));
    assert_true(json_is_null(json_object_get(im, "orientation")) ==
                (strcmp(src, "orientations") != 0));
    assert_true(jint(im, "face_size") >= 64);
    assert_true(json_is_number(json_object_get(im, "detection_score")));
    assert_string_equal(att_str(im, "thumbnail_url"), url);
}
