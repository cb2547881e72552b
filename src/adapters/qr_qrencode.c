/* qr_qrencode.c - QR codes through libqrencode (the only file including qrencode.h). */
#include "adapters/qr.h"
#include "svcov/sv_poster.h"

#include <qrencode.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of 8-bit data a version holds at level M (ISO/IEC 18004 table 7), versions 1..40. */
static const int capacity_m[41] = {0,    14,   26,   42,   62,   84,   106,  122,  152,  180,  213,
                                   251,  287,  331,  362,  412,  450,  504,  560,  624,  666,  711,
                                   779,  857,  911,  997,  1059, 1125, 1190, 1264, 1370, 1452, 1538,
                                   1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331};

int sv_qr_capacity(int max_width)
{
    int best = 0;
    for (int v = 1; v <= 40; v++)
        if (max_width <= 0 || 17 + 4 * v <= max_width)
            best = capacity_m[v];
    return best;
}

sv_status sv_qr_encode(sv_ctx *ctx, const char *option, const char *text, int max_width, unsigned char **modules,
                       int *width)
{
    *modules = NULL;
    *width = 0;
    size_t len = text ? strlen(text) : 0;
    if (len == 0)
        return sv_error(ctx, SV_ERR_USAGE, "%s: give the text of the QR code, e.g. https://example.org/map", option);
    errno = 0;
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q && errno == ENOMEM)
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for the QR code");
    if (!q || (max_width > 0 && q->width > max_width)) {
        int fits = sv_qr_capacity(max_width);
        QRcode_free(q);
        return sv_error(ctx, SV_ERR_USAGE,
                        "%s: %zu bytes are too long for a QR code that can be scanned on this page (at most %d "
                        "bytes fit); give a shorter link, e.g. from the city's URL shortener", option, len, fits);
    }
    unsigned char *m = sv_malloc((size_t)q->width * (size_t)q->width);
    if (!m) {
        QRcode_free(q);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory for the QR code");
    }
    for (int i = 0; i < q->width * q->width; i++)
        m[i] = q->data[i] & 1;
    *modules = m;
    *width = q->width;
    QRcode_free(q);
    return SV_OK;
}

const char *sv_qrencode_version(void)
{
    return QRcode_APIVersionString();
}
