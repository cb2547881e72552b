/* fuzz_speeds.c - libFuzzer target for the --speeds CSV reader
 * (src/engine/network.c, sv_travel_mode_load): the input is written to a file
 * and read as the speeds of each mode; the result must keep every speed in
 * 0..300 km/h and every class name a terminated string within its slot, or
 * fail with a message. Build and replay as fuzz_hours.c says. */
#include "svcov/sv_common.h"
#include "svcov/sv_network.h"

#include <unistd.h>

#define FUZZ_NAME "fuzz_speeds"
#include "replay.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/svcov-fuzz-speeds-%ld.csv", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    static const char *const modes[] = {"walk", "bike", "car"};
    for (size_t k = 0; k < 3; k++) {
        sv_ctx *ctx = sv_ctx_create();
        if (!ctx)
            break;
        sv_travel_mode m;
        memset(&m, 0x5a, sizeof m);
        sv_status st = sv_travel_mode_load(ctx, modes[k], path, &m);
        if (st == SV_OK) {
            CHECK(m.n_classes <= SV_MODE_MAX_CLASSES);
            for (size_t i = 0; i < m.n_classes; i++) {
                CHECK(memchr(m.cls[i], '\0', sizeof m.cls[i]) != NULL);
                CHECK(m.kmh[i] >= 0 && m.kmh[i] <= 300);
            }
        } else {
            CHECK(strlen(sv_ctx_errmsg(ctx)) > 0);
        }
        sv_ctx_destroy(ctx);
    }
    unlink(path);
    return 0;
}
