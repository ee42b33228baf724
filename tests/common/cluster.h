#ifndef ATTENDLY_TESTS_CLUSTER_H
#define ATTENDLY_TESTS_CLUSTER_H
/* Several `attendly serve` nodes on one throwaway PostgreSQL, optionally behind a
 * throwaway nginx (pgcluster.h, server.h, nginx.h), all on 127.0.0.1. Every node gets the
 * same JWT_SECRET_KEY (CLUSTER_JWT_SECRET) so that a token issued by one is valid on all. */
#include <stddef.h>

#include "common/nginx.h"
#include "common/pgcluster.h"
#include "common/server.h"

#define CLUSTER_MAX_NODES 4
#define CLUSTER_JWT_SECRET "multi-node-test-secret-0123456789abcdef-0123"
#define CLUSTER_MAX_BODY_MB 32

typedef struct cluster {
    pgcluster pg;
    test_server node[CLUSTER_MAX_NODES];
    int n_nodes;
    nginx_proxy proxy;
} cluster;

/* Starts the PostgreSQL server (c->pg.url). 0 or -1 (reason printed). */
int cluster_start_db(cluster *c);

/* Spawns n nodes on c->pg at the same moment, then waits for all of them: they start up
 * (and migrate) concurrently. extra_env: NULL-terminated "K=V" list for every node, after
 * the cluster's own settings. 0, or -1 (reason printed; the nodes that started stay). */
int cluster_start_nodes(cluster *c, int n, const char *const *extra_env);

/* nginx round-robin over every running node; c->proxy.front is its address. 0 or -1. */
int cluster_start_proxy(cluster *c);

/* Stops nginx, then the nodes: 0 when every one exited cleanly. */
int cluster_stop_front(cluster *c);
/* cluster_stop_front, then the PostgreSQL server. Safe to call more than once. */
int cluster_stop(cluster *c);

#endif
