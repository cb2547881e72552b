/* mip_glpk.c - the only file that talks to GLPK. */
#include "adapters/mip.h"
#include "svcov/sv_text.h"

#include <glpk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sv_glpk_version(void)
{
    return glp_version();
}

typedef struct {
    const sv_mip_problem *p;
    sv_ctx *ctx; /* ^C stops the search (glp_ios_terminate) */
    int start_given;
    double bound;
    int have_bound;
} callback_state;

/* GLPK's branch-and-cut callback: stops on an interrupt, offers the greedy answer once as an incumbent, keeps the best bound. */
static void on_tree(glp_tree *tree, void *info)
{
    callback_state *cs = info;
    if (sv_ctx_interrupted(cs->ctx)) {
        glp_ios_terminate(tree);
        return;
    }
    switch (glp_ios_reason(tree)) {
    case GLP_IHEUR:
        /* Hand GLPK the greedy answer once, as an incumbent to prune with. */
        if (!cs->start_given && cs->p->start && !cs->p->capacity) {
            glp_prob *P = glp_ios_get_prob(tree);
            int n = glp_get_num_cols(P);
            double *x = sv_calloc((size_t)n + 1, sizeof *x);
            if (x) {
                /* Columns 1..n_cands are the candidates; the rest (y, z) follow
                 * from them. */
                size_t nc = cs->p->n_cands;
                for (size_t j = 0; j < nc; j++)
                    x[j + 1] = cs->p->start[j] ? 1.0 : 0.0;
                if (cs->p->kind == SV_MIP_MCLP || cs->p->need_weight > 0) {
                    /* y_g = 1 when a chosen candidate covers group g */
                    for (size_t g = 0; g < cs->p->n_groups; g++) {
                        double y = 0;
                        for (size_t t = cs->p->gstart[g]; t < cs->p->gstart[g + 1]; t++)
                            if (cs->p->start[cs->p->gcand[t]])
                                y = 1;
                        x[nc + g + 1] = y;
                    }
                    /* z_d = min(floor, covered in d) */
                    if (cs->p->gdistrict) {
                        size_t base = nc + cs->p->n_groups;
                        for (size_t d = 0; d < cs->p->n_districts; d++) {
                            double cov = 0;
                            for (size_t g = 0; g < cs->p->n_groups; g++)
                                if (cs->p->gdistrict[g] == (int)d && x[nc + g + 1] > 0.5)
                                    cov += cs->p->weight[g];
                            x[base + d + 1] = fmin(cov, cs->p->floor_weight[d]);
                        }
                    }
                }
                glp_ios_heur_sol(tree, x);
                free(x);
            }
            cs->start_given = 1;
        }
        break;
    case GLP_ISELECT:
    case GLP_IBRANCH:
    case GLP_IBINGO: {
        int best = glp_ios_best_node(tree);
        if (best) {
            cs->bound = glp_ios_node_bound(tree, best);
            cs->have_bound = 1;
        }
        break;
    }
    default:
        break;
    }
}

/* GLPK's tm_lim (ms) for what is left of limit_s since t0; at least 1 ms,
 * so a limit that is used up still stops GLPK at its first check. */
static int ms_left(double limit_s, double t0)
{
    double left = 1000.0 * (limit_s - (sv_clock_s() - t0));
    return (int)fmin(fmax(left, 1.0), 2e9);
}

/* The model as free MPS for other solvers. MPS has no standard objective
 * sense: glpsol refuses an OBJSENSE section and cbc ignores it, and both
 * minimise. So a maximisation is written as the minimisation of the
 * negated objective (its optimum is minus ours), and the problem name in
 * the file's header and NAME line says so. */
