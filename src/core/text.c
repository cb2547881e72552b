/* text.c - buffers, escaping, atomic file writes (temporary folders, stale
 * ones removed) and the lock of an output being written. */
#include "svcov/sv_text.h"
#include "svcov/sv_lang.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
        if (sv_grow(&b->data, &b->cap, b->len + n + 1, 1, 4096) != 0) {
            b->failed = 1;
            return;
        }
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
    char *big = sv_malloc((size_t)n + 1);
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

/* ---- temporary files and the output lock ----
 *
 * A result is written in a private folder next to its destination,
 * ".BASE.svcov-tmp-PID-XXXXXX" (mkdtemp: new, mode 0700), as DIR/BASE, and
 * renamed into place when complete. Nothing planted in the destination
 * folder (a symbolic link at a guessed name) can redirect what is written,
 * and sidecar files (SQLite journals, shapefile parts) stay inside too. */

static const char tmp_tag[] = ".svcov-tmp-";

/* The temporary folders and lock files this process has now, for
 * sv_tmp_abandon_all. */
#define MAX_LIVE 64
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static char *live[MAX_LIVE];
static int live_is_dir[MAX_LIVE];

/* 0, or -1 when out of memory (then ^C could not remove the path: the caller gives up on it). */
static int live_add(const char *path, int is_dir)
{
    int rc = 0;
    pthread_mutex_lock(&live_mu);
    for (int i = 0; i < MAX_LIVE; i++)
        if (!live[i]) {
            live[i] = sv_strdup(path);
            live_is_dir[i] = is_dir;
            rc = live[i] ? 0 : -1;
            break;
        }
    pthread_mutex_unlock(&live_mu);
    return rc;
}

static void live_drop(const char *path)
{
    pthread_mutex_lock(&live_mu);
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] && strcmp(live[i], path) == 0) {
            free(live[i]);
            live[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&live_mu);
}

static void remove_tmp_dir(const char *dir);

void sv_tmp_abandon_all(void)
{
    pthread_mutex_lock(&live_mu); /* kept: the process is about to end */
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i]) {
            if (live_is_dir[i])
                remove_tmp_dir(live[i]);
            else
                unlink(live[i]);
        }
}

/* path's folder ("." when none) and base name; -1 when path ends in '/'. */
static int split_path(const char *path, char *dir, size_t dsize, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, dsize, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        snprintf(dir, dsize, ".");
    *base = slash ? slash + 1 : path;
    return **base ? 0 : -1;
}

/* The process id in NAME after prefix ("PID" then end or one of the tails),
 * 0 when NAME is not of that form. */
static long tmp_pid(const char *name, const char *prefix, const char *const *tails)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0)
        return 0;
    char *end = NULL;
    errno = 0;
    long pid = strtol(name + n, &end, 10);
    if (errno || end == name + n || pid <= 0 || name[n] == '-' || name[n] == '+')
        return 0;
    for (size_t k = 0; tails[k]; k++)
        if (tails[k][0] == '*' ? strncmp(end, tails[k] + 1, strlen(tails[k] + 1)) == 0 : strcmp(end, tails[k]) == 0)
            return pid;
    return 0;
}

static int pid_is_gone(long pid)
{
    return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Remove a temporary folder and the files in it (it holds no folders). */
static void remove_tmp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[4600];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

int sv_tmp_clean_stale(const char *path)
{
    char dir[4096], new_prefix[1200], old_prefix[1200];
    const char *base;
    if (split_path(path, dir, sizeof dir, &base) != 0)
        return 0;
    snprintf(new_prefix, sizeof new_prefix, ".%s%s", base, tmp_tag);
    snprintf(old_prefix, sizeof old_prefix, "%s.tmp-", base); /* earlier svcov: PATH.tmp-PID files */
    static const char *const new_tails[] = {"*-", NULL};
    static const char *const old_tails[] = {"", "-journal", "-wal", "-shm", NULL};
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    uid_t me = geteuid();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = tmp_pid(e->d_name, new_prefix, new_tails);
        int is_dir = pid > 0;
        if (!pid)
            pid = tmp_pid(e->d_name, old_prefix, old_tails);
        if (!pid || !pid_is_gone(pid))
            continue;
        char p[4600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(p, &sb) != 0 || sb.st_uid != me)
            continue;
        if (is_dir && S_ISDIR(sb.st_mode))
            remove_tmp_dir(p);
        else if (!is_dir && S_ISREG(sb.st_mode))
            unlink(p);
        else
            continue;
        removed++;
    }
    closedir(d);
    return removed;
}

