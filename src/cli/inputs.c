/* inputs.c - the options every input of analyze and site takes: the
 * coordinate system of Chinese web maps (--coords) and the text encoding
 * (--encoding), for all inputs or one (--stations-coords, ...). */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Indexed by sv_role. */
static const char *const coords_opt[CLI_INPUTS] = {
    "--stations-coords", "--districts-coords", "--demand-coords",
    "--candidates-coords", "--network-coords", "--population-coords",
};
static const char *const encoding_opt[CLI_INPUTS] = {
    "--stations-encoding", "--districts-encoding", "--demand-encoding",
    "--candidates-encoding", "--network-encoding", "--population-encoding",
};

int cli_input_arg(const char *cmd, const cli_arg *a, const char *arg)
{
    int c = a->value;
    cli_inputs *in = a->ptr;
    if (c >= CLI_O_COORDS && c <= CLI_O_COORDS + CLI_INPUTS) {
        int k = c - CLI_O_COORDS; /* 0: all inputs, else role + 1 */
        const char *opt = k ? coords_opt[k - 1] : "--coords";
        sv_coords v;
        if (sv_coords_parse(arg, &v) != 0)
            return cli_usage(cmd, "%s %s: not a coordinate system svcov knows; use wgs84 (GPS, OpenStreetMap), "
                             "gcj02 (AMap/Gaode, Tencent) or bd09 (Baidu lon/lat)", opt, arg);
        in->coords[k] = v;
        in->coords_set[k] = 1;
        return 0;
    }
    if (c >= CLI_O_ENCODING && c <= CLI_O_ENCODING + CLI_INPUTS) {
        int k = c - CLI_O_ENCODING;
        if (!*arg)
            return cli_usage(cmd, "%s: give an encoding name, e.g. CP936, or auto",
                             k ? encoding_opt[k - 1] : "--encoding");
        in->encoding[k] = arg;
        return 0;
    }
    return EXIT_USAGE;
}

int cli_coords_arg(const char *cmd, const cli_arg *a, const char *arg)
{
    if (sv_coords_parse(arg, a->ptr) != 0)
        return cli_usage(cmd, "--coords %s: not a coordinate system svcov knows; use wgs84, gcj02 "
                         "(AMap/Gaode, Tencent) or bd09 (Baidu lon/lat)", arg);
    return 0;
}

int cli_inputs_apply(const char *cmd, const cli_inputs *in, sv_source_opts *const src[CLI_INPUTS])
{
    for (int r = 0; r < CLI_INPUTS; r++) {
        if (!src[r]) {
            if (in->coords_set[r + 1] || in->encoding[r + 1])
                return cli_usage(cmd, "%s: svcov %s has no such input", in->coords_set[r + 1] ? coords_opt[r]
                                                                                              : encoding_opt[r], cmd);
            continue;
        }
        if (in->coords_set[r + 1]) {
            src[r]->coords = in->coords[r + 1];
            src[r]->coords_option = coords_opt[r];
        } else if (in->coords_set[0]) {
            src[r]->coords = in->coords[0];
            src[r]->coords_option = "--coords";
        }
        if (in->encoding[r + 1]) {
            src[r]->encoding = in->encoding[r + 1];
            src[r]->encoding_option = encoding_opt[r];
        } else if (in->encoding[0]) {
            src[r]->encoding = in->encoding[0];
            src[r]->encoding_option = "--encoding";
        }
    }
    return 0;
}

void cli_inputs_help(void)
{
    cli_help("Chinese data (for every input, or one: --stations-coords, --districts-coords, --demand-coords,\n"
             "--candidates-coords, --network-coords, --population-coords; --stations-encoding etc. likewise):\n"
             "  --coords wgs84|gcj02|bd09 the lon/lat system of the files: gcj02 for points copied from\n"
             "                            AMap/Gaode or Tencent, bd09 from Baidu (converted to WGS 84 when\n"
             "                            read, every vertex; a projected layer is refused; default wgs84)\n"
             "  --encoding NAME|auto      the attributes' text encoding when the file does not say it (e.g.\n"
             "                            CP936 for GBK shapefiles; any GDAL/iconv name); auto decodes text\n"
             "                            found to be GBK; without it svcov warns about text that is not UTF-8\n\n");
}