static sv_status write_mps(sv_ctx *ctx, glp_prob *P, const char *name, const char *path)
{
    glp_prob *M = glp_create_prob();
    glp_copy_prob(M, P, GLP_OFF);
    glp_set_prob_name(M, name);
    if (glp_get_obj_dir(P) == GLP_MAX) {
        glp_set_obj_dir(M, GLP_MIN);
        for (int c = 1; c <= glp_get_num_cols(M); c++)
            glp_set_obj_coef(M, c, -glp_get_obj_coef(P, c));
    }
    /* GLPK does not see a write that failed (a full disk, /dev/full: it returns 0, the file cut short) and
       writes path in place: it writes a file in TMPDIR, which must end with ENDATA, and svcov writes that to
       path (sv_write_file_atomic: a full disk said so, an earlier file kept) */
    const char *td = getenv("TMPDIR");
    char stage[4200], tmp[4400];
    snprintf(stage, sizeof stage, "%s/svcov-model-out.mps", td && *td ? td : "/tmp");
    sv_status st = sv_tmp_create(ctx, stage, tmp, sizeof tmp);
    int rc = st == SV_OK ? glp_write_mps(M, GLP_MPS_FILE, NULL, tmp) : -1;
    glp_delete_prob(M);
    sv_buf b = {0};
    FILE *f = st == SV_OK && rc == 0 ? fopen(tmp, "rb") : NULL;
    char chunk[65536];
    size_t k;
    while (f && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        sv_buf_add(&b, chunk, k);
    int complete = f && !ferror(f) && !b.failed && b.len >= 7 && memcmp(b.data + b.len - 7, "ENDATA\n", 7) == 0;
    if (f)
        fclose(f);
    if (st == SV_OK) {
        sv_tmp_remove(tmp);
        if (b.failed)
            st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the model of %s", path);
        else if (!complete)
            st = sv_error(ctx, SV_ERR_OUTPUT, "cannot write the model to %s: GLPK's file in %s was cut short (is "
                          "the disk full? TMPDIR picks another folder)", path, td && *td ? td : "/tmp");
        else
            st = sv_write_file_atomic(ctx, path, b.data, b.len);
    }
    sv_buf_free(&b);
    return st;
}

/* Loads and covered shares from the assignment y (v[nc + t] for pair t),
 * made exactly feasible: a solver's tolerances (CBC's 1e-7) can leave a
 * group assigned a hair over once or a site a hair over its capacity, and
 * no stored load may exceed its capacity. */
static void capacitated_loads(const sv_mip_problem *p, double *v, sv_mip_solution *out)
{
    size_t nc = p->n_cands;
    for (size_t g = 0; g < p->n_groups; g++) {
        double sum = 0;
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            v[nc + t] = fmin(1.0, fmax(0.0, v[nc + t]));
            if (!out->x[p->gcand[t]])
                v[nc + t] = 0; /* only open sites serve */
            sum += v[nc + t];
        }
        if (sum > 1)
            for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++)
                v[nc + t] /= sum;
    }
    for (size_t j = 0; j < nc; j++)
        out->load[j] = 0;
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++)
            out->load[p->gcand[t]] += p->weight[g] * v[nc + t];
    for (size_t g = 0; g < p->n_groups; g++)
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            size_t j = p->gcand[t];
            double cap = fmax(0.0, p->capacity[j]);
            if (out->load[j] > cap && out->load[j] > 0)
                v[nc + t] *= cap / out->load[j];
        }
    for (size_t j = 0; j < nc; j++)
        out->load[j] = 0;
    for (size_t g = 0; g < p->n_groups; g++) {
        out->cover[g] = 0;
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            out->cover[g] += v[nc + t];
            out->load[p->gcand[t]] += p->weight[g] * v[nc + t];
        }
    }
    for (size_t j = 0; j < nc; j++) /* the last rounding of the sum */
        out->load[j] = fmin(out->load[j], fmax(0.0, p->capacity[j]));
}

/* The model as plain arrays, built once for both solvers: GLPK loads it
 * (glp_load_matrix takes the triplets in the order they were made, which
 * fixes the order of its row lists), CBC gets it as compressed sparse
 * columns. Rows and columns of the triplets are GLPK's, from 1. */
