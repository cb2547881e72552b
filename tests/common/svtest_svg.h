/* svtest_svg.h - boxes of the paths in an SVG that svcov drew, read with
 * libxml2: the map and poster tests check label placement with them. */
#ifndef SVTEST_SVG_H
#define SVTEST_SVG_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double x0, y0, x1, y1;
} bbox;

/* The box of a path's absolute coordinates (control points included):
 * cairo writes absolute M/L/C/Z coordinates in points. */
static inline bbox svt_path_bbox(const char *d)
{
    bbox b = {1e300, 1e300, -1e300, -1e300};
    int k = 0;
    for (const char *p = d; *p;) {
        if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '.') {
            char *end;
            double v = strtod(p, &end);
            if (k % 2 == 0) {
                b.x0 = fmin(b.x0, v);
                b.x1 = fmax(b.x1, v);
            } else {
                b.y0 = fmin(b.y0, v);
                b.y1 = fmax(b.y1, v);
            }
            k++;
            p = end;
        } else
            p++;
    }
    return b;
}

/* The boxes of the <path>s under n whose style holds every string of
 * styles[] (NULL-terminated), appended to out[*nout..cap). */
static inline void svt_path_boxes(xmlNode *n, const char *const *styles, bbox *out, int *nout, int cap)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrcmp(n->name, (const xmlChar *)"path") == 0) {
            xmlChar *style = xmlGetProp(n, (const xmlChar *)"style"), *d = xmlGetProp(n, (const xmlChar *)"d");
            int all = style && d;
            for (const char *const *s = styles; all && *s; s++)
                all = strstr((const char *)style, *s) != NULL;
            if (all && *nout < cap)
                out[(*nout)++] = svt_path_bbox((const char *)d);
            xmlFree(style);
            xmlFree(d);
        }
        svt_path_boxes(n->children, styles, out, nout, cap);
    }
}

#endif
