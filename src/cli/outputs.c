/* outputs.c - what map and poster share about their output files: the format by extension, and the file
 * names of one output per district or compound (--all-districts). */
#define _GNU_SOURCE
#include "cli.h"

#include "svcov/sv_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_canvas_format(const char *path, sv_canvas_format *fmt)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    const char *ext = dot ? dot + 1 : path;
    if (!ext)
        return -1;
    if (strcasecmp(ext, "png") == 0)
        *fmt = SV_CANVAS_PNG;
    else if (strcasecmp(ext, "svg") == 0)
        *fmt = SV_CANVAS_SVG;
    else if (strcasecmp(ext, "pdf") == 0)
        *fmt = SV_CANVAS_PDF;
    else
        return -1;
    return 0;
}

static int name_taken(char *const *names, size_t n, const char *name)
{
    for (size_t j = 0; j < n; j++)
        if (names[j] && strcasecmp(names[j], name) == 0)
            return 1;
    return 0;
}

char **cli_file_names(const char *const *ids, size_t n)
{
    char **names = calloc(n ? n : 1, sizeof *names);
    if (!names)
        return NULL;
    char part[256], cand[280];
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            if (names[i])
                continue;
            const char *id = ids[i];
            sv_file_name_part(id, part, sizeof part, 200);
            if (pass == 0 && (strcmp(part, id ? id : "") != 0 || name_taken(names, n, part)))
                continue;
            snprintf(cand, sizeof cand, "%s", part);
            for (unsigned k = 2; name_taken(names, n, cand); k++)
                snprintf(cand, sizeof cand, "%s_%u", part, k);
            if (!(names[i] = strdup(cand))) {
                for (size_t j = 0; j < n; j++)
                    free(names[j]);
                free(names);
                return NULL;
            }
        }
    return names;
}
