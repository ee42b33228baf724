/* Latency of the face endpoints against a real `attendly serve` (SQLite, loopback):
 *   - enrolment: POST /api/face-data/upload (1 photo) and /multiple-upload (3 photos);
 *   - POST /api/attendance/recognize-faces on a 1920x1080 class photo, at concurrency 1
 *     and 4 (one thread and one keep-alive curl handle per client).
 * Students are the identities of ../shared/testdata/faces/identities.tsv: each is enrolled
 * from all of its photos but the last; the last photos are cut around their faces and
 * pasted, scaled to faces of 80-150 px, on a grey 1920x1080 canvas.
 * Environment: ATTENDLY_BIN, ATTENDLY_MODELS_DIR, ATTENDLY_SHARED_DIR (as for the tests),
 * BENCH_RECOGNIZE_K (requests per concurrency level, default 40), BENCH_RECOGNIZE_PHOTO
 * (a path: the class photo is also written there, to look at).
 * Without the models or the labelled photos the scenario is skipped (exit 0, says so). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/server.h"
#include "core/base64.h"
#include "http/face_fixture.h"
#include "load.h"

#define MAX_PEOPLE 12
#define MAX_PHOTOS 16
#define CANVAS_W 1920
#define CANVAS_H 1080
#define FACE_MIN 80
#define FACE_MAX 150

typedef struct person {
    char id[96];                     /* identity label of identities.tsv */
    char *photo[MAX_PHOTOS];         /* paths relative to the faces dir */
    int n_photos;
    user st;
} person;

static int g_started;

static void stop_server(void)
{
    if (g_started)
        att_stop();
    g_started = 0;
}

/* ---- the people of identities.tsv ------------------------------------------------- */

static person *find_or_add(person *pp, int *n, const char *id)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(pp[i].id, id))
            return &pp[i];
    if (*n == MAX_PEOPLE)
        return NULL;
    person *p = &pp[(*n)++];
    snprintf(p->id, sizeof p->id, "%s", id);
    return p;
}

/* Identities with at least two photos (one to enrol, one for the class photo). */
static int load_people(person *pp)
{
    char path[1200], line[1200];
    int n = 0, kept = 0;

    snprintf(path, sizeof path, "%s/identities.tsv", ff_faces_dir());
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        tab[strcspn(tab + 1, "\r\n") + 1] = '\0';
        person *p = find_or_add(pp, &n, tab + 1);
        if (p && p->n_photos < MAX_PHOTOS)
            p->photo[p->n_photos++] = strdup(line);
    }
    fclose(f);
    for (int i = 0; i < n; i++) {
        if (pp[i].n_photos >= 2)
            pp[kept++] = pp[i];
        else
            free(pp[i].photo[0]);
    }
    return kept;
}

static void free_people(person *pp, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < pp[i].n_photos; k++)
            free(pp[i].photo[k]);
}

/* ---- enrolment ------------------------------------------------------------------- */

static int ok(long status)
{
    return status == 200 || status == 201;
}

static long timed_upload(person *p, int k, samples *s)
{
    char *b64 = ff_b64_file(ff_face_path(p->photo[k]));
    double t0 = now_ms();
    att_resp r = ff_upload(&p->st, b64);
    double ms = now_ms() - t0;
    long status = r.status;
    if (ok(status))
        add_sample(s, ms);
    else
        printf("  upload %s: %ld %s\n", p->photo[k], status, att_str(r.json, "error"));
    att_resp_free(&r);
    free(b64);
    return status;
}

static void timed_multi(person *p, int k, samples *s)
{
    char *b64[3];
    for (int i = 0; i < 3; i++)
        b64[i] = ff_b64_file(ff_face_path(p->photo[k + i]));
    double t0 = now_ms();
    att_resp r = ff_multi(&p->st, (const char *const *)b64, 3);
    double ms = now_ms() - t0;
    if (ok(r.status))
        add_sample(s, ms);
    else
        printf("  multiple-upload %s..: %ld %s\n", p->photo[k], r.status, att_str(r.json, "error"));
    att_resp_free(&r);
    for (int i = 0; i < 3; i++)
        free(b64[i]);
}

/* The first photo that is accepted alone, then the rest but the last in threes
 * (multiple-upload), the leftovers one by one. Returns 1 when the student has face data. */
static int enrol(person *p, samples *up, samples *multi)
{
    int last = p->n_photos - 1, k = 0, enrolled = 0;
    while (k < last && !enrolled)
        enrolled = ok(timed_upload(p, k++, up));
    for (; enrolled && k + 3 <= last; k += 3)
        timed_multi(p, k, multi);
    for (; enrolled && k < last; k++)
        timed_upload(p, k, up);
    return enrolled;
}

/* ---- the class photo -------------------------------------------------------------- */

typedef struct placed {
    long long student_id;
    int face_px;
} placed;

