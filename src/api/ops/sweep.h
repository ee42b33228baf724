#ifndef ATTENDLY_API_OPS_SWEEP_H
#define ATTENDLY_API_OPS_SWEEP_H
/* The retention sweep (API.md §16.1) as the server runs it (at start-up, then hourly, on a
 * thread of its own) and as `attendly sweep` runs it once. */
#include <stdint.h>
#include "store/db.h"
#include "store/sweep.h"

/* One sweep at `now` with the configured retention; removes the expired upload files.
 * 0 with *counts (zero when another process was sweeping), -1 on a database error. */
int api_sweep_once(db *d, int64_t now, store_sweep_result *counts);

/* Starts / stops the hourly sweeper thread (stop wakes it and waits). */
int api_sweeper_start(db *d);
void api_sweeper_stop(void);

#endif