typedef struct {
    int ncols, nrows, ne, maximise;
    double *collb, *colub, *obj; /* per column, from 0; -HUGE_VAL / HUGE_VAL where there is no bound */
    unsigned char *integer;
    double *rowlb, *rowub;       /* per row, from 0 */
    int *ia, *ja;                /* ne triplets in [1 .. ne] */
    double *ar;
} mip_model;

static void model_free(mip_model *m)
{
    free(m->collb);
    free(m->colub);
    free(m->obj);
    free(m->integer);
    free(m->rowlb);
    free(m->rowub);
    free(m->ia);
    free(m->ja);
    free(m->ar);
    memset(m, 0, sizeof *m);
}

/* Columns continuous in [0, 1] with no objective, rows free; -1 when out
 * of memory. */
static int model_alloc(mip_model *m, size_t ncols, size_t nrows, size_t nnz)
{
    memset(m, 0, sizeof *m);
    m->ncols = (int)ncols;
    m->nrows = (int)nrows;
    m->collb = sv_malloc((ncols + 1) * sizeof *m->collb);
    m->colub = sv_malloc((ncols + 1) * sizeof *m->colub);
    m->obj = sv_calloc(ncols + 1, sizeof *m->obj);
    m->integer = sv_calloc(ncols + 1, 1);
    m->rowlb = sv_malloc((nrows + 1) * sizeof *m->rowlb);
    m->rowub = sv_malloc((nrows + 1) * sizeof *m->rowub);
    m->ia = sv_malloc((nnz + 1) * sizeof *m->ia);
    m->ja = sv_malloc((nnz + 1) * sizeof *m->ja);
    m->ar = sv_malloc((nnz + 1) * sizeof *m->ar);
    if (!m->collb || !m->colub || !m->obj || !m->integer || !m->rowlb || !m->rowub || !m->ia || !m->ja || !m->ar) {
        model_free(m);
        return -1;
    }
    for (size_t c = 0; c < ncols; c++) {
        m->collb[c] = 0.0;
        m->colub[c] = 1.0;
    }
    for (size_t r = 0; r < nrows; r++) {
        m->rowlb[r] = -HUGE_VAL;
        m->rowub[r] = HUGE_VAL;
    }
    return 0;
}

/* GLPK's bound type of [lb, ub] */
static int glp_type(double lb, double ub)
{
    if (isinf(lb) && isinf(ub))
        return GLP_FR;
    if (isinf(lb))
        return GLP_UP;
    if (isinf(ub))
        return GLP_LO;
    return lb == ub ? GLP_FX : GLP_DB;
}

static glp_prob *glpk_from_model(const mip_model *m)
{
    glp_prob *P = glp_create_prob();
    glp_add_cols(P, m->ncols);
    for (int c = 0; c < m->ncols; c++) {
        double lb = m->collb[c], ub = m->colub[c];
        if (m->integer[c] && lb == 0.0 && ub == 1.0)
            glp_set_col_kind(P, c + 1, GLP_BV);
        else {
            glp_set_col_bnds(P, c + 1, glp_type(lb, ub), isinf(lb) ? 0.0 : lb, isinf(ub) ? 0.0 : ub);
            if (m->integer[c])
                glp_set_col_kind(P, c + 1, GLP_IV);
        }
        glp_set_obj_coef(P, c + 1, m->obj[c]);
    }
    glp_set_obj_dir(P, m->maximise ? GLP_MAX : GLP_MIN);
    if (m->nrows > 0)
        glp_add_rows(P, m->nrows);
    for (int r = 0; r < m->nrows; r++) {
        double lb = m->rowlb[r], ub = m->rowub[r];
        glp_set_row_bnds(P, r + 1, glp_type(lb, ub), isinf(lb) ? 0.0 : lb, isinf(ub) ? 0.0 : ub);
    }
    glp_load_matrix(P, m->ne, m->ia, m->ja, m->ar);
    return P;
}

