/* breaks.c - what --minutes/--radius/--mode/--speed/--detour mean (see sv_breaks.h). */
#include "svcov/sv_breaks.h"
#include "svcov/sv_analyze.h"
#include "svcov/sv_lang.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Walking 5 km/h is the usual planning pace (the 15-minute circle of about
 * 1.2 km); 15 km/h an ordinary city cyclist; 20 km/h a delivery rider on an
 * e-bike (China caps e-bikes at 25 km/h, GB 17761-2018; riders average less
 * with stops). */
static const sv_mode_info modes[] = {
    {"walk", 5.0, "walking, 5 km/h"},
    {"bike", 15.0, "cycling, 15 km/h"},
    {"ebike", 20.0, "e-bike (delivery riders), 20 km/h"},
    {NULL, 0, NULL},
};

const sv_mode_info *sv_modes(void)
{
    return modes;
}

double sv_mode_kmh(const char *name)
{
    for (const sv_mode_info *mi = modes; mi->name; mi++)
        if (name && strcasecmp(mi->name, name) == 0)
            return mi->speed_kmh;
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

sv_status sv_breaks_values(sv_ctx *ctx, const char *opt, const double *v, size_t n, double max, double **out,
                           size_t *n_out, size_t *n_merged)
{
    *out = NULL;
    *n_out = 0;
    *n_merged = 0;
    int metres = strcmp(opt, "--radius") == 0;
    if (n == 0)
        return sv_error(ctx, SV_ERR_USAGE, "no breaks: give --minutes 10,15 or --radius 500,1000");
    for (size_t i = 0; i < n; i++)
        if (!(v[i] > 0) || !isfinite(v[i]) || v[i] > max)
            return sv_error(ctx, SV_ERR_USAGE, "%s %g: a break is a positive %s (at most %g)", opt, v[i],
                            metres ? sv_tr(sv_ctx_lang(ctx), "distance in metres") : sv_tr(sv_ctx_lang(ctx), "number of minutes"), max);
    double *s = sv_malloc(n * sizeof *s);
    if (!s)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    size_t m = 0;
    char rep[256] = "";
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && s[i] == s[m - 1]) {
            size_t used = strlen(rep);
            if (used + 32 < sizeof rep)
                snprintf(rep + used, sizeof rep - used, "%s%g", used ? ", " : "", s[i]);
            continue;
        }
        s[m++] = s[i];
    }
    if (m < n)
        sv_warning(ctx, "%s: %s given more than once; each break is computed and written once (%zu break%s)", opt,
                   rep, m, m == 1 ? "" : "s");
    *out = s;
    *n_out = m;
    *n_merged = n - m;
    return SV_OK;
}

sv_status sv_breaks_make(sv_ctx *ctx, const sv_breaks_spec *sp, sv_breaks *out)
{
    memset(out, 0, sizeof *out);
    if (sp->n_minutes && sp->n_radii)
        return sv_error(ctx, SV_ERR_USAGE, "give breaks either as --minutes or as --radius, not both");
    double detour = sp->detour == 0 ? 1.0 : sp->detour;
    if (!(detour >= 1.0) || !isfinite(detour))
        return sv_error(ctx, SV_ERR_USAGE,
                        "--detour %g: the circuity factor is >= 1 (1.0 straight line, about 1.2-1.4 in a "
                        "street grid)",
                        detour);
    double speed = 0;
    const char *name = "distance";
    if (!sp->n_radii) {
        const char *m = sp->mode && *sp->mode ? sp->mode : SV_DEFAULT_MODE;
        const sv_mode_info *mode = NULL;
        for (const sv_mode_info *mi = sv_modes(); mi->name; mi++)
            if (strcasecmp(mi->name, m) == 0)
                mode = mi;
        if (sp->speed_kmh != 0) {
            if (!(sp->speed_kmh > 0) || !isfinite(sp->speed_kmh) || sp->speed_kmh > 300)
                return sv_error(ctx, SV_ERR_USAGE, "--speed %g: give a speed in km/h above 0 (at most 300)",
                                sp->speed_kmh);
            speed = sp->speed_kmh;
            name = "custom";
        } else if (mode) {
            speed = mode->speed_kmh;
            name = mode->name;
        } else {
            return sv_error(ctx, SV_ERR_USAGE, "--mode %s: use walk, bike or ebike, or give --speed KMH", m);
        }
    }
    double *v = NULL;
    size_t n = 0;
    sv_status st = sp->n_radii ? sv_breaks_values(ctx, "--radius", sp->radii, sp->n_radii, 1e6, &v, &n, &out->n_merged)
                               : sv_breaks_values(ctx, "--minutes", sp->minutes, sp->n_minutes, 24 * 60, &v, &n,
                                                  &out->n_merged);
    if (st != SV_OK)
        return st;
    out->breaks = sv_calloc(n, sizeof *out->breaks);
    if (!out->breaks) {
        free(v);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        out->breaks[i].minutes = sp->n_radii ? NAN : v[i];
        out->breaks[i].radius_m = sp->n_radii ? v[i] : speed * 1000.0 / 60.0 * v[i] / detour;
    }
    free(v);
    out->n = n;
    out->speed_kmh = speed;
    snprintf(out->mode, sizeof out->mode, "%s", name);
    return SV_OK;
}