/* An output path that exists must be a file (or a link to one): the result is renamed over it, which
 * would replace a device, a pipe or a socket (as root: /dev/null or /dev/full itself) instead of
 * writing into it, and a folder cannot be replaced. SV_ERR_OUTPUT naming path (exit 1, as a folder was). */
static sv_status output_is_file(sv_ctx *ctx, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
        return SV_OK;
    return sv_error(ctx, SV_ERR_OUTPUT, "%s is %s, not a file: svcov writes its results to a file of their own "
                    "(it would be replaced); give the name of a file", path,
                    sv_tr(sv_ctx_lang(ctx), S_ISDIR(sb.st_mode)    ? SV_N_("a folder")
                                            : S_ISFIFO(sb.st_mode) ? SV_N_("a pipe")
                                                                   : SV_N_("a device or socket")));
}

sv_status sv_tmp_create(sv_ctx *ctx, const char *path, char *tmp, size_t size)
{
    char dir[4096];
    const char *base;
    if (split_path(path, dir, sizeof dir, &base) != 0)
        return sv_error(ctx, SV_ERR_USAGE, "%s: give a file name, not a folder", path);
    sv_status st = output_is_file(ctx, path);
    if (st != SV_OK)
        return st;
    sv_tmp_clean_stale(path);
    int n = snprintf(tmp, size, "%s/.%s%s%ld-XXXXXX", dir, base, tmp_tag, (long)getpid());
    if (n < 0 || (size_t)n + strlen(base) + 2 > size)
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: the path is too long", path);
    if (!mkdtemp(tmp)) {
        int e = errno;
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s%s", path, strerror(e),
                        e == ENOENT ? sv_tr(sv_ctx_lang(ctx), " (does the folder exist?)") : "");
    }
    if (live_add(tmp, 1) != 0) {
        rmdir(tmp);
        return sv_error(ctx, SV_ERR_NOMEM, "out of memory writing %s", path);
    }
    /* Files in it get the usual permissions (umask); only the folder is private. */
    snprintf(tmp + n, size - (size_t)n, "/%s", base);
    return SV_OK;
}

void sv_tmp_remove(const char *tmp)
{
    const char *slash = tmp ? strrchr(tmp, '/') : NULL;
    if (!slash)
        return;
    char dir[4600];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - tmp), tmp);
    remove_tmp_dir(dir);
    live_drop(dir);
}

sv_status sv_commit_file(sv_ctx *ctx, const char *tmp, const char *path, int ok)
{
    if (ok && sv_ctx_interrupted(ctx)) {
        /* The last moment to honour ^C: the earlier result stays. */
        sv_error(ctx, SV_ERR_INTERRUPTED, "interrupted; %s was left as it was", path);
        ok = 0;
    }
    if (!ok) {
        sv_tmp_remove(tmp);
        return sv_ctx_interrupted(ctx) ? SV_ERR_INTERRUPTED : SV_OK;
    }
    int fd = open(tmp, O_RDONLY | O_NOFOLLOW);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        sv_tmp_remove(tmp);
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(e));
    }
    sv_tmp_remove(tmp);
    return SV_OK;
}

struct sv_lock {
    int fd;
    char *path;
};

