/* budget.c - what a run will need, estimated before it starts, against what
 * the machine has: refused with the figures when it cannot fit, warned about
 * when it takes much of it. */
#include "svcov/sv_site.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A number of bytes with an optional k/M/G/T suffix (powers of 1024), e.g. "512M"; -1 when it is not one. */
static double parse_bytes(const char *t)
{
    char *end = NULL;
    double v = strtod(t, &end);
    if (end == t || !(v > 0) || !isfinite(v))
        return -1;
    static const char units[] = "kmgt";
    const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
    if (*end && (!u || end[1]))
        return -1;
    for (const char *k = units; u && k <= u; k++)
        v *= 1024;
    return v;
}

/* One number from a cgroup v2 file ("max" or missing: -1). */
static double cgroup_value(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[64] = "";
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    char *end = NULL;
    double v = strtod(line, &end);
    return end != line && v >= 0 ? v : -1;
}

const char *sv_mem_limit_invalid(void)
{
    const char *limit = getenv("SVCOV_MEM_LIMIT");
    return limit && *limit && parse_bytes(limit) < 0 ? limit : NULL;
}

double sv_mem_available(void)
{
    /* SVCOV_MEM_LIMIT: what svcov may take, below what the machine has (a shared machine; the tests) */
    const char *limit = getenv("SVCOV_MEM_LIMIT");
    double fixed = limit && *limit ? parse_bytes(limit) : -1;
    if (fixed > 0)
        return fixed;
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    double kb = -1, have = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    if (kb > 0) {
        have = kb * 1024;
    } else {
        long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        have = pages > 0 && size > 0 ? (double)pages * (double)size : -1;
    }
    /* a container's limit (cgroup v2) binds before the machine's memory */
    double max = cgroup_value("/sys/fs/cgroup/memory.max"), cur = cgroup_value("/sys/fs/cgroup/memory.current");
    if (max > 0) {
        double room = cur >= 0 && cur < max ? max - cur : max;
        if (have < 0 || room < have)
            have = room;
    }
    return have;
}

double sv_site_grid_bytes(double step, double area_m2, double n_demand, double radius_m, int exact,
                          double *n_nodes, double *n_pairs)
{
    double nodes = area_m2 / (step * step);
    /* demand spread evenly: each node reaches the share of it within the radius */
    double share = area_m2 > 0 ? fmin(1.0, M_PI * radius_m * radius_m / area_m2) : 1.0;
    double pairs = nodes * n_demand * share;
    *n_nodes = nodes;
    *n_pairs = pairs;
    /* per node: coordinates, list start, heap entry; per pair: both lists
     * (size_t each way); the exact model holds each pair again in GLPK */
    return nodes * 64 + pairs * 16 + (exact ? pairs * 48 : 0);
}

void sv_human_bytes(double bytes, char *buf, size_t size)
{
    if (bytes >= 1e9)
        snprintf(buf, size, "%.1f GB", bytes / 1e9);
    else
        snprintf(buf, size, "%.0f MB", bytes / 1e6);
}

sv_status sv_site_grid_budget(sv_ctx *ctx, double step, double area_m2, size_t n_demand, double radius_m,
                              int exact)
{
    double nodes, pairs;
    double need = sv_site_grid_bytes(step, area_m2, (double)n_demand, radius_m, exact, &nodes, &pairs);
    double have = sv_mem_available();
    char need_s[32], have_s[32];
    sv_human_bytes(need, need_s, sizeof need_s);
    sv_human_bytes(have, have_s, sizeof have_s);
    /* the step at which the estimate takes a quarter of what is available */
    double coarser = step;
    while (have > 0 && coarser < 1e6 &&
           sv_site_grid_bytes(coarser, area_m2, (double)n_demand, radius_m, exact, &(double){0}, &(double){0}) >
               have / 4)
        coarser *= 1.25;
    if (have > 0 && need > have * 0.8)
        return sv_error(ctx, SV_ERR_USAGE,
                        "--grid %g m: about %.3g candidate sites over %.3g km2 of districts, with about %.3g candidate-demand "
                        "pairs within reach, would need about %s of memory; %s are available: use --grid %.0f "
                        "or coarser, --grid-in gaps, or --candidates",
                        step, nodes, area_m2 / 1e6, pairs, need_s, have_s, ceil(coarser));
    if ((have > 0 && need > have / 4) || nodes > 1e6)
        sv_warning(ctx, "--grid %g m: about %.3g candidate sites and %.3g demand pairs, about %s of memory (%s "
                   "available); this can take long: --grid %.0f would need a quarter of it", step, nodes, pairs,
                   need_s, have_s, ceil(coarser));
    return SV_OK;
}
