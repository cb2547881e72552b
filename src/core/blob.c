/* blob.c - a bounds-checked walk over a SpatiaLite geometry blob (the format
 * of gaiaFromSpatiaLiteBlobWkb: 0x00, endian byte, SRID, MBR, 0x7C, class,
 * body, 0xFE; collections hold entities marked 0x69). No allocation. */
#include "svcov/sv_blob.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const unsigned char *p;
    size_t n, at;
    int little;
    char *why;
    size_t why_size;
} walker;

static int fail(walker *w, const char *what)
{
    if (w->why && w->why_size)
        snprintf(w->why, w->why_size, "%s (at byte %zu of %zu)", what, w->at, w->n);
    return -1;
}

static int get_u32(walker *w, uint32_t *v)
{
    if (w->n - w->at < 4)
        return fail(w, "cut short");
    const unsigned char *b = w->p + w->at;
    *v = w->little ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
                   : (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
    w->at += 4;
    return 0;
}

/* Skip count items of size bytes each, when they fit. */
static int skip(walker *w, uint64_t count, size_t size, const char *what)
{
    if (size && count > (w->n - w->at) / size) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: %llu declared, room for %zu", what, (unsigned long long)count,
                 (w->n - w->at) / size);
        return fail(w, msg);
    }
    w->at += (size_t)count * size;
    return 0;
}

/* class = base (1..7) + 1000 Z, 2000 M, 3000 ZM, + 1000000 compressed. */
static int split_class(uint32_t cls, int *base, int *dims, int *compressed)
{
    *compressed = cls >= 1000000;
    if (*compressed)
        cls -= 1000000;
    int kind = (int)(cls / 1000), b = (int)(cls % 1000);
    if (kind > 3 || b < 1 || b > 7)
        return -1;
    *dims = kind == 0 ? 2 : kind == 3 ? 4 : 3;
    *base = b;
    return 0;
}

/* The points of a line or ring: compressed ones keep the first and last
 * point whole and the others as float deltas. */
static int points(walker *w, int dims, int compressed, const char *what)
{
    uint32_t np;
    if (get_u32(w, &np) != 0)
        return -1;
    size_t whole = (size_t)dims * 8;
    if (!compressed || np < 2)
        return skip(w, np, whole, what);
    if (skip(w, 2, whole, what) != 0)
        return -1;
    return skip(w, np - 2, (size_t)dims * 4, what);
}

static int body(walker *w, uint32_t cls, int depth)
{
    int base, dims, compressed;
    if (split_class(cls, &base, &dims, &compressed) != 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "unknown geometry class %u", cls);
        return fail(w, msg);
    }
    if (base == 1)
        return compressed ? fail(w, "a compressed point") : skip(w, 1, (size_t)dims * 8, "point");
    if (base == 2)
        return points(w, dims, compressed, "line points");
    if (base == 3) {
        uint32_t nr;
        if (get_u32(w, &nr) != 0)
            return -1;
        /* every ring needs at least its 4-byte count */
        if (nr > (w->n - w->at) / 4) {
            char msg[96];
            snprintf(msg, sizeof msg, "polygon rings: %u declared, room for %zu", nr, (w->n - w->at) / 4);
            return fail(w, msg);
        }
        for (uint32_t r = 0; r < nr; r++)
            if (points(w, dims, compressed, "ring points") != 0)
                return -1;
        return 0;
    }
    if (depth > 0)
        return fail(w, "a collection inside a collection");
    uint32_t ne;
    if (get_u32(w, &ne) != 0)
        return -1;
    if (ne > (w->n - w->at) / 9) { /* marker + class + a count at least */
        char msg[96];
        snprintf(msg, sizeof msg, "collection parts: %u declared, room for %zu", ne, (w->n - w->at) / 9);
        return fail(w, msg);
    }
    for (uint32_t e = 0; e < ne; e++) {
        if (w->at >= w->n || w->p[w->at] != 0x69)
            return fail(w, "a collection part without its 0x69 marker");
        w->at++;
        uint32_t c;
        if (get_u32(w, &c) != 0)
            return -1;
        int pb, pd, pc;
        if (split_class(c, &pb, &pd, &pc) != 0 || pb > 3 ||
            (base != 7 && (pb != base - 3 || pd != dims)))
            return fail(w, "a collection part of the wrong class");
        if (body(w, c, depth + 1) != 0)
            return -1;
    }
    return 0;
}

int sv_spatialite_blob_check(const unsigned char *blob, size_t n, char *why, size_t why_size)
{
    walker w = {blob, n, 0, 0, why, why_size};
    if (why && why_size)
        why[0] = '\0';
    if (!blob || n < 45)
        return fail(&w, "too short for a SpatiaLite geometry");
    if (blob[0] != 0x00 || (blob[1] != 0x00 && blob[1] != 0x01))
        return fail(&w, "no SpatiaLite start marker");
    w.little = blob[1] == 0x01;
    if (blob[38] != 0x7C)
        return fail(&w, "no end-of-MBR marker");
    double mbr[4];
    memcpy(mbr, blob + 6, sizeof mbr); /* NaN or reversed: SpatiaLite itself would only misplace it */
    (void)mbr;
    w.at = 39;
    uint32_t cls;
    if (get_u32(&w, &cls) != 0 || body(&w, cls, 0) != 0)
        return -1;
    if (w.at != n - 1 || blob[n - 1] != 0xFE)
        return fail(&w, w.at < n - 1 ? "bytes after the geometry" : "no SpatiaLite end marker");
    return 0;
}