/* The model solved by CBC (adapters/mip_cbc.c) instead of GLPK: its
 * triplets sorted into compressed sparse columns (stable, so the rows of
 * a column keep the order they were made in), the column values read back
 * in full precision. No greedy start: CBC 2.10's MIP start is mapped by
 * column name through its preprocessing, fails on these models ("Illegal
 * index" in getColumnName) and was seen to give wrong answers (coin-or/Cbc
 * issue 449). */
static sv_status solve_cbc(sv_ctx *ctx, const mip_model *md, const sv_mip_problem *p, sv_mip_solution *out)
{
    size_t n = (size_t)md->ncols, ne = (size_t)md->ne;
    int *start = sv_calloc(n + 1, sizeof *start), *next = sv_malloc((n + 1) * sizeof *next);
    int *index = sv_malloc((ne + 1) * sizeof *index);
    double *value = sv_malloc((ne + 1) * sizeof *value), *v = sv_calloc(n + 1, sizeof *v);
    sv_status st = SV_OK;
    out->bound = NAN;
    double t0 = sv_clock_s();
    if (!start || !next || !index || !value || !v) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory for the CBC model");
        goto done;
    }
    for (size_t k = 1; k <= ne; k++) /* column ja - 1 ends at start[ja] */
        start[md->ja[k]]++;
    for (size_t c = 1; c <= n; c++)
        start[c] += start[c - 1];
    memcpy(next, start, n * sizeof *next);
    for (size_t k = 1; k <= ne; k++) {
        int pos = next[md->ja[k] - 1]++;
        index[pos] = md->ia[k] - 1;
        value[pos] = md->ar[k];
    }
    sv_cbc_model m = {md->ncols, md->nrows, start, index, value, md->collb, md->colub, md->obj, md->rowlb,
                      md->rowub, md->integer, 0.0, md->maximise, p->time_limit_s};
    sv_cbc_result res;
    if ((st = sv_cbc_solve(ctx, &m, v, &res)) != SV_OK)
        goto done;
    sv_cbc_status cs = res.status;
    double objv = res.objective, bound = res.bound;
    out->lp_done = res.lp_done;
    out->lp_integral = res.lp_integral;
    if (cs == SV_CBC_OPTIMAL || cs == SV_CBC_STOPPED) {
        out->feasible = 1;
        out->proven = cs == SV_CBC_OPTIMAL;
        out->timed_out = cs == SV_CBC_STOPPED;
        out->objective = objv;
        for (size_t j = 0; j < p->n_cands; j++)
            out->x[j] = v[j] > 0.5;
        /* CBC's best possible objective when it is on the right side of the answer */
        if (out->proven)
            out->bound = out->objective;
        else if (isfinite(bound) && (md->maximise ? bound >= objv : bound <= objv))
            out->bound = bound;
        if (p->capacity && out->load && out->cover)
            capacitated_loads(p, v, out);
    } else {
        out->timed_out = cs == SV_CBC_NONE;
    }
done:
    out->seconds = sv_clock_s() - t0;
    free(start);
    free(next);
    free(index);
    free(value);
    free(v);
    return st;
}

/* Write the model when asked, then solve it: with CBC, or with GLPK (its
 * LP relaxation, then branch and bound). Shared by the coverage models and
 * the capacitated one. */
