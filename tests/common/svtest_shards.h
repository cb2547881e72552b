/* svtest_shards.h - sharded runs against the test's own server (svtest_pg.h): psql's answers, workers
 * started at once, the same analysis once into SpatiaLite and once sharded into PostGIS, and the comparison
 * of their tables row for row. Include after cmocka.h, svtest.h, svtest_pg.h and core/schema.h. */
#ifndef SVTEST_SHARDS_H
#define SVTEST_SHARDS_H

#include <stdarg.h>
#include <sys/wait.h>

/* psql's answer to one query on the database "svcov" of pg (static buffer); fails the test on an error. */
SVT_FN const char *svt_psql(const svt_pg *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
SVT_FN const char *svt_psql(const svt_pg *pg, const char *fmt, ...)
{
    static char out[65536];
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (svt_pg_psql(pg, "svcov", sql, out, sizeof out) != 0)
        fail_msg("psql failed on \"%s\": %s", sql, out);
    return out;
}

/* Start n workers at once on the latest planned run of schema; each must exit 0 (workerI.out/.err). */
SVT_FN void svt_run_workers(const svt_pg *pg, int n, const char *schema, const char *lease)
{
    pid_t pid[8];
    assert_true(n >= 1 && n <= 8);
    for (int i = 0; i < n; i++) {
        const char *args[] = {"worker", "--db", pg->pg, "--pg-schema", schema, "--lease", lease, "-q", NULL};
        const char *argv[32];
        svt_argv(args, argv, 32);
        char o[64], e[64];
        snprintf(o, sizeof o, "worker%d.out", i);
        snprintf(e, sizeof e, "worker%d.err", i);
        pid[i] = svt_spawn(argv, svt_path(o), svt_path(e), 0);
    }
    for (int i = 0; i < n; i++) {
        int ws = 0;
        assert_int_equal(waitpid(pid[i], &ws, 0), pid[i]);
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
            char e[64];
            snprintf(e, sizeof e, "worker%d.err", i);
            char *t = svt_read(svt_path(e), NULL);
            fail_msg("worker %d exited %d: %s", i, WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, t ? t : "");
        }
    }
}

/* The same analysis once into SpatiaLite (ref) and once as a plan of n_shards shards that n_workers workers
 * compute at once into schema, finished and exported to sh: the export, opened, with ref attached as r.
 * args: the inputs and options both runs take (NULL-terminated); what plan printed is in svt_last. */
