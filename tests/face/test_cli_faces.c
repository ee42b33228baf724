/* `attendly faces` smoke test: the real binary ($ATTENDLY_BIN) on a demo photo, JSON and
 * text output, --compare, and its exit statuses for bad usage and unreadable files. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "face_testutil.h"

static const char *bin, *models;
static char photo[2048], out_path[] = "/tmp/attendly-cli-faces-XXXXXX";

/* Runs the binary with args (shell words), stdout into out_path; returns the exit status. */
static int run(const char *args)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "FACE_MODELS_DIR='%s' '%s' faces %s > '%s' 2>/dev/null", models,
             bin, args, out_path);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *output(void) { return ft_read_file(out_path, NULL); }

static void test_json(void **state)
{
    (void)state;
    char args[8192];
    json_error_t err;
    snprintf(args, sizeof args, "--json '%s'", photo);
    assert_int_equal(run(args), 0);
    json_t *root = json_load_file(out_path, 0, &err);
    assert_non_null(root);
    json_t *im = json_array_get(root, 0), *faces = json_object_get(im, "faces");
    assert_int_equal(json_array_size(faces), 3);
    assert_int_equal(json_integer_value(json_object_get(im, "width")), 1920);
    for (size_t i = 0; i < json_array_size(faces); i++) {
        json_t *f = json_array_get(faces, i);
        assert_int_equal(json_array_size(json_object_get(f, "landmarks")), 68);
        assert_int_equal(json_array_size(json_object_get(f, "descriptor")), 128);
        assert_true(json_integer_value(json_object_get(f, "face_size")) >= 40);
        assert_true(json_real_value(json_object_get(f, "score")) > 0.5);
    }
    assert_true(json_real_value(json_object_get(json_object_get(im, "timing_ms"), "detect")) > 0);
    json_decref(root);
}

static void test_text_and_options(void **state)
{
    (void)state;
    char args[8192];
    snprintf(args, sizeof args, "--detector tiny --tiles off --chip faceapi '%s'", photo);
    assert_int_equal(run(args), 0);
    char *s = output();
    assert_non_null(s);
    assert_non_null(strstr(s, "face 0: box"));
    assert_non_null(strstr(s, "descriptor:"));
    free(s);
}

static void test_compare(void **state)
{
    (void)state;
    char args[8192];
    snprintf(args, sizeof args, "--compare '%s' '%s'", photo, photo);
    assert_int_equal(run(args), 0);
    char *s = output();
    assert_non_null(strstr(s, "distance 0.0000 (same person"));
    free(s);
}

static void test_bad_usage(void **state)
{
    (void)state;
    char args[8192];
    assert_int_equal(run(""), 2);
    assert_int_equal(run("--detector yolo x.jpg"), 2);
    assert_int_equal(run("--compare one.jpg"), 2);
    assert_int_equal(run("--help"), 0);
    assert_int_equal(run("/nonexistent/photo.jpg"), 1);
    snprintf(args, sizeof args, "'%s/face_recognition_model-weights_manifest.json'", models);
    assert_int_equal(run(args), 1);   /* not an image */
}

int main(void)
{
    bin = getenv("ATTENDLY_BIN");
    models = ft_models_dir();
    if (!models)
        return 0;
    if (!bin || !*bin) {
        printf("SKIP: ATTENDLY_BIN is not set (no attendly binary in this build)\n");
        return 0;
    }
    snprintf(photo, sizeof photo, "%s/demo/sample1.jpg", models);
    int fd = mkstemp(out_path);
    if (fd < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_text_and_options),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_bad_usage),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove(out_path);
    return rc;
}