static sv_status solve_model(sv_ctx *ctx, const mip_model *md, const sv_mip_problem *p, sv_mip_solution *out,
                             const char *mps_name)
{
    sv_status st = SV_OK;
    size_t nc = p->n_cands;
    glp_prob *P = NULL;
    if (p->mps_path || p->solver != SV_MIP_CBC)
        P = glpk_from_model(md);
    if (p->mps_path && (st = write_mps(ctx, P, mps_name, p->mps_path)) != SV_OK)
        goto done;
    if (p->solver == SV_MIP_CBC) {
        st = solve_cbc(ctx, md, p, out);
        goto done;
    }

    /* The LP relaxation first, so the branch-and-bound works on the
     * original columns and the greedy start can be handed in as is (GLPK's
     * MIP presolver would renumber them). */
    int maximise = md->maximise;
    double t0 = sv_clock_s();
    out->bound = NAN;
    glp_smcp lp;
    glp_init_smcp(&lp);
    lp.msg_lev = GLP_MSG_OFF;
    lp.presolve = GLP_ON;
    if (p->time_limit_s > 0)
        lp.tm_lim = ms_left(p->time_limit_s, t0);
    int lrc = glp_simplex(P, &lp);
    if (lrc == GLP_ETMLIM) { /* no bound, no solution: the caller keeps its own */
        out->timed_out = 1;
        goto timed;
    }
    if (lrc != 0 || glp_get_status(P) != GLP_OPT) {
        if (glp_get_status(P) == GLP_NOFEAS || lrc == GLP_ENOPFS) {
            out->feasible = 0;
            goto timed;
        }
        st = sv_error(ctx, SV_ERR_INTERNAL, "GLPK could not solve the LP relaxation (glp_simplex code %d)", lrc);
        goto done;
    }
    out->lp_done = 1;
    out->bound = glp_get_obj_val(P);
    callback_state cs = {p, ctx, 0, 0, 0};
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.presolve = GLP_OFF;
    parm.msg_lev = GLP_MSG_OFF;
    parm.cb_func = on_tree;
    parm.cb_info = &cs;
    if (p->time_limit_s > 0) /* what the LP relaxation left of the limit */
        parm.tm_lim = ms_left(p->time_limit_s, t0);
    int rc = glp_intopt(P, &parm);
    int status = glp_mip_status(P);
    if (sv_ctx_interrupted(ctx)) {
        st = sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted while GLPK searched");
        goto done;
    }
    if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_ESTOP && rc != GLP_EMIPGAP) {
        if (rc == GLP_ENOPFS || status == GLP_NOFEAS) {
            out->feasible = 0;
            goto timed;
        }
        st = sv_error(ctx, SV_ERR_INTERNAL, "GLPK's MIP solver failed (glp_intopt code %d)", rc);
        goto done;
    }
    out->timed_out = rc == GLP_ETMLIM;
    /* the tighter of the LP relaxation and the best open node */
    if (cs.have_bound)
        out->bound = maximise ? fmin(out->bound, cs.bound) : fmax(out->bound, cs.bound);
    if (status == GLP_OPT || status == GLP_FEAS) {
        out->feasible = 1;
        out->proven = status == GLP_OPT;
        out->objective = glp_mip_obj_val(P);
        for (size_t j = 0; j < nc; j++)
            out->x[j] = glp_mip_col_val(P, (int)j + 1) > 0.5;
        if (out->proven)
            out->bound = out->objective;
        if (p->capacity && out->load && out->cover) { /* y_t: the group's share assigned to a candidate */
            size_t ncols = (size_t)glp_get_num_cols(P);
            double *v = sv_malloc((ncols + 1) * sizeof *v);
            if (!v) {
                st = sv_error(ctx, SV_ERR_NOMEM, "out of memory reading the capacitated solution");
                goto done;
            }
            for (size_t c = 0; c < ncols; c++)
                v[c] = glp_mip_col_val(P, (int)c + 1);
            capacitated_loads(p, v, out);
            free(v);
        }
    }
timed:
    out->seconds = sv_clock_s() - t0;
done:
    if (P)
        glp_delete_prob(P);
    return st;
}

/* The capacitated MCLP: columns x_j (open) and y_t for every pair t =
 * (group g, candidate j in g's list) in list order; rows: each group
 * assigned at most once (sum_t y_t <= 1), each candidate serving at most
 * its capacity when open (sum w_g y_t - C_j x_j <= 0), y_t <= x_j (the
 * strong form: a far tighter LP bound), sum x <= k. */