SVT_FN sqlite3 *svt_sharded_pair(const svt_pg *pg, const char *schema, const char *const *args,
                                 const char *n_shards, int n_workers, const char *ref, const char *sh)
{
    const char *av[64];
    int n = 0;
    av[n++] = "analyze";
    for (int i = 0; args[i] && n < 50; i++)
        av[n++] = args[i];
    const char *tail[] = {"--out", ref, "-q", NULL};
    for (int i = 0; tail[i]; i++)
        av[n++] = tail[i];
    av[n] = NULL;
    svt_runv(av);
    if (svt_last.status != 0)
        fail_msg("analyze exited %d: %s", svt_last.status, svt_last.err);
    n = 0;
    av[n++] = "plan";
    for (int i = 0; args[i] && n < 50; i++)
        av[n++] = args[i];
    const char *ptail[] = {"--shards", n_shards, "--out", pg->pg, "--pg-schema", schema, NULL};
    for (int i = 0; ptail[i]; i++)
        av[n++] = ptail[i];
    av[n] = NULL;
    svt_runv(av);
    if (svt_last.status != 0)
        fail_msg("plan exited %d: %s", svt_last.status, svt_last.err);
    char run[32];
    snprintf(run, sizeof run, "%d", atoi(svt_last.out)); /* plan printed the run id */
    svt_run_workers(pg, n_workers, schema, "30");
    SVT_EXPECT(0, "finish", "--db", pg->pg, "--pg-schema", schema, "--run", run);
    SVT_EXPECT(0, "export", "--db", pg->pg, "--pg-schema", schema, "--run", run, "--out", sh);
    sqlite3 *db = svt_db_open(sh);
    char at[4200];
    snprintf(at, sizeof at, "ATTACH '%s' AS r", ref);
    assert_int_equal(sqlite3_exec(db, at, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

/* max |a.col - b.col| over the rows of table joined on keys, with equal row counts on both sides and no key
 * twice; fails beyond tol. */
SVT_FN void svt_same_rows(sqlite3 *db, const char *table, const char *keys, const char *cols, double tol,
                          const char *where)
{
    char q[4096];
    long long na = svt_db_int(db, "SELECT count(*) FROM main.%s WHERE %s", table, where);
    long long nb = svt_db_int(db, "SELECT count(*) FROM r.%s WHERE %s", table, where);
    if (na != nb)
        fail_msg("%s: %lld rows sharded, %lld in the SpatiaLite run", table, na, nb);
    assert_true(na > 0);
    long long distinct = svt_db_int(db, "SELECT count(*) FROM (SELECT DISTINCT %s FROM main.%s WHERE %s)", keys,
                                    table, where);
    if (distinct != na)
        fail_msg("%s: %lld rows but %lld distinct (%s): something is there twice", table, na, distinct, keys);
    char klist[512];
    snprintf(klist, sizeof klist, "%s", keys);
    char on[1024] = "";
    for (char *k = strtok(klist, ", "); k; k = strtok(NULL, ", "))
        snprintf(on + strlen(on), sizeof on - strlen(on), "%sa.%s IS b.%s", *on ? " AND " : "", k, k);
    snprintf(q, sizeof q, "SELECT count(*) FROM (SELECT * FROM main.%s WHERE %s) a JOIN (SELECT * FROM r.%s WHERE %s) b "
             "ON %s", table, where, table, where, on);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
        fail_msg("SQL error in \"%s\": %s", q, sqlite3_errmsg(db));
    long long joined = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (joined != na)
        fail_msg("%s: only %lld of %lld rows have a partner with the same %s", table, joined, na, keys);
    char clist[1024];
    snprintf(clist, sizeof clist, "%s", cols);
    for (char *c = strtok(clist, ", "); c; c = strtok(NULL, ", ")) {
        snprintf(q, sizeof q,
                 "SELECT coalesce(max(abs(a.%s - b.%s)), 0), sum((a.%s IS NULL) != (b.%s IS NULL)) FROM (SELECT * "
                 "FROM main.%s WHERE %s) a JOIN (SELECT * FROM r.%s WHERE %s) b ON %s",
                 c, c, c, c, table, where, table, where, on);
        if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
            fail_msg("SQL error in \"%s\": %s", q, sqlite3_errmsg(db));
        double d = sqlite3_column_double(s, 0);
        long long nulls = sqlite3_column_int64(s, 1);
        sqlite3_finalize(s);
        if (!(d <= tol) || nulls)
            fail_msg("%s.%s: sharded and SpatiaLite runs differ by %g (%lld NULLs on one side only)", table, c, d,
                     nulls);
    }
}

/* Every table the single run wrote (but runs, and timings: a sharded run has each shard's stage times and the
 * finish's, test_shards checks them) has as many rows in the sharded run. */
SVT_FN void svt_same_tables(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM r.sqlite_master WHERE type = 'table' AND name IN (SELECT "
                                            "name FROM main.sqlite_master WHERE type = 'table') ORDER BY name",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (sv_schema_find(t) < 0 || strcmp(t, "runs") == 0 || strcmp(t, "timings") == 0)
            continue;
        long long a = svt_db_int(db, "SELECT count(*) FROM main.\"%s\"", t);
        long long b = svt_db_int(db, "SELECT count(*) FROM r.\"%s\"", t);
        if (a != b)
            fail_msg("%s: %lld rows sharded, %lld in the SpatiaLite run", t, a, b);
    }
    sqlite3_finalize(q);
}

#endif
