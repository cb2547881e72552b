/* table.h - plain-text tables with UTF-8 aware column widths (CLI only). */
#ifndef SVCOV_CLI_TABLE_H
#define SVCOV_CLI_TABLE_H

#include <stdio.h>

typedef struct cli_table cli_table;

/* align: one char per column, 'l' or 'r'. NULL header entries are "". */
cli_table *table_create(int ncol, const char *const *header, const char *align);
int table_add(cli_table *t, const char *const *cells); /* copies; NULL cell prints as "" */
void table_print(const cli_table *t, FILE *out);
void table_destroy(cli_table *t);

/* Display width of a UTF-8 string (CJK characters count 2). */
int utf8_width(const char *s);
/* Write one CSV field (RFC 4180 quoting). */
void csv_field(FILE *out, const char *s);

#endif