static sv_status solve_capacitated(sv_ctx *ctx, const sv_mip_problem *p, sv_mip_solution *out,
                                   const char *mps_name)
{
    size_t nc = p->n_cands, ng = p->n_groups, npair = p->gstart[ng];
    out->load = sv_calloc(nc + 1, sizeof *out->load);
    out->cover = sv_calloc(ng + 1, sizeof *out->cover);
    mip_model md;
    if (!out->load || !out->cover || model_alloc(&md, nc + npair, ng + nc + npair + 1, 4 * npair + 2 * nc + 8) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory building the capacitated siting model");
    int *ia = md.ia, *ja = md.ja;
    double *ar = md.ar;
    for (size_t j = 0; j < nc; j++)
        md.integer[j] = 1;
    for (size_t g = 0; g < ng; g++)
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++)
            md.obj[nc + t] = p->weight[g];
    md.maximise = 1;
    size_t e = 0;
    int row = 0;
    for (size_t g = 0; g < ng; g++) { /* sum_t y_t <= 1 */
        row++;
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            ia[++e] = row;
            ja[e] = (int)(nc + t) + 1;
            ar[e] = 1.0;
        }
        md.rowub[row - 1] = 1.0;
    }
    int first_cap = row + 1; /* sum w y - C x <= 0, one per candidate */
    row += (int)nc;
    for (size_t j = 0; j < nc; j++) {
        ia[++e] = first_cap + (int)j;
        ja[e] = (int)j + 1;
        ar[e] = -fmax(0.0, p->capacity[j]);
        md.rowub[first_cap + (int)j - 1] = 0.0;
    }
    for (size_t g = 0; g < ng; g++)
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            ia[++e] = first_cap + (int)p->gcand[t];
            ja[e] = (int)(nc + t) + 1;
            ar[e] = p->weight[g];
            row++; /* y_t - x_j <= 0 */
            ia[++e] = row;
            ja[e] = (int)(nc + t) + 1;
            ar[e] = 1.0;
            ia[++e] = row;
            ja[e] = (int)p->gcand[t] + 1;
            ar[e] = -1.0;
            md.rowub[row - 1] = 0.0;
        }
    row++; /* sum x <= k */
    for (size_t j = 0; j < nc; j++) {
        ia[++e] = row;
        ja[e] = (int)j + 1;
        ar[e] = 1.0;
    }
    md.rowub[row - 1] = (double)p->k;
    md.ne = (int)e;
    sv_status st = solve_model(ctx, &md, p, out, mps_name);
    model_free(&md);
    return st;
}