sv_status sv_lock_output(sv_ctx *ctx, const char *path, sv_lock **out)
{
    *out = NULL;
    char dir[4096], lock_path[4600];
    const char *base;
    if (split_path(path, dir, sizeof dir, &base) != 0)
        return SV_OK; /* not a file name: the writer says so */
    sv_status st = output_is_file(ctx, path); /* before the inputs are read, not after the work */
    if (st != SV_OK)
        return st;
    snprintf(lock_path, sizeof lock_path, "%s/.%s.svcov-lock", dir, base);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
            int e = errno;
            if (e != ELOOP)
                return SV_OK; /* no folder, not writable: the writer itself says so */
            return sv_error(ctx, SV_ERR_OUTPUT, "cannot lock %s for writing (%s: %s)%s", path, lock_path,
                            strerror(e), e == ELOOP ? sv_tr(sv_ctx_lang(ctx), "; remove that symbolic link") : "");
        }
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int e = errno;
            struct flock who = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
            long pid = fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
            close(fd);
            if (e != EAGAIN && e != EACCES)
                return sv_error(ctx, SV_ERR_OUTPUT, "cannot lock %s for writing: %s", path, strerror(e));
            char holder[64] = "";
            if (pid > 0)
                snprintf(holder, sizeof holder, sv_tr(sv_ctx_lang(ctx), " (process %ld)"), pid);
            return sv_error(ctx, SV_ERR_OUTPUT,
                            "%s is being written by another svcov run%s; nothing was written: run this command "
                            "again when that one has finished",
                            path, holder);
        }
        /* The holder before us removes the lock file as it lets go: make
         * sure ours is still the one at lock_path, else try again. */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && lstat(lock_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            sv_lock *l = sv_calloc(1, sizeof *l);
            if (!l || !(l->path = sv_strdup(lock_path)) || live_add(lock_path, 0) != 0) {
                if (l)
                    free(l->path);
                free(l);
                unlink(lock_path);
                close(fd);
                return SV_ERR_NOMEM;
            }
            l->fd = fd;
            *out = l;
            return SV_OK;
        }
        close(fd);
    }
    return sv_error(ctx, SV_ERR_OUTPUT, "cannot lock %s for writing: its lock file keeps changing", path);
}

void sv_unlock_output(sv_lock *l)
{
    if (!l)
        return;
    unlink(l->path); /* while still held, so no one locks a file about to go */
    live_drop(l->path);
    close(l->fd);
    free(l->path);
    free(l);
}

sv_status sv_write_error(sv_ctx *ctx, const char *path, int e)
{
    if (e == ENOSPC || e == EDQUOT)
        return sv_error(ctx, SV_ERR_OUTPUT, "no space left on %s (%s); free some space or write elsewhere; an "
                        "earlier %s was left as it was", path, strerror(e), path);
    if (e == EFBIG)
        return sv_error(ctx, SV_ERR_OUTPUT, "no space left on %s: the file size limit (ulimit -f) was reached; "
                        "raise it or write a smaller output; an earlier %s was left as it was", path, path);
    return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(e ? e : EIO));
}

sv_status sv_write_new_file(sv_ctx *ctx, const char *tmp, const char *path, const void *data, size_t n)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return sv_write_error(ctx, path, errno);
    const unsigned char *p = data;
    size_t left = n;
    int e = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : ENOSPC;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        unlink(tmp);
        return sv_write_error(ctx, path, e);
    }
    return SV_OK;
}

sv_status sv_write_file_atomic(sv_ctx *ctx, const char *path, const void *data, size_t n)
{
    char tmp[4600];
    sv_status st = sv_tmp_create(ctx, path, tmp, sizeof tmp);
    if (st != SV_OK)
        return st;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        sv_tmp_remove(tmp);
        return sv_error(ctx, SV_ERR_OUTPUT, "cannot write %s: %s", path, strerror(e));
    }
    errno = 0;
    int ok = fwrite(data, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    int e = errno;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        sv_tmp_remove(tmp);
        return sv_write_error(ctx, path, e);
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

char *sv_utf8_fix(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0;
    while (p && *p) {
        size_t n = utf8_seq(p);
        bad += n == 0;
        p += n ? n : 1;
    }
    if (!s || !bad)
        return NULL;
    sv_buf b = {0};
    for (p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq(p);
        if (n)
            sv_buf_add(&b, p, n);
        else
            sv_buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
        p += n ? n : 1;
    }
    if (b.failed) {
        sv_buf_free(&b);
        return NULL;
    }
    return b.data;
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

int sv_hex_digit(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sv_unhex(const char *hex, unsigned char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t len = strlen(hex);
    if (len % 2)
        return -1;
    unsigned char *b = sv_malloc(len / 2 ? len / 2 : 1);
    if (!b)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = sv_hex_digit(hex[2 * i]), lo = sv_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            sv_free(b);
            return -1;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *out = b;
    *n = len / 2;
    return 0;
}
