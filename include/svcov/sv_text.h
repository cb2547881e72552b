/*
 * sv_text.h - text output helpers for maps and reports: a growing byte
 * buffer, HTML/Markdown/CSV escaping, JSON made safe inside <script>, base64,
 * and the atomic write of a finished file (temporary name, fsync, rename).
 */
#ifndef SV_TEXT_H
#define SV_TEXT_H

#include "svcov/sv_common.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A growing buffer. Zero-initialise, append, free the data with sv_buf_free.
 * An allocation failure sets failed and ignores later appends. */
typedef struct {
    char *data; /* NUL-terminated while len > 0 */
    size_t len, cap;
    int failed;
} sv_buf;

void sv_buf_free(sv_buf *b);
void sv_buf_add(sv_buf *b, const void *p, size_t n);
void sv_buf_puts(sv_buf *b, const char *s);
void sv_buf_printf(sv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' as HTML entities (NULL appends nothing). */
void sv_buf_html(sv_buf *b, const char *s);
/* s as plain text in a Markdown table cell: | ` * _ [ ] \ and a leading # backslash-escaped,
 * < & as entities, line breaks and other control characters as a space. */
void sv_buf_md(sv_buf *b, const char *s);
/* s as an RFC 4180 CSV field (quoted when it holds , " or a line break). A text that a spreadsheet
 * would run as a formula (starting with = + - @ tab or CR, and not a number like -3.5) gets a
 * leading ' (OWASP's rule against CSV injection). */
void sv_buf_csv(sv_buf *b, const char *s);
/* JSON text that is safe inside an HTML <script> element: < > & and
 * U+2028/U+2029 become \u escapes (valid JSON, no early </script>). */
void sv_buf_json_script(sv_buf *b, const char *json);
/* n bytes as base64 (RFC 4648, with padding). */
void sv_buf_base64(sv_buf *b, const unsigned char *p, size_t n);

/* s for a terminal: control characters (C0, DEL, C1, so ESC sequences too) and bytes that are not
 * UTF-8 as visible escapes (\x1b, \u009b); line breaks and tabs kept when keep_newlines. */
void sv_buf_term(sv_buf *b, const char *s, int keep_newlines);
/* id as a readable file name part of at most max_bytes bytes (and size - 1) into out: UTF-8 kept
 * (cut at a character's boundary), / \ : * ? " < > | control characters, bytes that are not UTF-8
 * and a leading dot replaced by _, a trailing dot or space too, Windows device names (CON, COM1, ...)
 * given a _; "district" for an empty id. Different ids can give the same part: callers make names
 * unique. */
void sv_file_name_part(const char *id, char *out, size_t size, size_t max_bytes);

/* Write n bytes to path atomically: a temporary file beside it, fsync,
 * rename. On failure nothing is left at path that was not there before.
 * Errors are SV_ERR_OUTPUT naming the path. */
sv_status sv_write_file_atomic(sv_ctx *ctx, const char *path, const void *data, size_t n);
/* The temporary name used for path ("PATH.tmp-PID"), for writers that
 * produce the file themselves; then sv_commit_file renames it (or removes it
 * when ok is 0). */
void sv_tmp_name(const char *path, char *out, size_t size);
sv_status sv_commit_file(sv_ctx *ctx, const char *tmp, const char *path, int ok);

#ifdef __cplusplus
}
#endif
#endif