sv_status sv_mip_solve(sv_ctx *ctx, const sv_mip_problem *p, sv_mip_solution *out)
{
    memset(out, 0, sizeof *out);
    size_t nc = p->n_cands, ng = p->n_groups;
    int with_y = p->kind == SV_MIP_MCLP || p->need_weight > 0;
    int with_floor = p->kind == SV_MIP_MCLP && p->gdistrict && p->n_districts > 0;
    size_t nd = with_floor ? p->n_districts : 0;
    out->x = sv_calloc(nc + 1, 1);
    if (!out->x)
        return SV_ERR_NOMEM;
    const char *mps_name = p->capacity ? "svcov_capacitated_mclp_minimise_minus_assigned_weight"
                           : p->kind == SV_MIP_LSCP ? "svcov_lscp_minimise_new_sites"
                           : with_floor ? "svcov_mclp_floors_minimise_minus_floor_units_and_new_covered_weight"
                                        : "svcov_mclp_minimise_minus_new_covered_weight";
    glp_term_out(GLP_OFF);
    if (nc == 0 || ng == 0) { /* nothing to decide: an empty model (optimum 0) */
        out->feasible = out->proven = 1;
        if (!p->mps_path)
            return SV_OK;
        glp_prob *E = glp_create_prob();
        sv_status st = write_mps(ctx, E, mps_name, p->mps_path);
        glp_delete_prob(E);
        return st;
    }
    if (p->capacity)
        return solve_capacitated(ctx, p, out, mps_name);
    double total_w = 0;
    for (size_t g = 0; g < ng; g++)
        total_w += p->weight[g];
    /* Floors count before the total: one unit of floor is worth more than
     * all the demand together. */
    double big = total_w + 1.0;

    /* Columns: x_j (candidates), y_g (group covered), z_d (floor reached);
     * rows: one per group, sum x <= k (MCLP) or the needed weight (LSCP
     * with a target), one per floor. */
    size_t ncols = nc + (with_y ? ng : 0) + nd;
    size_t nrows = ng + (p->kind == SV_MIP_MCLP || p->need_weight > 0 ? 1 : 0) + nd;
    size_t nnz = 0;
    for (size_t g = 0; g < ng; g++)
        nnz += p->gstart[g + 1] - p->gstart[g] + 1;
    nnz += nc + ng + nd * (ng + 1) + 8;
    mip_model md;
    if (model_alloc(&md, ncols, nrows, nnz) != 0)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory building the siting model");
    int *ia = md.ia, *ja = md.ja;
    double *ar = md.ar;
    for (size_t j = 0; j < nc; j++) {
        md.integer[j] = 1;
        md.obj[j] = p->kind == SV_MIP_LSCP ? 1.0 : 0.0;
    }
    if (with_y)
        for (size_t g = 0; g < ng; g++)
            md.obj[nc + g] = p->kind == SV_MIP_MCLP ? p->weight[g] : 0.0;
    for (size_t d = 0; d < nd; d++) {
        size_t c = nc + ng + d;
        md.colub[c] = fmax(0.0, p->floor_weight[d]);
        md.obj[c] = big;
    }
    md.maximise = p->kind == SV_MIP_MCLP;

    size_t e = 0;
    int row = 0;
    for (size_t g = 0; g < ng; g++) {
        row++;
        for (size_t t = p->gstart[g]; t < p->gstart[g + 1]; t++) {
            ia[++e] = row;
            ja[e] = (int)p->gcand[t] + 1;
            ar[e] = 1.0;
        }
        if (with_y) { /* sum x - y_g >= 0 */
            ia[++e] = row;
            ja[e] = (int)(nc + g) + 1;
            ar[e] = -1.0;
            md.rowlb[row - 1] = 0.0;
        } else { /* sum x >= 1 */
            md.rowlb[row - 1] = 1.0;
        }
    }
    if (p->kind == SV_MIP_MCLP) { /* sum x <= k */
        row++;
        for (size_t j = 0; j < nc; j++) {
            ia[++e] = row;
            ja[e] = (int)j + 1;
            ar[e] = 1.0;
        }
        md.rowub[row - 1] = (double)p->k;
    } else if (p->need_weight > 0) { /* sum w y >= need */
        row++;
        for (size_t g = 0; g < ng; g++) {
            ia[++e] = row;
            ja[e] = (int)(nc + g) + 1;
            ar[e] = p->weight[g];
        }
        md.rowlb[row - 1] = p->need_weight;
    }
    for (size_t d = 0; d < nd; d++) { /* z_d - sum_{g in d} w y <= 0 */
        row++;
        ia[++e] = row;
        ja[e] = (int)(nc + ng + d) + 1;
        ar[e] = 1.0;
        for (size_t g = 0; g < ng; g++)
            if (p->gdistrict[g] == (int)d) {
                ia[++e] = row;
                ja[e] = (int)(nc + g) + 1;
                ar[e] = -p->weight[g];
            }
        md.rowub[row - 1] = 0.0;
    }
    md.ne = (int)e;
    sv_status st = solve_model(ctx, &md, p, out, mps_name);
    model_free(&md);
    return st;
}
