/* analyze_breaks.c - the breaks stage of svcov analyze: a preset's distances, or
 * --minutes/--radius with the mode's speed (circles: the rule shared with svcov
 * site, sv_breaks_make in engine/breaks.c; a network: the mode's speed table). */
#include "pipeline/analyze_stages.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Breaks in network mode: minutes at the mode's speeds, or metres along
 * the streets (ascending, repeats merged by sv_breaks_values). radius_m of
 * a minutes break is the distance at the mode's default speed, for
 * reference only. budget[] holds at least as many entries as values given. */
static sv_status make_network_breaks(sv_ctx *ctx, const sv_analyze_opts *o, const sv_travel_mode *m, sv_analysis *a,
                                     double *budget)
{
    if (o->n_minutes && o->n_radii)
        return sv_error(ctx, SV_ERR_USAGE, "give breaks either as --minutes or as --radius, not both");
    if (o->detour != 1.0 || o->speed_kmh != 0)
        return sv_error(ctx, SV_ERR_USAGE, "--detour and --speed are for circles; on a network the speeds come "
                        "from the mode's table (--speeds FILE to change them)");
    if (!(o->trim_m >= 0) || !(o->max_snap_m >= 0) || o->trim_m > 10000 || o->max_snap_m > 100000)
        return sv_error(ctx, SV_ERR_USAGE, "--trim and --max-snap are distances in metres (0 or more)");
    double *v = NULL;
    size_t n = 0, merged = 0;
    sv_status st = o->n_radii ? sv_breaks_values(ctx, "--radius", o->radii, o->n_radii, 1e6, &v, &n, &merged)
                              : sv_breaks_values(ctx, "--minutes", o->minutes, o->n_minutes, 24 * 60, &v, &n, &merged);
    if (st != SV_OK)
        return st;
    if (!(a->breaks = sv_calloc(n, sizeof *a->breaks))) {
        free(v);
        return SV_ERR_NOMEM;
    }
    a->n_breaks = n;
    snprintf(a->mode, sizeof a->mode, "%s", m->name);
    a->speed_kmh = o->n_radii ? 0 : m->default_kmh;
    for (size_t i = 0; i < n; i++) {
        a->breaks[i].minutes = o->n_radii ? NAN : v[i];
        a->breaks[i].radius_m = o->n_radii ? v[i] : m->default_kmh / 3.6 * 60.0 * v[i];
        budget[i] = o->n_radii ? v[i] : v[i] * 60.0;
    }
    free(v);
    return SV_OK;
}

/* Circle breaks: the one rule shared with svcov site (sv_breaks_make). */
static sv_status make_breaks(sv_ctx *ctx, const sv_analyze_opts *o, sv_analysis *a)
{
    if (o->quad_segs < 2 || o->quad_segs > 1000)
        return sv_error(ctx, SV_ERR_USAGE, "--quad-segs %d: use 2..1000 (32 gives 128-vertex circles)",
                        o->quad_segs);
    sv_breaks_spec sp = {o->minutes, o->n_minutes, o->radii, o->n_radii, o->mode, o->speed_kmh, o->detour};
    sv_breaks b;
    sv_status st = sv_breaks_make(ctx, &sp, &b);
    if (st != SV_OK)
        return st;
    a->breaks = b.breaks; /* taken over */
    a->n_breaks = b.n;
    a->speed_kmh = b.speed_kmh;
    snprintf(a->mode, sizeof a->mode, "%s", b.mode);
    return SV_OK;
}

/* Fills a->preset (and s->preset_opts, s->o), a->network, a->breaks,
 * a->n_breaks, a->mode, a->speed_kmh; network mode: s->mode, s->budget. */
sv_status sv_analyze_breaks(sv_analyze_state *s)
{
    sv_ctx *ctx = s->ctx;
    const sv_analyze_opts *o = s->o;
    sv_analysis *a = s->a;
    sv_status rc;
    if (o->preset) { /* the preset's distances (or the planner's) as metre breaks */
        if ((rc = sv_preset_resolve(ctx, o->preset, o->radii, o->n_radii, o->n_minutes, &a->preset,
                                    s->preset_radii)) != SV_OK)
            return rc;
        s->preset_opts = *o;
        s->preset_opts.radii = s->preset_radii;
        s->preset_opts.n_radii = a->preset->n;
        s->preset_opts.minutes = NULL;
        s->preset_opts.n_minutes = 0;
        o = s->o = &s->preset_opts;
    }
    a->network = o->network.spec != NULL;
    if (!a->network)
        return make_breaks(ctx, o, a);
    size_t n = o->n_radii ? o->n_radii : o->n_minutes;
    if (!(s->budget = sv_calloc(n + 1, sizeof *s->budget)))
        return SV_ERR_NOMEM;
    if ((rc = sv_travel_mode_load(ctx, o->mode, o->speeds_csv, &s->mode)) != SV_OK)
        return rc;
    return make_network_breaks(ctx, o, &s->mode, a, s->budget);
}
