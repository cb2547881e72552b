/* network.c - road graph, travel modes, attaching points, Dijkstra, reached edges. */
#include "svcov/sv_lang.h"
#include "svcov/sv_network.h"
#include "svcov/sv_breaks.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- travel modes ---- */

typedef struct {
    const char *cls;
    double kmh;
} class_speed;

/* Closed to everyone: not (yet) roads. */
static const char *const never[] = {"construction", "proposed", "raceway", "bus_guideway", "abandoned",
                                    "platform", NULL};
static const char *const motorways[] = {"motorway", "motorway_link", "trunk", "trunk_link", NULL};

static const class_speed car_speeds[] = {
    {"motorway", 100}, {"motorway_link", 60}, {"trunk", 80},    {"trunk_link", 50},  {"primary", 60},
    {"primary_link", 40}, {"secondary", 50},  {"secondary_link", 40}, {"tertiary", 40}, {"tertiary_link", 30},
    {"unclassified", 30}, {"residential", 30}, {"living_street", 10}, {"service", 20}, {"road", 30},
    {"track", 15},     {"footway", 0},       {"path", 0},       {"pedestrian", 0},   {"steps", 0},
    {"cycleway", 0},   {"bridleway", 0},     {"corridor", 0},   {"elevator", 0},     {NULL, 0},
};

static void mode_set(sv_travel_mode *m, const char *cls, double kmh)
{
    for (size_t i = 0; i < m->n_classes; i++)
        if (strcasecmp(m->cls[i], cls) == 0) {
            m->kmh[i] = kmh;
            return;
        }
    if (m->n_classes < SV_MODE_MAX_CLASSES) {
        snprintf(m->cls[m->n_classes], sizeof m->cls[0], "%s", cls);
        m->kmh[m->n_classes++] = kmh;
    }
}

/* Apply a speeds file: header highway,speed_kmh; one class per row. */
static sv_status load_speeds(sv_ctx *ctx, const char *path, sv_travel_mode *m)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sv_error(ctx, SV_ERR_INPUT, "--speeds %s cannot be read (%s); give a CSV file with columns "
                        "highway,speed_kmh", path, strerror(errno));
    /* lines of any length: a fixed buffer split a long line and read its tail as a row */
    char *line = NULL;
    size_t cap = 0;
    int row = 0, used = 0;
    sv_status st = SV_OK;
    while (getline(&line, &cap, f) >= 0) {
        row++;
        line[strcspn(line, "\r\n")] = '\0';
        if (row == 1 && strncasecmp(line, "highway", 7) == 0)
            continue; /* the header */
        if (!line[0] || line[0] == '#')
            continue;
        char cls[64], rest[128];
        char *comma = strchr(line, ',');
        const char *problem = NULL;
        double kmh = 0;
        if (!comma || comma == line || (size_t)(comma - line) >= sizeof cls) {
            problem = SV_N_("expected highway,speed_kmh (\"%.60s\")");
        } else {
            snprintf(cls, sizeof cls, "%.*s", (int)(comma - line), line);
            snprintf(rest, sizeof rest, "%s", comma + 1);
            char *end = NULL;
            kmh = strtod(rest, &end);
            while (end && (*end == ' ' || *end == '\t'))
                end++;
            if (end == rest || (end && *end) || !isfinite(kmh) || kmh < 0 || kmh > 300)
                problem = SV_N_("speed_kmh is not a number from 0 to 300 (\"%.60s\")");
        }
        if (problem) {
            char id[32];
            snprintf(id, sizeof id, "row %d", row);
            sv_msg what;
            sv_msg_init(&what, sv_ctx_lang(ctx));
            sv_msg_add(&what, problem, line);
            if ((st = sv_issue_add_msg(ctx, path, "speeds", id, &what, SV_ISSUE_SKIPPED)) != SV_OK)
                break;
            continue;
        }
        mode_set(m, cls, kmh);
        used++;
    }
    free(line);
    fclose(f);
    if (st == SV_OK && used == 0)
        st = sv_error(ctx, SV_ERR_INPUT, "--speeds %s has no usable row (highway,speed_kmh)", path);
    return st;
}

