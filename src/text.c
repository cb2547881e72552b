/* text.c - buffers, escaping and atomic file writes for maps and reports. */
#include "svcov/sv_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

void sv_buf_md(sv_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            sv_buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            sv_buf_puts(b, " ");
        else if (*s == '<')
            sv_buf_puts(b, "&lt;");
        else
            sv_buf_add(b, s, 1);
    }
}

void sv_buf_csv(sv_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        sv_buf_puts(b, s);
        return;
    }
    sv_buf_puts(b, "\"");
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
