/*
 * sv_breaks.h - what a break means, for analyze and site alike: minutes at
 * a travel mode's speed (or --speed) over a detour factor, or metres.
 *
 * One rule for the stored mode: metre breaks are "distance"; minutes at a
 * mode's own speed are the mode's name (walk, bike, ebike); minutes with
 * --speed KMH are "custom" (the speed itself is kept in speed_kmh), since
 * the speed is no longer the mode's. Breaks come out ascending with
 * repeated values merged (a warning on the context says which).
 */
#ifndef SV_BREAKS_H
#define SV_BREAKS_H

#include "svcov/sv_common.h"
#include "svcov/sv_coverage.h"
#include "svcov/sv_lang.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ownership: sv_modes, sv_presets and sv_preset_resolve's *out are static
 * tables (never freed). sv_breaks_values' *out is the caller's (free(), NULL
 * on failure). sv_breaks_make fills *out; its breaks are freed with
 * sv_breaks_free (NULL ok), also after a failure. sv_break_label writes into
 * the caller's buf and returns it. Specs and values are borrowed. */

/* The defaults of analyze and site (sv_analyze_opts_init, sv_siting_opts_init)
 * and of a NULL mode: walking, no detour, the analysis CRS chosen from the data. */
#define SV_DEFAULT_MODE "walk"
#define SV_DEFAULT_DETOUR 1.0
#define SV_DEFAULT_CRS "auto"

/* Travel modes for circles: documented speeds, km/h. */
typedef struct {
    const char *name;
    double speed_kmh;
    const char *what;
} sv_mode_info;
/* The table of modes, terminated by a NULL name. */
const sv_mode_info *sv_modes(void);
/* The speed of a mode of that table (walk, bike, ebike; any case) in km/h, 0 for another name. The one
 * speed table: circles (sv_breaks_make) and the network's default speeds (sv_travel_mode_load) read it. */
double sv_mode_kmh(const char *name);

typedef struct {
    const double *minutes; /* breaks in minutes ... */
    size_t n_minutes;
    const double *radii;   /* ... or in metres (not both) */
    size_t n_radii;
    const char *mode;      /* walk (NULL: walk), bike, ebike */
    double speed_kmh;      /* > 0: replaces the mode's speed (mode "custom") */
    double detour;         /* circuity factor, >= 1 (0: 1) */
} sv_breaks_spec;

typedef struct {
    char mode[32];      /* "walk", "bike", "ebike", "custom" or "distance" */
    double speed_kmh;   /* 0 for metre breaks */
    sv_break *breaks;   /* ascending, distinct; owned: sv_breaks_free */
    size_t n;
    size_t n_merged;    /* repeated values left out */
} sv_breaks;

/* Validate, sort and merge values: out[] ascending and distinct (free()).
 * opt names the option in messages ("--minutes"); max is the largest
 * allowed value. Repeats are merged with a warning on ctx. */
sv_status sv_breaks_values(sv_ctx *ctx, const char *opt, const double *v, size_t n, double max, double **out,
                           size_t *n_out, size_t *n_merged);

/* A break in the words of maps, reports and tables, into buf (returned): "LABEL (R m)" for a named
 * life circle (label_zh in Chinese when it has one; NULL or "": no label), else "N min" for a break
 * in minutes (minutes not NaN) or "R m". */
const char *sv_break_label(sv_lang L, double minutes, double radius_m, const char *label, const char *label_zh,
                           char *buf, size_t size);

/* Straight-line breaks (circles, siting). Free with sv_breaks_free. */
sv_status sv_breaks_make(sv_ctx *ctx, const sv_breaks_spec *spec, sv_breaks *out);
void sv_breaks_free(sv_breaks *b);

/* Presets: named breaks of a planning standard. gb50180: GB 50180-2018
 * (城市居住区规划设计标准), the 5-, 10- and 15-minute life circles at the
 * standard's walking distances 300, 500 and 1000 m (for 15 minutes the
 * standard gives 800-1000 m). These are planning distances, not speed x
 * time: the breaks are metres (mode "distance"), the minutes only name them. */
typedef struct {
    double minutes;                /* the life circle's name: 5, 10, 15 */
    double radius_m;               /* its distance */
    const char *label, *label_zh;  /* "5-minute life circle", "5分钟生活圈" */
} sv_preset_break;

typedef struct {
    const char *name;              /* "gb50180" */
    const char *what;              /* one line for --help */
    const sv_preset_break *breaks; /* ascending by radius */
    size_t n;
} sv_preset;

/* The presets, terminated by a NULL name. */
const sv_preset *sv_presets(void);

/* The preset called name (case-insensitive) and its radii: the preset's
 * own, or radii[] when given, one per break, strictly ascending (the
 * planner's distance for each life circle, keeping its label). radii_out
 * holds sv_preset.n values (at most SV_PRESET_MAX). Errors are
 * SV_ERR_USAGE naming --preset/--radius/--minutes and what to give. */
#define SV_PRESET_MAX 8
sv_status sv_preset_resolve(sv_ctx *ctx, const char *name, const double *radii, size_t n_radii, size_t n_minutes,
                            const sv_preset **out, double *radii_out);

#ifdef __cplusplus
}
#endif
#endif