/* The box of `who` in a photo sent alone for recognition; 0 when not found. */
static int photo_box(const klass *k, const user *teacher, const char *b64, long long who,
                    int box[4])
{
    const char *one[1] = {b64};
    att_resp r = ff_post("/api/attendance/recognize-faces", teacher,
                         json_pack("{s:I, s:o}", "class_id", (json_int_t)k->id, "images",
                                   ff_images_array(one, 1)));
    json_t *f;
    size_t i;
    int found = 0;
    json_array_foreach(r.status == 200 ? json_object_get(r.json, "faces") : NULL, i, f) {
        json_t *sid = json_object_get(f, "student_id"), *b = json_object_get(f, "box");
        if (json_is_integer(sid) && json_integer_value(sid) == who && !found) {
            box[0] = (int)jint(b, "x");
            box[1] = (int)jint(b, "y");
            box[2] = (int)jint(b, "width");
            box[3] = (int)jint(b, "height");
            found = 1;
        }
    }
    att_resp_free(&r);
    return found;
}

/* The face and half a face around it, scaled so that the box is `px` wide, pasted centred
 * at (cx, cy) on the canvas. */
static void paste_face(face_image *canvas, const face_image *photo, const int box[4], int px,
                       int cx, int cy)
{
    face_image crop;
    double f = (double)px / box[2];
    ff_crop(photo, box[0] - box[2] / 2, box[1] - box[3] / 2, 2 * box[2], 2 * box[3], f, &crop);
    int ox = cx - crop.width / 2, oy = cy - crop.height / 2;
    for (int y = 0; y < crop.height; y++)
        for (int x = 0; x < crop.width; x++) {
            int X = ox + x, Y = oy + y;
            if (X >= 0 && Y >= 0 && X < canvas->width && Y < canvas->height)
                memcpy(canvas->rgb + ((size_t)Y * canvas->width + X) * 3,
                       crop.rgb + ((size_t)y * crop.width + x) * 3, 3);
        }
    face_image_free(&crop);
}

/* Each enrolled person's last photo, faces of 80..150 px on two rows. Returns the JPEG as
 * base64 and fills who[] with the students placed. */
static char *class_photo(const klass *k, const user *teacher, person *pp, const int *enrolled,
                         int n, placed *who, int *n_who)
{
    face_image canvas;
    int n_enr = 0;
    *n_who = 0;
    for (int i = 0; i < n; i++)
        n_enr += enrolled[i];
    const int cols = (n_enr + 1) / 2, steps = n_enr > 1 ? n_enr - 1 : 1;
    if (cols == 0 || face_image_alloc(&canvas, CANVAS_W, CANVAS_H) != FACE_OK)
        return NULL;
    memset(canvas.rgb, 118, (size_t)CANVAS_W * CANVAS_H * 3);
    for (int i = 0, slot = 0; i < n; i++) {
        if (!enrolled[i])
            continue;
        const char *path = ff_face_path(pp[i].photo[pp[i].n_photos - 1]);
        char *b64 = ff_b64_file(path);
        int box[4];
        if (photo_box(k, teacher, b64, pp[i].st.id, box)) {
            face_image photo;
            int px = FACE_MIN + (FACE_MAX - FACE_MIN) * slot / steps;
            int cw = CANVAS_W / cols, row = slot / cols, col = slot % cols;
            ff_load(path, &photo);
            paste_face(&canvas, &photo, box, px, col * cw + cw / 2,
                       row * (CANVAS_H / 2) + CANVAS_H / 4 + (col % 2 ? 40 : -40));
            face_image_free(&photo);
            who[(*n_who)++] = (placed){pp[i].st.id, px};
            slot++;
        } else {
            printf("  %s: not recognised alone in %s; left out of the class photo\n", pp[i].id,
                   pp[i].photo[pp[i].n_photos - 1]);
        }
        free(b64);
    }
    char *out = ff_b64_image(&canvas);
    face_image_free(&canvas);
    return out;
}

/* How many of the placed students the reply names. */
static int count_recognised(const json_t *reply, const placed *who, int n_who)
{
    int hits = 0;
    for (int i = 0; i < n_who; i++) {
        json_t *s;
        size_t j;
        json_array_foreach(json_object_get(reply, "recognized_students"), j, s)
            if (jint(s, "id") == who[i].student_id) {
                hits++;
                break;
            }
    }
    return hits;
}

/* Writes the base64 JPEG to $BENCH_RECOGNIZE_PHOTO when set. */
static void save_photo(const char *b64)
{
    const char *path = getenv("BENCH_RECOGNIZE_PHOTO");
    unsigned char *jpeg = NULL;
    size_t len = 0;
    FILE *f;
    if (!path || !*path || base64_decode(b64, strlen(b64), &jpeg, &len) != 0)
        return;
    if ((f = fopen(path, "wb"))) {
        if (fwrite(jpeg, 1, len, f) == len)
            printf("class photo written to %s\n", path);
        fclose(f);
    }
    free(jpeg);
}

/* ---- main -------------------------------------------------------------------------- */

