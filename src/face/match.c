/* Descriptor distance and the one-to-one face <-> candidate assignment.
 *
 * face_assign maximises the summed weight (tolerance - distance) over eligible pairs
 * (distance < tolerance) with the Hungarian method (Kuhn-Munkres, shortest augmenting
 * paths with potentials, O(n^3)). Greedy nearest-first is not enough: it can pair a face
 * with its nearest student and leave a second face, whose only match was that student,
 * unrecognised.
 *
 * Rows and columns without any eligible pair are dropped first; the rest is padded to a
 * square in which every ineligible or padding cell costs 0, so leaving a face unassigned
 * is never worse than an ineligible pair and those pairs are discarded afterwards. Ties
 * resolve deterministically: rows are added in index order and the first column of
 * least reduced cost wins. */
#include "face/face.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* n_faces and n_cands above this are refused (FACE_ERR_ARG): keeps time and memory bounded. */
#define ASSIGN_MAX 4096

double face_distance(const float *a, const float *b)
{
    double sum = 0;
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        double d = (double)a[i] - (double)b[i];
        sum += d * d;
    }
    return sqrt(sum);
}

typedef struct assign_problem {
    const double *dist;
    int n_cands;        /* row stride of dist */
    double tolerance;
    const int *rows;    /* kept face indices */
    const int *cols;    /* kept candidate indices */
    int n_rows, n_cols, n;
} assign_problem;

/* NaN and infinite distances are never eligible. */
static int eligible(double d, double tolerance)
{
    return isfinite(d) && d < tolerance;
}

/* Cost of cell (i, j) of the padded n x n square, 0-based. */
static double cell_cost(const assign_problem *p, int i, int j)
{
    if (i >= p->n_rows || j >= p->n_cols)
        return 0;
    double d = p->dist[(size_t)p->rows[i] * p->n_cands + p->cols[j]];
    return eligible(d, p->tolerance) ? -(p->tolerance - d) : 0;
}

/* Minimum-cost perfect matching of the n x n square; row_of_col[j] (1-based arrays of
 * size n+1, index 0 is the virtual start) receives the row assigned to column j. */
static void hungarian(const assign_problem *p, double *u, double *v, double *minv,
                      int *row_of_col, int *way, unsigned char *used)
{
    const int n = p->n;
    for (int j = 0; j <= n; j++) {
        u[j] = v[j] = 0;
        row_of_col[j] = 0;
    }
    for (int i = 1; i <= n; i++) {
        row_of_col[0] = i;
        int j0 = 0;
        for (int j = 0; j <= n; j++) {
            minv[j] = DBL_MAX;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            int i0 = row_of_col[j0], j1 = 0;
            double delta = DBL_MAX;
            for (int j = 1; j <= n; j++) {
                if (used[j])
                    continue;
                double cur = cell_cost(p, i0 - 1, j - 1) - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (int j = 0; j <= n; j++) {
                if (used[j]) {
                    u[row_of_col[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (row_of_col[j0] != 0);
        do {
            int j1 = way[j0];
            row_of_col[j0] = row_of_col[j1];
            j0 = j1;
        } while (j0);
    }
}

int face_assign(const double *dist, int n_faces, int n_cands, double tolerance,
                int *face_to_cand)
{
    if (n_faces < 0 || n_cands < 0 || n_faces > ASSIGN_MAX || n_cands > ASSIGN_MAX ||
        (n_faces > 0 && !face_to_cand) || (n_faces > 0 && n_cands > 0 && !dist))
        return FACE_ERR_ARG;
    for (int i = 0; i < n_faces; i++)
        face_to_cand[i] = -1;
    if (n_faces == 0 || n_cands == 0 || !(tolerance > 0) || !isfinite(tolerance))
        return FACE_OK;

    int rc = FACE_ERR_NOMEM;
    int *rows = malloc(sizeof(int) * (size_t)n_faces);
    int *cols = malloc(sizeof(int) * (size_t)n_cands);
    unsigned char *col_ok = calloc((size_t)n_cands, 1);
    double *buf = NULL;
    int *ibuf = NULL;
    unsigned char *used = NULL;
    if (!rows || !cols || !col_ok)
        goto out;

    assign_problem p = {.dist = dist, .n_cands = n_cands, .tolerance = tolerance,
                        .rows = rows, .cols = cols};
    for (int i = 0; i < n_faces; i++) {
        int any = 0;
        for (int j = 0; j < n_cands; j++) {
            if (eligible(dist[(size_t)i * n_cands + j], tolerance))
                any = col_ok[j] = 1;
        }
        if (any)
            rows[p.n_rows++] = i;
    }
    for (int j = 0; j < n_cands; j++) {
        if (col_ok[j])
            cols[p.n_cols++] = j;
    }
    rc = FACE_OK;
    if (p.n_rows == 0)
        goto out;
    p.n = p.n_rows > p.n_cols ? p.n_rows : p.n_cols;

    size_t m = (size_t)p.n + 1;
    rc = FACE_ERR_NOMEM;
    buf = malloc(sizeof(double) * m * 3);
    ibuf = malloc(sizeof(int) * m * 2);
    used = malloc(m);
    if (!buf || !ibuf || !used)
        goto out;
    int *row_of_col = ibuf, *way = ibuf + m;
    hungarian(&p, buf, buf + m, buf + 2 * m, row_of_col, way, used);
    for (int j = 1; j <= p.n; j++) {
        int i = row_of_col[j] - 1, c = j - 1;
        if (i < 0 || i >= p.n_rows || c >= p.n_cols)
            continue;
        if (eligible(dist[(size_t)rows[i] * n_cands + cols[c]], tolerance))
            face_to_cand[rows[i]] = cols[c];
    }
    rc = FACE_OK;
out:
    free(rows);
    free(cols);
    free(col_ok);
    free(buf);
    free(ibuf);
    free(used);
    return rc;
}
