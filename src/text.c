/* text.c - buffers, escaping and atomic file writes for maps and reports. */
#include "svcov/sv_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void sv_buf_free(sv_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void sv_buf_add(sv_buf *b, const void *p, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sv_buf_puts(sv_buf *b, const char *s)
{
    if (s)
        sv_buf_add(b, s, strlen(s));
}

void sv_buf_printf(sv_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        sv_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sv_buf_add(b, big, (size_t)n);
    free(big);
}

void sv_buf_html(sv_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sv_buf_puts(b, "&amp;"); break;
        case '<': sv_buf_puts(b, "&lt;"); break;
        case '>': sv_buf_puts(b, "&gt;"); break;
        case '"': sv_buf_puts(b, "&quot;"); break;
        case '\'': sv_buf_puts(b, "&#39;"); break;
        default: sv_buf_add(b, s, 1);
        }
    }
}

/* Markdown: the cell stays one cell and plain text. | ends a cell; ` * _ [ ] \ start code, emphasis and
 * links; < and & make HTML (which Markdown renderers pass through; with < escaped no tag can open, and
 * > starts a quote only at a line's start, never in a cell); a leading # a heading. */
void sv_buf_md(sv_buf *b, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '|' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '\\' ||
            (c == '#' && p == s)) {
            char e[2] = {'\\', (char)c};
            sv_buf_add(b, e, 2);
        } else if (c == '<')
            sv_buf_puts(b, "&lt;");
        else if (c == '&')
            sv_buf_puts(b, "&amp;");
        else if (c < 0x20 || c == 0x7f) /* line breaks, tabs, ESC: one space, one line */
            sv_buf_puts(b, " ");
        else
            sv_buf_add(b, p, 1);
    }
}

/* A whole number as C reads it ("-3.5", "1e-3"): a cell a spreadsheet takes as a value, not a formula. */
static int is_number(const char *s)
{
    char *end = NULL;
    strtod(s, &end);
    return end != s && *end == '\0' && strpbrk(s, "0123456789") != NULL;
}

void sv_buf_csv(sv_buf *b, const char *s)
{
    if (!s)
        return;
    /* OWASP's rule against formula injection (=HYPERLINK(...), +cmd|...): a text cell starting with
     * = + - @ tab or CR gets a leading ' and is quoted; numbers such as -3.5 stay numbers */
    int formula = strchr("=+-@\t\r", s[0]) && s[0] && !is_number(s);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        sv_buf_puts(b, s);
        return;
    }
    sv_buf_puts(b, formula ? "\"'" : "\"");
    for (; *s; s++) {
        if (*s == '"')
            sv_buf_puts(b, "\"\"");
        else
            sv_buf_add(b, s, 1);
    }
    sv_buf_puts(b, "\"");
}

void sv_buf_json_script(sv_buf *b, const char *json)
{
    const unsigned char *s = (const unsigned char *)json;
    for (; s && *s; s++) {
        if (*s == '<')
            sv_buf_puts(b, "\\u003c");
        else if (*s == '>')
            sv_buf_puts(b, "\\u003e");
        else if (*s == '&')
            sv_buf_puts(b, "\\u0026");
        else if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) {
            sv_buf_puts(b, s[2] == 0xA8 ? "\\u2028" : "\\u2029");
            s += 2;
        } else
            sv_buf_add(b, s, 1);
    }
}

void sv_buf_base64(sv_buf *b, const unsigned char *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[0] = tbl[(v >> 18) & 63];
        out[1] = tbl[(v >> 12) & 63];
        out[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? tbl[v & 63] : '=';
        sv_buf_add(b, out, 4);
    }
}

void sv_tmp_name(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s.tmp-%ld", path, (long)getpid());
}

sv_status sv_commit_file(sv_ctx *ctx, const char *tmp, const char *path, int ok)
{
    if (!ok) {
        unlink(tmp);
        return SV_OK;
    }
    int fd = open(tmp, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(e));
    }
    return SV_OK;
}

sv_status sv_write_file_atomic(sv_ctx *ctx, const char *path, const void *data, size_t n)
{
    char tmp[4200];
    sv_tmp_name(path, tmp, sizeof tmp);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s (does the folder exist?)", path, strerror(errno));
    int ok = fwrite(data, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    int e = errno;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        unlink(tmp);
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(e ? e : EIO));
    }
    return sv_commit_file(ctx, tmp, path, 1);
}

/* The length of the valid UTF-8 sequence at s (1 to 4), 0 when it is not one (overlong, surrogate,
 * beyond U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) || (s[0] == 0xF0 && s[1] < 0x90) ||
        (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

void sv_buf_term(sv_buf *b, const char *s, int keep_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    while (p && *p) {
        size_t n = utf8_seq(p);
        if (n == 0) { /* a stray byte: 0x9B alone is CSI on some terminals */
            sv_buf_printf(b, "\\x%02x", *p);
            p++;
        } else if (n == 1 && (*p < 0x20 || *p == 0x7f) && !(keep_newlines && (*p == '\n' || *p == '\t'))) {
            sv_buf_printf(b, "\\x%02x", *p);
            p++;
        } else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) { /* C1 controls U+0080..U+009F */
            sv_buf_printf(b, "\\u%04x", p[1]);
            p += 2;
        } else {
            sv_buf_add(b, p, n);
            p += n;
        }
    }
}

void sv_file_name_part(const char *id, char *out, size_t size, size_t max_bytes)
{
    static const char unsafe[] = "/\\:*?\"<>|";
    if (size == 0)
        return;
    if (max_bytes > size - 1)
        max_bytes = size - 1;
    const unsigned char *p = (const unsigned char *)(id ? id : "");
    size_t o = 0;
    while (*p) {
        size_t n = utf8_seq(p);
        int bad = n == 0 || *p < 0x20 || *p == 0x7f || (n == 1 && strchr(unsafe, *p)) ||
                  (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) || (o == 0 && *p == '.');
        size_t k = bad ? 1 : n;
        if (o + k > max_bytes) /* cut at a character's boundary */
            break;
        if (bad)
            out[o++] = '_';
        else {
            memcpy(out + o, p, n);
            o += n;
        }
        p += n ? n : 1;
    }
    /* Windows drops a trailing dot or space */
    if (o > 0 && (out[o - 1] == '.' || out[o - 1] == ' '))
        out[o - 1] = '_';
    out[o] = '\0';
    if (o == 0) {
        snprintf(out, size, "district");
        return;
    }
    /* CON, PRN, AUX, NUL, COM1-9, LPT1-9 (with any extension) are devices on Windows */
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL"};
    size_t stem = strcspn(out, ".");
    int reserved = 0;
    for (size_t i = 0; i < 4; i++)
        reserved |= stem == 3 && strncasecmp(out, dev[i], 3) == 0;
    reserved |= stem == 4 && (strncasecmp(out, "COM", 3) == 0 || strncasecmp(out, "LPT", 3) == 0) &&
                out[3] >= '1' && out[3] <= '9';
    if (reserved && o + 1 <= max_bytes) {
        memmove(out + stem + 1, out + stem, o - stem + 1);
        out[stem] = '_';
    }
}