sv_status sv_travel_mode_load(sv_ctx *ctx, const char *mode, const char *speeds_csv, sv_travel_mode *m)
{
    memset(m, 0, sizeof *m);
    m->access_kmh = 5.0;
    const char *name = mode && *mode ? mode : "walk";
    snprintf(m->name, sizeof m->name, "%s", name);
    for (const char *const *c = never; *c; c++)
        mode_set(m, *c, 0);
    if (strcasecmp(name, "walk") == 0) {
        m->default_kmh = sv_mode_kmh(name);
        for (const char *const *c = motorways; *c; c++)
            mode_set(m, *c, 0);
    } else if (strcasecmp(name, "bike") == 0 || strcasecmp(name, "ebike") == 0) {
        m->default_kmh = sv_mode_kmh(name);
        m->obey_oneway = 1;
        for (const char *const *c = motorways; *c; c++)
            mode_set(m, *c, 0);
        mode_set(m, "steps", 0);
        mode_set(m, "footway", 5); /* pushed along */
        mode_set(m, "pedestrian", 5);
    } else if (strcasecmp(name, "car") == 0) {
        m->default_kmh = 30.0;
        m->obey_oneway = 1;
        m->use_maxspeed = 1;
        for (const class_speed *c = car_speeds; c->cls; c++)
            mode_set(m, c->cls, c->kmh);
    } else {
        return sv_error(ctx, SV_ERR_USAGE, "--mode %s: on a network use walk, bike, ebike or car", name);
    }
    if (speeds_csv && *speeds_csv)
        return load_speeds(ctx, speeds_csv, m);
    return SV_OK;
}

double sv_travel_mode_speed(const sv_travel_mode *m, const char *highway, const char *maxspeed)
{
    if (!highway || !*highway)
        return 0; /* a line without a road class (a river, a power line) is no road */
    double kmh = m->default_kmh;
    if (highway)
        for (size_t i = 0; i < m->n_classes; i++)
            if (strcasecmp(m->cls[i], highway) == 0) {
                kmh = m->kmh[i];
                break;
            }
    if (kmh > 0 && m->use_maxspeed && maxspeed) {
        char *end = NULL;
        double v = strtod(maxspeed, &end);
        if (end != maxspeed && v > 0 && v < 300) {
            while (*end == ' ')
                end++;
            kmh = strncasecmp(end, "mph", 3) == 0 ? v * 1.609344 : v;
        }
    }
    return kmh;
}

/* ---- the graph ---- */

typedef struct {
    size_t a, b;  /* nodes, a < b */
    double len;   /* metres */
    double kmh;
    size_t way, seq; /* the line it was drawn in (feature index) and its place there */
    unsigned char fwd, bwd; /* a->b, b->a allowed */
    unsigned char flip;     /* drawn b -> a */
} edge;

typedef struct {
    size_t to, edge;
} arc;

struct sv_network {
    size_t n_nodes, n_edges;
    double *nx, *ny;
    edge *edges;
    size_t *arc_start; /* CSR of outgoing arcs */
    arc *arcs;
    sv_network_info info;
    sv_geos *h; /* for the spatial indexes */
    sv_index *edge_tree, *node_tree;
};

/* Nodes keyed by integer centimetres, open addressing. */
typedef struct {
    int64_t *kx, *ky;
    size_t *id;
    size_t cap, n;
} node_map;

