/* Weight loading: the shipped files load with the documented tensor counts; missing,
 * corrupt, misshapen and truncated files give FACE_ERR_MODEL with a message naming
 * the file or tensor, never a crash (this test also runs in the sanitizer build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "face/engine.h"
#include "face_testutil.h"

#define LM_TINY "face_landmark_68_tiny_model"

static const char *models;
static char tmp[] = "/tmp/attendly-weights-XXXXXX";

static void write_file(const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Copies the tiny landmark model into the temp dir, the manifest edited by `edit`
 * (replace the first `from` with `to`) and the .bin cut to bin_len (or whole). */
static void stage(const char *from, const char *to, long bin_len)
{
    char path[4096];
    size_t mlen, blen;
    snprintf(path, sizeof path, "%s/%s-weights_manifest.json", models, LM_TINY);
    char *man = ft_read_file(path, &mlen);
    snprintf(path, sizeof path, "%s/%s.bin", models, LM_TINY);
    char *bin = ft_read_file(path, &blen);
    assert_non_null(man);
    assert_non_null(bin);
    if (from) {
        char *at = strstr(man, from);
        assert_non_null(at);
        size_t out_len = mlen - strlen(from) + strlen(to);
        char *edited = malloc(out_len + 1);
        size_t head = (size_t)(at - man);
        memcpy(edited, man, head);
        memcpy(edited + head, to, strlen(to));
        memcpy(edited + head + strlen(to), at + strlen(from), mlen - head - strlen(from));
        free(man);
        man = edited;
        mlen = out_len;
    }
    write_file(LM_TINY "-weights_manifest.json", man, mlen);
    write_file(LM_TINY ".bin", bin, bin_len >= 0 ? (size_t)bin_len : blen);
    free(man);
    free(bin);
}

/* Loads the staged model and builds the tiny landmark net from it. */
static int load_staged(char *err, size_t errlen)
{
    fw_model m;
    int rc = fw_load(tmp, LM_TINY, &m, err, errlen);
    if (rc != FACE_OK)
        return rc;
    fl_net net;
    fn_builder b = { .r = { .m = &m, .err = err, .errlen = errlen } };
    fl_load(&b, &net, 1);
    fl_free(&net);
    fw_free(&m);
    return b.r.failed ? FACE_ERR_MODEL : FACE_OK;
}

static void expect_error(const char *what, const char *needle)
{
    char err[256] = "";
    assert_int_equal(load_staged(err, sizeof err), FACE_ERR_MODEL);
    printf("%-28s -> %s\n", what, err);
    assert_non_null(strstr(err, needle));
}

static void test_shipped_files(void **state)
{
    (void)state;
    static const struct { const char *model; int tensors; } files[] = {
        { "ssd_mobilenetv1_model", 151 },   { "tiny_face_detector_model", 19 },
        { "face_landmark_68_model", 49 },   { LM_TINY, 28 },
        { "face_recognition_model", 117 },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        fw_model m;
        char err[256] = "";
        assert_int_equal(fw_load(models, files[i].model, &m, err, sizeof err), FACE_OK);
        assert_int_equal(m.n, files[i].tensors);
        fw_free(&m);
    }
    /* the raw float32 anchors sit at an unaligned offset: plausible corners in 0..1 */
    fw_model m;
    char err[256];
    assert_int_equal(fw_load(models, "ssd_mobilenetv1_model", &m, err, sizeof err), FACE_OK);
    fw_reader r = { .m = &m, .err = err, .errlen = sizeof err };
    const float *a = fw_get(&r, "Output/extra_dim", 3, 1, 5118, 4, 0);
    assert_non_null(a);
    for (int i = 0; i < 5118; i++) {
        assert_true(a[4 * i] < a[4 * i + 2] && a[4 * i + 1] < a[4 * i + 3]);
        assert_true(a[4 * i] > -1 && a[4 * i + 3] < 2);
    }
    /* quantised int32 scalars are kept, rounded: Prediction/BoxPredictor_0/stack_1/2 = 3 */
    const float *s = fw_get(&r, "Prediction/BoxPredictor_0/stack_1/2", 0, 0, 0, 0, 0);
    assert_non_null(s);
    assert_true(s[0] == 3.0f);
    fw_free(&m);
}

static void test_bad_files(void **state)
{
    (void)state;
    char err[256] = "";
    fw_model m;
    assert_int_equal(fw_load("/nonexistent", LM_TINY, &m, err, sizeof err), FACE_ERR_MODEL);
    printf("%-28s -> %s\n", "missing directory", err);
    assert_non_null(strstr(err, LM_TINY "-weights_manifest.json"));

    stage(NULL, NULL, 77224 - 100);
    expect_error("truncated .bin", "truncated");
    stage(NULL, NULL, 0);
    expect_error("empty .bin", "truncated");
    stage("\"weights\":", "\"weights\"", -1);
    expect_error("corrupt manifest", "manifest");
    stage(NULL, NULL, -1);
    write_file(LM_TINY "-weights_manifest.json", "{}", 2);
    expect_error("manifest not an array", "not a manifest");
    stage("\"shape\":[3,3,3,32]", "\"shape\":[3,3,3,33]", -1);
    expect_error("wrong shape (size too)", LM_TINY);
    stage("\"shape\":[32]", "\"shape\":[2,16]", -1);
    expect_error("wrong shape (same size)", "unexpected shape");
    stage("dense0/conv0/filters", "dense0/conv0/filterz", -1);
    expect_error("missing tensor", "dense0/conv0/filters missing");
    stage("\"dtype\":\"float32\"", "\"dtype\":\"complex64\"", -1);
    expect_error("unknown dtype", "unsupported dtype");
    stage("\"shape\":[3,3,3,32]", "\"shape\":[3,3,3,-32]", -1);
    expect_error("negative dimension", "bad shape");
    stage("face_landmark_68_tiny_model.bin", "../etc/passwd", -1);
    expect_error("path escaping the folder", "bad shard path");

    /* the engine reports the broken file and opens nothing */
    face_engine *e = face_engine_open(tmp, 1, err, sizeof err);
    assert_null(e);
    printf("%-28s -> %s\n", "engine on a broken folder", err);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    models = ft_models_dir();
    if (!models)
        return 0;
    /* the staging area holds only the tiny landmark files */
    if (!mkdtemp(tmp))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_files),
        cmocka_unit_test(test_bad_files),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-weights_manifest.json", tmp, LM_TINY);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s.bin", tmp, LM_TINY);
    unlink(path);
    rmdir(tmp);
    return rc;
}
