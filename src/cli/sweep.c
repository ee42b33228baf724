/* `attendly sweep [--now TS]` (API.md §16.1, §19.12): one retention sweep, as if the time
 * were TS (YYYY-MM-DDTHH:MM:SSZ; default now), printing the rows deleted per kind. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/ops/sweep.h"
#include "cli/cli.h"
#include "core/timeutil.h"

int cli_sweep(int argc, char **argv)
{
    long long now = (long long)time(NULL);
    store_sweep_result r;

    if (argc == 3 && strcmp(argv[1], "--now") == 0) {
        if (time_parse_utc(argv[2], &now) < 0) {
            fprintf(stderr, "attendly: --now expects YYYY-MM-DDTHH:MM:SSZ\n");
            return 2;
        }
    } else if (argc != 1) {
        fprintf(stderr, "usage: attendly sweep [--now YYYY-MM-DDTHH:MM:SSZ]\n");
        return 2;
    }
    db *d = cli_open_db();
    if (!d)
        return 1;
    int rc = api_sweep_once(d, (int64_t)now, &r);
    db_close(d);
    if (rc < 0) {
        fprintf(stderr, "attendly: the sweep failed (see the log)\n");
        return 1;
    }
    printf("{\"face_data\": %lld, \"face_images\": %lld, \"revoked_tokens\": %lld, "
           "\"login_failures\": %lld, \"audit_events\": %lld}\n",
           (long long)r.face_data, (long long)r.face_images, (long long)r.revoked_tokens,
           (long long)r.login_failures, (long long)r.audit_events);
    return 0;
}
