/*
 * sv_text.h - text output helpers for maps and reports: a growing byte
 * buffer, HTML/Markdown/CSV escaping, JSON made safe inside <script>, base64,
 * the atomic write of a finished file (private temporary folder, fsync,
 * rename) and the lock of an output being written.
 *
 * Ownership: an sv_buf's data is its own, freed with sv_buf_free (a zeroed sv_buf is empty and
 * needs no setup); after an allocation failure the buffer keeps what it had and sets failed, and
 * later appends do nothing. A lock (sv_lock_output) is the caller's until sv_unlock_output (NULL ok).
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

/* s with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD (free()); NULL
 * when s is valid UTF-8 already (or NULL, or out of memory). */
char *sv_utf8_fix(const char *s);
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
/* The error of a failed write of path (errno e): "no space left on PATH" for a full disk (ENOSPC,
 * EDQUOT) or the file size limit (EFBIG), "cannot write PATH: ..." otherwise; SV_ERR_OUTPUT. */
sv_status sv_write_error(sv_ctx *ctx, const char *path, int e);
/* Write n bytes to the new file tmp (O_EXCL, no link followed), every write checked, fsync; on
 * failure tmp is removed and the error names path (sv_write_error). */
sv_status sv_write_new_file(sv_ctx *ctx, const char *tmp, const char *path, const void *data, size_t n);
/* Make a private temporary folder next to path (".BASE.svcov-tmp-PID-XXXXXX",
 * new, mode 0700) and put in tmp the file to write there: DIR/BASE, named
 * like path so drivers see its extension. Links planted in path's folder
 * cannot redirect it. First removes what runs that no longer exist left for
 * path (sv_tmp_clean_stale). Finish with sv_commit_file or sv_tmp_remove. */
sv_status sv_tmp_create(sv_ctx *ctx, const char *path, char *tmp, size_t size);
/* Rename tmp (from sv_tmp_create) over path after fsync, or remove it when
 * ok is 0; then removes tmp's folder. When ctx was interrupted nothing is
 * renamed and the result is SV_ERR_INTERRUPTED: the earlier file stays. */
sv_status sv_commit_file(sv_ctx *ctx, const char *tmp, const char *path, int ok);
/* Remove tmp's temporary folder and every file in it. */
void sv_tmp_remove(const char *tmp);
/* Remove every temporary folder and lock file this process holds now, for a
 * process about to end without finishing (the CLI's watchdog after ^C, when a
 * library call does not return). Not from a signal handler. */
void sv_tmp_abandon_all(void);
/* Remove the temporary folders (and older svcov's "PATH.tmp-PID" files)
 * for path whose process no longer exists (kill(pid, 0) says ESRCH) and
 * that belong to this user. Returns how many were removed. */
int sv_tmp_clean_stale(const char *path);

/* An advisory lock (fcntl) for writing path, on ".BASE.svcov-lock" beside
 * it, held from before the inputs are read until the result is in place.
 * When another process holds it, fails at once with SV_ERR_OUTPUT naming
 * that process. *out is NULL (and SV_OK) when the lock file cannot be made
 * (no such folder, not writable): then the write itself fails and says why.
 * sv_unlock_output removes the lock file and lets go (NULL is a no-op). */
/* Hex text ("0103000020...", as SQLite's hex() writes a blob) to bytes in
 * *out (the caller frees it with sv_free) and *n. -1 on an odd
 * length, a bad digit or no memory. */
/* The value of one hex digit (either case), or -1. */
int sv_hex_digit(int c);
int sv_unhex(const char *hex, unsigned char **out, size_t *n);

typedef struct sv_lock sv_lock;
sv_status sv_lock_output(sv_ctx *ctx, const char *path, sv_lock **out);
void sv_unlock_output(sv_lock *l);

#ifdef __cplusplus
}
#endif
#endif
