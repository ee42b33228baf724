/* Several nodes on one PostgreSQL behind nginx (cluster.h). */
#include "common/cluster.h"

#include <stdio.h>
#include <string.h>

#define CLUSTER_MAX_ENV 32

int cluster_start_db(cluster *c)
{
    char err[1024];
    memset(c, 0, sizeof *c);
    if (pgcluster_start(&c->pg, err, sizeof err) != 0) {
        fprintf(stderr, "pgcluster: %s\n", err);
        return -1;
    }
    return 0;
}

int cluster_start_nodes(cluster *c, int n, const char *const *extra_env)
{
    static char body_env[32];
    const char *env[CLUSTER_MAX_ENV + 1];
    char err[2048];
    int k = 0, rc = 0, first = c->n_nodes;

    if (first + n > CLUSTER_MAX_NODES) {
        fprintf(stderr, "cluster: at most %d nodes\n", CLUSTER_MAX_NODES);
        return -1;
    }
    snprintf(body_env, sizeof body_env, "MAX_BODY_MB=%d", CLUSTER_MAX_BODY_MB);
    env[k++] = "JWT_SECRET_KEY=" CLUSTER_JWT_SECRET;
    env[k++] = body_env;
    for (; extra_env && *extra_env && k < CLUSTER_MAX_ENV; extra_env++)
        env[k++] = *extra_env;
    env[k] = NULL;
    for (int i = first; i < first + n; i++) {
        if (test_server_spawn(&c->node[i], c->pg.url, env, err, sizeof err) != 0) {
            fprintf(stderr, "node %d: %s\n", i, err);
            return -1;
        }
        c->n_nodes = i + 1;
    }
    for (int i = first; i < first + n; i++)
        if (test_server_wait(&c->node[i], err, sizeof err) != 0) {
            fprintf(stderr, "node %d: %s\n", i, err);
            rc = -1;
        }
    return rc;
}

int cluster_start_proxy(cluster *c)
{
    int ports[CLUSTER_MAX_NODES], n = 0;
    char err[2048];
    for (int i = 0; i < c->n_nodes; i++)
        if (c->node[i].pid > 0)
            ports[n++] = c->node[i].port;
    if (nginx_proxy_start(&c->proxy, ports, n, CLUSTER_MAX_BODY_MB, err, sizeof err) != 0) {
        fprintf(stderr, "nginx: %s\n", err);
        return -1;
    }
    return 0;
}

int cluster_stop_front(cluster *c)
{
    int rc = 0;
    if (nginx_proxy_stop(&c->proxy) != 0) {
        fprintf(stderr, "nginx did not exit cleanly\n");
        rc = -1;
    }
    for (int i = 0; i < c->n_nodes; i++)
        if (c->node[i].pid > 0 && test_server_stop(&c->node[i]) != 0) {
            fprintf(stderr, "node %d did not exit cleanly\n", i);
            rc = -1;
        }
    c->n_nodes = 0;
    return rc;
}

int cluster_stop(cluster *c)
{
    int rc = cluster_stop_front(c);
    pgcluster_stop(&c->pg);
    return rc;
}
