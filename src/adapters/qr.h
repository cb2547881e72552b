/*
 * adapters/qr.h (private to src/) - QR codes (libqrencode), for the posters'
 * link to the city's online map. Only adapters/qr_qrencode.c includes
 * qrencode.h; its version is public in sv_poster.h (sv_qrencode_version).
 */
#ifndef SV_ADAPTERS_QR_H
#define SV_ADAPTERS_QR_H

#include "svcov/sv_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The QR code of text (8-bit mode, error correction level M, the smallest
 * version that holds it) as width x width modules, row by row, 1 = dark;
 * free *modules with sv_free. max_width > 0: a code wider than that many
 * modules (too fine to scan where it is printed) is refused like one
 * that holds no such text: SV_ERR_USAGE naming option (e.g. "--qr-url"),
 * the length and the most that fits. */
sv_status sv_qr_encode(sv_ctx *ctx, const char *option, const char *text, int max_width, unsigned char **modules,
                       int *width);

/* The most bytes of 8-bit text a code of at most max_width modules holds
 * at level M (0: none fits). */
int sv_qr_capacity(int max_width);

#ifdef __cplusplus
}
#endif
#endif