static int requests_per_level(void)
{
    const char *e = getenv("BENCH_RECOGNIZE_K");
    int k = e && *e ? atoi(e) : 40;
    return k < 1 ? 1 : k > MAX_SAMPLES ? MAX_SAMPLES : k;
}

static void scenario(person *pp, int n)
{
    static const char *const firsts[] = {"Ada", "Ben", "Cleo", "Dev", "Eli", "Fay",
                                         "Gus", "Hal", "Ivy", "Jon", "Kai", "Lea"};
    samples up = {0}, multi = {0}, c1 = {0}, c4 = {0};
    int enrolled[MAX_PEOPLE] = {0}, n_enrolled = 0, n_who = 0, f1 = 0, f4 = 0;
    placed who[MAX_PEOPLE];
    user teacher;
    klass k;
    char url[128];

    new_user(&teacher, "teacher", "Bench", "Teacher");
    new_class(&teacher, "Bench class", &k);
    for (int i = 0; i < n; i++) {
        new_user(&pp[i].st, "student", firsts[i], "Student");
        join(&pp[i].st, &k);
        n_enrolled += enrolled[i] = enrol(&pp[i], &up, &multi);
    }
    printf("%d students enrolled (%d identities of identities.tsv)\n", n_enrolled, n);

    char *photo = class_photo(&k, &teacher, pp, enrolled, n, who, &n_who);
    if (!photo || n_who == 0) {
        printf("SKIP: no class photo could be built\n");
        free(photo);
        return;
    }
    save_photo(photo);
    json_t *body = json_pack("{s:I, s:[s]}", "class_id", (json_int_t)k.id, "images", photo);
    char *body_s = json_dumps(body, JSON_COMPACT);
    json_decref(body);

    /* one checked request (also the warm-up) */
    att_resp r = att_call("POST", "/api/attendance/recognize-faces", teacher.token, body_s);
    printf("class photo %dx%d JPEG q90 (%zu KiB): %d faces of %d..%d px on grey; "
           "status %ld, faces detected %lld, placed students recognised %d/%d\n",
           CANVAS_W, CANVAS_H, strlen(photo) * 3 / 4 / 1024, n_who, who[0].face_px,
           who[n_who - 1].face_px, r.status, r.status == 200 ? jint(r.json, "total_faces_detected") : -1,
           r.status == 200 ? count_recognised(r.json, who, n_who) : 0, n_who);
    att_resp_free(&r);

    int total = requests_per_level();
    snprintf(url, sizeof url, "%s/api/attendance/recognize-faces", att_server()->base_url);
    long s1 = 0, s4 = 0;
    double w1 = run_load(url, teacher.token, body_s, 1, total, &c1, &f1, &s1);
    double w4 = run_load(url, teacher.token, body_s, 4, total, &c4, &f4, &s4);

    printf("\nlatency in ms (p99 is nearest-rank: with few samples it is the maximum)\n");
    printf("%-44s %5s %8s %8s %8s %8s %8s\n", "request (successful replies)", "n", "min", "p50",
           "p99", "max", "req/s");
    print_row("face-data/upload (1 photo)", &up, 0);
    print_row("face-data/multiple-upload (3 photos)", &multi, 0);
    print_row("recognize-faces 1080p, concurrency 1", &c1, w1);
    print_row("recognize-faces 1080p, concurrency 4", &c4, w4);
    if (f1 || f4)
        printf("failed requests (not in the table): %d at concurrency 1 (status %ld), "
               "%d at concurrency 4 (status %ld; 503 = no worker within "
               "RECOGNITION_QUEUE_TIMEOUT_MS)\n", f1, s1, f4, s4);
    free(body_s);
    free(photo);
}

int main(void)
{
    char *av[] = {"attendly-bench-recognize", "sqlite", NULL};
    person pp[MAX_PEOPLE];
    int n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(pp, 0, sizeof pp);
    if (!ff_models_dir()) {
        printf("SKIP recognize/enrol latency: face models not found (bash scripts/models.sh)\n");
        return 0;
    }
    if (!ff_faces_dir() || (n = load_people(pp)) < 2) {
        printf("SKIP recognize/enrol latency: ../shared/testdata/faces (identities.tsv) absent\n");
        return 0;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (ff_start(2, av, NULL) < 0) {
        free_people(pp, n);
        return 1;
    }
    g_started = 1;
    atexit(stop_server);  /* a failed fixture step exits: the server still stops */
    printf("server: RECOGNITION_WORKERS default (%ld cores online), load average now: ",
           sysconf(_SC_NPROCESSORS_ONLN));
    double la[3];
    if (getloadavg(la, 3) == 3)
        printf("%.2f %.2f %.2f\n", la[0], la[1], la[2]);
    else
        printf("unknown\n");
    scenario(pp, n);
    int rc = att_stop() == 0 ? 0 : 1;
    g_started = 0;
    free_people(pp, n);
    curl_global_cleanup();
    return rc;
}