static uint64_t mix(int64_t x, int64_t y)
{
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15ull ^ ((uint64_t)y + 0x632BE59BD9B4E019ull);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

static int map_init(node_map *m, size_t expect)
{
    m->cap = 16;
    while (m->cap < 2 * expect + 16)
        m->cap *= 2;
    m->kx = sv_malloc(m->cap * sizeof *m->kx);
    m->ky = sv_malloc(m->cap * sizeof *m->ky);
    m->id = sv_malloc(m->cap * sizeof *m->id);
    m->n = 0;
    if (!m->kx || !m->ky || !m->id)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        m->id[i] = SIZE_MAX;
    return 0;
}

static void map_free(node_map *m)
{
    free(m->kx);
    free(m->ky);
    free(m->id);
}

/* The node of (x, y) cm, creating it (id = m->n) when new. */
static size_t map_get(node_map *m, int64_t x, int64_t y, int *created)
{
    size_t i = mix(x, y) & (m->cap - 1);
    while (m->id[i] != SIZE_MAX) {
        if (m->kx[i] == x && m->ky[i] == y) {
            *created = 0;
            return m->id[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->kx[i] = x;
    m->ky[i] = y;
    m->id[i] = m->n++;
    *created = 1;
    return m->id[i];
}

static int oneway_of(const char *v)
{
    if (!v)
        return 0;
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
        return 1;
    if (!strcmp(v, "-1") || !strcasecmp(v, "reverse"))
        return -1;
    return 0;
}

static int cmp_edge(const void *x, const void *y)
{
    const edge *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return 0;
}

static size_t uf_find(size_t *p, size_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

void sv_network_destroy(sv_network *n)
{
    if (!n)
        return;
    free(n->nx);
    free(n->ny);
    free(n->edges);
    free(n->arc_start);
    free(n->arcs);
    if (n->h) {
        sv_index_destroy(n->h, n->edge_tree);
        sv_index_destroy(n->h, n->node_tree);
        sv_geos_destroy(n->h);
    }
    free(n);
}

void sv_network_get_info(const sv_network *n, sv_network_info *info)
{
    *info = n->info;
}

sv_status sv_network_build(sv_ctx *ctx, const sv_featureset *fs, const sv_travel_mode *mode, sv_network **out)
{
    *out = NULL;
    sv_network *n = sv_calloc(1, sizeof *n);
    if (!n)
        return SV_ERR_NOMEM;
    sv_status st = SV_OK;
    node_map map = {0};
    size_t ecap = 1024, ne = 0, ncap = 1024, ycap = 1024; /* ycap: n->ny's, ncap: n->nx's */
    edge *es = sv_malloc(ecap * sizeof *es);
    n->nx = sv_malloc(ncap * sizeof *n->nx);
    n->ny = sv_malloc(ncap * sizeof *n->ny);
    n->h = sv_geos_create();
    size_t *parent = NULL;
    if (!es || !n->nx || !n->ny || !n->h || map_init(&map, 4 * fs->n + 64) != 0) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory building the network");
        goto done;
    }
    for (size_t f = 0; f < fs->n && st == SV_OK; f++) {
        const sv_feature *ft = &fs->items[f];
        double kmh = sv_travel_mode_speed(mode, ft->category, ft->maxspeed);
        if (!(kmh > 0)) {
            n->info.lines_skipped_mode++;
            continue;
        }
        int ow = mode->obey_oneway ? oneway_of(ft->oneway) : 0;
        size_t seq = 0;
        sv_geom *g = sv_geom_from_wkb(n->h, ft->wkb, ft->wkb_len);
        int parts = g ? sv_geom_num_parts(n->h, g) : 0;
        int used = 0;
        for (int p = 0; p < parts; p++) {
            double *xy = NULL;
            size_t np = 0;
            if (sv_geom_line_coords(n->h, g, p, &xy, &np) != 0 || np < 2) {
                free(xy);
                continue;
            }
            size_t prev = SIZE_MAX;
            for (size_t k = 0; k < np; k++) {
                int64_t ix = llround(xy[2 * k] * 100.0), iy = llround(xy[2 * k + 1] * 100.0);
                if (map.n * 2 + 2 > map.cap) { /* grow the map */
                    node_map bigger;
                    if (map_init(&bigger, map.cap) != 0) {
                        map_free(&bigger);
                        st = SV_ERR_NOMEM;
                        break;
                    }
                    for (size_t i = 0; i < map.cap; i++)
                        if (map.id[i] != SIZE_MAX) {
                            size_t j = mix(map.kx[i], map.ky[i]) & (bigger.cap - 1);
                            while (bigger.id[j] != SIZE_MAX)
                                j = (j + 1) & (bigger.cap - 1);
                            bigger.kx[j] = map.kx[i];
                            bigger.ky[j] = map.ky[i];
                            bigger.id[j] = map.id[i];
                        }
                    bigger.n = map.n;
                    map_free(&map);
                    map = bigger;
                }
                int created = 0;
                size_t node = map_get(&map, ix, iy, &created);
                if (created) {
                    if (sv_grow(&n->nx, &ncap, node + 1, sizeof *n->nx, 1024) != 0 ||
                        sv_grow(&n->ny, &ycap, node + 1, sizeof *n->ny, 1024) != 0) {
                        st = SV_ERR_NOMEM;
                        break;
                    }
                    n->nx[node] = (double)ix / 100.0;
                    n->ny[node] = (double)iy / 100.0;
                }
                if (prev != SIZE_MAX) {
                    if (prev == node) {
                        n->info.segments_zero++;
                    } else {
                        if (sv_grow(&es, &ecap, ne + 1, sizeof *es, 1024) != 0) {
                            st = SV_ERR_NOMEM;
                            break;
                        }
                        edge *e = &es[ne++];
                        int flip = prev > node;
                        e->a = flip ? node : prev;
                        e->b = flip ? prev : node;
                        e->len = hypot(n->nx[prev] - n->nx[node], n->ny[prev] - n->ny[node]);
                        e->kmh = kmh;
                        e->way = f;
                        e->seq = seq++;
                        e->flip = (unsigned char)flip;
                        /* drawn prev -> node; oneway 1 allows that direction only */
                        int along = ow >= 0, against = ow <= 0;
                        e->fwd = flip ? against : along;
                        e->bwd = flip ? along : against;
                        used = 1;
                    }
                }
                prev = node;
            }
            free(xy);
            if (st != SV_OK)
                break;
        }
        sv_geom_destroy(n->h, g);
        if (used)
            n->info.lines_used++;
        else if (st == SV_OK) {
            st = sv_issue_add(ctx, fs->path, fs->layer, ft->id,
                              "has no usable segment (fewer than two distinct points)", SV_ISSUE_SKIPPED);
        }
    }
    if (st == SV_ERR_NOMEM)
        sv_error(ctx, st, "out of memory building the network");
    if (st != SV_OK)
        goto done;
    if (ne == 0) {
        st = sv_error(ctx, SV_ERR_DATA,
                      "%s: layer '%s': no road the mode '%s' may use (%zu lines read, %zu closed to it); check "
                      "--mode, --speeds and the highway field",
                      fs->path, fs->layer, mode->name, fs->n, n->info.lines_skipped_mode);
        goto done;
    }
    /* The same segment drawn twice (two ways sharing it) is one edge. */
    qsort(es, ne, sizeof *es, cmp_edge);
    size_t w = 0;
    for (size_t i = 0; i < ne; i++) {
        if (w > 0 && es[w - 1].a == es[i].a && es[w - 1].b == es[i].b) {
            es[w - 1].fwd |= es[i].fwd;
            es[w - 1].bwd |= es[i].bwd;
            es[w - 1].kmh = fmax(es[w - 1].kmh, es[i].kmh);
        } else {
            es[w++] = es[i];
        }
    }
    ne = w;
    n->edges = es;
    es = NULL;
    n->n_edges = ne;
    n->n_nodes = map.n;
    /* outgoing arcs */
    n->arc_start = sv_calloc(n->n_nodes + 1, sizeof *n->arc_start);
    n->arcs = sv_malloc((2 * ne + 1) * sizeof *n->arcs);
    parent = sv_malloc((n->n_nodes + 1) * sizeof *parent);
    if (!n->arc_start || !n->arcs || !parent) {
        st = sv_error(ctx, SV_ERR_NOMEM, "out of memory building the network");
        goto done;
    }
    for (size_t i = 0; i < ne; i++) {
        if (n->edges[i].fwd)
            n->arc_start[n->edges[i].a + 1]++;
        if (n->edges[i].bwd)
            n->arc_start[n->edges[i].b + 1]++;
    }
    for (size_t v = 0; v < n->n_nodes; v++)
        n->arc_start[v + 1] += n->arc_start[v];
    size_t *fill = sv_calloc(n->n_nodes + 1, sizeof *fill);
    if (!fill) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < ne; i++) {
        const edge *e = &n->edges[i];
        if (e->fwd)
            n->arcs[n->arc_start[e->a] + fill[e->a]++] = (arc){e->b, i};
        if (e->bwd)
            n->arcs[n->arc_start[e->b] + fill[e->b]++] = (arc){e->a, i};
    }
    free(fill);
    /* components (ignoring direction), length */
    for (size_t v = 0; v < n->n_nodes; v++)
        parent[v] = v;
    for (size_t i = 0; i < ne; i++) {
        size_t ra = uf_find(parent, n->edges[i].a), rb = uf_find(parent, n->edges[i].b);
        if (ra != rb)
            parent[ra] = rb;
        n->info.length_m += n->edges[i].len;
    }
    size_t *size = sv_calloc(n->n_nodes + 1, sizeof *size);
    if (!size) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t v = 0; v < n->n_nodes; v++) {
        size_t r = uf_find(parent, v);
        if (size[r]++ == 0)
            n->info.components++;
        if (size[r] > n->info.main_nodes)
            n->info.main_nodes = size[r];
    }
    free(size);
    n->info.nodes = n->n_nodes;
    n->info.edges = ne;
    /* spatial indexes for attaching points */
    n->edge_tree = sv_index_create(n->h);
    n->node_tree = sv_index_create(n->h);
    if (!n->edge_tree || !n->node_tree) {
        st = SV_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < ne; i++) {
        const edge *e = &n->edges[i];
        sv_env env = {fmin(n->nx[e->a], n->nx[e->b]), fmin(n->ny[e->a], n->ny[e->b]), fmax(n->nx[e->a], n->nx[e->b]),
                      fmax(n->ny[e->a], n->ny[e->b])};
        if (sv_index_insert(n->h, n->edge_tree, i, &env) != 0) {
            st = SV_ERR_NOMEM;
            goto done;
        }
    }
    for (size_t v = 0; v < n->n_nodes; v++) {
        sv_env env = {n->nx[v], n->ny[v], n->nx[v], n->ny[v]};
        if (sv_index_insert(n->h, n->node_tree, v, &env) != 0) {
            st = SV_ERR_NOMEM;
            goto done;
        }
    }
done:
    free(es);
    free(parent);
    map_free(&map);
    if (st != SV_OK) {
        sv_network_destroy(n);
        return st;
    }
    *out = n;
    return SV_OK;
}

/* ---- attaching points ---- */

/* Distance from (px, py) to segment e, and the fraction of the closest point. */
static double seg_dist(const sv_network *n, const edge *e, double px, double py, double *t)
{
    double ax = n->nx[e->a], ay = n->ny[e->a], dx = n->nx[e->b] - ax, dy = n->ny[e->b] - ay;
    double L2 = dx * dx + dy * dy;
    double u = L2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / L2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    *t = u;
    return hypot(ax + u * dx - px, ay + u * dy - py);
}

sv_status sv_network_attach(sv_ctx *ctx, const sv_network *n, const double *xs, const double *ys, size_t np,
                            sv_snap snap, double max_snap_m, sv_attach *out)
{
    size_t *ids = NULL, nids = 0, cap = 0;
    for (size_t i = 0; i < np; i++) {
        sv_attach *a = &out[i];
        memset(a, 0, sizeof *a);
        double best = INFINITY, bt = 0;
        size_t bi = SIZE_MAX;
        /* widen the search until the best found is inside the box searched */
        for (double r = fmin(50.0, max_snap_m);;) {
            sv_env e = {xs[i] - r, ys[i] - r, xs[i] + r, ys[i] + r};
            nids = 0;
            if (sv_index_query(n->h, snap == SV_SNAP_NODE ? n->node_tree : n->edge_tree, &e, &ids, &nids, &cap) != 0) {
                free(ids);
                return sv_error(ctx, SV_ERR_NOMEM, "out of memory attaching points to the network");
            }
            for (size_t k = 0; k < nids; k++) {
                double d, t = 0;
                if (snap == SV_SNAP_NODE)
                    d = hypot(n->nx[ids[k]] - xs[i], n->ny[ids[k]] - ys[i]);
                else
                    d = seg_dist(n, &n->edges[ids[k]], xs[i], ys[i], &t);
                if (d < best || (d == best && ids[k] < bi)) {
                    best = d;
                    bi = ids[k];
                    bt = t;
                }
            }
            /* every point within r lies in the box just searched */
            if ((bi != SIZE_MAX && best <= r) || r >= max_snap_m)
                break;
            r = fmin(2 * r, max_snap_m);
        }
        if (bi == SIZE_MAX || best > max_snap_m)
            continue; /* not attached: too far */
        a->ok = 1;
        a->snap_m = best;
        if (snap == SV_SNAP_NODE) {
            a->node = bi;
        } else {
            a->on_edge = 1;
            a->edge = bi;
            a->t = bt;
        }
    }
    free(ids);
    return SV_OK;
}

/* ---- shortest paths ---- */

static double edge_cost(const edge *e, sv_cost_kind kind)
{
    return kind == SV_COST_LENGTH ? e->len : e->len / (e->kmh / 3.6);
}

sv_status sv_labels_init(sv_labels *l, const sv_network *n)
{
    memset(l, 0, sizeof *l);
    l->cost = sv_malloc((n->n_nodes + 1) * sizeof *l->cost);
    l->len = sv_malloc((n->n_nodes + 1) * sizeof *l->len);
    l->src = sv_malloc((n->n_nodes + 1) * sizeof *l->src);
    l->touched = sv_malloc((n->n_nodes + 1) * sizeof *l->touched);
    if (!l->cost || !l->len || !l->src || !l->touched) {
        sv_labels_free(l);
        return SV_ERR_NOMEM;
    }
    for (size_t v = 0; v < n->n_nodes; v++) {
        l->cost[v] = INFINITY;
        l->len[v] = INFINITY;
        l->src[v] = -1;
    }
    return SV_OK;
}

void sv_labels_free(sv_labels *l)
{
    free(l->cost);
    free(l->len);
    free(l->src);
    free(l->touched);
    free(l->on_edge);
    memset(l, 0, sizeof *l);
}

static int cmp_on_edge(const void *x, const void *y, void *arg)
{
    const sv_attach *s = arg;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    if (s[a].edge != s[b].edge)
        return s[a].edge < s[b].edge ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* The sources on edge e, in index order, are src[idx[q]] for q in [*lo, *hi)
 * (idx non-NULL: they all lie on e, from l's sorted list); with idx NULL
 * (few sources, or labels made from other ones) every source is to be
 * tested. A few are scanned anyway: a caller may reuse a small buffer. */
static const size_t *sources_on_edge(const sv_labels *l, const sv_attach *src, size_t nsrc, size_t e, size_t *lo,
                                     size_t *hi)
{
    if (!(nsrc >= 16 && l->from == src && l->n_from == nsrc && (l->on_edge || l->n_on_edge == 0))) {
        *lo = 0;
        *hi = nsrc;
        return NULL;
    }
    size_t a = 0, b = l->n_on_edge;
    while (a < b) { /* the first with edge >= e */
        size_t m = a + (b - a) / 2;
        if (src[l->on_edge[m]].edge < e)
            a = m + 1;
        else
            b = m;
    }
    size_t z = a;
    while (z < l->n_on_edge && src[l->on_edge[z]].edge == e)
        z++;
    *lo = a;
    *hi = z;
    return l->on_edge;
}

typedef struct {
    double cost;
    size_t node;
} qitem;

typedef struct {
    qitem *a;
    size_t n, cap;
} pq;

static int pq_push(pq *q, double cost, size_t node)
{
    if (q->n == q->cap) {
        if (sv_grow(&q->a, &q->cap, q->n + 1, sizeof *q->a, 1024) != 0)
            return -1;
    }
    size_t k = q->n++;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (q->a[p].cost <= cost)
            break;
        q->a[k] = q->a[p];
        k = p;
    }
    q->a[k] = (qitem){cost, node};
    return 0;
}

static qitem pq_pop(pq *q)
{
    qitem top = q->a[0], last = q->a[--q->n];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && q->a[c + 1].cost < q->a[c].cost)
            c++;
        if (q->a[c].cost >= last.cost)
            break;
        q->a[k] = q->a[c];
        k = c;
    }
    if (q->n > 0)
        q->a[k] = last;
    return top;
}

static int relax(sv_labels *l, pq *q, size_t v, double cost, double len, int32_t src)
{
    if (cost < l->cost[v] || (cost == l->cost[v] && src < l->src[v])) {
        if (isinf(l->cost[v]))
            l->touched[l->n_touched++] = v;
        l->cost[v] = cost;
        l->len[v] = len;
        l->src[v] = src;
        return pq_push(q, cost, v);
    }
    return 0;
}

sv_status sv_network_dijkstra(const sv_network *n, sv_cost_kind kind, const sv_attach *src, const double *access,
                              const double *access_len, size_t nsrc, double cutoff, sv_labels *l)
{
    for (size_t k = 0; k < l->n_touched; k++) {
        size_t v = l->touched[k];
        l->cost[v] = INFINITY;
        l->len[v] = INFINITY;
        l->src[v] = -1;
    }
    l->n_touched = 0;
    l->from = src;
    l->n_from = nsrc;
    l->n_on_edge = 0;
    for (size_t i = 0; i < nsrc; i++)
        if (src[i].ok && src[i].on_edge) {
            if (sv_grow(&l->on_edge, &l->cap_on_edge, l->n_on_edge + 1, sizeof *l->on_edge, 64) != 0) {
                l->from = NULL; /* no index: the scans of all sources */
                break;
            }
            l->on_edge[l->n_on_edge++] = i;
        }
    if (l->from && l->n_on_edge > 1)
        qsort_r(l->on_edge, l->n_on_edge, sizeof *l->on_edge, cmp_on_edge, (void *)src);
    pq q = {0};
    int bad = 0;
    for (size_t i = 0; i < nsrc && !bad; i++) {
        const sv_attach *s = &src[i];
        if (!s->ok)
            continue;
        double a0 = access ? access[i] : 0, l0 = access_len ? access_len[i] : 0;
        if (!s->on_edge) {
            bad |= relax(l, &q, s->node, a0, l0, (int32_t)i);
            continue;
        }
        const edge *e = &n->edges[s->edge];
        double c = edge_cost(e, kind);
        if (e->fwd)
            bad |= relax(l, &q, e->b, a0 + (1 - s->t) * c, l0 + (1 - s->t) * e->len, (int32_t)i);
        if (e->bwd)
            bad |= relax(l, &q, e->a, a0 + s->t * c, l0 + s->t * e->len, (int32_t)i);
    }
    while (q.n > 0 && !bad) {
        qitem it = pq_pop(&q);
        size_t u = it.node;
        if (it.cost > l->cost[u])
            continue; /* stale */
        if (it.cost > cutoff)
            break;
        for (size_t k = n->arc_start[u]; k < n->arc_start[u + 1]; k++) {
            const arc *a = &n->arcs[k];
            const edge *e = &n->edges[a->edge];
            bad |= relax(l, &q, a->to, l->cost[u] + edge_cost(e, kind), l->len[u] + e->len, l->src[u]);
        }
    }
    free(q.a);
    return bad ? SV_ERR_NOMEM : SV_OK;
}

double sv_network_point_cost(const sv_network *n, sv_cost_kind kind, const sv_labels *l, const sv_attach *src,
                             const double *access, const double *access_len, size_t nsrc, const sv_attach *p,
                             double *len, int *which)
{
    double best = INFINITY, blen = INFINITY;
    int bsrc = -1;
    if (!p->ok) {
        *len = INFINITY;
        *which = -1;
        return INFINITY;
    }
    if (!p->on_edge) {
        best = l->cost[p->node];
        blen = l->len[p->node];
        bsrc = l->src[p->node];
    } else {
        const edge *e = &n->edges[p->edge];
        double c = edge_cost(e, kind);
        if (e->fwd && l->cost[e->a] + p->t * c < best) {
            best = l->cost[e->a] + p->t * c;
            blen = l->len[e->a] + p->t * e->len;
            bsrc = l->src[e->a];
        }
        if (e->bwd && l->cost[e->b] + (1 - p->t) * c < best) {
            best = l->cost[e->b] + (1 - p->t) * c;
            blen = l->len[e->b] + (1 - p->t) * e->len;
            bsrc = l->src[e->b];
        }
        /* a source on the same edge, along it */
        size_t lo, hi;
        const size_t *idx = sources_on_edge(l, src, nsrc, p->edge, &lo, &hi);
        for (size_t q = lo; q < hi; q++) {
            size_t i = idx ? idx[q] : q;
            const sv_attach *s = &src[i];
            if (!s->ok || !s->on_edge || s->edge != p->edge)
                continue;
            double dt = p->t - s->t;
            if ((dt >= 0 && !e->fwd) || (dt <= 0 && !e->bwd))
                continue;
            double cst = (access ? access[i] : 0) + fabs(dt) * c;
            if (cst < best) {
                best = cst;
                blen = (access_len ? access_len[i] : 0) + fabs(dt) * e->len;
                bsrc = (int)i;
            }
        }
    }
    *len = blen;
    *which = bsrc;
    return best;
}

/* ---- reached network ---- */

typedef struct {
    double a, b;
} interval;

static int cmp_interval(const void *x, const void *y)
{
    const interval *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

/* Edges in the order they were drawn: by line, then along it. */
static int cmp_drawn(const void *x, const void *y, void *arg)
{
    const edge *es = arg, *a = &es[*(const size_t *)x], *b = &es[*(const size_t *)y];
    if (a->way != b->way)
        return a->way < b->way ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Append the fully reached edges full[0..nfull) to parts as lines that run
 * along the input lines: consecutive edges of one line drawn end to start
 * become one linestring (a street widened as one piece has no joints at
 * every vertex). Returns 0, or -1 when out of memory. */
static int append_runs(sv_geos *h, const sv_network *n, size_t *full, size_t nfull, sv_geom ***parts,
                       size_t *np, size_t *pcap)
{
    qsort_r(full, nfull, sizeof *full, cmp_drawn, n->edges);
    size_t xycap = 64;
    double *xy = sv_malloc(xycap * sizeof *xy);
    if (!xy)
        return -1;
    for (size_t k = 0; k < nfull;) {
        const edge *e = &n->edges[full[k]];
        size_t from = e->flip ? e->b : e->a, to = e->flip ? e->a : e->b, m = 0;
        xy[m++] = n->nx[from];
        xy[m++] = n->ny[from];
        xy[m++] = n->nx[to];
        xy[m++] = n->ny[to];
        size_t j = k + 1;
        for (; j < nfull; j++) {
            const edge *p = &n->edges[full[j - 1]], *q = &n->edges[full[j]];
            size_t qfrom = q->flip ? q->b : q->a, qto = q->flip ? q->a : q->b;
            if (q->way != p->way || q->seq != p->seq + 1 || qfrom != to)
                break;
            if (m + 2 > xycap) {
                double *x2 = sv_realloc(xy, 2 * xycap * sizeof *x2);
                if (!x2) {
                    free(xy);
                    return -1;
                }
                xy = x2;
                xycap *= 2;
            }
            to = qto;
            xy[m++] = n->nx[to];
            xy[m++] = n->ny[to];
        }
        k = j;
        if (sv_grow(parts, pcap, *np + 1, sizeof **parts, 256) != 0) {
            free(xy);
            return -1;
        }
        if (!((*parts)[*np] = sv_geom_linestring(h, xy, m / 2))) {
            free(xy);
            return -1;
        }
        (*np)++;
    }
    free(xy);
    return 0;
}

sv_geom *sv_network_reached(sv_geos *h, const sv_network *n, sv_cost_kind kind, const sv_labels *l,
                            const sv_attach *src, const double *access, size_t nsrc, double budget,
                            double *reached_len)
{
    *reached_len = 0;
    /* candidate edges: those of labelled nodes within budget, and the
     * sources' own edges */
    size_t bound = nsrc; /* candidate edges: the arcs of the nodes within budget, the sources' edges */
    for (size_t k = 0; k < l->n_touched; k++)
        if (l->cost[l->touched[k]] < budget)
            bound += n->arc_start[l->touched[k] + 1] - n->arc_start[l->touched[k]];
    if (bound > n->n_edges)
        bound = n->n_edges;
    unsigned char *seen = sv_calloc(n->n_edges + 1, 1);
    size_t *cand = sv_malloc((bound + 1) * sizeof *cand);
    size_t ncand = 0, nfull = 0;
    size_t *full = sv_malloc((bound + 1) * sizeof *full);
    size_t pcap = 256, np = 0;
    sv_geom **parts = sv_malloc(pcap * sizeof *parts);
    sv_geom *out = NULL;
    if (!seen || !cand || !full || !parts)
        goto done;
    for (size_t k = 0; k < l->n_touched; k++) {
        size_t u = l->touched[k];
        if (!(l->cost[u] < budget))
            continue;
        for (size_t t = n->arc_start[u]; t < n->arc_start[u + 1]; t++)
            if (!seen[n->arcs[t].edge]) {
                seen[n->arcs[t].edge] = 1;
                cand[ncand++] = n->arcs[t].edge;
            }
    }
    for (size_t i = 0; i < nsrc; i++)
        if (src[i].ok && src[i].on_edge && !seen[src[i].edge]) {
            seen[src[i].edge] = 1;
            cand[ncand++] = src[i].edge;
        }
    interval iv[64];
    for (size_t k = 0; k < ncand; k++) {
        const edge *e = &n->edges[cand[k]];
        double c = edge_cost(e, kind);
        size_t ni = 0;
        if (e->fwd && l->cost[e->a] < budget)
            iv[ni++] = (interval){0, fmin(1, (budget - l->cost[e->a]) / c)};
        if (e->bwd && l->cost[e->b] < budget)
            iv[ni++] = (interval){fmax(0, 1 - (budget - l->cost[e->b]) / c), 1};
        size_t lo, hi;
        const size_t *idx = sources_on_edge(l, src, nsrc, cand[k], &lo, &hi);
        for (size_t q = lo; q < hi && ni < 64; q++) {
            size_t i = idx ? idx[q] : q;
            const sv_attach *s = &src[i];
            double r = budget - (access ? access[i] : 0);
            if (!s->ok || !s->on_edge || s->edge != cand[k] || !(r > 0))
                continue;
            iv[ni++] = (interval){e->bwd ? fmax(0, s->t - r / c) : s->t, e->fwd ? fmin(1, s->t + r / c) : s->t};
        }
        if (ni == 0)
            continue;
        qsort(iv, ni, sizeof *iv, cmp_interval);
        double ax = n->nx[e->a], ay = n->ny[e->a], dx = n->nx[e->b] - ax, dy = n->ny[e->b] - ay;
        for (size_t i = 0; i < ni;) {
            double a = iv[i].a, b = iv[i].b;
            size_t j = i + 1;
            while (j < ni && iv[j].a <= b) {
                b = fmax(b, iv[j].b);
                j++;
            }
            i = j;
            if (b <= a)
                continue;
            if (a <= 0 && b >= 1) { /* the whole edge: joined into runs below */
                full[nfull++] = cand[k];
                *reached_len += e->len;
                continue;
            }
            double xy[4] = {ax + a * dx, ay + a * dy, ax + b * dx, ay + b * dy};
            if (sv_grow(&parts, &pcap, np + 1, sizeof *parts, 256) != 0)
                goto done;
            if (!(parts[np] = sv_geom_linestring(h, xy, 2)))
                goto done;
            np++;
            *reached_len += (b - a) * e->len;
        }
    }
    if (append_runs(h, n, full, nfull, &parts, &np, &pcap) != 0)
        goto done;
    out = sv_geom_collect_take(h, parts, np);
    if (out)
        np = 0;
done:
    for (size_t k = 0; k < np; k++)
        sv_geom_destroy(h, parts[k]);
    free(parts);
    free(full);
    free(cand);
    free(seen);
    return out;
}

/* ---- graph queries for siting along the network ---- */

size_t sv_network_node_count(const sv_network *n)
{
    return n->n_nodes;
}

void sv_network_node_xy(const sv_network *n, size_t node, double *x, double *y)
{
    *x = n->nx[node];
    *y = n->ny[node];
}

void sv_network_attach_ends(const sv_network *n, const sv_attach *p, size_t *a, size_t *b)
{
    if (p->on_edge) {
        *a = n->edges[p->edge].a;
        *b = n->edges[p->edge].b;
    } else {
        *a = *b = p->node;
    }
}

void sv_network_attach_xy(const sv_network *n, const sv_attach *p, double *x, double *y)
{
    if (!p->on_edge) {
        sv_network_node_xy(n, p->node, x, y);
        return;
    }
    const edge *e = &n->edges[p->edge];
    *x = n->nx[e->a] + p->t * (n->nx[e->b] - n->nx[e->a]);
    *y = n->ny[e->a] + p->t * (n->ny[e->b] - n->ny[e->a]);
}

sv_status sv_network_intersections(const sv_network *n, size_t **nodes, size_t *count)
{
    *nodes = NULL;
    *count = 0;
    unsigned *deg = sv_calloc(n->n_nodes + 1, sizeof *deg);
    size_t *out = sv_malloc((n->n_nodes + 1) * sizeof *out);
    if (!deg || !out) {
        free(deg);
        free(out);
        return SV_ERR_NOMEM;
    }
    /* edges are merged per node pair, so the degree counts distinct
     * neighbours whatever the direction rules */
    for (size_t k = 0; k < n->n_edges; k++) {
        deg[n->edges[k].a]++;
        deg[n->edges[k].b]++;
    }
    size_t c = 0;
    for (size_t v = 0; v < n->n_nodes; v++)
        if (deg[v] >= 3)
            out[c++] = v;
    free(deg);
    *nodes = out;
    *count = c;
    return SV_OK;
}