void sv_breaks_free(sv_breaks *b)
{
    if (!b)
        return;
    free(b->breaks);
    memset(b, 0, sizeof *b);
}

static const sv_preset_break gb50180_breaks[] = {
    {5, 300, "5-minute life circle", "5分钟生活圈"},
    {10, 500, "10-minute life circle", "10分钟生活圈"},
    {15, 1000, "15-minute life circle", "15分钟生活圈"},
};

static const sv_preset presets[] = {
    {"gb50180", SV_N_("GB 50180-2018 life circles: 5, 10, 15 minutes at 300, 500, 1000 m (15 minutes: 800-1000 m)"),
     gb50180_breaks, sizeof gb50180_breaks / sizeof gb50180_breaks[0]},
    {NULL, NULL, NULL, 0},
};

const sv_preset *sv_presets(void)
{
    return presets;
}

sv_status sv_preset_resolve(sv_ctx *ctx, const char *name, const double *radii, size_t n_radii, size_t n_minutes,
                            const sv_preset **out, double *radii_out)
{
    *out = NULL;
    const sv_preset *p = NULL;
    char all[256] = "";
    for (const sv_preset *q = presets; q->name; q++) {
        size_t k = strlen(all);
        snprintf(all + k, sizeof all - k, "%s%s", k ? ", " : "", q->name);
        if (name && strcasecmp(q->name, name) == 0)
            p = q;
    }
    if (!p)
        return sv_error(ctx, SV_ERR_USAGE, "--preset %s: no such preset; presets are: %s (svcov analyze --help "
                        "lists them)", name ? name : "(none)", all);
    if (n_minutes)
        return sv_error(ctx, SV_ERR_USAGE, "--preset %s gives distances (the minutes only name the life circles); "
                        "change a distance with --radius (%zu values, one per circle), not --minutes", p->name, p->n);
    if (n_radii && n_radii != p->n)
        return sv_error(ctx, SV_ERR_USAGE, "--preset %s --radius: give %zu distances, one per life circle in order "
                        "(e.g. --radius %g,%g,900), not %zu", p->name, p->n, p->breaks[0].radius_m,
                        p->n > 1 ? p->breaks[1].radius_m : 500.0, n_radii);
    for (size_t i = 0; i < p->n; i++) {
        double r = n_radii ? radii[i] : p->breaks[i].radius_m;
        if (!(r > 0) || !isfinite(r) || r > 1e6 || (i > 0 && !(r > radii_out[i - 1])))
            return sv_error(ctx, SV_ERR_USAGE, "--preset %s --radius: %g is not a distance above the one before "
                            "(give %zu ascending distances in metres, one per life circle)", p->name, r, p->n);
        radii_out[i] = r;
    }
    *out = p;
    return SV_OK;
}

const char *sv_break_label(sv_lang L, double minutes, double radius_m, const char *label, const char *label_zh,
                           char *buf, size_t size)
{
    const char *lab = L == SV_LANG_ZH && label_zh && *label_zh ? label_zh : label;
    if (lab && *lab)
        snprintf(buf, size, sv_tr(L, "%s (%g m)"), lab, radius_m);
    else if (!isnan(minutes))
        snprintf(buf, size, sv_tr(L, "%g min"), minutes);
    else
        snprintf(buf, size, sv_tr(L, "%g m"), radius_m);
    return buf;
}
