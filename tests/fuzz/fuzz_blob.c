/* fuzz_blob.c - libFuzzer target for the SpatiaLite geometry blob check of
 * every result database reader (src/core/blob.c): arbitrary bytes are
 * checked, and every blob the check accepts is walked again by a second,
 * independent reader of its declared counts that must end exactly at the
 * end marker (so "accepted" always means "well-formed", never "read past
 * the end"). Build and replay as fuzz_hours.c says. */
#include "svcov/sv_blob.h"

#define FUZZ_NAME "fuzz_blob"
#include "replay.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    uint8_t *blob = malloc(size ? size : 1);
    if (!blob)
        return 0;
    memcpy(blob, data, size);
    char why[200];
    int rc = sv_spatialite_blob_check(blob, size, why, sizeof why);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        CHECK(why[0] == '\0');
        CHECK(size >= 45 && blob[0] == 0x00 && blob[38] == 0x7C && blob[size - 1] == 0xFE);
    } else {
        CHECK(why[0] != '\0' && strlen(why) < sizeof why);
    }
    /* a too-small message buffer is never overrun */
    char tiny[4];
    CHECK(sv_spatialite_blob_check(blob, size, tiny, sizeof tiny) == rc && strlen(tiny) < sizeof tiny);
    CHECK(sv_spatialite_blob_check(blob, size, NULL, 0) == rc);
    free(blob);
    return 0;
}
