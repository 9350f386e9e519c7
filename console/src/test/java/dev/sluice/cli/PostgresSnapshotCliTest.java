package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.testing.Postgres;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13 point 3: a PostgreSQL tier is snapshot with pg_dump and restored with pg_restore, verified both ways. */
class PostgresSnapshotCliTest {
    @TempDir
    Path dir;

    private Path workspace(Postgres pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id serial PRIMARY KEY, amount numeric(10,2) NOT NULL, note text)");
            st.execute("CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders(id), name text)");
            st.execute("CREATE INDEX items_name ON items(name)");
            st.execute("INSERT INTO orders (amount, note) SELECT g * 1.5, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 500) g");
            st.execute("INSERT INTO items SELECT g, 1 + g % 500, 'it''s ✓ ' || g FROM generate_series(1, 1200) g");
        }
        Path ws = dir.resolve("pg");
        Workspace.write(ws, new Workspace.File(Map.of("warehouse", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, false)), null, null));
        return ws;
    }

    private static Map<String, String> checksums(Path ws) {
        Map<String, String> out = new LinkedHashMap<>();
        try (Tier t = Tier.open(Workspace.load(ws).tier("warehouse"))) {
            for (String table : t.tables()) {
                var c = t.checksum(table);
                out.put(table, c.rows() + ":" + c.sha256());
            }
        }
        return out;
    }

    private static Snapshot manifest(Path ws, String name) throws Exception {
        return Json.mapper().readValue(ws.resolve("snapshots").resolve(name).resolve("manifest.json").toFile(), Snapshot.class);
    }

    private static List<String> snapshotFolders(Path ws) throws Exception {
        try (Stream<Path> s = Files.list(ws.resolve("snapshots"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void snapshotThenRestoreBringsBackUpdatedRowsAndADroppedTable() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            Map<String, String> original = checksums(ws);
            CliRunner snap = CliRunner.run("snapshot", "-w", ws.toString(), "pre");
            assertEquals(0, snap.status(), snap.err());
            assertTrue(snap.out().contains("warehouse"), snap.out());

            Snapshot.SnapshotFile f = manifest(ws, "pre").files().get(0);
            assertEquals("warehouse.pgdump", f.file());
            assertEquals(pg.schemaName(), f.schema());
            assertEquals(original, f.checksums());
            assertEquals(Map.of("items", 1200L, "orders", 500L), f.counts());
            assertTrue(Files.size(ws.resolve("snapshots/pre/warehouse.pgdump")) > 0);

            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE orders SET amount = 0 WHERE id <= 100");
                st.execute("DROP TABLE items");
                st.execute("CREATE TABLE items_new (x int)");
            }
            assertNotEquals(original, checksums(ws));

            CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");
            assertEquals(0, restore.status(), restore.err());
            assertTrue(restore.out().contains("Restored 'pre' (warehouse)"), restore.out());
            Map<String, String> after = checksums(ws);
            assertEquals(original.get("orders"), after.get("orders"));
            assertEquals(original.get("items"), after.get("items"));
            // A table made after the snapshot is not in the dump: the restore drops it (pg_restore --clean alone would not).
            assertEquals(original, after, "the schema holds exactly the snapshot's tables");
            // The sequence came back too: the next order gets the id after the snapshot's last one.
            try (Connection c = pg.connect(); Statement st = c.createStatement();
                 var rs = st.executeQuery("INSERT INTO orders (amount) VALUES (1) RETURNING id")) {
                rs.next();
                assertEquals(501, rs.getInt(1));
            }

            CliRunner list = CliRunner.run("snapshots", "-w", ws.toString());
            assertEquals(0, list.status(), list.err());
            assertTrue(list.out().contains("pre") && list.out().contains("warehouse"), list.out());
            assertTrue(list.out().contains("before-restore-"), list.out());
            String before = snapshotFolders(ws).stream().filter(n -> n.startsWith("before-restore-")).findFirst().orElseThrow();
            Snapshot.SnapshotFile kept = manifest(ws, before).files().get(0);
            assertFalse(kept.checksums().containsKey("items"), "the state before had no items table: " + kept.checksums());
            assertEquals(Long.valueOf(0), kept.counts().get("items_new"));
        }
    }

    /** Issue 13 (seed 004's rollback): whatever was made after the snapshot is gone after the restore, not only tables. */
    @Test
    void restoreDropsViewsFunctionsTypesAndSequencesMadeAfterTheSnapshot() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            Map<String, String> original = checksums(ws);
            String objectsBefore = objects(pg);
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TYPE mood AS ENUM ('ok', 'très bien ✓')");
                st.execute("CREATE DOMAIN positive AS numeric CHECK (VALUE > 0)");
                st.execute("CREATE TABLE \"new \"\"odd\"\" table\" (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, m mood, p positive, "
                        + "order_id int REFERENCES orders(id), b bytea)");
                st.execute("INSERT INTO \"new \"\"odd\"\" table\" (m, p, order_id, b) VALUES ('très bien ✓', 1.5, 3, '\\x00ff'), (NULL, NULL, NULL, NULL)");
                st.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100");
                st.execute("CREATE VIEW big_orders_items AS SELECT i.* FROM items i JOIN big_orders o ON o.id = i.order_id");
                st.execute("CREATE MATERIALIZED VIEW order_count AS SELECT count(*) FROM big_orders");
                st.execute("CREATE SEQUENCE loose_seq");
                st.execute("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$");
                st.execute("CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()");
                st.execute("ALTER TABLE orders ADD COLUMN extra serial");
                st.execute("CREATE INDEX orders_note ON orders(note)");
                st.execute("DELETE FROM items WHERE id % 3 = 0");
            }
            assertNotEquals(objectsBefore, objects(pg));

            CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");

            assertEquals(0, restore.status(), restore.out() + restore.err());
            assertEquals(original, checksums(ws), "every table as the snapshot holds it, and no other");
            assertEquals(objectsBefore, objects(pg), "no view, function, type, sequence, index or trigger made after the snapshot is left");
            String before = snapshotFolders(ws).stream().filter(n -> n.startsWith("before-restore-")).findFirst().orElseThrow();
            assertEquals(Long.valueOf(2), manifest(ws, before).files().get(0).counts().get("new \"odd\" table"), "the state before keeps it");
        }
    }

    /** Every object of the test's schema with its kind (indexes and triggers too), sorted: what a restore must give back. */
    private static String objects(Postgres pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); var rs = st.executeQuery("""
                SELECT string_agg(k, ', ' ORDER BY k) FROM (
                  SELECT c.relkind::text || ' ' || c.relname AS k FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
                  UNION ALL SELECT 'f ' || proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
                  UNION ALL SELECT 't ' || typname FROM pg_type WHERE typnamespace = current_schema()::regnamespace
                  UNION ALL SELECT 'g ' || tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
                            WHERE c.relnamespace = current_schema()::regnamespace AND NOT tgisinternal
                  UNION ALL SELECT 'a ' || attrelid::regclass || '.' || attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND attnum > 0 AND NOT attisdropped) x""")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aViewOfAnotherSchemaOnARestoredTableRefusesTheRestoreInOneLineAndNothingChanges() throws Exception {
        try (Postgres pg = Postgres.schema(); Postgres other = Postgres.schema()) {
            Path ws = workspace(pg);
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE orders SET amount = 0");
                st.execute("CREATE TABLE made_after (x int)");
                st.execute("CREATE VIEW " + other.schemaName() + ".watcher AS SELECT * FROM orders");
            }
            Map<String, String> changed = checksums(ws);
            String objects = objects(pg);

            CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");

            assertEquals(ErrorCode.SNAPSHOT.exitStatus(), restore.status(), restore.out() + restore.err());
            assertEquals(1, restore.err().strip().lines().count(), restore.err());
            assertTrue(restore.err().contains("view " + other.schemaName() + ".watcher") && restore.err().contains("rolled back"), restore.err());
            assertEquals(changed, checksums(ws), "nothing restored, made_after still there");
            assertEquals(objects, objects(pg));
        }
    }

    @Test
    void tamperedDumpIsRefusedInOneLineAndNothingChanges() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE orders SET amount = 0");
            }
            Map<String, String> changed = checksums(ws);
            Path dump = ws.resolve("snapshots/pre/warehouse.pgdump");
            byte[] bytes = Files.readAllBytes(dump);
            bytes[bytes.length / 2] ^= 1;
            Files.write(dump, bytes);

            CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "pre");
            assertEquals(ErrorCode.SNAPSHOT.exitStatus(), restore.status(), restore.err());
            assertEquals(1, restore.err().strip().lines().count(), restore.err());
            assertTrue(restore.err().contains("warehouse.pgdump") && restore.err().contains("altered"), restore.err());
            assertEquals(changed, checksums(ws));
            assertEquals(List.of("pre"), snapshotFolders(ws));
        }
    }

    @Test
    void snapshotWhileAnotherConnectionWritesDescribesExactlyTheDumpedRows() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    while (!stop.get()) {
                        st.execute("INSERT INTO orders (amount, note) VALUES (9.99, 'during')");
                        written.incrementAndGet();
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (written.get() < 10) {
                Thread.onSpinWait();
            }
            CliRunner snap;
            long atStart = written.get();
            try {
                snap = CliRunner.run("snapshot", "-w", ws.toString(), "busy");
            } finally {
                stop.set(true);
                writer.join();
            }
            assertEquals(0, snap.status(), snap.err());
            assertTrue(written.get() > atStart, "the writer kept writing during the snapshot");
            // The restore checks every table's checksum against the manifest: it passes only if the dump and the
            // manifest were read in the same transaction snapshot.
            CliRunner restore = CliRunner.run("restore", "-w", ws.toString(), "busy");
            assertEquals(0, restore.status(), restore.err());
            assertEquals(manifest(ws, "busy").files().get(0).checksums(), checksums(ws));
        }
    }

    /** Runs the CLI in a process of its own with {@code bin} as PATH: a running JVM cannot change its environment. */
    private static CliRunner runWithPath(Path bin, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.sluice.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PATH", bin.toString());
        pb.environment().remove("SLUICE_JAVA_OPTS");
        Process p = pb.start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new CliRunner(p.waitFor(), out, err.get());
    }

    @Test
    void missingPgToolsAreOneLineNamingThePackageAndNothingIsWritten() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            Path bin = Files.createDirectories(dir.resolve("bin"));
            CliRunner snap = runWithPath(bin, "snapshot", "-w", ws.toString(), "pre");
            assertEquals(ErrorCode.UNSUPPORTED.exitStatus(), snap.status(), snap.out() + snap.err());
            assertEquals(1, snap.err().strip().lines().count(), snap.err());
            assertTrue(snap.err().contains("pg_dump is not on PATH") && snap.err().contains("postgresql-client"), snap.err());
            assertFalse(Files.exists(ws.resolve("snapshots/pre")));

            // pg_dump present, pg_restore missing: refused before the state-before snapshot is written or anything loaded.
            assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "pre").status());
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM items");
            }
            Map<String, String> changed = checksums(ws);
            Files.createSymbolicLink(bin.resolve("pg_dump"), PgToolsOnPath.find("pg_dump"));
            CliRunner restore = runWithPath(bin, "restore", "-w", ws.toString(), "pre");
            assertEquals(ErrorCode.UNSUPPORTED.exitStatus(), restore.status(), restore.out() + restore.err());
            assertEquals(1, restore.err().strip().lines().count(), restore.err());
            assertTrue(restore.err().contains("pg_restore is not on PATH") && restore.err().contains("postgresql-client"), restore.err());
            assertEquals(List.of("pre"), snapshotFolders(ws));
            assertEquals(changed, checksums(ws));
        }
    }

    @Test
    void withoutPgDumpAMixedWorkspaceIsRefusedNamingThePostgresTierAndHowToSnapshotTheOthersIssue16() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = workspace(pg);
            Files.delete(ws.resolve(Workspace.JSON_FILE));
            Map<String, TierSpec> tiers = new LinkedHashMap<>();
            tiers.put("lokal", TierSpec.of("data/lokal.db"));
            tiers.put("warehouse", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, true));
            Workspace.write(ws, new Workspace.File(tiers, null, null));
            try (Tier t = Tier.open(Workspace.load(ws).tier("lokal"), true)) {
                t.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
                t.exec("INSERT INTO notes VALUES (1, 'ü'), (2, NULL)");
            }
            Path bin = Files.createDirectories(dir.resolve("bin"));
            CliRunner snap = runWithPath(bin, "snapshot", "-w", ws.toString(), "pre");
            assertEquals(ErrorCode.UNSUPPORTED.exitStatus(), snap.status(), snap.out() + snap.err());
            assertEquals(1, snap.err().strip().lines().count(), snap.err());
            assertTrue(snap.err().contains("pg_dump is not on PATH; it is needed to snapshot PostgreSQL tier 'warehouse'."), snap.err());
            assertTrue(snap.err().contains("sluice snapshot NAME --tier lokal"), snap.err());
            assertFalse(Files.exists(ws.resolve("snapshots/pre")));
            // What the line offers works without pg_dump, and names nothing as skipped: the tiers were chosen.
            CliRunner lokal = runWithPath(bin, "snapshot", "-w", ws.toString(), "pre", "--tier", "lokal");
            assertEquals(0, lokal.status(), lokal.out() + lokal.err());
            assertEquals(List.of("lokal"), manifest(ws, "pre").files().stream().map(Snapshot.SnapshotFile::tier).toList());
            assertFalse(lokal.out().contains("skipped"), lokal.out());
        }
    }

    /** Where the real tools are, to offer only some of them on a test's PATH. */
    private static final class PgToolsOnPath {
        static Path find(String tool) {
            for (String d : System.getenv("PATH").split(java.io.File.pathSeparator)) {
                Path p = Path.of(d, tool);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
            throw new AssertionError(tool + " is not on PATH; install postgresql-client to run this test");
        }
    }
}
