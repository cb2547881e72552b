/*
 * sv_blob.h - checking SpatiaLite geometry blobs before SpatiaLite reads
 * them. libspatialite trusts the counts a blob declares (a blob claiming
 * 0x3a000000 rings made it read far past the end: SIGSEGV in map and
 * report), so every blob of a result database is walked here first.
 */
#ifndef SV_BLOB_H
#define SV_BLOB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 when blob (n bytes) is a well-formed SpatiaLite geometry blob: start
 * and end markers, MBR end marker, a known class (XY, XYZ, XYM, XYZM, plain
 * or compressed), every count within the bytes left, nothing after the end
 * marker. -1 otherwise, with the reason in why (why_size bytes, may be 0). */
int sv_spatialite_blob_check(const unsigned char *blob, size_t n, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif
#endif
