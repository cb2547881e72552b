/* fuzz_pg.c - libFuzzer target for what svcov itself parses of a PostgreSQL
 * connection (`--db PG:...`, `--out PG:...`, `--pg-schema`; libpq parses the
 * connection string itself and is fuzzed by PostgreSQL): the password masking
 * of messages and stored command lines (sv_pg_hide_password,
 * sv_pg_shown_connection in src/adapters/store_pg.c) and the schema name check
 * (sv_pg_check_schema_name). No connection is made.
 *
 * The input, up to its first NUL, is a connection string T. Promises checked, libpq's own parser
 * (PQconninfoParse, through sv_pg_conninfo_options) the oracle:
 * - when libpq parses PG:T, the masked text parses to exactly the same options except the password, which is
 *   *** (no conninfo in the output parses to the original password), and a T in which libpq finds no
 *   password is left unchanged; --db=PG:T is masked the same way;
 * - when it does not (a command line, a GDAL string with tables=), a T without "password" and "://" is left
 *   unchanged;
 * - a secret placed into T as libpq reads passwords (password=S,
 *   password = 'S', postgresql://user:S@host) never appears in either masked
 *   text whenever libpq's own parser (PQconninfoParse, through
 *   sv_pg_conninfo_password) says S is the password;
 * - whatever password libpq reads from PG:T itself (4 characters or more) is
 *   not in sv_pg_shown_connection's text;
 * - a schema name is accepted only as lower-case letters, digits and _, 1 to
 *   63 bytes, not starting with a digit or pg_, and otherwise refused with a
 *   message naming --pg-schema.
 * Build and replay as fuzz_hours.c says. */
#include "svcov/sv_pg.h"

#define FUZZ_NAME "fuzz_pg"
#include "replay.h"

#include <ctype.h>

#define SECRET "Zq8xW3vKsecret"

static void check_secret(const char *conn, const char *secret)
{
    char *pw = sv_pg_conninfo_password(conn);
    int is_password = pw && strcmp(pw, secret) == 0;
    free(pw);
    if (!is_password)
        return;
    char *hidden = sv_pg_hide_password(conn), *shown = sv_pg_shown_connection(conn);
    CHECK(hidden && shown);
    if (strstr(hidden, secret) || strstr(shown, secret)) {
        fprintf(stderr, FUZZ_NAME ": the password of [%s] shows: hidden [%s], shown [%s]\n", conn, hidden, shown);
        abort();
    }
    free(hidden);
    free(shown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *t = malloc(size + 1);
    if (!t)
        return 0;
    memcpy(t, data, size);
    t[size] = '\0';
    size_t n = strlen(t);

    /* T as it is */
    char *conn = malloc(n + 4);
    CHECK(conn);
    snprintf(conn, n + 4, "PG:%s", t);
    char *hidden = sv_pg_hide_password(conn), *shown = sv_pg_shown_connection(conn);
    CHECK(hidden && shown);
    char *want = sv_pg_conninfo_options(conn, "***");
    if (want) {
        char *got = sv_pg_conninfo_options(hidden, NULL);
        if (!got || strcmp(got, want) != 0) {
            fprintf(stderr, FUZZ_NAME ": [%s] masked as [%s]: libpq reads\n%s\nnot\n%s", conn, hidden,
                    got ? got : "(cannot parse)\n", want);
            abort();
        }
        free(got);
        if (strncmp(want, "password=", 9) != 0 && !strstr(want, "\npassword="))
            CHECK(strcmp(hidden, conn) == 0);
        char *opt = malloc(n + 16);
        CHECK(opt);
        snprintf(opt, n + 16, "--db=PG:%s", t);
        char *hidden_opt = sv_pg_hide_password(opt);
        CHECK(hidden_opt && strncmp(hidden_opt, "--db=", 5) == 0 && strcmp(hidden_opt + 5, hidden) == 0);
        free(hidden_opt);
        free(opt);
        free(want);
    } else if (!strstr(t, "password") && !strstr(t, "://")) {
        CHECK(strcmp(hidden, conn) == 0);
    }
    char *pw = sv_pg_conninfo_password(conn);
    if (pw && strlen(pw) >= 4 && strstr(shown, pw)) {
        fprintf(stderr, FUZZ_NAME ": libpq reads password [%s] from [%s]; shown as [%s]\n", pw, conn, shown);
        abort();
    }
    free(pw);
    free(hidden);
    free(shown);
    free(conn);

    /* a secret in T, spelled in each way libpq reads a password */
    if (!strstr(t, "Zq8xW3vK")) {
        static const char *const forms[] = {"PG:%s password=" SECRET, "PG:password=" SECRET " %s",
                                            "PG:%s password = '" SECRET "'", "PG:postgresql://planner:" SECRET "@%s",
                                            "PG:%s?password=" SECRET};
        size_t cap = n + 64;
        char *c = malloc(cap);
        CHECK(c);
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
            snprintf(c, cap, forms[i], t);
            check_secret(c, SECRET);
        }
        free(c);
    }

    /* T as a --pg-schema */
    sv_ctx *ctx = sv_ctx_create();
    CHECK(ctx);
    int ok = n >= 1 && n <= 63 && (islower((unsigned char)t[0]) || t[0] == '_') && strncmp(t, "pg_", 3) != 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = islower((unsigned char)t[i]) || isdigit((unsigned char)t[i]) || t[i] == '_';
    sv_status st = sv_pg_check_schema_name(ctx, t);
    if (ok)
        CHECK(st == SV_OK);
    else
        CHECK(st == SV_ERR_USAGE && strstr(sv_ctx_errmsg(ctx), "--pg-schema"));
    sv_ctx_destroy(ctx);
    free(t);
    return 0;
}
