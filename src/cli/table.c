/* table.c - plain-text tables with UTF-8 aware column widths. */
#define _XOPEN_SOURCE 700
#include "table.h"

#include "svcov/sv_text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct cli_table {
    int ncol;
    char *align;
    char **cells; /* rows * ncol, row 0 is the header */
    size_t rows, cap;
};

int utf8_width(const char *s)
{
    if (!s)
        return 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, &st);
        if (k == (size_t)-1 || k == (size_t)-2) { /* not UTF-8: count bytes */
            memset(&st, 0, sizeof st);
            w++;
            s++;
            n--;
            continue;
        }
        if (k == 0)
            break;
        int cw = wcwidth(wc);
        w += cw < 0 ? 1 : cw;
        s += k;
        n -= k;
    }
    return w;
}

static char *dup(const char *s)
{
    s = s ? s : "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

cli_table *table_create(int ncol, const char *const *header, const char *align)
{
    cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncol = ncol;
    t->align = calloc((size_t)ncol + 1, 1);
    if (!t->align) {
        free(t);
        return NULL;
    }
    for (int i = 0; i < ncol; i++)
        t->align[i] = align && align[i] == 'r' ? 'r' : 'l';
    if (table_add(t, header) != 0) {
        table_destroy(t);
        return NULL;
    }
    return t;
}

int table_add(cli_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        /* room for whole rows: grow the row count, cells follow */
        size_t cap = t->cap * (size_t)t->ncol;
        if (sv_grow(&t->cells, &cap, (t->rows + 1) * (size_t)t->ncol, sizeof *t->cells, 16 * (size_t)t->ncol) != 0)
            return -1;
        t->cap = cap / (size_t)t->ncol;
    }
    for (int c = 0; c < t->ncol; c++) {
        char *v = dup(cells ? cells[c] : "");
        if (!v)
            return -1;
        /* keep the table on one line per row */
        for (char *q = v; *q; q++)
            if (*q == '\n' || *q == '\r' || *q == '\t')
                *q = ' ';
        /* and the terminal as it was: ESC and the other control characters of an id as visible escapes */
        sv_buf b = {0};
        sv_buf_term(&b, v, 0);
        free(v);
        v = b.failed ? NULL : dup(b.data);
        sv_buf_free(&b);
        if (!v)
            return -1;
        t->cells[t->rows * (size_t)t->ncol + (size_t)c] = v;
    }
    t->rows++;
    return 0;
}

void table_print(const cli_table *t, FILE *out)
{
    int *w = calloc((size_t)t->ncol, sizeof *w);
    if (!w)
        return;
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->ncol; c++) {
            int cw = utf8_width(t->cells[r * (size_t)t->ncol + (size_t)c]);
            if (cw > w[c])
                w[c] = cw;
        }
    for (size_t r = 0; r < t->rows; r++) {
        for (int c = 0; c < t->ncol; c++) {
            const char *v = t->cells[r * (size_t)t->ncol + (size_t)c];
            int pad = w[c] - utf8_width(v);
            if (c)
                fputs("  ", out);
            if (t->align[c] == 'r')
                fprintf(out, "%*s%s", pad, "", v);
            else if (c == t->ncol - 1)
                fputs(v, out);
            else
                fprintf(out, "%s%*s", v, pad, "");
        }
        fputc('\n', out);
        if (r == 0) {
            for (int c = 0; c < t->ncol; c++) {
                if (c)
                    fputs("  ", out);
                for (int k = 0; k < w[c]; k++)
                    fputc('-', out);
            }
            fputc('\n', out);
        }
    }
    free(w);
}

void table_destroy(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * (size_t)t->ncol; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->align);
    free(t);
}

void csv_field(FILE *out, const char *s)
{
    sv_buf b = {0};
    sv_buf_csv(&b, s); /* quoting and the formula guard of the reports' CSV */
    if (b.data)
        fputs(b.data, out);
    sv_buf_free(&b);
}
