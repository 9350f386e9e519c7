import dev.sluice.data.Backfill;
import dev.sluice.data.BackfillOptions;
import dev.sluice.data.BackfillResult;
import dev.sluice.data.CopyOptions;
import dev.sluice.data.CopyResult;
import dev.sluice.data.Diff;
import dev.sluice.data.TableCopy;
import dev.sluice.data.TableDiff;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One data-movement operation per JVM, for scripts/bench-data: prints "key=value" lines (seconds, rows, peak RSS) that
 * the script turns into the ratio table. Not part of Sluice; run through scripts/bench-data.
 */
public final class DataBench {
    public static void main(String[] a) throws Exception {
        if (!"cold".equals(System.getenv("BENCH_JVM"))) {
            warmUp();
        }
        long t0 = System.nanoTime();
        switch (a[0]) {
            case "copy" -> {
                try (Tier src = sqlite("src", a[1], Map.of()); Tier dst = sqlite("dst", a[2], pragmas(a, 3))) {
                    t0 = System.nanoTime();
                    CopyResult r = TableCopy.copy(src, "t", dst, CopyOptions.defaults().announce(s -> { }));
                    out("load", r.elapsed().toNanos() / 1e9);
                    out("verify", r.verifyTime().toNanos() / 1e9);
                    out("rows", r.rows());
                    out("method", r.method());
                    out("verified", r.verified());
                    out("proved", r.notes().stream().anyMatch(n -> n.startsWith("verified in SQLite")));
                }
            }
            case "copy-pg" -> {
                try (Tier src = sqlite("src", a[1], Map.of());
                     Tier dst = Tier.open(new TierConfig("pg", a[2], "postgres", null, Map.of(), false, false, false, null), true)) {
                    if (!"cold".equals(System.getenv("BENCH_JVM"))) { // the console has copied to PostgreSQL before, too
                        Path w = Files.createTempDirectory("sluice-warm-pg").resolve("w.db");
                        try (Tier small = sqlite("w", w.toString(), Map.of())) {
                            small.script("CREATE TABLE w (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL); "
                                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                                    + "INSERT INTO w SELECT i, 'n' || i, i / 3.0 FROM n; CREATE INDEX w_name ON w (name);");
                            TableCopy.copy(small, "w", dst, CopyOptions.defaults());
                            dst.exec("DROP TABLE w");
                        }
                    }
                    t0 = System.nanoTime();
                    CopyResult r = TableCopy.copy(src, "t", dst, CopyOptions.defaults());
                    out("load", r.elapsed().toNanos() / 1e9);
                    out("verify", r.verifyTime().toNanos() / 1e9);
                    out("rows", r.rows());
                    out("verified", r.verified());
                }
            }
            case "backfill", "backfill-update" -> {
                try (Tier db = sqlite("db", a[1], pragmas(a, 2))) {
                    db.query("SELECT count(*) FROM t"); // opened, as in a console session
                    t0 = System.nanoTime();
                    String sql = a[0].equals("backfill") ? "INSERT INTO t2 SELECT * FROM t WHERE id BETWEEN :lo AND :hi"
                            : "UPDATE t SET score = score * 2 WHERE id BETWEEN :lo AND :hi";
                    BackfillResult r = Backfill.sql(db, "t", sql, BackfillOptions.defaults().batchRows(1000).progress(false));
                    out("rows", r.rows());
                    out("batches", r.batches());
                }
            }
            case "diff" -> {
                try (Tier x = sqlite("a", a[1], Map.of()); Tier y = sqlite("b", a[2], Map.of())) {
                    Diff d = TableDiff.diff(x.table("t"), y.table("t"));
                    out("rowsRead", d.rowsRead());
                    out("fullRows", d.fullComparisonRows());
                    out("found", d.added().size() + d.removed().size() + d.changed().size());
                    long f0 = System.nanoTime();
                    // The full comparison it replaces: both checksums, read in parallel on their own connections.
                    var fy = java.util.concurrent.CompletableFuture.supplyAsync(() -> y.checksum("t"));
                    boolean same = x.checksum("t").equals(fy.join());
                    out("fullCompare", (System.nanoTime() - f0) / 1e9);
                    out("fullSame", same);
                    out("diff", d.elapsed().toNanos() / 1e9);
                    out("method", d.method().replaceFirst(" \\(.*", "").replace(' ', '_'));
                }
            }
            default -> throw new IllegalArgumentException(a[0]);
        }
        out("seconds", (System.nanoTime() - t0) / 1e9);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                out("rssMB", Long.parseLong(line.replaceAll("\\D", "")) / 1024);
            }
        }
    }

    /** A console session has run something before: one small copy, checksum and diff load and compile the code paths. */
    private static void warmUp() throws Exception {
        Path dir = Files.createTempDirectory("sluice-warm");
        try (Tier x = sqlite("wa", dir.resolve("a.db").toString(), Map.of()); Tier y = sqlite("wb", dir.resolve("b.db").toString(), Map.of())) {
            x.script("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, payload TEXT, created TEXT); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                    + "INSERT INTO t SELECT i, 'n' || i, i / 3.0, hex(randomblob(20)), datetime(i, 'unixepoch') FROM n;");
            TableCopy.copy(x, "t", y, CopyOptions.defaults().announce(s -> { }));
            y.exec("UPDATE t SET score = 0 WHERE id = 5");
            TableDiff.diff(x.table("t"), y.table("t"));
            x.exec("CREATE TABLE t2 AS SELECT * FROM t WHERE 0");
            Backfill.sql(x, "t", "INSERT INTO t2 SELECT * FROM t WHERE id BETWEEN :lo AND :hi", BackfillOptions.defaults().progress(false));
        }
    }

    private static Map<String, String> pragmas(String[] a, int from) {
        Map<String, String> p = new HashMap<>();
        for (int i = from; i < a.length; i++) {
            String[] kv = a[i].split("=", 2);
            p.put(kv[0], kv[1]);
        }
        return p;
    }

    private static Tier sqlite(String name, String file, Map<String, String> pragmas) {
        Path p = Path.of(file).toAbsolutePath();
        return Tier.open(new TierConfig(name, "jdbc:sqlite:" + p, null, null, pragmas, false, false, false, p), true);
    }

    private static void out(String k, Object v) {
        System.out.println(k + "=" + v);
    }
}
